// Reliability: 1,000 webhook deliveries, each delivered three times, shuffled, with 30% of them
// carrying a finding another delivery already carried, all through the ingest queue (decision 052).
// Exactly the unique alerts must exist, each counted once per delivery, exactly one case per
// correlation key, and every delivery's outcome must be there for its source to read.
import { describe, expect, it } from "vitest";
import { signWebhook } from "../../../domain/webhooks/standard-webhooks.ts";
import { makeDetectionFinding } from "../../support/factories/findings.ts";
import { correlationSettled, deliveriesTaken } from "../../support/ingest.ts";
import { seededRandom } from "../../support/random.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

const DELIVERIES = 1000;
const DUPLICATE_SHARE = 0.3;
const REDELIVERIES = 3;
const KEYS = 40;

describe("ingest under redelivery and duplication", () => {
  it("stores exactly the unique alerts and opens exactly one case per correlation key", async () => {
    const tenant = await createTenant();
    const admin = await tokenFor(tenant, { scopes: ["admin", "cases:read"] });
    const created = (await (
      await call("POST", "/v1/connectors", { token: admin, body: { kind: "ocsf", name: "NIDS" } })
    ).json()) as {
      connector: { id: string };
      secret: string;
    };
    const random = seededRandom(20261122);
    const base = Date.UTC(2026, 10, 21, 8, 0);
    const metadata = { product: { name: "Suricata", vendor_name: "OISF" } };

    // 700 distinct findings over 40 rule × host keys, then 300 deliveries repeating one of them.
    const uniqueCount = Math.round(DELIVERIES * (1 - DUPLICATE_SHARE));
    const unique = Array.from({ length: uniqueCount }, (_, i) => {
      const key = i % KEYS;
      return makeDetectionFinding(
        {
          time: base + (i % 50) * 1000,
          metadata,
          finding_info: { analytic: { name: `rule-${key % 8}`, uid: `rule-${key % 8}`, type_id: 1 } },
          device: { uid: `host-${Math.floor(key / 8)}`, hostname: `host-${Math.floor(key / 8)}`, type_id: 2 },
        },
        10_000 + i,
      );
    });
    const payloads = [
      ...unique.map((f) => JSON.stringify(f)),
      ...Array.from({ length: DELIVERIES - uniqueCount }, () =>
        JSON.stringify(unique[Math.floor(random() * uniqueCount)]),
      ),
    ];
    const attempts = payloads.flatMap((payload, i) =>
      Array.from({ length: REDELIVERIES }, () => ({ id: `msg_${i}`, payload })),
    );
    for (let i = attempts.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [attempts[i], attempts[j]] = [
        attempts[j] as (typeof attempts)[number],
        attempts[i] as (typeof attempts)[number],
      ];
    }

    const statuses: Record<number, number> = {};
    let next = 0;
    const sender = async () => {
      for (let k = next++; k < attempts.length; k = next++) {
        const attempt = attempts[k];
        if (!attempt) continue;
        const timestamp = Math.floor(Date.now() / 1000);
        const res = await call("POST", `/ingest/${created.connector.id}`, {
          rawBody: attempt.payload,
          headers: {
            "content-type": "application/json",
            "webhook-id": attempt.id,
            "webhook-timestamp": String(timestamp),
            "webhook-signature": signWebhook(created.secret, attempt.id, timestamp, attempt.payload),
          },
        });
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        await res.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    // Every delivery was answered once queued; the consumer stores them, then correlation groups them.
    await deliveriesTaken(tenant, attempts.length);
    await correlationSettled(tenant);

    const db = tenantDb(tenant);
    const first = async (sql: string) => (await db.prepare(sql).first<number>("n")) ?? -1;
    const alerts = await first("SELECT count(*) AS n FROM alerts");
    const occurrences = await first("SELECT sum(occurrence_count) AS n FROM alerts");
    const keys = await first("SELECT count(*) AS n FROM correlations");
    const uncorrelated = await first("SELECT count(*) AS n FROM alerts WHERE correlated_at IS NULL");
    const deliveriesSeen = await first("SELECT count(*) AS n FROM webhook_deliveries");
    const casesOpened = new Set(
      (await db.prepare("SELECT case_id FROM correlations").all<{ case_id: string }>()).results.map(
        (r) => r.case_id,
      ),
    ).size;
    const redeliveries = await first("SELECT sum(redeliveries) AS n FROM webhook_deliveries");
    const duplicatesSurvived = alerts - uniqueCount;
    const duplicateSideEffects =
      occurrences - DELIVERIES + (casesOpened - KEYS) + (deliveriesSeen - DELIVERIES);
    // The source's view: each webhook-id's outcome, whichever copy was stored.
    const outcomes = { stored: 0, accepted: 0, duplicates: 0, missing: 0 };
    let nextOutcome = 0;
    const reader = async () => {
      for (let i = nextOutcome++; i < DELIVERIES; i = nextOutcome++) {
        const res = await call("GET", `/v1/connectors/${created.connector.id}/deliveries/msg_${i}`, {
          token: admin,
        });
        if (res.status !== 200) {
          outcomes.missing++;
          await res.arrayBuffer();
          continue;
        }
        const body = (await res.json()) as { outcome: string; accepted: number; duplicates: number };
        if (body.outcome === "stored") outcomes.stored++;
        outcomes.accepted += body.accepted;
        outcomes.duplicates += body.duplicates;
      }
    };
    await Promise.all(Array.from({ length: 8 }, reader));
    console.log(
      `deliveries ${attempts.length} (${DELIVERIES} webhooks × ${REDELIVERIES}), statuses ${JSON.stringify(statuses)}, unique findings ${uniqueCount}, alerts ${alerts}, redeliveries counted ${redeliveries}, duplicates survived ${duplicatesSurvived}, cases ${casesOpened} for ${KEYS} keys, duplicate side effects ${duplicateSideEffects}, outcomes read ${DELIVERIES - outcomes.missing} of ${DELIVERIES} (accepted ${outcomes.accepted}, duplicates ${outcomes.duplicates})`,
    );

    expect(statuses).toEqual({ 202: attempts.length });
    expect(alerts).toBe(uniqueCount);
    expect(occurrences).toBe(DELIVERIES);
    expect(deliveriesSeen).toBe(DELIVERIES);
    expect(keys).toBe(KEYS);
    expect(casesOpened).toBe(KEYS);
    expect(uncorrelated).toBe(0);
    expect(duplicatesSurvived).toBe(0);
    expect(duplicateSideEffects).toBe(0);
    expect(redeliveries).toBe(attempts.length - DELIVERIES);
    expect(outcomes).toEqual({
      stored: DELIVERIES,
      accepted: uniqueCount,
      duplicates: DELIVERIES - uniqueCount,
      missing: 0,
    });
    // 3,000 signed requests through the whole pipeline: a hang guard, not a performance assertion.
  }, 240_000);
});
