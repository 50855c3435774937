// The per-tenant daily ingest quota (docs/decisions/021): findings accepted per UTC day. A charge is
// all or nothing and is counted by the tenant's own quota object, so concurrent requests can never
// take a tenant past its limit. Over quota, the payload is kept in quarantine, never dropped.
import { PhoenixError } from "../errors.ts";

/** The quarantine reason of payloads refused for quota; their replay charges the quota again. */
export const QUOTA_EXCEEDED_REASON = "quota_exceeded";

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the tenant's quota object answers for one charge. */
export interface QuotaDecision {
  allowed: boolean;
  /** Findings counted today, including this charge when it was allowed. */
  used: number;
  remaining: number;
  /** Epoch ms of the next UTC midnight, when the count starts again. */
  resetAt: number;
}

export interface QuotaCharge extends QuotaDecision {
  day: string;
  count: number;
  limit: number;
  /** The key it was made under, when one was given (a queued delivery's connector and webhook-id). */
  key?: string;
  /** True when the key was already charged that day, by an earlier try of the same delivery. */
  reused?: boolean;
}

/** One tenant's quota, as the ingest paths use it; the Worker wires it to the quota object. */
export interface IngestQuota {
  /**
   * Charges `count` findings. Under a `key`, a second charge the same day reuses the first, so a
   * retried delivery is charged once however often it is tried (decision 052).
   */
  charge(count: number, now: number, key?: string): Promise<QuotaCharge>;
  /** Keyed charges of several deliveries in one call, each as `charge` with its key makes it. */
  chargeKeyed(charges: ReadonlyArray<{ count: number; now: number; key: string }>): Promise<QuotaCharge[]>;
  /** Gives back an allowed charge whose findings were not stored after all (a redelivery, a failure). */
  refund(charge: QuotaCharge): Promise<void>;
  /** Gives back what was charged under `key`, if anything: a delivery that will not be stored. */
  refundKey(key: string): Promise<void>;
}

/** The key a queued delivery's quota charge is made under. */
export function deliveryChargeKey(connectorId: string, webhookId: string): string {
  return `${connectorId} ${webhookId}`;
}

/** The UTC calendar day of an instant, "YYYY-MM-DD": the quota's unit. */
export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

export function isUtcDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && utcDay(Date.parse(`${value}T00:00:00Z`) || 0) === value;
}

/** Epoch ms at which a day's count ends: the following UTC midnight. */
export function endOfUtcDay(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) + DAY_MS;
}

export function previousUtcDay(day: string): string {
  return utcDay(Date.parse(`${day}T00:00:00Z`) - DAY_MS);
}

/** The 429 a refused charge answers with: retry when the day turns over. */
export function quotaExceeded(charge: QuotaCharge, now: number, kept: string): PhoenixError {
  return new PhoenixError(
    "quota_exceeded",
    `the tenant's daily ingest quota of ${charge.limit} findings is used up (${charge.used} today; this request has ${charge.count}); ${kept}`,
  ).retryAfter((charge.resetAt - now) / 1000);
}

/** The deployment default, DEFAULT_DAILY_INGEST_QUOTA, unless the tenant has its own. */
export function dailyQuotaFor(tenantQuota: number | null, deploymentDefault: string | undefined): number {
  if (tenantQuota !== null) return tenantQuota;
  const parsed = Number(deploymentDefault);
  if (!Number.isSafeInteger(parsed) || parsed < 0) {
    // A misconfigured deployment must not silently turn into "unlimited" or "nothing".
    throw new Error(`DEFAULT_DAILY_INGEST_QUOTA must be a non-negative integer, got "${deploymentDefault}"`);
  }
  return parsed;
}
