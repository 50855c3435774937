// POST /ingest/{connectorId} end to end: signatures on the raw bytes, webhook-id dedup, finding
// dedup, quarantine, and correlation into cases, through the real Worker and case objects.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { makeDetectionFinding } from "../../support/factories/findings.ts";
import { deliver, ocsfConnector } from "../../support/ingest.ts";
import { call, tenantDb } from "../../support/world.ts";

const count = async (db: D1Database, sql: string, ...binds: unknown[]) =>
  (await db
    .prepare(sql)
    .bind(...binds)
    .first<number>("n")) ?? -1;

describe("signatures", () => {
  it("a signed delivery is accepted; tampered, stale or wrongly signed ones get 401 and store nothing", async () => {
    const c = await ocsfConnector();
    const db = tenantDb(c.tenant);
    const payload = JSON.stringify(makeDetectionFinding({}, 1));

    for (const bad of [
      deliver(c, payload, { tamper: true }),
      deliver(c, payload, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      deliver(c, payload, { secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }),
      call("POST", `/ingest/${c.id}`, { rawBody: payload, headers: { "content-type": "application/json" } }),
    ]) {
      const res = await bad;
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    expect(await count(db, "SELECT count(*) AS n FROM alerts")).toBe(0);
    expect(await count(db, "SELECT count(*) AS n FROM webhook_deliveries")).toBe(0);

    const ok = await deliver(c, payload);
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ accepted: 1, duplicates: 0, quarantined: 0, ignored: 0, intel: 0 });
    expect(await count(db, "SELECT count(*) AS n FROM alerts WHERE source_connector_id = ?", c.id)).toBe(1);
  });

  it("an unknown connector is 404 and an oversized delivery 413", async () => {
    const c = await ocsfConnector();
    expect((await call("POST", "/ingest/con_01jz0000000000000000000000", { rawBody: "{}" })).status).toBe(
      404,
    );
    expect((await call("POST", "/ingest/not-a-connector", { rawBody: "{}" })).status).toBe(404);
    const huge = JSON.stringify({ ...makeDetectionFinding(), padding: "x".repeat(4 * 1024 * 1024) });
    expect((await deliver(c, huge)).status).toBe(413);
  });

  it("after a rotation the previous secret verifies during the grace period", async () => {
    const c = await ocsfConnector();
    const rotated = (await (
      await call("POST", `/v1/connectors/${c.id}/rotate-secret`, {
        token: c.admin,
        body: { grace_seconds: 600 },
      })
    ).json()) as { secret: string };
    expect((await deliver(c, JSON.stringify(makeDetectionFinding()))).status).toBe(202);
    expect(
      (await deliver(c, JSON.stringify(makeDetectionFinding()), { secret: rotated.secret })).status,
    ).toBe(202);

    await call("POST", `/v1/connectors/${c.id}/rotate-secret`, {
      token: c.admin,
      body: { grace_seconds: 0 },
    });
    expect((await deliver(c, JSON.stringify(makeDetectionFinding()))).status).toBe(401);
  });
});

describe("dedup and quarantine", () => {
  it("a re-delivered webhook changes nothing; a duplicate finding only bumps its count", async () => {
    const c = await ocsfConnector();
    const db = tenantDb(c.tenant);
    const payload = JSON.stringify([makeDetectionFinding({}, 5), makeDetectionFinding({}, 6)]);
    expect(await (await deliver(c, payload, { id: "msg_fixed" })).json()).toEqual({
      accepted: 2,
      duplicates: 0,
      quarantined: 0,
      ignored: 0,
      intel: 0,
    });
    const again = await deliver(c, payload, { id: "msg_fixed" });
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({
      accepted: 0,
      duplicates: 0,
      quarantined: 0,
      ignored: 0,
      intel: 0,
      redelivered: true,
    });
    expect(await count(db, "SELECT sum(occurrence_count) AS n FROM alerts")).toBe(2);

    expect(await (await deliver(c, payload)).json()).toEqual({
      accepted: 0,
      duplicates: 2,
      quarantined: 0,
      ignored: 0,
      intel: 0,
    });
    expect(await count(db, "SELECT sum(occurrence_count) AS n FROM alerts")).toBe(4);
    expect(await count(db, "SELECT count(*) AS n FROM alerts")).toBe(2);
  });

  it("items that cannot be mapped go to quarantine with their raw bytes and the reason", async () => {
    const c = await ocsfConnector();
    const db = tenantDb(c.tenant);
    const bad = { ...makeDetectionFinding({}, 7), class_uid: 3002 };
    const payload = `${JSON.stringify(makeDetectionFinding({}, 8))}\n${JSON.stringify(bad)}\n{not json`;
    const res = await deliver(c, payload);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, quarantined: 2, ignored: 0, intel: 0 });
    const held = await db
      .prepare("SELECT reason, payload, details FROM quarantine ORDER BY received_at, id")
      .all<{
        reason: string;
        payload: string;
        details: string;
      }>();
    expect(held.results).toHaveLength(2);
    expect(held.results.map((r) => r.payload)).toEqual(
      expect.arrayContaining([JSON.stringify(bad), "{not json"]),
    );
    expect(held.results.some((r) => r.details.includes("class_uid"))).toBe(true);
  });
});

