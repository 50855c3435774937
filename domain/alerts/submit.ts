// Submitting alerts through the API: validate the whole submission, then store it once per
// Idempotency-Key. The webhook connectors reuse storeFindings with their own dedup instead.
import { type IdempotentRequest, requestHash, runIdempotent } from "../idempotency.ts";
import { parseFindingSubmission } from "./intake.ts";
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

export async function submitAlerts(db: D1Database, submission: AlertSubmission): Promise<SubmissionResult> {
  const findings = parseFindingSubmission(submission.json);
  const idempotency: IdempotentRequest | null = submission.idempotencyKey
    ? {
        principal: submission.submitter,
        key: submission.idempotencyKey,
        requestHash: await requestHash("POST", "/v1/alerts", submission.raw),
        now: submission.now,
      }
    : null;

  const result = await runIdempotent(db, idempotency, async (claim) => {
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
  return { ...result, status: result.status === 201 ? 201 : 200 };
}
