// How a sink call failed, and what to do about it: retry later (with exponential back-off and
// jitter, or when the vendor's Retry-After says), or never (a permanent error goes to the dead
// letters at once, since retrying cannot change the answer).
import { OutboundRefused } from "./outbound-url.ts";

// 408 Request Timeout, 409 Conflict, 425 Too Early and 429 Too Many Requests are worth retrying;
// every other 4xx says the request itself is wrong.
const RETRYABLE_4XX = new Set([408, 409, 425, 429]);

export class SinkCallFailed extends Error {
  readonly permanent: boolean;
  readonly status: number | null;
  readonly retryAfterSeconds: number | null;
  /** Phoenix's own per-site rate limit held the call back: the sink was not asked at all. */
  readonly throttled: boolean;
  constructor(
    message: string,
    options: {
      permanent: boolean;
      status?: number;
      retryAfterSeconds?: number | null;
      throttled?: boolean;
    },
  ) {
    super(message);
    this.permanent = options.permanent;
    this.status = options.status ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
    this.throttled = options.throttled ?? false;
  }
}

/** A response that is not a success, as the failure it is. */
export function failedResponse(what: string, response: Response, now: number): SinkCallFailed {
  const permanent = response.status >= 400 && response.status < 500 && !RETRYABLE_4XX.has(response.status);
  return new SinkCallFailed(`${what} answered ${response.status}`, {
    permanent,
    status: response.status,
    retryAfterSeconds: retryAfterSeconds(response.headers.get("retry-after"), now),
  });
}

/** A call that threw: refused by the outbound guard (permanent), or never answered (retry). */
export function failedCall(what: string, error: unknown): SinkCallFailed {
  if (error instanceof SinkCallFailed) return error;
  if (error instanceof OutboundRefused) return new SinkCallFailed(error.message, { permanent: true });
  const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
  return new SinkCallFailed(
    `${what} ${timedOut ? "did not answer in time" : `could not be reached: ${String(error)}`}`,
    {
      permanent: false,
    },
  );
}

/** Retry-After as seconds: delta-seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null, now: number): number | null {
  if (header === null) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

const BASE_DELAY_SECONDS = 2;
const MAX_DELAY_SECONDS = 15 * 60;

/**
 * When to try again: what the vendor asked for, else exponential back-off with full jitter
 * (a random delay up to base × 2^attempt), so a tenant's burst of retries spreads out.
 */
export function retryDelaySeconds(
  attempt: number,
  failure: SinkCallFailed,
  random: () => number = Math.random,
): number {
  if (failure.retryAfterSeconds !== null)
    return Math.min(MAX_DELAY_SECONDS, Math.max(1, failure.retryAfterSeconds));
  const ceiling = Math.min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.round(random() * ceiling));
}
