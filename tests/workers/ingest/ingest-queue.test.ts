// Accept and queue (issue 18, decision 052): the webhook answers 202 once a verified delivery is on
// the ingest queue, and the consumer maps, stores and correlates it. Driven through the real local
// queue, and directly with MessageBatches to inject failures at each of the consumer's steps.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { INGEST_FAILED_REASON } from "../../../domain/ingest/deliver.ts";
import { FLOOD_BYTES_PER_WINDOW } from "../../../domain/ingest/lanes.ts";
import { type QueuedDelivery, queuedDeliveryOf } from "../../../domain/ingest/queued-delivery.ts";
import type { Tenant } from "../../../domain/tenancy.ts";
import { correlateAlerts } from "../../../durable-objects/correlate-alerts.ts";
import worker from "../../../workers/index.ts";
import { INGEST_MAX_RETRIES } from "../../../workers/ingest/consume.ts";
import { makeDetectionFinding, makeDetectionFindings } from "../../support/factories/findings.ts";
import {
  type Connector,
  correlationSettled,
  deliveriesTaken,
  deliveryOutcomeOf,
  ocsfConnector,
  signedHeaders,
} from "../../support/ingest.ts";
import { seededRandom } from "../../support/random.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, tenantDb, tokenFor } from "../../support/world.ts";

async function post(c: Connector, payload: string, id?: string) {
  return call("POST", `/ingest/${c.id}`, {
    rawBody: payload,
    headers: signedHeaders(c.secret, payload, { id }),
  });
}

async function count(tenant: Tenant, sql: string): Promise<number> {
  return (await tenantDb(tenant).prepare(sql).first<number>("n")) ?? -1;
}

/** The tenant's database with each `batch` call made through `around`; the rest as it is. */
function batchesThrough(
  real: Env,
  tenant: Tenant,
  around: (statements: D1PreparedStatement[], batch: () => Promise<D1Result[]>) => Promise<D1Result[]>,
): D1Database {
  const db = real[tenant.d1Binding as keyof Env] as unknown as D1Database;
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "batch")
        return (statements: D1PreparedStatement[]) => around(statements, () => target.batch(statements));
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The quota objects, with `before` called ahead of each charge (it may throw, as an outage would). */
function chargesThrough(real: Env, before: (method: "consume" | "consumeKeyed") => void) {
  return {
    getByName(name: string) {
      const stub = real.TENANT_QUOTA.getByName(name);
      return {
        consume: (...args: Parameters<typeof stub.consume>) => {
          before("consume");
          return stub.consume(...args);
        },
        consumeKeyed: (...args: Parameters<typeof stub.consumeKeyed>) => {
          before("consumeKeyed");
          return stub.consumeKeyed(...args);
        },
        release: (...args: Parameters<typeof stub.release>) => stub.release(...args),
        releaseKey: (...args: Parameters<typeof stub.releaseKey>) => stub.releaseKey(...args),
      };
    },
  };
}

describe("through the real queue", () => {
  it("answers 202 once queued, with where to read the outcome, and the consumer stores the delivery", async () => {
    const c = await ocsfConnector();
    const res = await post(c, JSON.stringify(makeDetectionFindings(3)), "msg_queued");
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      status: "queued",
      webhook_id: "msg_queued",
      outcome: `/v1/connectors/${c.id}/deliveries/msg_queued`,
    });
    await deliveriesTaken(c.tenant, 1);
    expect(await deliveryOutcomeOf(c, "msg_queued")).toMatchObject({ outcome: "stored", accepted: 3 });
    await correlationSettled(c.tenant);
    expect(await count(c.tenant, "SELECT count(*) AS n FROM alerts WHERE case_id IS NOT NULL")).toBe(3);
  });

  it("stores a delivery too large for a queue message before the 202, which then carries its outcome", async () => {
    const c = await ocsfConnector();
    const findings = makeDetectionFindings(40).map((f) => ({ ...f, message: "x".repeat(4000) }));
    const payload = JSON.stringify(findings);
    expect(new TextEncoder().encode(payload).byteLength).toBeGreaterThan(128 * 1024);
    const res = await post(c, payload, "msg_large");
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      status: "stored",
      webhook_id: "msg_large",
      outcome: `/v1/connectors/${c.id}/deliveries/msg_large`,
      accepted: 40,
      duplicates: 0,
      quarantined: 0,
      ignored: 0,
      intel: 0,
    });
    expect(await count(c.tenant, "SELECT count(*) AS n FROM alerts")).toBe(40);
  });

  it("a copy sent before the first was stored changes nothing, and is counted on the delivery", async () => {
    const c = await ocsfConnector();
    const payload = JSON.stringify(makeDetectionFinding());
    const copies = await Promise.all([post(c, payload, "msg_twice"), post(c, payload, "msg_twice")]);
    expect(copies.map((r) => r.status)).toEqual([202, 202]);
    await deliveriesTaken(c.tenant, 2);
    expect(await deliveryOutcomeOf(c, "msg_twice")).toMatchObject({ accepted: 1, redeliveries: 1 });
    expect(await count(c.tenant, "SELECT sum(occurrence_count) AS n FROM alerts")).toBe(1);
  });
});

