// One sink call as every sink kind makes it: through the outbound guard, with a timeout, counted
// against the tenant's per-site rate limit, and any failure as a SinkCallFailed that says whether
// retrying can help.
import { failedCall, failedResponse, SinkCallFailed } from "./delivery-errors.ts";
import { guardedFetch, type HostResolver, type OutboundPolicy } from "./outbound-url.ts";

export interface OutboundContext {
  policy: OutboundPolicy;
  resolve: HostResolver;
  fetch?: typeof fetch;
  /**
   * Takes one call from the tenant's allowance for a site; false when the allowance is spent.
   * Keyed per tenant and site, so one tenant's burst waits without holding back another's.
   */
  throttle?: (key: string) => Promise<boolean>;
}

/** Seconds a throttled sync waits: the rate limiter's window. */
export const THROTTLE_WAIT_SECONDS = 10;

export interface CallOptions {
  tenantId: string;
  now: number;
  timeoutMs: number;
  outbound: OutboundContext;
}

/**
 * Sends one request and answers the response when its status is a success or one `expected`
 * names (a 404 that means "not there yet", say); throws SinkCallFailed otherwise.
 */
export async function sinkCall(
  options: CallOptions,
  url: string,
  init: RequestInit,
  expected: readonly number[] = [],
): Promise<Response> {
  const { outbound } = options;
  if (outbound.throttle && !(await outbound.throttle(`${options.tenantId}:${new URL(url).host}`)))
    throw new SinkCallFailed(`${new URL(url).host}: this tenant's rate limit for the site is spent`, {
      permanent: false,
      retryAfterSeconds: THROTTLE_WAIT_SECONDS,
      throttled: true,
    });
  let response: Response;
  try {
    response = await guardedFetch(url, { ...init, timeoutMs: options.timeoutMs }, outbound);
  } catch (error) {
    throw failedCall(describe(init, url), error);
  }
  if (response.ok || expected.includes(response.status)) return response;
  await response.body?.cancel();
  throw failedResponse(describe(init, url), response, options.now);
}

/** A JSON body, or a retryable failure when the vendor answered something else. */
export async function jsonOf<T>(response: Response, what: string): Promise<T> {
  try {
    return (await response.json()) as T;
  } catch {
    throw new SinkCallFailed(`${what} answered ${response.status} without a JSON body`, {
      permanent: false,
    });
  }
}

function describe(init: RequestInit, url: string): string {
  const u = new URL(url);
  return `${init.method ?? "GET"} ${u.origin}${u.pathname}`;
}
