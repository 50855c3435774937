// The samples `npm start` sends as signed webhooks (and a newcomer copies from the README) map
// whole through their connector's kind: none of it would land in quarantine.
import { describe, expect, it } from "vitest";
import { kindFor } from "../../../domain/ingest/kinds/index.ts";
import { mapItem } from "../../../domain/ingest/map-item.ts";
import { DEMO_CONNECTORS } from "../../../scripts/seed/demo-connectors.ts";

const files = import.meta.glob("../../../scripts/seed/webhooks/*", {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

describe("the demo webhook samples", () => {
  it.each(DEMO_CONNECTORS.flatMap((c) => c.samples.map((sample) => ({ kind: c.kind, sample }))))(
    "$sample maps without quarantine on the $kind kind",
    ({ kind, sample }) => {
      const body = files[`../../../${sample}`];
      expect(body, `${sample} is missing`).toBeTypeOf("string");
      const definition = kindFor(kind);
      const contentType = sample.endsWith(".ndjson") ? "application/x-ndjson" : "application/json";
      const parsed = definition.parse(body as string, contentType);
      if (!parsed.ok) throw new Error(parsed.reason);
      for (const item of parsed.items) {
        const result = mapItem(definition, item, {
          now: Date.UTC(2026, 10, 22),
          connectorId: "conn_demo",
          config: {},
        });
        expect(result.ok ? "mapped" : `${result.reason}: ${JSON.stringify(result.errors)}`).toBe("mapped");
      }
    },
  );
});