describe("a batch of one tenant's deliveries", () => {
  it("is stored with one read, one quota call and one D1 batch; copies in it and of stored ones change nothing", async () => {
    const c = await ocsfConnector();
    const real = testEnv();
    const calls = { batches: 0, statements: 0, quota: 0 };
    const counting = batchesThrough(real, c.tenant, (statements, batch) => {
      calls.batches++;
      calls.statements += statements.length;
      return batch();
    });
    const quota = chargesThrough(real, (method) => {
      if (method === "consumeKeyed") calls.quota++;
    });
    const env = { ...real, [c.tenant.d1Binding]: counting, TENANT_QUOTA: quota } as unknown as Env;
    const consume = async (bodies: Array<[string, QueuedDelivery]>) => {
      const batch = createMessageBatch(
        "phoenix-ingest",
        bodies.map(([id, body]) => ({ id, timestamp: new Date(), attempts: 1, body })),
      );
      const ctx = createExecutionContext();
      await worker.queue(batch as MessageBatch<unknown>, env);
      return (await getQueueResult(batch, ctx)).explicitAcks;
    };

    // 50 deliveries of one finding each, one of them sent twice within the batch.
    const findings = makeDetectionFindings(50, 300);
    const bodies: Array<[string, QueuedDelivery]> = findings.map((f, i) => [
      `m${i}`,
      queued(c, `msg_group_${i}`, JSON.stringify(f)),
    ]);
    bodies.push(["m-copy", queued(c, "msg_group_7", JSON.stringify(findings[7]))]);
    expect(await consume(bodies)).toHaveLength(51);
    console.log(
      `a batch of 51 deliveries (one a copy): D1 batches ${calls.batches}, statements ${calls.statements}, quota calls ${calls.quota}`,
    );
    // The claimed-ids read and the store; no delivery took a batch of its own.
    expect(calls).toMatchObject({ batches: 2, quota: 1 });
    expect(await count(c.tenant, "SELECT count(*) AS n FROM alerts")).toBe(50);
    expect(await count(c.tenant, "SELECT sum(occurrence_count) AS n FROM alerts")).toBe(50);
    expect(await deliveryOutcomeOf(c, "msg_group_7")).toMatchObject({ accepted: 1, redeliveries: 1 });
    expect(await deliveryOutcomeOf(c, "msg_group_8")).toMatchObject({ accepted: 1, duplicates: 0 });

    // Again, later: every one a copy of a stored delivery. Nothing is stored or charged twice.
    calls.batches = 0;
    expect(await consume(bodies.slice(0, 10))).toHaveLength(10);
    expect(await count(c.tenant, "SELECT sum(occurrence_count) AS n FROM alerts")).toBe(50);
    expect(await deliveryOutcomeOf(c, "msg_group_3")).toMatchObject({ accepted: 1, redeliveries: 1 });
    expect(await deliveryOutcomeOf(c, "msg_group_7")).toMatchObject({ redeliveries: 2 });
    await correlationSettled(c.tenant);
    expect(await count(c.tenant, "SELECT count(*) AS n FROM alerts WHERE case_id IS NOT NULL")).toBe(50);
  });
});

