// The correlation queue (decision 026): webhooks answer once alerts are stored, and the consumer
// groups them into cases. The consumer is driven two ways: through the real local queue, as
// deliveries reach it, and directly with a MessageBatch, to see exactly what it acks and retries.

import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { storeFindings } from "../../../domain/alerts/store.ts";
import { newId } from "../../../domain/ids.ts";
import { localMetrics } from "../../../domain/metrics.ts";
import type { Tenant } from "../../../domain/tenancy.ts";
import { caseGateway } from "../../../durable-objects/case-gateway.ts";
import { correlateAlerts } from "../../../durable-objects/correlate-alerts.ts";
import worker from "../../../workers/index.ts";
import { requestCorrelation } from "../../../workers/queues/correlation.ts";
import { makeDetectionFinding } from "../../support/factories/findings.ts";
import { correlationSettled, deliver, ocsfConnector } from "../../support/ingest.ts";
import { testEnv } from "../../support/test-env.ts";
import { createTenant, tenantDb } from "../../support/world.ts";

const QUEUE = "phoenix-correlation";
const DEAD_LETTERS = "phoenix-correlation-dlq";

/** Alerts stored the way ingest stores them, with correlation keys, and nobody asked to group them. */
async function owedAlerts(tenant: Tenant, keys: string[], seed: number): Promise<string[]> {
  const outcome = await storeFindings(
    tenantDb(tenant),
    keys.map((_, i) => makeDetectionFinding({}, seed + i)),
    { now: Date.now(), sourceConnectorId: null, claim: null, correlationKeys: keys },
  );
  return outcome.alerts.map((a) => a.id);
}

async function owedCount(tenant: Tenant): Promise<number> {
  return (
    (await tenantDb(tenant)
      .prepare("SELECT count(*) AS n FROM alerts WHERE correlated_at IS NULL AND correlation_key IS NOT NULL")
      .first<number>("n")) ?? -1
  );
}

async function casesOf(tenant: Tenant): Promise<Map<string, string>> {
  const rows = await tenantDb(tenant)
    .prepare("SELECT key, case_id FROM correlations")
    .all<{ key: string; case_id: string }>();
  return new Map(rows.results.map((r) => [r.key, r.case_id]));
}

async function consume(queue: string, bodies: unknown[]) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `msg-${i}`, timestamp: Date.now(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, testEnv());
  return getQueueResult(batch, ctx);
}

