// Cisco XDR's own OCSF export: OCSF 1.4 Detection Findings, one per request or in an export bundle
// with the activity events behind them. Accepted on the cisco-xdr and ocsf kinds, stored as OCSF
// 1.8 with the events as evidence, and folded into the same alert as the incident sent as CTIM.
import { describe, expect, it } from "vitest";
import { makeDetectionFinding } from "../../../support/factories/findings.ts";
import { connectorOf, deliver } from "../../../support/ingest.ts";
import { validateDetectionFinding } from "../../../support/ocsf-validators.ts";
import { call, tokenFor } from "../../../support/world.ts";
import { INCIDENT_UUID, makeIncident } from "./fixtures.ts";

const T = Date.UTC(2026, 10, 2, 10, 16);

function exportedFinding(uid: string) {
  const base = makeDetectionFinding({}, 1404);
  return {
    ...base,
    time: T,
    metadata: { ...base.metadata, version: "1.4.0", product: { name: "Cisco XDR", vendor_name: "Cisco" } },
    finding_info: { ...base.finding_info, uid, title: "Malicious PowerShell on wks-0142" },
  };
}

const activity = (classUid: number, name: string, i: number) => ({
  class_uid: classUid,
  class_name: name,
  category_uid: 1,
  activity_id: 1,
  type_uid: classUid * 100 + 1,
  severity_id: 3,
  time: T - i * 1000,
  message: `${name} ${i}`,
  metadata: {
    version: "1.4.0",
    uid: `evt-${classUid}-${i}`,
    product: { name: "Cisco Secure Endpoint", vendor_name: "Cisco" },
  },
});

const exportBundle = (uid: string) => ({
  count: 3,
  start_time: T - 60_000,
  end_time: T,
  events: [
    activity(1007, "Process Activity", 1),
    exportedFinding(uid),
    activity(4001, "Network Activity", 2),
  ],
});

async function storedAlerts(c: Awaited<ReturnType<typeof connectorOf>>) {
  const token = await tokenFor(c.tenant, { scopes: ["alerts:read"] });
  const page = (await (await call("GET", "/v1/alerts", { token })).json()) as {
    data: Array<Record<string, unknown>>;
  };
  return page.data;
}

describe("Cisco XDR's OCSF export", () => {
  it("stores an export bundle's finding as OCSF 1.8 with its activity events as evidence, on either kind", async () => {
    for (const kind of ["cisco-xdr", "ocsf"] as const) {
      const c = await connectorOf(kind);
      const res = await deliver(c, JSON.stringify(exportBundle(`xdr-export-${kind}`)));
      expect(await res.json()).toMatchObject({ accepted: 1, quarantined: 0 });
      const [alert] = await storedAlerts(c);
      expect(validateDetectionFinding(alert)).toEqual([]);
      const info = alert?.finding_info as { related_events?: Array<{ uid: string }> };
      expect(info.related_events?.map((e) => e.uid)).toEqual(["evt-1007-1", "evt-4001-2"]);
      const unmapped = alert?.unmapped as { ocsf_version_received?: string; evidence_events?: unknown[] };
      expect(unmapped.ocsf_version_received).toBe("1.4.0");
      expect(unmapped.evidence_events).toHaveLength(2);
    }
  });

  it("takes a single 1.4 finding, and refuses a bundle that holds no finding or two", async () => {
    const c = await connectorOf("cisco-xdr");
    const single = await deliver(c, JSON.stringify(exportedFinding("xdr-export-single")));
    expect(await single.json()).toMatchObject({ accepted: 1, quarantined: 0 });
    const two = { ...exportBundle("a"), events: [exportedFinding("a"), exportedFinding("b")] };
    const none = { ...exportBundle("c"), events: [activity(1007, "Process Activity", 1)] };
    const bad = await deliver(c, `${JSON.stringify(two)}\n${JSON.stringify(none)}`, {
      headers: { "content-type": "application/x-ndjson" },
    });
    expect(await bad.json()).toMatchObject({ accepted: 0, quarantined: 2 });
  });

  it("folds a finding about an XDR incident into the alert of that incident sent as CTIM", async () => {
    const c = await connectorOf("cisco-xdr");
    const ctim = await deliver(c, JSON.stringify(makeIncident()));
    expect(await ctim.json()).toMatchObject({ accepted: 1 });
    const exported = await deliver(c, JSON.stringify(exportBundle(INCIDENT_UUID)));
    expect(await exported.json()).toMatchObject({ accepted: 0, duplicates: 1, quarantined: 0 });
    expect(await storedAlerts(c)).toHaveLength(1);
  });
});
