// Phoenix's signing keyring over a whole key lifetime: published as next before it signs, signing
// as current, verifying as retiring through the overlap, and gone once retired.
import { decodeProtectedHeader } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NEXT_KEY_MIN_PUBLISHED_MS, RETIRING_OVERLAP_MS } from "../../../domain/auth/key-schedule.ts";
import { rotateSigningKeys, rotationIntervalMs } from "../../../domain/auth/signing-keys.ts";
import { parseSigningKey } from "../../../domain/auth/tokens.ts";
import { decryptSecret } from "../../../domain/secrets.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, tokenFor } from "../../support/world.ts";

// Past the isolate's keyring cache (KEYRING_CACHE_MS), so requests see what the cron just did.
const AFTER_CACHE_MS = 61_000;
const DAY_MS = 86_400_000;

interface KeyRow {
  kid: string;
  status: string;
  rotate_at: number | null;
  retired_at: number | null;
  private_jwk_ciphertext: string | null;
}

const env = () => testEnv();
const bootstrapKid = () => parseSigningKey(env().PHOENIX_SIGNING_JWK).jwk.kid;

async function keys(): Promise<KeyRow[]> {
  const { results } = await env()
    .CONTROL_DB.prepare(
      `SELECT kid, status, rotate_at, retired_at, private_jwk_ciphertext FROM signing_keys
        ORDER BY created_at, CASE status WHEN 'retired' THEN 0 WHEN 'retiring' THEN 1 WHEN 'current' THEN 2 ELSE 3 END`,
    )
    .all<KeyRow>();
  return results;
}

async function publishedKids(): Promise<string[]> {
  const res = await call("GET", "/.well-known/jwks.json");
  expect(res.status).toBe(200);
  const { keys: published } = (await res.json()) as { keys: Array<{ kid: string; d?: string }> };
  for (const key of published) expect(key.d).toBeUndefined();
  return published.map((k) => k.kid).sort();
}