describe("through the real queue", () => {
  it("a delivery is answered once stored, and its alerts reach their case from the queue", async () => {
    const c = await ocsfConnector();
    const res = await deliver(c, JSON.stringify([makeDetectionFinding({}, 1), makeDetectionFinding({}, 2)]), {
      settle: false,
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0, quarantined: 0, ignored: 0, intel: 0 });
    await correlationSettled(c.tenant);
    const alerts = await tenantDb(c.tenant)
      .prepare("SELECT count(*) AS n FROM alerts WHERE correlated_at IS NOT NULL")
      .first<number>("n");
    expect(alerts).toBe(2);
    // One case per correlation key, and each alert in the case its key names.
    const rows = await tenantDb(c.tenant)
      .prepare("SELECT correlation_key AS key, case_id FROM alerts")
      .all<{ key: string; case_id: string }>();
    const cases = await casesOf(c.tenant);
    expect(cases.size).toBe(new Set(rows.results.map((r) => r.key)).size);
    expect(rows.results.map((r) => r.case_id)).toEqual(rows.results.map((r) => cases.get(r.key)));
  });

  it("more alerts than one message holds are sent as several and all grouped", async () => {
    const tenant = await createTenant();
    const keys = Array.from({ length: 1_200 }, (_, i) => `key-${i % 3}`);
    const ids = await owedAlerts(tenant, keys, 1_000);
    expect(await requestCorrelation(testEnv(), tenant.id, ids)).toBe(true);
    await correlationSettled(tenant);
    const cases = await casesOf(tenant);
    expect([...cases.keys()].sort()).toEqual(["key-0", "key-1", "key-2"]);
    const snapshot = await caseGateway(testEnv()).snapshot(tenant.id, cases.get("key-0") ?? "");
    expect(Object.keys(snapshot.state.alerts)).toHaveLength(400);
  });

  it("sends a flood's ids a few messages at a time, each send under the queue's 256 KB", async () => {
    const sends: number[][] = [];
    const recording = {
      sendBatch: async (messages: Array<{ body: { alertIds: string[] } }>) => {
        sends.push(messages.map((m) => m.body.alertIds.length));
      },
    } as unknown as Queue;
    const ids = Array.from({ length: 12_000 }, (_, i) => `alrt_${String(i).padStart(26, "0")}`);
    const queues = { CORRELATION_QUEUE: recording, CORRELATION_BULK_QUEUE: recording };
    expect(await requestCorrelation(queues, "tnt_any", ids, { lane: "bulk" })).toBe(true);
    expect(sends).toEqual([
      [1000, 1000, 1000, 1000, 1000],
      [1000, 1000, 1000, 1000, 1000],
      [1000, 1000],
    ]);
    const bytes = Math.max(...sends.map((s) => s.reduce((n, k) => n + k * 34, 0)));
    expect(bytes).toBeLessThan(256 * 1024);
  });

  it("a send that fails is reported, not thrown: the alerts stay owed for the sweep", async () => {
    const unavailable = {
      send: () => Promise.reject(new Error("queue unavailable")),
      sendBatch: () => Promise.reject(new Error("queue unavailable")),
    } as unknown as Queue;
    const broken = { CORRELATION_QUEUE: unavailable, CORRELATION_BULK_QUEUE: unavailable };
    expect(await requestCorrelation(broken, "tnt_any", ["alrt_1"])).toBe(false);
    expect(await requestCorrelation(broken, "tnt_any", ["alrt_1"], { lane: "bulk" })).toBe(false);
    expect(await requestCorrelation(broken, "tnt_any", [])).toBe(true);
  });
});

