// CTIM material as Cisco's own tooling produces it: bundles for /ctia/bundle/import whose entities
// and relationships use bundle-local transient ids, and relay-module sightings with no id at all.
// Both map to findings with a stable identity, so a redelivery with fresh transient ids only
// counts occurrences.
import { describe, expect, it } from "vitest";
import type { MapContext, MappedFinding } from "../../../../domain/ingest/kind.ts";
import { ciscoXdr } from "../../../../domain/ingest/kinds/cisco-xdr/index.ts";
import { connectorOf, deliver } from "../../../support/ingest.ts";
import { validateDetectionFinding } from "../../../support/ocsf-validators.ts";
import { makeIncident, makeSighting } from "./fixtures.ts";

const ctx = (connectorId = "con_01kxdrtestconnector000000"): MapContext => ({
  now: Date.UTC(2026, 10, 2, 11),
  connectorId,
  config: {},
});

/** Every finding a delivery maps to, or the first reason an item could not be mapped. */
function mapDelivery(body: string, context = ctx()): MappedFinding[] {
  const parsed = ciscoXdr.parse(body, "application/json");
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.items.flatMap((item) => {
    const result = ciscoXdr.map(item, context);
    if (!result.ok) throw new Error(`${result.reason}: ${JSON.stringify(result.errors)}`);
    return result.findings;
  });
}

let minted = 0;
/** A bundle as written for CTIA's import: two sightings of one incident, all with transient ids. */
function importBundle(options: { shuffle?: boolean } = {}) {
  const fresh = (what: string) => `transient:${what}-${++minted}`;
  const [s1, s2, inc] = [fresh("sighting"), fresh("sighting"), fresh("incident")];
  const sightings = [
    makeSighting({ id: s1 }),
    makeSighting({
      id: s2,
      title: "Outbound connection to a known C2 address",
      observables: [{ type: "ip", value: "198.51.100.7" }],
    }),
  ];
  const incidents = [makeIncident({ id: inc, external_ids: ["xdr-incident-XDR-2077"] })];
  const relationships = [
    {
      type: "relationship",
      relationship_type: "member-of",
      source_ref: s1,
      target_ref: inc,
      id: fresh("rel"),
    },
    {
      type: "relationship",
      relationship_type: "member-of",
      source_ref: s2,
      target_ref: inc,
      id: fresh("rel"),
    },
  ];
  const order = <T>(xs: T[]) => (options.shuffle ? [...xs].reverse() : xs);
  return JSON.stringify({
    type: "bundle",
    source: "Cisco Secure Endpoint relay",
    relationships: order(relationships),
    incidents,
    sightings: order(sightings),
  });
}

const uids = (findings: MappedFinding[]) =>
  findings.map((f) => (f.finding.finding_info as { uid: string }).uid).sort();

describe("Cisco XDR entities without a CTIA id", () => {
  it("maps an import bundle with transient ids, joining its sightings to its incident through the bundle's relationships", () => {
    const findings = mapDelivery(importBundle());
    expect(findings).toHaveLength(3);
    const incident = findings.find((f) => f.finding.finding_info.uid?.startsWith("incident-"));
    expect(incident?.finding.finding_info.uid).toMatch(/^incident-x-[0-9a-f]{32}$/);
    // Every finding lands in the incident's case.
    expect(new Set(findings.map((f) => f.correlationKey))).toEqual(
      new Set([`xdr-incident:${incident?.finding.finding_info.uid}`]),
    );
    for (const f of findings) expect(validateDetectionFinding(f.finding)).toEqual([]);
    const unmapped = findings.map(
      (f) => (f.finding.unmapped as { xdr?: { identity?: unknown } }).xdr?.identity,
    );
    expect(unmapped).toContainEqual({ basis: "content", transient_id: expect.stringMatching(/^transient:/) });
    expect(unmapped).toContainEqual({
      basis: "external_ids",
      transient_id: expect.stringMatching(/^transient:/),
    });
  });

  it("gives the same bundle the same identities when it comes again with fresh transient ids, in another order", () => {
    expect(uids(mapDelivery(importBundle({ shuffle: true })))).toEqual(uids(mapDelivery(importBundle())));
  });

  it("knows a sighting without an id by what it says, per connector, and by its external ids wherever they are", () => {
    const { id: _id, ...relay } = makeSighting();
    const [first] = mapDelivery(JSON.stringify(relay));
    const [again] = mapDelivery(JSON.stringify({ ...relay, severity: "Critical", count: 9 }));
    const [elsewhere] = mapDelivery(JSON.stringify(relay), ctx("con_01kxdrotherconnector00000"));
    const uid = first?.finding.finding_info.uid;
    expect(uid).toMatch(/^sighting-c-[0-9a-f]{32}$/);
    // An update of the same sighting (severity, count) is the same sighting.
    expect(again?.finding.finding_info.uid).toBe(uid);
    expect(elsewhere?.finding.finding_info.uid).not.toBe(uid);
    const [x1] = mapDelivery(JSON.stringify({ ...relay, external_ids: ["amp-event-991"] }));
    const [x2] = mapDelivery(
      JSON.stringify({ ...relay, title: "Renamed", external_ids: ["amp-event-991"] }),
      ctx("con_01kxdrotherconnector00000"),
    );
    expect(x1?.finding.finding_info.uid).toMatch(/^sighting-x-/);
    expect(x2?.finding.finding_info.uid).toBe(x1?.finding.finding_info.uid);
  });

  it("still refuses an id that is neither a CTIA id nor a transient one", () => {
    const parsed = ciscoXdr.parse(JSON.stringify(makeSighting({ id: "not an id" })), "application/json");
    if (!parsed.ok) throw new Error(parsed.reason);
    const result = parsed.items[0] && ciscoXdr.map(parsed.items[0], ctx());
    expect(result).toMatchObject({
      ok: false,
      reason: "the Cisco XDR sighting id is not a CTIM sighting id",
    });
  });

  it("stores a redelivered import bundle with fresh transient ids as occurrences only", async () => {
    const c = await connectorOf("cisco-xdr");
    const first = await deliver(c, importBundle());
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ accepted: 3, duplicates: 0, quarantined: 0 });
    const second = await deliver(c, importBundle({ shuffle: true }));
    expect(await second.json()).toMatchObject({ accepted: 0, duplicates: 3, quarantined: 0 });
  });
});
