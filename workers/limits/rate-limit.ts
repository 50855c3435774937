// Throttling of abusive callers with the Workers rate-limiting binding (docs/decisions/021): per
// address before authentication, per client after it. Counts are approximate and per Cloudflare
// location; the exact guard on volume is the daily ingest quota.
import type { MiddlewareHandler } from "hono";
import type { Principal } from "../../domain/auth/principal.ts";
import { PhoenixError } from "../../domain/errors.ts";
import type { ApiEnv } from "../http/context.ts";

/** The `period` of both bindings in every environment: a throttled caller may retry after it. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

/** Per client address (`cf-connecting-ip`), before anything is parsed or verified. */
export function limitByAddress(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    // Cloudflare's edge sets this header and overwrites any a client sends. Without it the request
    // did not come through the edge (tests, service bindings): there is no address to count.
    const address = c.req.header("cf-connecting-ip");
    if (address)
      await enforce(c.env, "RATE_LIMIT_IP", addressLimitKey(address), "requests from this address");
    return next();
  };
}

/** Per authenticated principal within its tenant; runs after the /v1 authentication. */
export function limitByClient(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    // Unauthenticated routes (the OpenAPI document, the token endpoint) have no principal here.
    const principal = c.get("principal") as Principal | undefined;
    if (principal) {
      await enforce(
        c.env,
        "RATE_LIMIT_CLIENT",
        clientLimitKey(principal.tenant.id, principal.id),
        "requests from this client",
      );
    }
    return next();
  };
}

async function enforce(
  env: Env,
  binding: "RATE_LIMIT_IP" | "RATE_LIMIT_CLIENT",
  key: string,
  what: string,
): Promise<void> {
  const limiter = env[binding] as RateLimit | undefined;
  // ratelimits are not inherited by [env.*] sections: an environment without them must not pass
  // silently as unthrottled.
  if (!limiter) throw new Error(`the ${binding} rate-limiting binding is missing from this environment`);
  let allowed: boolean;
  try {
    ({ success: allowed } = await limiter.limit({ key }));
  } catch (error) {
    // A limiter outage must not take the API down with it; the quota still bounds ingest.
    console.error(JSON.stringify({ level: "error", msg: "rate limiter unavailable", error: String(error) }));
    return;
  }
  if (!allowed) {
    throw new PhoenixError(
      "rate_limited",
      `too many ${what}; retry after ${RATE_LIMIT_PERIOD_SECONDS} seconds`,
    ).retryAfter(RATE_LIMIT_PERIOD_SECONDS);
  }
}

/** A client's counter: the same client id in two tenants is two clients. */
export function clientLimitKey(tenantId: string, principalId: string): string {
  return `client:${tenantId}:${principalId}`;
}

/**
 * The counter an address counts in. An IPv6 client usually holds a whole /64, so that is the unit;
 * otherwise one host could rotate through addresses and never be throttled.
 */
export function addressLimitKey(address: string): string {
  const ip = address.trim().toLowerCase();
  if (!ip.includes(":")) return `ip:${ip}`;
  const [head = "", tail] = ip.split("::", 2);
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  const prefix = groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, ""));
  return `ip:${prefix.join(":")}::/64`;
}