/** A client of a fresh tenant that can fetch tokens from the token endpoint. */
async function tokenClient() {
  const tenant = await createTenant();
  const admin = await tokenFor(tenant, { scopes: ["admin"] });
  const res = await call("POST", "/v1/clients", {
    token: admin,
    body: { name: "Platform", scopes: ["alerts:read"] },
  });
  const { id, client_secret: secret } = (await res.json()) as { id: string; client_secret: string };
  return {
    tenant,
    async token(): Promise<string> {
      const issued = await call("POST", "/v1/oauth/token", {
        rawBody: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: id,
          client_secret: secret,
        }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(issued.status).toBe(200);
      return ((await issued.json()) as { access_token: string }).access_token;
    },
  };
}

function travelTo(now: number): number {
  vi.setSystemTime(now);
  return now;
}

beforeEach(async () => {
  // Storage is per file: each test starts before the first rotation.
  await env().CONTROL_DB.prepare("DELETE FROM signing_keys").run();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("signing key rotation", () => {
  it("walks a key through next, current, retiring and retired", async () => {
    // A day ahead, so no keyring this isolate cached earlier in real time is still fresh.
    const t0 = Date.now() + DAY_MS;
    vi.useFakeTimers({ now: t0, toFake: ["Date"] });
    const client = await tokenClient();

    // Before any rotation the PHOENIX_SIGNING_JWK key is current and alone.
    expect(await publishedKids()).toEqual([bootstrapKid()]);
    const first = await rotateSigningKeys(env(), t0);
    expect(first).toMatchObject({ bootstrapped: true, promoted: null, retired: [] });
    const next = first.created ?? "";
    expect(next).toMatch(/^key_/);
    expect((await keys()).map((k) => [k.kid, k.status])).toEqual([
      [bootstrapKid(), "current"],
      [next, "next"],
    ]);

    // The next key is published before it signs.
    travelTo(t0 + AFTER_CACHE_MS);
    expect(await publishedKids()).toEqual([bootstrapKid(), next].sort());
    expect(decodeProtectedHeader(await client.token()).kid).toBe(bootstrapKid());
    // Long-lived, as the operator CLI mints them: it outlives the overlap, so only retirement stops it.
    const oldToken = await tokenFor(client.tenant, { scopes: ["alerts:read"], ttlSeconds: 6 * 3600 });

    // An operator pulls the handover forward (`phoenix keys rotate`); it waits until the next key
    // has been published long enough for every cache to have seen it.
    await env()
      .CONTROL_DB.prepare("UPDATE signing_keys SET rotate_at = ? WHERE status = 'current'")
      .bind(t0)
      .run();
    expect((await rotateSigningKeys(env(), t0 + AFTER_CACHE_MS)).promoted).toBeNull();

    const t1 = travelTo(t0 + NEXT_KEY_MIN_PUBLISHED_MS);
    const handover = await rotateSigningKeys(env(), t1);
    expect(handover.promoted).toBe(next);
    const newNext = handover.created ?? "";
    const afterHandover = await keys();
    expect(afterHandover.map((k) => [k.kid, k.status])).toEqual([
      [bootstrapKid(), "retiring"],
      [next, "current"],
      [newNext, "next"],
    ]);
    expect(afterHandover[0]?.retired_at).toBe(t1 + RETIRING_OVERLAP_MS);
    expect(afterHandover[1]?.rotate_at).toBe(t1 + rotationIntervalMs(env().SIGNING_KEY_ROTATION_DAYS));

    // During the overlap: new tokens carry the new kid, and the old key's tokens still verify.
    travelTo(t1 + AFTER_CACHE_MS);
    expect(await publishedKids()).toEqual([bootstrapKid(), next, newNext].sort());
    const newToken = await client.token();
    expect(decodeProtectedHeader(newToken).kid).toBe(next);
    expect((await call("GET", "/v1/alerts", { token: newToken })).status).toBe(200);
    expect((await call("GET", "/v1/alerts", { token: oldToken })).status).toBe(200);

    // From retired_at on, the old key verifies nothing, even before the cron marks it retired.
    const t2 = travelTo(t1 + RETIRING_OVERLAP_MS);
    const refused = await call("GET", "/v1/alerts", { token: oldToken });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { detail: string }).detail).toContain("kid");
    expect(await rotateSigningKeys(env(), t2)).toMatchObject({ retired: [bootstrapKid()], promoted: null });
    expect((await keys())[0]).toMatchObject({ status: "retired", private_jwk_ciphertext: null });
    expect(await publishedKids()).toEqual([next, newNext].sort());
    const fresh = await client.token();
    expect(decodeProtectedHeader(fresh).kid).toBe(next);
    expect((await call("GET", "/v1/alerts", { token: fresh })).status).toBe(200);
  });

  it("two concurrent rotations leave exactly one current and one next", async () => {
    const t0 = Date.now();
    const bootstraps = await Promise.all([1, 2, 3].map(() => rotateSigningKeys(env(), t0)));
    expect(bootstraps.filter((o) => o.bootstrapped)).toHaveLength(1);
    const statuses = async () => (await keys()).map((k) => k.status).sort();
    expect(await statuses()).toEqual(["current", "next"]);

    await env()
      .CONTROL_DB.prepare("UPDATE signing_keys SET rotate_at = ? WHERE status = 'current'")
      .bind(t0)
      .run();
    const due = t0 + NEXT_KEY_MIN_PUBLISHED_MS;
    const handovers = await Promise.all([1, 2, 3].map(() => rotateSigningKeys(env(), due)));
    expect(handovers.filter((o) => o.promoted !== null)).toHaveLength(1);
    expect(await statuses()).toEqual(["current", "next", "retiring"]);
  });

  it("keeps generated private keys encrypted, bound to their kid", async () => {
    const { created } = await rotateSigningKeys(env(), Date.now());
    const row = (await keys()).find((k) => k.kid === created);
    const ciphertext = row?.private_jwk_ciphertext ?? "";
    expect(ciphertext).toMatch(/^v1\./);
    const jwk = JSON.parse(await decryptSecret(ciphertext, env().SECRETS_ENCRYPTION_KEY, created ?? "")) as {
      kid: string;
      alg: string;
      d: string;
    };
    expect(jwk).toMatchObject({ kid: created, alg: "ES256", d: expect.any(String) });
    await expect(decryptSecret(ciphertext, env().SECRETS_ENCRYPTION_KEY, "key_other")).rejects.toThrow();
  });

  it("reads SIGNING_KEY_ROTATION_DAYS, refusing nonsense", () => {
    expect(rotationIntervalMs("30")).toBe(30 * DAY_MS);
    expect(rotationIntervalMs(undefined)).toBe(30 * DAY_MS);
    for (const bad of ["0", "-1", "soon"])
      expect(() => rotationIntervalMs(bad)).toThrow(/SIGNING_KEY_ROTATION_DAYS/);
  });
});
