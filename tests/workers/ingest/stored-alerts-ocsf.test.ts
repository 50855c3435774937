// Whatever the source, every alert Phoenix stores reads back from the API as a Detection Finding
// that validates against the OCSF 1.8 schema (Ajv), and carries the connector it came from.
import { describe, expect, it } from "vitest";
import { sampleAiActivityEvents } from "../../../domain/ingest/kinds/ai-activity/event.ts";
import { makeDetectionFindings } from "../../support/factories/findings.ts";
import { connectorOf, deliver } from "../../support/ingest.ts";
import { validateDetectionFinding } from "../../support/ocsf-validators.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";
import {
  INCIDENT_UUID,
  makeIncident,
  makeIncidentCreated,
  makeMemberOf,
  makeSighting,
  OTHER_SIGHTING_UUID,
  SIGHTING_UUID,
} from "./cisco-xdr/fixtures.ts";

const examples = import.meta.glob<Record<string, unknown>>(
  "../../../../shared/ocsf/examples/detection_finding.*.json",
  {
    eager: true,
    import: "default",
  },
);

describe("stored alerts from every connector kind", () => {
  it("validate against detection_finding.schema.json", async () => {
    const tenant = await createTenant();
    const xdr = await connectorOf("cisco-xdr", tenant);
    const ai = await connectorOf("ai-activity", tenant);
    const ocsf = await connectorOf("ocsf", tenant);

    const bundle = {
      type: "bundle",
      source: "Cisco XDR",
      sightings: [makeSighting(), makeSighting({ id: `sighting-${OTHER_SIGHTING_UUID}` })],
      incidents: [makeIncident()],
      relationships: [makeMemberOf(SIGHTING_UUID, INCIDENT_UUID)],
    };
    const results = [
      await deliver(xdr, JSON.stringify(bundle)),
      await deliver(xdr, JSON.stringify(makeIncidentCreated())),
      await deliver(
        ai,
        sampleAiActivityEvents()
          .map((e) => JSON.stringify(e))
          .join("\n"),
      ),
      await deliver(ocsf, JSON.stringify([...Object.values(examples), ...makeDetectionFindings(50, 99)])),
    ];
    for (const res of results) {
      expect(res.status).toBe(202);
      expect(((await res.clone().json()) as { quarantined: number }).quarantined).toBe(0);
    }

    const token = await tokenFor(tenant, { scopes: ["alerts:read"] });
    let checked = 0;
    let invalid = 0;
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = (await (await call("GET", `/v1/alerts?limit=200${query}`, { token })).json()) as {
        data: Array<Record<string, unknown>>;
        next_cursor: string | null;
      };
      for (const alert of page.data) {
        const errors = validateDetectionFinding(alert);
        if (errors.length > 0) invalid++;
        expect(errors).toEqual([]);
        checked++;
      }
      cursor = page.next_cursor;
    } while (cursor);

    const bySource = await tenantDb(tenant)
      .prepare("SELECT source_connector_id AS id, count(*) AS n FROM alerts GROUP BY source_connector_id")
      .all<{ id: string; n: number }>();
    const counts = Object.fromEntries(bySource.results.map((r) => [r.id, r.n]));
    console.log(
      `stored alerts validated: ${checked} (xdr ${counts[xdr.id]}, ai-activity ${counts[ai.id]}, ocsf ${counts[ocsf.id]}), invalid ${invalid}`,
    );
    expect(counts[xdr.id]).toBeGreaterThanOrEqual(3);
    expect(counts[ai.id]).toBeGreaterThanOrEqual(1);
    expect(counts[ocsf.id]).toBe(55);
    expect(invalid).toBe(0);
  });
});
