// CTIM judgements and verdicts are threat intelligence, not mapping failures: kept per source with
// their disposition and validity, whether they arrive alone, in a CTIA record event or in a bundle
// beside the sighting they judge, and shown on the observables of the case that holds it.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { caseEnrichment } from "../../../../domain/case/enrichment.ts";
import { connectorOf, deliver, followUpsSettled } from "../../../support/ingest.ts";
import { call, tenantDb, tokenFor } from "../../../support/world.ts";
import { makeCtiaEvent, makeSighting } from "./fixtures.ts";

const NOW = Date.UTC(2026, 10, 15, 12);
let minted = 0;

function judgement(overrides: Record<string, unknown> = {}) {
  return {
    type: "judgement",
    id: `transient:judgement-${++minted}`,
    schema_version: "1.3.28",
    observable: { type: "ip", value: "203.0.113.45" },
    disposition: 2,
    disposition_name: "Malicious",
    source: "Cisco Talos Intelligence",
    priority: 95,
    severity: "High",
    confidence: "High",
    reason: "Known C2 infrastructure",
    reason_uri: "https://talosintelligence.com/reputation_center/lookup?search=203.0.113.45",
    valid_time: { start_time: "2026-11-01T00:00:00.000Z", end_time: "2027-01-01T00:00:00.000Z" },
    timestamp: "2026-11-01T00:00:00.000Z",
    ...overrides,
  };
}

const verdict = () => ({
  type: "verdict",
  observable: { type: "domain", value: "updates.example.net" },
  disposition: 3,
  disposition_name: "Suspicious",
  valid_time: { start_time: "2026-11-02T00:00:00.000Z" },
  judgement_id: "transient:judgement-x",
});

/** A bundle with a sighting of the judged IP and the judgement itself. */
const bundle = () =>
  JSON.stringify({
    type: "bundle",
    source: "relay",
    sightings: [{ ...makeSighting(), id: `transient:sighting-${++minted}` }],
    judgements: [judgement()],
  });

/** A low-severity sighting of the judged IP, so a raised priority shows. */
const lowSighting = () =>
  JSON.stringify({ ...makeSighting({ severity: "Low" }), id: `transient:sighting-${++minted}` });

/** The tenant's one case, as GET /v1/cases/{id} shows it. */
async function onlyCase(c: Awaited<ReturnType<typeof connectorOf>>) {
  const db = tenantDb(c.tenant);
  const caseId =
    (await db.prepare("SELECT case_id FROM alerts WHERE case_id IS NOT NULL").first<string>("case_id")) ?? "";
  const token = await tokenFor(c.tenant, { scopes: ["cases:read"] });
  const body = (await (await call("GET", `/v1/cases/${caseId}`, { token })).json()) as {
    priority: string;
    timeline: Array<{ type: string; reason?: string }>;
    observables: Array<{ type: string; value: string; verdicts: Array<Record<string, unknown>> }>;
  };
  return { caseId, body };
}

