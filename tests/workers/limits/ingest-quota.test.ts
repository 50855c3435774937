// The per-tenant daily ingest quota end to end (issue 5, "Limits"): a tenant sent over its quota
// gets 429 with Retry-After on POST /v1/alerts, and a queued webhook's outcome says "quarantined"
// (decision 052); its payloads wait in quarantine, its alert count stops at the quota, and another
// tenant keeps ingesting.
import { afterEach, describe, expect, it, vi } from "vitest";
import { INGEST_TARGET_TTL_MS } from "../../../domain/connectors/ingest-target-cache.ts";
import type { Tenant } from "../../../domain/tenancy.ts";
import { makeDetectionFinding, makeDetectionFindings } from "../../support/factories/findings.ts";
import { type Connector, deliver, deliveryOutcomeOf, ocsfConnector } from "../../support/ingest.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

afterEach(() => {
  vi.useRealTimers();
});

// Pinned an hour and a half before a UTC midnight, so Retry-After has one right answer.
const NOW = Date.parse("2026-11-20T22:30:00Z");
const UNTIL_MIDNIGHT_SECONDS = 90 * 60;

async function setQuota(tenant: Tenant, quota: number | null): Promise<void> {
  await testEnv()
    .CONTROL_DB.prepare("UPDATE tenants SET daily_ingest_quota = ? WHERE id = ?")
    .bind(quota, tenant.id)
    .run();
}

async function alertCount(tenant: Tenant): Promise<number> {
  const row = await tenantDb(tenant).prepare("SELECT count(*) AS n FROM alerts").first<{ n: number }>();
  return row?.n ?? 0;
}

interface QuarantinedItem {
  id: string;
  reason: string;
  payload: string;
  connector_id: string | null;
  details: Record<string, unknown>;
  replayed_at: number | null;
}

async function quarantineOf(token: string): Promise<QuarantinedItem[]> {
  const res = await call("GET", "/v1/quarantine?include_replayed=true", { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: QuarantinedItem[] }).data;
}

interface Source {
  tenant: Tenant;
  connector: Connector;
  token: string;
}

async function source(quota: number | null): Promise<Source> {
  const tenant = await createTenant();
  await setQuota(tenant, quota);
  const connector = await ocsfConnector(tenant);
  const token = await tokenFor(tenant, { scopes: ["alerts:read", "alerts:write"] });
  return { tenant, connector, token };
}

interface Sent {
  via: "webhook" | "api";
  findings: number;
  body: string;
  res: Response;
  /** A webhook's outcome once the consumer took it. */
  outcome?: string;
}

/** A webhook's 202 says it is queued; what the quota made of it is the delivery's outcome. */
async function webhook(s: Source, body: string, id = `msg_${crypto.randomUUID()}`): Promise<Sent> {
  const res = await deliver(s.connector, body, { id });
  const { outcome } = await deliveryOutcomeOf(s.connector, id);
  return { via: "webhook", findings: JSON.parse(body).length ?? 1, body, res, outcome };
}

/** Refused for quota: a 429 on /v1, a delivery kept whole in quarantine for webhooks. */
function refused(s: Sent): boolean {
  return s.res.status === 429 || s.outcome === "quarantined";
}

/** The same traffic for any tenant: 12 findings, as 4 webhooks of 2 and 4 API posts of 1. */
async function sendTraffic(s: Source) {
  const sent: Sent[] = [];
  for (let i = 0; i < 3; i++) sent.push(await webhook(s, JSON.stringify(makeDetectionFindings(2))));
  for (let i = 0; i < 4; i++) {
    const body = JSON.stringify(makeDetectionFinding());
    sent.push({
      via: "api",
      findings: 1,
      body,
      res: await call("POST", "/v1/alerts", {
        token: s.token,
        rawBody: body,
        headers: { "content-type": "application/json" },
      }),
    });
  }
  // With 10 findings in, these two go over a quota of 10.
  sent.push(await webhook(s, JSON.stringify(makeDetectionFindings(2))));
  return sent;
}