describe("lanes (decision 053)", () => {
  it("stores a flooding tenant's deliveries too, the bulk lane's included, and groups them into cases", async () => {
    const c = await ocsfConnector();
    // 12 deliveries of about 60 KB, sent at once: past the window's share, so the later ones go bulk.
    const payloads = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify(
        makeDetectionFindings(20, 900 + i * 20).map((f) => ({ ...f, message: "x".repeat(2800) })),
      ),
    );
    expect(payloads.reduce((n, p) => n + p.length, 0)).toBeGreaterThan(FLOOD_BYTES_PER_WINDOW);
    const statuses = await Promise.all(payloads.map(async (p) => (await post(c, p)).status));
    expect(statuses).toEqual(Array(12).fill(202));
    await deliveriesTaken(c.tenant, 12);
    await correlationSettled(c.tenant);
    expect(await count(c.tenant, "SELECT count(*) AS n FROM alerts WHERE case_id IS NOT NULL")).toBe(240);
  });

  it("the bulk lane's consumer stores what it is given and sends its alerts on through the bulk correlation lane", async () => {
    const c = await ocsfConnector();
    const batch = createMessageBatch("phoenix-ingest-bulk", [
      {
        id: "bulk-1",
        timestamp: new Date(),
        attempts: 1,
        body: queued(c, "msg_bulk", JSON.stringify(makeDetectionFindings(3, 61))),
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<unknown>, testEnv());
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["bulk-1"]);
    expect(await deliveryOutcomeOf(c, "msg_bulk")).toMatchObject({ outcome: "stored", accepted: 3 });
    await correlationSettled(c.tenant);
    expect(await count(c.tenant, "SELECT count(*) AS n FROM alerts WHERE case_id IS NOT NULL")).toBe(3);
  });
});

// The consumer's steps, each of which can fail: the quota charge, the D1 batch before it commits,
// the D1 batch after it commits (the reply is lost), the correlation send, and the acks (the whole
// batch comes again). A failed message is retried the way the queue would retry it.
const FAULTS = ["none", "quota", "store", "stored-then-lost", "correlation", "acks-lost"] as const;
type Fault = (typeof FAULTS)[number];

function faultyEnv(tenant: Tenant, fault: Fault): Env {
  const real = testEnv();
  let fired = false;
  const once = () => {
    if (fired) return false;
    fired = true;
    return true;
  };
  const faultyDb = batchesThrough(real, tenant, async (_statements, batch) => {
    if (fault === "store" && once()) throw new Error("injected: D1 batch failed before commit");
    const results = await batch();
    if (fault === "stored-then-lost" && once()) throw new Error("injected: D1 reply lost after commit");
    return results;
  });
  const quota = chargesThrough(real, () => {
    if (fault === "quota" && once()) throw new Error("injected: quota object unreachable");
  });
  const correlation = {
    send: real.CORRELATION_QUEUE.send.bind(real.CORRELATION_QUEUE),
    sendBatch: async (...args: Parameters<Queue["sendBatch"]>) => {
      if (fault === "correlation" && once()) throw new Error("injected: correlation send failed");
      return real.CORRELATION_QUEUE.sendBatch(...args);
    },
  };
  return {
    ...real,
    [tenant.d1Binding]: faultyDb,
    TENANT_QUOTA: quota,
    CORRELATION_QUEUE: correlation,
  } as unknown as Env;
}

/** A delivery as the route queues it, for the consumer to be driven directly. */
function queued(
  c: Connector,
  webhookId: string,
  body: string,
  kind = "ocsf",
  tenant: Tenant = c.tenant,
): QueuedDelivery {
  return queuedDeliveryOf({
    tenant,
    connector: { id: c.id, kind, config: {} },
    webhookId,
    contentType: "application/json",
    body,
    receivedAt: Date.now(),
  });
}

interface Pending {
  id: string;
  attempts: number;
  body: QueuedDelivery;
}

/** One consumer invocation; what it did not ack comes back with one more attempt. */
async function consumeOnce(batch: Pending[], env: Env, fault: Fault): Promise<Pending[]> {
  const messages = createMessageBatch(
    "phoenix-ingest",
    batch.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts, body: m.body })),
  );
  const ctx = createExecutionContext();
  let threw = false;
  try {
    await worker.queue(messages as MessageBatch<unknown>, env);
  } catch {
    threw = true;
  }
  const result = await getQueueResult(messages, ctx);
  const acked = new Set(fault === "acks-lost" || threw ? [] : result.explicitAcks);
  return batch.filter((m) => !acked.has(m.id)).map((m) => ({ ...m, attempts: m.attempts + 1 }));
}

/**
 * Runs deliveries through the consumer in batches of 100 until every one is acked, with a failure
 * drawn at random for each invocation (only while a retry is left, so none is given up on).
 */