describe("correlation", () => {
  it("alerts with one correlation key open one case and are linked to it, raising its severity", async () => {
    const c = await ocsfConnector();
    const rule = { analytic: { name: "Encoded PowerShell", uid: "rule-42", type_id: 1 } };
    const device = { uid: "dev-0142", hostname: "fin-ws-0142", type_id: 2 };
    const metadata = { product: { name: "Falcon", vendor_name: "CrowdStrike" } };
    const base = Date.UTC(2026, 10, 20, 10, 0);
    const first = makeDetectionFinding(
      { severity_id: 3, time: base, finding_info: rule, device, metadata },
      20,
    );
    const second = makeDetectionFinding(
      { severity_id: 5, time: base + 60_000, finding_info: rule, device, metadata },
      21,
    );
    await deliver(c, JSON.stringify(first));
    await deliver(c, JSON.stringify(second));

    const cases = (await (await call("GET", "/v1/cases", { token: c.admin })).json()) as {
      data: Array<{ id: string }>;
    };
    const db = tenantDb(c.tenant);
    const keys = await db
      .prepare("SELECT key, case_id FROM correlations")
      .all<{ key: string; case_id: string }>();
    expect(keys.results).toHaveLength(1);
    const caseId = keys.results[0]?.case_id ?? "";
    const got = (await (await call("GET", `/v1/cases/${caseId}`, { token: c.admin })).json()) as {
      severity: string;
      alerts: Array<{ id: string }>;
    };
    expect(got.alerts).toHaveLength(2);
    expect(got.severity).toBe("critical");
    expect(cases.data.length).toBeLessThanOrEqual(1);
    expect(await count(db, "SELECT count(*) AS n FROM alerts WHERE correlated_at IS NULL")).toBe(0);
  });

  it("50 concurrent alerts with one correlation key open exactly one case", async () => {
    const c = await ocsfConnector();
    const rule = { analytic: { name: "Beacon", uid: "rule-beacon", type_id: 1 } };
    const device = { uid: "srv-db-01", hostname: "srv-db-01", type_id: 1 };
    const metadata = { product: { name: "Zeek", vendor_name: "Zeek" } };
    const base = Date.UTC(2026, 10, 20, 11, 0);
    const statuses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        deliver(
          c,
          JSON.stringify(
            makeDetectionFinding({ time: base + i * 1000, finding_info: rule, device, metadata }, 300 + i),
          ),
        ).then((r) => r.status),
      ),
    );
    expect(new Set(statuses)).toEqual(new Set([202]));
    const db = tenantDb(c.tenant);
    const keys = await db.prepare("SELECT case_id FROM correlations").all<{ case_id: string }>();
    expect(keys.results).toHaveLength(1);
    const caseId = keys.results[0]?.case_id ?? "";
    const snapshot = await env.CASES.getByName(`${c.tenant.id}:${caseId}`).snapshot();
    expect(snapshot.ok && Object.keys(snapshot.state.alerts)).toHaveLength(50);
    const opened = await env.CASES.getByName(`${c.tenant.id}:${caseId}`).events(0, 1000);
    expect(opened.ok && opened.events.filter((e) => e.type === "case.opened")).toHaveLength(1);
    console.log(
      `one key, 50 concurrent deliveries: cases ${keys.results.length}, alerts linked ${snapshot.ok ? Object.keys(snapshot.state.alerts).length : 0}`,
    );
  });
});

describe("the full OCSF schema at ingest", () => {
  it("an item that maps but would not be valid OCSF is quarantined with the nested field named", async () => {
    const c = await ocsfConnector();
    const finding = makeDetectionFinding({}, 62) as Record<string, unknown>;
    finding.evidences = [{ file: { name: "a.exe" } }];
    const res = await deliver(c, JSON.stringify(finding));
    expect(await res.json()).toEqual({ accepted: 0, duplicates: 0, quarantined: 1, ignored: 0, intel: 0 });
    const held = await tenantDb(c.tenant).prepare("SELECT details FROM quarantine").first<string>("details");
    expect(held).toContain("evidences[0].file.type_id");
  });
});