describe("Cisco XDR threat intelligence", () => {
  it("keeps judgements and verdicts alone, in record events and in bundles, and a redelivery adds none", async () => {
    const c = await connectorOf("cisco-xdr");
    const first = await deliver(
      c,
      [
        judgement({ source: "Umbrella", disposition: 3, disposition_name: "Suspicious" }),
        makeCtiaEvent(verdict()),
      ]
        .map((x) => JSON.stringify(x))
        .join("\n"),
      { headers: { "content-type": "application/x-ndjson" } },
    );
    expect(await first.json()).toMatchObject({ accepted: 0, quarantined: 0, intel: 2 });
    const withSighting = await deliver(c, bundle());
    expect(await withSighting.json()).toMatchObject({ accepted: 1, quarantined: 0, intel: 1 });
    // The same material again, with fresh transient ids: the same records, updated in place.
    await deliver(c, bundle());
    await deliver(
      c,
      [
        judgement({ source: "Umbrella", disposition: 3, disposition_name: "Suspicious" }),
        makeCtiaEvent(verdict()),
      ]
        .map((x) => JSON.stringify(x))
        .join("\n"),
      { headers: { "content-type": "application/x-ndjson" } },
    );
    const stored = await tenantDb(c.tenant)
      .prepare("SELECT kind, source, disposition_name FROM intel_judgements ORDER BY source")
      .all();
    expect(stored.results).toEqual([
      { kind: "judgement", source: "Cisco Talos Intelligence", disposition_name: "Malicious" },
      { kind: "verdict", source: "Cisco XDR", disposition_name: "Suspicious" },
      { kind: "judgement", source: "Umbrella", disposition_name: "Suspicious" },
    ]);
  });

  it("never lets an older version of a judgement, delivered late, overwrite a newer one", async () => {
    const c = await connectorOf("cisco-xdr");
    const id = "judgement-7a1c9a52-0d4e-4b2a-9c61-2e8f5b7d9a03";
    await deliver(
      c,
      JSON.stringify(
        judgement({ id, disposition: 1, disposition_name: "Clean", timestamp: "2026-11-10T00:00:00.000Z" }),
      ),
    );
    await deliver(c, JSON.stringify(judgement({ id, timestamp: "2026-11-05T00:00:00.000Z" })));
    const row = await tenantDb(c.tenant)
      .prepare("SELECT disposition_name FROM intel_judgements WHERE id = ?")
      .bind(id)
      .first("disposition_name");
    expect(row).toBe("Clean");
  });

  it("shows the current verdict on the observables of the case holding the judged IP", async () => {
    const c = await connectorOf("cisco-xdr");
    await deliver(c, bundle());
    const db = tenantDb(c.tenant);
    const caseId = await db
      .prepare("SELECT case_id FROM alerts WHERE case_id IS NOT NULL")
      .first<string>("case_id");
    expect(caseId).toMatch(/^case_/);
    const { observables } = await caseEnrichment(db, caseId ?? "", { now: NOW });
    const ip = observables.find((o) => o.value === "203.0.113.45");
    expect(ip?.verdicts).toEqual([
      expect.objectContaining({
        provider: "Cisco Talos Intelligence",
        verdict: "Malicious",
        reason: "Known C2 infrastructure",
      }),
    ]);
  });

  it("raises the case of an alert carrying an observable judged Malicious now to P2, and its timeline says why", async () => {
    const c = await connectorOf("cisco-xdr");
    // The judgement arrives first; the low-severity sighting of the judged IP comes later.
    await deliver(c, JSON.stringify(judgement()));
    await deliver(c, lowSighting());
    const { caseId, body } = await onlyCase(c);
    // The case page data: the priority, why it was raised, and the verdict on the observable.
    expect(body.priority).toBe("P2");
    expect(body.timeline.find((e) => e.type === "case.priority_changed")?.reason).toMatch(
      /^Malicious verdict on ip 203\.0\.113\.45 from Cisco Talos Intelligence \(Known C2 infrastructure\) \(alert alrt_/,
    );
    expect(body.observables.find((o) => o.value === "203.0.113.45")?.verdicts).toEqual([
      {
        source: "Cisco Talos Intelligence",
        verdict: "Malicious",
        reason: "Known C2 infrastructure",
        valid_until: Date.parse("2027-01-01T00:00:00.000Z"),
      },
    ]);
    // The case object's own log says the same.
    const events = await env.CASES.getByName(`${c.tenant.id}:${caseId}`).events(0, 100);
    expect(events.ok && events.events.some((e) => e.type === "case.priority_changed")).toBe(true);
  });

  it("raises the case's priority when the Malicious judgement arrives after the case", async () => {
    const c = await connectorOf("cisco-xdr");
    await deliver(c, lowSighting());
    expect((await onlyCase(c)).body.priority).not.toBe("P2");
    await deliver(c, JSON.stringify(judgement()));
    await followUpsSettled(c.tenant);
    const { body } = await onlyCase(c);
    expect(body.priority).toBe("P2");
    expect(body.timeline.find((e) => e.type === "case.priority_changed")?.reason).toMatch(
      /^Malicious verdict on ip 203\.0\.113\.45 from Cisco Talos Intelligence/,
    );
    // A Clean verdict from the same source arriving later, at a higher priority, does not lower it.
    await deliver(
      c,
      JSON.stringify(
        judgement({ disposition: 1, disposition_name: "Clean", priority: 99, reason: "Sinkholed" }),
      ),
    );
    await followUpsSettled(c.tenant);
    expect((await onlyCase(c)).body.priority).toBe("P2");
  });

  it("leaves the priority alone when the Malicious judgement has expired", async () => {
    const c = await connectorOf("cisco-xdr");
    await deliver(
      c,
      JSON.stringify(
        judgement({
          valid_time: { start_time: "2025-01-01T00:00:00.000Z", end_time: "2025-02-01T00:00:00.000Z" },
        }),
      ),
    );
    await deliver(c, lowSighting());
    const { body } = await onlyCase(c);
    expect(body.priority).not.toBe("P2");
  });
});
