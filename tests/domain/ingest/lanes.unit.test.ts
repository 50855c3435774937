// Ingest lanes (decision 053): a tenant over its share of a window goes to the bulk lane and stays
// there while it keeps flooding; everyone else, and the flooder once it calms down, takes the main lane.
import { describe, expect, it } from "vitest";
import {
  BULK_HOLD_MS,
  DELIVERY_COST_BYTES,
  FLOOD_BYTES_PER_WINDOW,
  FLOOD_WINDOW_MS,
  IngestLanes,
} from "../../../domain/ingest/lanes.ts";

const T0 = Date.parse("2026-12-05T08:00:00Z");
const BODY = 64 * 1024;
const PER_WINDOW = Math.floor(FLOOD_BYTES_PER_WINDOW / (BODY + DELIVERY_COST_BYTES));

describe("ingest lanes", () => {
  it("sends a tenant to the bulk lane once it passes its share of a window, and not another tenant", () => {
    const lanes = new IngestLanes();
    const flood = Array.from({ length: PER_WINDOW + 3 }, (_, i) => lanes.laneFor("flooder", BODY, T0 + i));
    expect(flood.slice(0, PER_WINDOW)).toEqual(Array(PER_WINDOW).fill("main"));
    expect(flood.slice(PER_WINDOW)).toEqual(["bulk", "bulk", "bulk"]);
    expect(lanes.laneFor("quiet", 1_000, T0 + 10)).toBe("main");
  });

  it("keeps a flooder in the bulk lane while it floods, and lets it back once it has been quiet for the hold", () => {
    const lanes = new IngestLanes();
    let now = T0;
    const sendWindow = () => {
      for (let i = 0; i <= PER_WINDOW; i++) lanes.laneFor("flooder", BODY, now);
    };
    sendWindow();
    // A new window starts under the limit, but the hold keeps the flood in bulk.
    now += FLOOD_WINDOW_MS;
    expect(lanes.laneFor("flooder", 100, now)).toBe("bulk");
    sendWindow();
    now += BULK_HOLD_MS - 1;
    expect(lanes.laneFor("flooder", 100, now)).toBe("bulk");
    now += 1;
    expect(lanes.laneFor("flooder", 100, now)).toBe("main");
  });

  it("counts many small deliveries as well as a few large ones", () => {
    const lanes = new IngestLanes();
    const tiny = Math.floor(FLOOD_BYTES_PER_WINDOW / (100 + DELIVERY_COST_BYTES));
    for (let i = 0; i < tiny; i++) expect(lanes.laneFor("chatty", 100, T0)).toBe("main");
    expect(lanes.laneFor("chatty", 100, T0)).toBe("bulk");
  });
});
