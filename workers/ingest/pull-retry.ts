// How every pull (Cisco XDR, Cisco AI Defense) treats a vendor API that is busy or failing: a 5xx or
// a dropped connection is tried again a bounded number of times with backoff; a 429 ends the run
// and the vendor's Retry-After says when the next may ask (no waiting inside a Worker).

/** Attempts per request when the API answers 5xx or the connection fails; then the run stops. */
export const MAX_ATTEMPTS = 3;
/** A 429 without a usable Retry-After still waits this long. */
const DEFAULT_RETRY_AFTER_S = 60;
/** A Retry-After longer than this is read as this: one odd header must not park a connector for days. */
const MAX_RETRY_AFTER_S = 3600;

/** Exponential backoff with jitter, bounded: about 0.5 s, then 1 s, never above 4 s. */
export function backoffMs(attempt: number): number {
  const base = Math.min(4000, 500 * 2 ** (attempt - 1));
  return base + Math.floor(Math.random() * (base / 2));
}

/** Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3), in whole seconds from `now`. */
export function retryAfterSeconds(header: string | null, now: number): number {
  if (header === null) return DEFAULT_RETRY_AFTER_S;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(MAX_RETRY_AFTER_S, Number(trimmed));
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return DEFAULT_RETRY_AFTER_S;
  return Math.min(MAX_RETRY_AFTER_S, Math.max(0, Math.ceil((date - now) / 1000)));
}

/** Why a pull run stopped early: the vendor asked it to wait, or it could not go on. */
export type PullStopReason =
  | { kind: "rate_limited"; retryAfter: number; retryAt: number }
  | { kind: "failed"; detail: string };

/** Ends a pull run; what was stored before it stays stored, and the cursor says where to resume. */
export class PullStop extends Error {
  readonly reason: PullStopReason;

  constructor(reason: PullStopReason) {
    super(`pull stopped: ${reason.kind}`);
    this.reason = reason;
  }
}

/** What a run's outcome says when it stopped for `reason`. */
export function stoppedOutcome(reason: PullStopReason) {
  return reason.kind === "rate_limited"
    ? { status: "rate_limited" as const, retryAfter: reason.retryAfter, retryAt: reason.retryAt }
    : { status: "failed" as const, error: reason.detail };
}

/** The Retry-After an earlier run left on the connector (`config.pull.lastRun`), if it has not passed. */
export function retryPendingUntil(pull: unknown, now: number): number | undefined {
  const run = (pull as { lastRun?: { retryAt?: unknown } } | null | undefined)?.lastRun;
  const retryAt = run?.retryAt;
  return typeof retryAt === "number" && retryAt > now ? retryAt : undefined;
}