describe("daily ingest quota", () => {
  it("sends tenant A over its quota: 429s and quarantined deliveries, payloads kept, alerts stop at the quota; tenant B is unaffected", async () => {
    vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
    const a = await source(10);
    const b = await source(null);

    const fromA = await sendTraffic(a);
    const overApi = JSON.stringify(makeDetectionFinding());
    fromA.push({
      via: "api",
      findings: 1,
      body: overApi,
      res: await call("POST", "/v1/alerts", {
        token: a.token,
        rawBody: overApi,
        headers: { "content-type": "application/json" },
      }),
    });
    const throttled = fromA.filter(refused);
    const accepted = fromA.filter((s) => !refused(s)).reduce((n, s) => n + s.findings, 0);

    const quarantined = (await quarantineOf(a.token)).filter((q) => q.reason === "quota_exceeded");
    console.log(
      `tenant A (quota 10): requests sent: ${fromA.length}, findings sent: ${fromA.reduce((n, s) => n + s.findings, 0)}, ` +
        `findings accepted: ${accepted}, requests throttled: ${throttled.length}, quarantined: ${quarantined.length}`,
    );
    expect(fromA.map((s) => s.res.status)).toEqual([202, 202, 202, 201, 201, 201, 201, 202, 429]);
    expect(throttled.map((s) => s.via)).toEqual(["webhook", "api"]);
    for (const { res } of throttled.filter((s) => s.via === "api")) {
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.headers.get("retry-after")).toBe(String(UNTIL_MIDNIGHT_SECONDS));
      const problem = (await res.json()) as { code: string; status: number; detail: string };
      expect(problem).toMatchObject({ code: "quota_exceeded", status: 429 });
      expect(problem.detail).toMatch(/kept in quarantine as qrn_/);
    }
    expect(accepted).toBe(10);
    expect(await alertCount(a.tenant)).toBe(10);
    // Each refused payload is kept whole and verbatim, so nothing is lost.
    expect(quarantined.map((q) => q.payload).sort()).toEqual(throttled.map((s) => s.body).sort());
    expect(quarantined.find((q) => q.connector_id === a.connector.id)?.details).toMatchObject({
      findings: 2,
      daily_quota: 10,
      day: "2026-11-20",
    });

    const fromB = await sendTraffic(b);
    const acceptedB = fromB.filter((s) => !refused(s)).reduce((n, s) => n + s.findings, 0);
    console.log(
      `tenant B (default quota): requests sent: ${fromB.length}, findings accepted: ${acceptedB}, ` +
        `requests throttled: ${fromB.filter(refused).length}`,
    );
    expect(fromB.map((s) => s.res.status)).toEqual([202, 202, 202, 201, 201, 201, 201, 202]);
    expect(fromB.filter(refused)).toEqual([]);
    expect(await alertCount(b.tenant)).toBe(12);
    expect(await quarantineOf(b.token)).toEqual([]);
  });

  it("does not charge or quarantine again what was already taken: retried webhooks and recorded Idempotency-Keys", async () => {
    vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
    const a = await source(3);
    const headers = { "content-type": "application/json", "idempotency-key": "submit-1" };
    const first = JSON.stringify(makeDetectionFinding());
    expect((await call("POST", "/v1/alerts", { token: a.token, rawBody: first, headers })).status).toBe(201);
    const delivered = JSON.stringify(makeDetectionFindings(2));
    expect((await deliver(a.connector, delivered, { id: "msg_accepted" })).status).toBe(202);
    // The quota is used up; what follows repeats requests that were already taken.
    const overQuota = JSON.stringify(makeDetectionFinding());
    expect((await webhook(a, overQuota, "msg_refused")).outcome).toBe("quarantined");

    const replayedPost = await call("POST", "/v1/alerts", { token: a.token, rawBody: first, headers });
    expect(replayedPost.status).toBe(201);
    expect(replayedPost.headers.get("idempotent-replayed")).toBe("true");
    const redelivered = await deliver(a.connector, delivered, { id: "msg_accepted" });
    expect(redelivered.status).toBe(202);
    expect(await redelivered.json()).toMatchObject({ accepted: 0, redelivered: true });
    // The sender retrying the refused delivery: it already waits in quarantine, once.
    const retried = await deliver(a.connector, overQuota, { id: "msg_refused" });
    expect(retried.status).toBe(202);
    expect(await retried.json()).toMatchObject({ accepted: 0, redelivered: true });

    expect(await alertCount(a.tenant)).toBe(3);
    expect((await quarantineOf(a.token)).map((q) => q.payload)).toEqual([overQuota]);
  });

  it("charges a quarantine replay again: refused while over quota, ingested once after the quota is raised", async () => {
    vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
    const a = await source(1);
    const token = await tokenFor(a.tenant, { scopes: ["alerts:read", "alerts:write"] });
    expect((await deliver(a.connector, JSON.stringify(makeDetectionFinding()))).status).toBe(202);
    const viaWebhook = JSON.stringify(makeDetectionFindings(2));
    expect((await webhook(a, viaWebhook)).outcome).toBe("quarantined");
    const viaApi = JSON.stringify([makeDetectionFinding()]);
    expect(
      (
        await call("POST", "/v1/alerts", {
          token,
          rawBody: viaApi,
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(429);
    const items = await quarantineOf(token);
    const webhookItem = items.find((q) => q.payload === viaWebhook);
    const apiItem = items.find((q) => q.payload === viaApi);
    expect(apiItem?.connector_id).toBeNull();

    const stillOver = await call("POST", `/v1/quarantine/${webhookItem?.id}/replay`, { token });
    expect(stillOver.status).toBe(429);
    expect(stillOver.headers.get("retry-after")).toBe(String(UNTIL_MIDNIGHT_SECONDS));
    expect((await call("POST", `/v1/quarantine/${apiItem?.id}/replay`, { token })).status).toBe(429);
    expect((await quarantineOf(token)).every((q) => q.replayed_at === null)).toBe(true);
    expect(await alertCount(a.tenant)).toBe(1);

    await setQuota(a.tenant, 4);
    const fromWebhook = await call("POST", `/v1/quarantine/${webhookItem?.id}/replay`, { token });
    expect(fromWebhook.status).toBe(200);
    expect(await fromWebhook.json()).toEqual({ accepted: 2, duplicates: 0, quarantined: 0 });
    const fromApi = await call("POST", `/v1/quarantine/${apiItem?.id}/replay`, { token });
    expect(fromApi.status).toBe(200);
    expect(await fromApi.json()).toEqual({ accepted: 1, duplicates: 0, quarantined: 0 });
    expect(await alertCount(a.tenant)).toBe(4);
    // Exactly once, and the quota saw all four: one more finding is refused.
    expect((await call("POST", `/v1/quarantine/${apiItem?.id}/replay`, { token })).status).toBe(409);
    expect((await webhook(a, JSON.stringify(makeDetectionFinding()))).outcome).toBe("quarantined");
  });

  it("is exact under concurrency: parallel submissions never store more than the quota", async () => {
    const a = await source(7);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        call("POST", "/v1/alerts", {
          token: a.token,
          rawBody: JSON.stringify(makeDetectionFinding()),
          headers: { "content-type": "application/json" },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    console.log(
      `parallel posts: 20, stored: ${statuses.filter((s) => s === 201).length}, refused: ${statuses.filter((s) => s === 429).length}, quota: 7`,
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(7);
    expect(statuses.filter((s) => s === 429)).toHaveLength(13);
    expect(await alertCount(a.tenant)).toBe(7);
    expect(await quarantineOf(a.token)).toHaveLength(13);
  });

  it("starts counting again at the next UTC midnight", async () => {
    vi.useFakeTimers({ now: Date.parse("2026-11-20T23:59:00Z"), toFake: ["Date"] });
    const a = await source(2);
    const post = async () =>
      (
        await call("POST", "/v1/alerts", {
          token: await tokenFor(a.tenant, { scopes: ["alerts:write"] }),
          rawBody: JSON.stringify(makeDetectionFindings(2)),
          headers: { "content-type": "application/json" },
        })
      ).status;
    expect(await post()).toBe(201);
    const over = await call("POST", "/v1/alerts", {
      token: await tokenFor(a.tenant, { scopes: ["alerts:write"] }),
      rawBody: JSON.stringify(makeDetectionFinding()),
      headers: { "content-type": "application/json" },
    });
    expect(over.status).toBe(429);
    expect(over.headers.get("retry-after")).toBe("60");

    vi.setSystemTime(Date.parse("2026-11-21T00:00:01Z"));
    expect(await post()).toBe(201);
    expect(await post()).toBe(429);
    expect(await alertCount(a.tenant)).toBe(4);
  });

  it("takes the deployment default when the tenant has no quota of its own, and 0 stops ingest", async () => {
    const a = await source(0);
    const start = Date.now();
    vi.useFakeTimers({ now: start, toFake: ["Date"] });
    expect((await webhook(a, JSON.stringify(makeDetectionFinding()))).outcome).toBe("quarantined");
    await setQuota(a.tenant, null);
    // DEFAULT_DAILY_INGEST_QUOTA (wrangler.toml) applies without a restart, once the webhook's
    // kept target (with its tenant row) is older than its TTL (decision 051).
    expect(Number(testEnv().DEFAULT_DAILY_INGEST_QUOTA)).toBeGreaterThan(1);
    vi.setSystemTime(start + INGEST_TARGET_TTL_MS + 1);
    expect((await webhook(a, JSON.stringify(makeDetectionFinding()))).outcome).toBe("stored");
    expect(await alertCount(a.tenant)).toBe(1);
  });
});
