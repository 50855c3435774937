// Valid CTIM that is not a detection (notes, actors, lone observables, deletions) is acknowledged
// and counted as ignored, not quarantined; a judgement is kept as threat intelligence.
import { describe, expect, it } from "vitest";
import { connectorOf, deliver } from "../../../support/ingest.ts";
import { makeCtiaEvent, makeSighting } from "./fixtures.ts";

const note = {
  type: "note",
  id: "transient:note-1",
  content: "Host owner confirmed the macro was not theirs.",
  note_class: "analyst",
  related_entities: [{ entity_id: "transient:sighting-1", entity_type: "sighting" }],
  timestamp: "2026-11-02T10:20:00.000Z",
  source: "Cisco XDR",
};

describe("Cisco XDR items that are not detections", () => {
  it("are acknowledged and counted as ignored, one by one, while a judgement alone is kept as intelligence", async () => {
    const c = await connectorOf("cisco-xdr");
    const items = [
      note,
      { type: "ip", value: "203.0.113.45" },
      { type: "actor", id: "transient:actor-1", title: "FIN-X", actor_type: "Hacker" },
      { type: "bundle", notes: [note], actors: [{ type: "actor", title: "FIN-X" }] },
      { ...makeCtiaEvent(note), event_type: "record-created" },
      makeCtiaEvent(makeSighting(), "record-deleted"),
      makeSighting(),
      {
        type: "judgement",
        id: "transient:judgement-1",
        observable: { type: "ip", value: "203.0.113.45" },
        disposition: 2,
        disposition_name: "Malicious",
        source: "Talos",
        priority: 90,
        severity: "High",
        confidence: "High",
        valid_time: { start_time: "2026-11-01T00:00:00.000Z", end_time: "2026-12-01T00:00:00.000Z" },
      },
    ];
    const res = await deliver(c, items.map((i) => JSON.stringify(i)).join("\n"), {
      headers: { "content-type": "application/x-ndjson" },
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, quarantined: 0, ignored: 6, intel: 1 });
  });
});