async function drainWithFailures(
  tenant: Tenant,
  deliveries: Pending[],
  random: () => number,
): Promise<{ tried: Record<Fault, number>; invocations: number }> {
  const queue = deliveries.slice().sort(() => random() - 0.5);
  const tried = Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>;
  let invocations = 0;
  while (queue.length > 0) {
    const batch = queue.splice(0, 100);
    const fault: Fault = batch.some((m) => m.attempts > INGEST_MAX_RETRIES - 2)
      ? "none"
      : (FAULTS[Math.floor(random() * FAULTS.length)] as Fault);
    tried[fault]++;
    invocations++;
    queue.push(...(await consumeOnce(batch, faultyEnv(tenant, fault), fault)));
  }
  return { tried, invocations };
}

describe("the consumer under injected failures", () => {
  it("stores each finding once, loses none and counts every quarantined item, whatever step fails", async () => {
    const c = await ocsfConnector();
    const random = seededRandom(20261205);
    const DELIVERIES = 3000;
    const UNIQUE = Math.round(DELIVERIES * 0.7);
    const findings = makeDetectionFindings(UNIQUE, 52);
    // 70% carry a new finding, 30% one already carried; every 10th also carries an item that maps
    // to nothing, which must be quarantined exactly once.
    const deliveries: Pending[] = Array.from({ length: DELIVERIES }, (_, i) => {
      const finding = i < UNIQUE ? findings[i] : findings[Math.floor(random() * UNIQUE)];
      const items: unknown[] = i % 10 === 0 ? [finding, { not: "a finding", n: i }] : [finding];
      return {
        id: `m${i}`,
        attempts: 1,
        body: queued(c, `msg_fault_${i}`, JSON.stringify(items)),
      };
    });

    const { tried, invocations } = await drainWithFailures(c.tenant, deliveries, random);
    // A lost correlation send leaves alerts owed; the cron sweep's pass finishes them.
    await correlationSettled(c.tenant).catch(() => undefined);
    await correlateAlerts(testEnv(), c.tenant);
    await correlationSettled(c.tenant);

    const alerts = await count(c.tenant, "SELECT count(*) AS n FROM alerts");
    const occurrences = await count(c.tenant, "SELECT sum(occurrence_count) AS n FROM alerts");
    const stored = await count(c.tenant, "SELECT count(*) AS n FROM webhook_deliveries");
    const quarantined = await count(c.tenant, "SELECT count(*) AS n FROM quarantine");
    const counted = await count(c.tenant, "SELECT sum(quarantined) AS n FROM webhook_deliveries");
    const failed = await count(
      c.tenant,
      `SELECT count(*) AS n FROM quarantine WHERE reason = '${INGEST_FAILED_REASON}'`,
    );
    const unplaced = await count(c.tenant, "SELECT count(*) AS n FROM alerts WHERE case_id IS NULL");
    console.log(
      `deliveries ${DELIVERIES} (${UNIQUE} unique findings, ${DELIVERIES - UNIQUE} repeats), consumer invocations ${invocations}, failures injected ${JSON.stringify(tried)}; alerts ${alerts}, occurrences ${occurrences}, deliveries stored ${stored}, quarantined ${quarantined} (counted on deliveries ${counted}), alerts without a case ${unplaced}`,
    );
    for (const fault of FAULTS) expect(tried[fault]).toBeGreaterThan(0);
    expect(alerts).toBe(UNIQUE);
    expect(occurrences).toBe(DELIVERIES);
    expect(stored).toBe(DELIVERIES);
    expect(quarantined).toBe(DELIVERIES / 10);
    expect(counted).toBe(DELIVERIES / 10);
    expect(failed).toBe(0);
    expect(unplaced).toBe(0);

    // Every delivery's outcome answers, and they add up to what is stored.
    const sum = { accepted: 0, duplicates: 0, quarantined: 0, missing: 0 };
    let next = 0;
    const reader = async () => {
      for (let i = next++; i < DELIVERIES; i = next++) {
        const res = await call("GET", `/v1/connectors/${c.id}/deliveries/msg_fault_${i}`, { token: c.admin });
        if (res.status !== 200) {
          sum.missing++;
          await res.arrayBuffer();
          continue;
        }
        const body = (await res.json()) as { accepted: number; duplicates: number; quarantined: number };
        sum.accepted += body.accepted;
        sum.duplicates += body.duplicates;
        sum.quarantined += body.quarantined;
      }
    };
    await Promise.all(Array.from({ length: 8 }, reader));
    console.log(`outcomes read: ${DELIVERIES - sum.missing} of ${DELIVERIES}, ${JSON.stringify(sum)}`);
    expect(sum).toEqual({
      accepted: UNIQUE,
      duplicates: DELIVERIES - UNIQUE,
      quarantined: DELIVERIES / 10,
      missing: 0,
    });
    // About 100 s alone; a hang guard with room for a busy CI machine, not a performance assertion.
  }, 600_000);

  it("charges the daily quota exactly, whatever step fails: the quota's worth stored, the rest quarantined", async () => {
    const c = await ocsfConnector();
    const QUOTA = 100;
    const DELIVERIES = 400;
    const tenant = { ...c.tenant, dailyIngestQuota: QUOTA };
    const findings = makeDetectionFindings(DELIVERIES, 77);
    const deliveries: Pending[] = findings.map((finding, i) => ({
      id: `q${i}`,
      attempts: 1,
      body: queued(c, `msg_quota_${i}`, JSON.stringify(finding), "ocsf", tenant),
    }));
    const { tried } = await drainWithFailures(c.tenant, deliveries, seededRandom(20261206));
    const alerts = await count(c.tenant, "SELECT count(*) AS n FROM alerts");
    const overQuota = await count(
      c.tenant,
      "SELECT count(*) AS n FROM quarantine WHERE reason = 'quota_exceeded'",
    );
    const outcomes = await count(c.tenant, "SELECT count(*) AS n FROM webhook_deliveries");
    const used = await testEnv()
      .TENANT_QUOTA.getByName(c.tenant.id)
      .usage(new Date().toISOString().slice(0, 10));
    console.log(
      `quota ${QUOTA}: deliveries ${DELIVERIES}, failures injected ${JSON.stringify(tried)}; alerts ${alerts}, quarantined over quota ${overQuota}, counted by the quota object ${used.used}, outcomes ${outcomes}`,
    );
    expect(tried["stored-then-lost"]).toBeGreaterThan(0);
    expect(alerts).toBe(QUOTA);
    expect(used.used).toBe(QUOTA);
    expect(overQuota).toBe(DELIVERIES - QUOTA);
    expect(outcomes).toBe(DELIVERIES);
  }, 300_000);

  it("keeps a delivery that fails every try in quarantine with its error, and the outcome says so", async () => {
    const c = await ocsfConnector();
    // A kind no connector maps: the consumer fails on it every time.
    const body = queued(c, "msg_doomed", JSON.stringify(makeDetectionFinding()), "no-such-kind");
    let pending: Pending[] = [{ id: "doomed", attempts: 1, body }];
    let tries = 0;
    while (pending.length > 0 && tries < 10) {
      tries++;
      pending = await consumeOnce(pending, testEnv(), "none");
    }
    expect(tries).toBe(INGEST_MAX_RETRIES + 1);
    const outcome = await deliveryOutcomeOf(c, "msg_doomed");
    expect(outcome).toMatchObject({ outcome: "quarantined", accepted: 0, quarantined: 1 });
    expect(outcome.quarantine.map((q) => q.reason)).toEqual([INGEST_FAILED_REASON]);
    const kept = await tenantDb(c.tenant)
      .prepare("SELECT payload, details FROM quarantine")
      .first<{ payload: string; details: string }>();
    expect(kept?.payload).toBe(body.body);
    expect(JSON.parse(kept?.details ?? "{}").error).toMatch(/no-such-kind/);
    // Replayed through the connector's own kind, as the whole delivery it was.
    const [held] = outcome.quarantine;
    const writer = await tokenFor(c.tenant, { scopes: ["alerts:write"] });
    const replayed = await call("POST", `/v1/quarantine/${held?.id}/replay`, { token: writer });
    expect(replayed.status).toBe(200);
    expect(await replayed.json()).toMatchObject({ accepted: 1, quarantined: 0 });
  });

  it("the dead-letter consumer keeps what reached it in quarantine, once", async () => {
    const c = await ocsfConnector();
    const body = queued(c, "msg_dead", JSON.stringify(makeDetectionFinding()));
    for (const id of ["dead-1", "dead-1-again"]) {
      const batch = createMessageBatch("phoenix-ingest-dlq", [
        { id, timestamp: new Date(), attempts: 1, body },
      ]);
      const ctx = createExecutionContext();
      await worker.queue(batch as MessageBatch<unknown>, testEnv());
      expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual([id]);
    }
    const outcome = await deliveryOutcomeOf(c, "msg_dead");
    expect(outcome).toMatchObject({ outcome: "quarantined", quarantined: 1, redeliveries: 1 });
    expect(await count(c.tenant, "SELECT count(*) AS n FROM quarantine")).toBe(1);
    expect(await count(c.tenant, "SELECT count(*) AS n FROM alerts")).toBe(0);
  });
});
