// Rate limiting through a real Workers rate-limiting binding: a throttled caller gets 429
// problem+json with Retry-After, and another client or address is not affected. Per address before
// authentication, per client after it. The Worker runs with TEST_RATE_LIMITER (vitest.config.ts, a
// limit of a few requests a minute) in place of the limiter under test, so no other test file can
// be throttled by the limits these tests need.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../../workers/index.ts";
import { addressLimitKey, RATE_LIMIT_PERIOD_SECONDS } from "../../../workers/limits/rate-limit.ts";
import { testEnv } from "../../support/test-env.ts";
import { createTenant, tokenFor } from "../../support/world.ts";

const LIMIT = Number(testEnv().TEST_RATE_LIMIT);

type Limiter = "RATE_LIMIT_IP" | "RATE_LIMIT_CLIENT";

/** Sends a request through the Worker with the test limiter standing in for `limiter`. */
function sender(limiter: Limiter) {
  const env = { ...testEnv(), [limiter]: testEnv().TEST_RATE_LIMITER as RateLimit };
  return async (
    method: string,
    path: string,
    options: { token?: string; ip?: string; body?: string } = {},
  ) => {
    const headers = new Headers();
    if (options.token) headers.set("authorization", `Bearer ${options.token}`);
    if (options.ip) headers.set("cf-connecting-ip", options.ip);
    if (options.body !== undefined) headers.set("content-type", "application/x-www-form-urlencoded");
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`http://phoenix.test${path}`, { method, headers, body: options.body }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  };
}

/**
 * Sends until the limiter answers 429. The local limiter's windows are aligned to the clock, so one
 * may roll over mid-way: then up to a whole window more gets through, never fewer than the limit.
 */
async function exhaust(send: () => Promise<Response>): Promise<{ passed: number; throttled: Response }> {
  let passed = 0;
  while (passed <= 2 * LIMIT) {
    const res = await send();
    if (res.status === 429) return { passed, throttled: res };
    passed++;
  }
  throw new Error(`no 429 after ${passed} requests; the limit is ${LIMIT}`);
}

/** Probes while the key is throttled; once more from a fresh window if the window rolled over. */
async function whileThrottled(
  send: () => Promise<Response>,
  probe: () => Promise<number[]>,
  expected: number[],
): Promise<number[]> {
  let statuses: number[] = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    await exhaust(send);
    statuses = await probe();
    if (statuses.every((s, i) => s === expected[i])) break;
  }
  return statuses;
}

async function expectRateLimited(res: Response): Promise<void> {
  expect(res.status).toBe(429);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.headers.get("retry-after")).toBe(String(RATE_LIMIT_PERIOD_SECONDS));
  expect(await res.json()).toMatchObject({ code: "rate_limited", status: 429 });
}

describe("per-address rate limit (cf-connecting-ip), before authentication", () => {
  const send = sender("RATE_LIMIT_IP");
  const from = (ip: string) => () => send("GET", "/v1/alerts", { ip });

  it("throttles an address that floods unauthenticated requests with 429 and Retry-After; other addresses pass", async () => {
    const { passed, throttled } = await exhaust(from("203.0.113.7"));
    console.log(`address 203.0.113.7: ${passed} requests answered 401 before the first 429 (limit ${LIMIT})`);
    expect(passed).toBeGreaterThanOrEqual(LIMIT);
    await expectRateLimited(throttled);
    // Another address, and requests without the header (not through the edge), are not counted with it.
    expect((await from("203.0.113.8")()).status).toBe(401);
    expect((await send("GET", "/v1/alerts")).status).toBe(401);
  });

  it("covers the API, the token endpoint, webhooks and sign-in, but not health checks", async () => {
    const ip = "198.51.100.20";
    const statuses = await whileThrottled(
      from(ip),
      async () =>
        Promise.all([
          send("POST", "/v1/oauth/token", { ip, body: "grant_type=client_credentials" }),
          send("POST", "/ingest/con_01jzzzzzzzzzzzzzzzzzzzzzzz", { ip, body: "{}" }),
          send("GET", "/auth/login", { ip }),
          send("GET", "/healthz", { ip }),
        ]).then((all) => all.map((r) => r.status)),
      [429, 429, 429, 200],
    );
    expect(statuses).toEqual([429, 429, 429, 200]);
  });

  it("counts an IPv6 client by its /64", async () => {
    expect(addressLimitKey("2001:db8:1:2:ffff:0:0:9")).toBe(addressLimitKey("2001:0DB8:0001:0002::1"));
    expect(addressLimitKey("2001:db8:1:3::1")).not.toBe(addressLimitKey("2001:db8:1:2::1"));
    const statuses = await whileThrottled(
      from("2001:db8:1:2::1"),
      async () => [
        (await from("2001:db8:1:2:ffff:0:0:9")()).status,
        (await from("2001:db8:1:3::1")()).status,
      ],
      [429, 401],
    );
    expect(statuses).toEqual([429, 401]);
  });
});

describe("per-client rate limit, after authentication", () => {
  const send = sender("RATE_LIMIT_CLIENT");
  // A cheap authenticated request: the id fails validation after authentication and the limiter.
  const probe = (token: string) => () => send("GET", "/v1/alerts/not-an-alert-id", { token });

  it("throttles one client of one tenant; its other clients and other tenants' same-named clients pass", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const busy = await tokenFor(tenant, { subject: "busy-client", scopes: ["alerts:read"] });

    const { passed, throttled } = await exhaust(probe(busy));
    console.log(`client busy-client: ${passed} requests answered 422 before the first 429 (limit ${LIMIT})`);
    expect(passed).toBeGreaterThanOrEqual(LIMIT);
    await expectRateLimited(throttled);

    const quiet = await tokenFor(tenant, { subject: "quiet-client" });
    const namesake = await tokenFor(other, { subject: "busy-client" });
    const statuses = await whileThrottled(
      probe(busy),
      async () => [
        (await probe(busy)()).status,
        (await probe(quiet)()).status,
        (await probe(namesake)()).status,
      ],
      [429, 422, 422],
    );
    expect(statuses).toEqual([429, 422, 422]);
  });

  it("does not charge a client for requests that fail authentication in its name", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant, { subject: "victim-client", scopes: ["alerts:read"] });
    // Forged tokens naming the same tenant and subject are refused before the per-client limiter.
    const forged = `${token.slice(0, -4)}AAAA`;
    const refused = await Promise.all(Array.from({ length: 2 * LIMIT + 1 }, probe(forged)));
    expect(refused.every((r) => r.status === 401)).toBe(true);
    expect((await probe(token)()).status).toBe(422);
  });

  it("fails loudly when an environment lacks the binding, instead of running unthrottled", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant, { scopes: ["alerts:read"] });
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("http://phoenix.test/v1/alerts", { headers: { authorization: `Bearer ${token}` } }),
      { ...testEnv(), RATE_LIMIT_CLIENT: undefined } as unknown as Env,
      ctx,
    );
    expect(res.status).toBe(500);
  });
});
