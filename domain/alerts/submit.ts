// Submitting alerts through the API: validate the whole submission, then store it once per
// Idempotency-Key. The webhook connectors reuse storeFindings with their own dedup instead.
// With a quota, the findings are charged first (a replay of a recorded key is not charged again);
// a submission over quota is kept whole in quarantine and answered 429.
import { and, eq, gt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { idempotencyRecords, quarantine } from "../../schema/tenant.ts";
import { type IdempotentRequest, requestHash, runIdempotent } from "../idempotency.ts";
import { newId } from "../ids.ts";
import { MAX_QUARANTINE_PAYLOAD_BYTES, utf8Length } from "../input/limits.ts";
import { parseFindingSubmission } from "./intake.ts";
import { type IngestQuota, QUOTA_EXCEEDED_REASON, type QuotaCharge, quotaExceeded } from "./quota.ts";
import { storeFindings } from "./store.ts";

export interface AlertSubmission {
  /** The body exactly as received; an Idempotency-Key is bound to these bytes. */
  raw: string;
  json: unknown;
  /** Who submits (issuer and subject of the credential); keys are scoped to them. */
  submitter: string;
  idempotencyKey: string | undefined;
  now: number;
}

export interface SubmissionResult {
  status: 200 | 201;
  body: {
    accepted: number;
    created: number;
    duplicates: number;
    alerts: Array<{ id: string; duplicate: boolean; occurrence_count: number }>;
  };
  replayed: boolean;
}

export interface SubmissionLimits {
  quota: IngestQuota;
  /** A fresh submission over quota is kept in quarantine; a replay is refused and stays where it is. */
  overQuota: "quarantine" | "refuse";
}

export async function submitAlerts(
  db: D1Database,
  submission: AlertSubmission,
  limits?: SubmissionLimits,
): Promise<SubmissionResult> {
  const findings = parseFindingSubmission(submission.json, submission.now);
  const idempotency: IdempotentRequest | null = submission.idempotencyKey
    ? {
        principal: submission.submitter,
        key: submission.idempotencyKey,
        requestHash: await requestHash("POST", "/v1/alerts", submission.raw),
        now: submission.now,
      }
    : null;

  const store = () =>
    runIdempotent(db, idempotency, async (claim) => {
      const outcome = await storeFindings(db, findings, {
        now: submission.now,
        sourceConnectorId: null,
        claim,
      });
      return {
        // 200 when nothing new was stored: every finding was a re-delivery.
        status: outcome.created > 0 ? (201 as const) : (200 as const),
        body: {
          accepted: findings.length,
          created: outcome.created,
          duplicates: outcome.duplicates,
          alerts: outcome.alerts.map((a) => ({
            id: a.id,
            duplicate: a.duplicate,
            occurrence_count: a.occurrenceCount,
          })),
        },
      };
    });

  const charge =
    limits && !(idempotency && (await isRecorded(db, idempotency)))
      ? await limits.quota.charge(findings.length, submission.now)
      : null;
  if (charge && !charge.allowed) {
    // A submission too large for one quarantine row is not kept: the client still holds it.
    if (limits?.overQuota === "refuse" || utf8Length(submission.raw) > MAX_QUARANTINE_PAYLOAD_BYTES)
      throw quotaExceeded(charge, submission.now, "nothing was stored; replay it after the reset");
    const kept = await keepInQuarantine(db, submission, charge);
    throw quotaExceeded(charge, submission.now, `the submission is kept in quarantine as ${kept}`);
  }

  let result: Awaited<ReturnType<typeof store>>;
  try {
    result = await store();
  } catch (error) {
    if (charge) await limits?.quota.refund(charge);
    throw error;
  }
  // Answered from the record: those findings were charged when they were first stored.
  if (charge && result.replayed) await limits?.quota.refund(charge);
  return { ...result, status: result.status === 201 ? 201 : 200 };
}

// A key already recorded (and not expired) will be answered from its record, so it is not charged.
async function isRecorded(db: D1Database, request: IdempotentRequest): Promise<boolean> {
  const [row] = await drizzle(db)
    .select({ key: idempotencyRecords.key })
    .from(idempotencyRecords)
    .where(
      and(
        eq(idempotencyRecords.principal, request.principal),
        eq(idempotencyRecords.key, request.key),
        gt(idempotencyRecords.expiresAt, request.now),
      ),
    )
    .limit(1);
  return row !== undefined;
}

async function keepInQuarantine(db: D1Database, submission: AlertSubmission, charge: QuotaCharge) {
  const id = newId("quarantine", submission.now);
  await drizzle(db)
    .insert(quarantine)
    .values({
      id,
      sourceConnectorId: null,
      reason: QUOTA_EXCEEDED_REASON,
      details: {
        submitter: submission.submitter,
        ...(submission.idempotencyKey ? { idempotency_key: submission.idempotencyKey } : {}),
        findings: charge.count,
        daily_quota: charge.limit,
        day: charge.day,
      },
      payload: submission.raw,
      receivedAt: submission.now,
    });
  return id;
}