describe("the consumer", () => {
  it("groups one batch's alerts per tenant and key, one case per key, and acks every message", async () => {
    const [a, b] = [await createTenant(), await createTenant()];
    const aIds = await owedAlerts(a, ["k1", "k1", "k2"], 2_000);
    const bIds = await owedAlerts(b, ["k1", "k1"], 2_100);
    const result = await consume(QUEUE, [
      { tenantId: a.id, alertIds: aIds.slice(0, 2) },
      { tenantId: b.id, alertIds: bIds },
      { tenantId: a.id, alertIds: aIds.slice(2) },
    ]);
    expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-1", "msg-2"]);
    expect(result.retryMessages).toEqual([]);
    expect([await owedCount(a), await owedCount(b)]).toEqual([0, 0]);
    expect([...(await casesOf(a)).keys()].sort()).toEqual(["k1", "k2"]);
    const bCase = (await casesOf(b)).get("k1");
    const opened = await caseGateway(testEnv()).events(b.id, bCase ?? "", 0, 100);
    // Both alerts of the key arrived together: the case opened with both, in one event.
    expect(opened.map((e) => e.type)).toEqual(["case.opened"]);
  });

  it("a redelivered message changes nothing: the alerts are already in their case", async () => {
    const tenant = await createTenant();
    const ids = await owedAlerts(tenant, ["again", "again"], 2_200);
    await consume(QUEUE, [{ tenantId: tenant.id, alertIds: ids }]);
    const caseId = (await casesOf(tenant)).get("again");
    const gateway = caseGateway(testEnv());
    const before = await gateway.snapshot(tenant.id, caseId ?? "");
    const result = await consume(QUEUE, [{ tenantId: tenant.id, alertIds: ids }]);
    expect(result.explicitAcks).toEqual(["msg-0"]);
    const after = await gateway.snapshot(tenant.id, caseId ?? "");
    expect({ version: after.version, alerts: Object.keys(after.state.alerts).length }).toEqual({
      version: before.version,
      alerts: 2,
    });
  });

  it("acks unreadable messages and unknown tenants without changing anything", async () => {
    const tenant = await createTenant();
    const ids = await owedAlerts(tenant, ["kept"], 2_300);
    const result = await consume(QUEUE, [
      { tenantId: tenant.id },
      { tenantId: tenant.id, alertIds: [] },
      "not an object",
      { tenantId: "tnt_01nosuchtenant000000000000", alertIds: ids },
    ]);
    expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-1", "msg-2", "msg-3"]);
    expect(await owedCount(tenant)).toBe(ids.length);
  });

  it("retries the messages of a tenant it could not correlate, and leaves the alerts owed", async () => {
    const tenant = await createTenant();
    const ids = await owedAlerts(tenant, ["retry"], 2_400);
    const env = testEnv();
    // The tenant's row names a database this Worker lacks: a deployment error, retried until fixed.
    await env.CONTROL_DB.prepare("UPDATE tenants SET d1_binding = 'TENANT_MISSING' WHERE id = ?")
      .bind(tenant.id)
      .run();
    try {
      const result = await consume(QUEUE, [{ tenantId: tenant.id, alertIds: ids }]);
      expect(result.retryMessages.map((m) => m.msgId)).toEqual(["msg-0"]);
      expect(result.explicitAcks).toEqual([]);
    } finally {
      await env.CONTROL_DB.prepare("UPDATE tenants SET d1_binding = ? WHERE id = ?")
        .bind(tenant.d1Binding, tenant.id)
        .run();
    }
    expect(await owedCount(tenant)).toBe(1);
  });

  it("counts dead letters per tenant for the operator and acks them; the alerts stay owed", async () => {
    const tenant = await createTenant();
    const ids = await owedAlerts(tenant, ["dead", "dead", "dead"], 2_500);
    const result = await consume(DEAD_LETTERS, [
      { tenantId: tenant.id, alertIds: ids.slice(0, 1) },
      { tenantId: tenant.id, alertIds: ids.slice(1) },
    ]);
    expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-1"]);
    expect(localMetrics(tenant.id)).toEqual([
      { name: "correlation.dead_letter", tenant: tenant.id, count: 3 },
    ]);
    expect(await owedCount(tenant)).toBe(3);
  });

  it("retries a batch from a queue it does not consume", async () => {
    const result = await consume("phoenix-unknown", [{ tenantId: "tnt_x", alertIds: ["a"] }]);
    expect(result.retryBatch.retry).toBe(true);
  });
});

describe("a join of two keys", () => {
  it("waits while a pass holds the joined key's claim with its alerts owed, then re-points the key", async () => {
    const tenant = await createTenant();
    const env = testEnv();
    const db = tenantDb(tenant);
    const [into] = await owedAlerts(tenant, ["join-into"], 7100);
    await correlateAlerts(env, tenant, into ? [into] : []);
    // A pass has claimed "join-from" for its alert and not opened the case yet, when the source
    // says the two keys are one matter.
    const [from] = await owedAlerts(tenant, ["join-from"], 7200);
    const unopened = newId("case", Date.now());
    const now = Date.now();
    await db.batch([
      db
        .prepare("INSERT INTO correlations (key, case_id, created_at, updated_at) VALUES (?, ?, ?, ?)")
        .bind("join-from", unopened, now, now),
      db
        .prepare(
          "INSERT INTO correlation_joins (from_key, into_key, reason, created_at, applied_at) VALUES (?, ?, ?, ?, NULL)",
        )
        .bind("join-from", "join-into", "member of the same incident", now),
    ]);
    const owedJoins = () =>
      db.prepare("SELECT count(*) AS n FROM correlation_joins WHERE applied_at IS NULL").first<number>("n");
    await correlateAlerts(env, tenant, [], { followUps: true });
    expect(await owedJoins()).toBe(1);
    expect((await casesOf(tenant)).get("join-from")).toBe(unopened);

    // Once the alert is grouped (under the key it joined), the join re-points the claim.
    await correlateAlerts(env, tenant, from ? [from] : [], { followUps: true });
    expect(await owedJoins()).toBe(0);
    const keys = await casesOf(tenant);
    expect(keys.get("join-from")).toBe(keys.get("join-into"));
    expect(await owedCount(tenant)).toBe(0);
  });
});
