// The JWT negative corpus: every way we know to forge, bend or break a bearer token, each expected
// to be refused with 401 problem+json. The suite prints how many mutations it tried and how many
// got through (which must be 0), so an empty or partial run is visible.
import { base64url, CompactSign, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { parseSigningKey, publicJwk } from "../../../domain/auth/tokens.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, signRaw, standardClaims } from "../../support/world.ts";

type SigningJwk = JWK & { kid: string; alg: string };

const enc = (value: unknown) => base64url.encode(typeof value === "string" ? value : JSON.stringify(value));

/** Splits a compact JWS into its three segments. */
function parts(token: string): [string, string, string] {
  const [h = "", p = "", s = ""] = token.split(".");
  return [h, p, s];
}

async function hmacJws(header: Record<string, unknown>, claims: Record<string, unknown>, secret: Uint8Array) {
  const key = await crypto.subtle.importKey(
    "raw",
    new Uint8Array(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const input = `${enc(header)}.${enc(claims)}`;
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(input)));
  return `${input}.${base64url.encode(mac)}`;
}

/** Signs any header and payload bytes with Phoenix's ES256 key, bypassing jose's own header checks. */
async function signCompact(header: Record<string, unknown>, payload: string) {
  const key = await crypto.subtle.importKey("jwk", own(), { name: "ECDSA", namedCurve: "P-256" }, false, [
    "sign",
  ]);
  const input = `${enc(header)}.${payload}`;
  const sig = await crypto.subtle.sign(
    { name: "ECDSA", hash: "SHA-256" },
    key,
    new TextEncoder().encode(input),
  );
  return `${input}.${base64url.encode(new Uint8Array(sig))}`;
}

interface Mutation {
  name: string;
  /** Builds the Authorization header value (usually `Bearer <token>`). */
  build: (ctx: Ctx) => Promise<string>;
}

interface Ctx {
  tenantId: string;
  suspendedTenantId: string;
  valid: string;
  claims: (overrides?: Record<string, unknown>) => Record<string, unknown>;
}

const bearer = (token: string) => `Bearer ${token}`;
const own = () => parseSigningKey(testEnv().PHOENIX_SIGNING_JWK).jwk;

const MUTATIONS: Mutation[] = [
  {
    name: "alg none, unsigned",
    build: async (c) => bearer(`${enc({ alg: "none", typ: "JWT" })}.${enc(c.claims())}.`),
  },
  {
    name: "alg None (case variant), unsigned",
    build: async (c) => bearer(`${enc({ alg: "None" })}.${enc(c.claims())}.`),
  },
  {
    name: "alg none with the original signature kept",
    build: async (c) => {
      const [, p, s] = parts(c.valid);
      return bearer(`${enc({ alg: "none", kid: own().kid })}.${p}.${s}`);
    },
  },
  {
    name: "HS256 keyed with the public JWK (algorithm confusion)",
    build: async (c) =>
      bearer(
        await hmacJws(
          { alg: "HS256", kid: own().kid },
          c.claims(),
          new TextEncoder().encode(JSON.stringify(publicJwk({ jwk: own() }))),
        ),
      ),
  },
  {
    name: "HS256 keyed with the public key's x coordinate",
    build: async (c) =>
      bearer(await hmacJws({ alg: "HS256", kid: own().kid }, c.claims(), base64url.decode(own().x ?? ""))),
  },
  {
    name: "HS512 with an empty-ish secret",
    build: async (c) =>
      bearer(await hmacJws({ alg: "HS512", kid: own().kid }, c.claims(), new Uint8Array(1))),
  },
  {
    name: "HS256 keyed with the trusted IdP's public RSA modulus",
    build: async (c) => {
      const idp = testEnv().TEST_INLINE_IDP_JWK as SigningJwk;
      return bearer(
        await hmacJws(
          { alg: "HS256", kid: idp.kid },
          c.claims({ iss: "https://idp-inline.test" }),
          base64url.decode(idp.n ?? ""),
        ),
      );
    },
  },
  { name: "unknown kid", build: async (c) => bearer(await signRaw(c.claims(), { kid: "no-such-key" })) },
  {
    name: "an attacker's key presented under Phoenix's kid",
    build: async (c) => {
      const { privateKey } = await generateKeyPair("ES256", { extractable: true });
      const jwk = { ...(await exportJWK(privateKey)), kid: own().kid, alg: "ES256" };
      return bearer(await signRaw(c.claims(), {}, jwk));
    },
  },
  {
    name: "an attacker's key embedded in the header (jwk)",
    build: async (c) => {
      const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
      return bearer(
        await new SignJWT(c.claims())
          .setProtectedHeader({ alg: "ES256", jwk: await exportJWK(publicKey) })
          .sign(privateKey),
      );
    },
  },
  {
    name: "an attacker's JWKS URL in the header (jku)",
    build: async (c) => {
      const { privateKey } = await generateKeyPair("ES256", { extractable: true });
      return bearer(
        await new SignJWT(c.claims())
          .setProtectedHeader({ alg: "ES256", kid: "evil", jku: "https://evil.test/jwks.json" })
          .sign(privateKey),
      );
    },
  },
  {
    name: "a trusted IdP's key signing a token that claims Phoenix as issuer",
    build: async (c) => {
      const idp = testEnv().TEST_INLINE_IDP_JWK as SigningJwk;
      return bearer(await signRaw(c.claims(), { kid: own().kid, alg: "RS256" }, idp));
    },
  },
  {
    name: "an unknown critical header extension",
    build: async (c) =>
      bearer(
        await signCompact(
          { alg: "ES256", kid: own().kid, crit: ["x-phoenix"], "x-phoenix": 1 },
          enc(c.claims()),
        ),
      ),
  },
  {
    name: "an unencoded payload (b64: false)",
    build: async (c) =>
      bearer(await signCompact({ alg: "ES256", kid: own().kid, b64: false, crit: ["b64"] }, enc(c.claims()))),
  },
  {
    name: "expired",
    build: async (c) => {
      const now = Math.floor(Date.now() / 1000);
      return bearer(await signRaw(c.claims({ iat: now - 3600, nbf: now - 3600, exp: now - 120 })));
    },
  },
  { name: "no exp", build: async (c) => bearer(await signRaw(c.claims({ exp: undefined }))) },
  { name: "exp as a string", build: async (c) => bearer(await signRaw(c.claims({ exp: "99999999999" }))) },
  {
    name: "not yet valid (nbf in the future)",
    build: async (c) => bearer(await signRaw(c.claims({ nbf: Math.floor(Date.now() / 1000) + 600 }))),
  },
  {
    name: "issued in the future (iat)",
    build: async (c) => bearer(await signRaw(c.claims({ iat: Math.floor(Date.now() / 1000) + 600 }))),
  },
  { name: "wrong iss", build: async (c) => bearer(await signRaw(c.claims({ iss: "https://evil.test" }))) },
  { name: "no iss", build: async (c) => bearer(await signRaw(c.claims({ iss: undefined }))) },
  { name: "wrong aud", build: async (c) => bearer(await signRaw(c.claims({ aud: "someone-else" }))) },
  { name: "no aud", build: async (c) => bearer(await signRaw(c.claims({ aud: undefined }))) },
  {
    name: "aud list without phoenix-api",
    build: async (c) => bearer(await signRaw(c.claims({ aud: ["a", "b"] }))),
  },
  { name: "missing tid", build: async (c) => bearer(await signRaw(c.claims({ tid: undefined }))) },
  { name: "empty tid", build: async (c) => bearer(await signRaw(c.claims({ tid: "" }))) },
  { name: "tid as a number", build: async (c) => bearer(await signRaw(c.claims({ tid: 42 }))) },
  {
    name: "tid as a list of tenants",
    build: async (c) => bearer(await signRaw(c.claims({ tid: [c.tenantId] }))),
  },
  {
    name: "tid of a tenant that does not exist",
    build: async (c) => bearer(await signRaw(c.claims({ tid: "tnt_01kzzzzzzzzzzzzzzzzzzzzzzz" }))),
  },
  {
    name: "tid of a suspended tenant",
    build: async (c) => bearer(await signRaw(c.claims({ tid: c.suspendedTenantId }))),
  },
  { name: "no sub", build: async (c) => bearer(await signRaw(c.claims({ sub: undefined }))) },
  {
    name: "tampered payload (scope widened, signature kept)",
    build: async (c) => {
      const [h, , s] = parts(c.valid);
      return bearer(`${h}.${enc(c.claims({ scope: "admin alerts:read alerts:write" }))}.${s}`);
    },
  },
  {
    name: "tampered payload (tenant swapped, signature kept)",
    build: async (c) => {
      const [h, , s] = parts(c.valid);
      return bearer(`${h}.${enc(c.claims({ tid: c.suspendedTenantId }))}.${s}`);
    },
  },
  {
    name: "tampered header (alg changed to ES384)",
    build: async (c) => {
      const [, p, s] = parts(c.valid);
      return bearer(`${enc({ alg: "ES384", kid: own().kid })}.${p}.${s}`);
    },
  },
  {
    name: "truncated signature",
    build: async (c) => {
      const [h, p, s] = parts(c.valid);
      return bearer(`${h}.${p}.${s.slice(0, s.length - 8)}`);
    },
  },
  {
    name: "signature removed",
    build: async (c) => {
      const [h, p] = parts(c.valid);
      return bearer(`${h}.${p}.`);
    },
  },
  {
    name: "signature spliced from another valid token",
    build: async (c) => {
      const other = await signRaw(c.claims({ sub: "someone-else" }));
      const [h, p] = parts(c.valid);
      return bearer(`${h}.${p}.${parts(other)[2]}`);
    },
  },
  {
    name: "one bit flipped in the signature",
    build: async (c) => {
      const [h, p, s] = parts(c.valid);
      const sig = base64url.decode(s);
      sig[5] = (sig[5] ?? 0) ^ 1;
      return bearer(`${h}.${p}.${base64url.encode(sig)}`);
    },
  },
  {
    name: "a huge header (100 KB kid)",
    build: async (c) => bearer(await signRaw(c.claims(), { kid: "k".repeat(100_000) })),
  },
  {
    name: "a huge payload (1 MB claim)",
    build: async (c) => bearer(await signRaw(c.claims({ pad: "p".repeat(1_000_000) }))),
  },
  {
    name: "payload that is not JSON",
    build: async () => {
      const key = await importJWK(own(), own().alg);
      return bearer(
        await new CompactSign(new TextEncoder().encode("not json"))
          .setProtectedHeader({ alg: own().alg, kid: own().kid })
          .sign(key),
      );
    },
  },
  {
    name: "payload that is a JSON array",
    build: async () => {
      const key = await importJWK(own(), own().alg);
      return bearer(
        await new CompactSign(new TextEncoder().encode("[1,2,3]"))
          .setProtectedHeader({ alg: own().alg, kid: own().kid })
          .sign(key),
      );
    },
  },
  { name: "four segments", build: async (c) => bearer(`${c.valid}.${enc("x")}`) },
  {
    name: "JWE-shaped (five segments)",
    build: async (c) => bearer(`${enc({ alg: "dir", enc: "A256GCM" })}..${parts(c.valid)[1]}..`),
  },
  { name: "segments that are not base64url", build: async (c) => bearer(c.valid.replace(".", ".*!")) },
  {
    name: "whitespace smuggled into the token",
    build: async (c) => bearer(`${c.valid.slice(0, 20)} ${c.valid.slice(20)}`),
  },
  { name: "Basic scheme carrying the token", build: async (c) => `Basic ${c.valid}` },
  { name: "the token with no scheme", build: async (c) => c.valid },
  { name: "two tokens in one header", build: async (c) => `Bearer ${c.valid} Bearer ${c.valid}` },
];

let ctx: Ctx;

beforeAll(async () => {
  const tenant = await createTenant();
  const suspended = await createTenant();
  await testEnv()
    .CONTROL_DB.prepare("UPDATE tenants SET status = 'suspended' WHERE id = ?")
    .bind(suspended.id)
    .run();
  const claims = (overrides: Record<string, unknown> = {}) => {
    const all = standardClaims(tenant.id, overrides);
    // An override of `undefined` means "leave the claim out".
    return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
  };
  ctx = { tenantId: tenant.id, suspendedTenantId: suspended.id, valid: await signRaw(claims()), claims };
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("JWT negative corpus", () => {
  it("the unmutated token is accepted (the corpus tests mutations, not a broken baseline)", async () => {
    const res = await call("GET", "/v1/alerts", { headers: { authorization: bearer(ctx.valid) } });
    expect(res.status).toBe(200);
  });

  it(`refuses every mutation with 401 problem+json (${MUTATIONS.length} classes)`, async () => {
    expect(MUTATIONS.length).toBeGreaterThanOrEqual(30);
    const accepted: string[] = [];
    const otherStatus: string[] = [];
    const echoed: string[] = [];
    for (const mutation of MUTATIONS) {
      const authorization = await mutation.build(ctx);
      const res = await call("GET", "/v1/alerts", { headers: { authorization } });
      if (res.status < 400) accepted.push(mutation.name);
      else if (res.status !== 401 || res.headers.get("content-type") !== "application/problem+json") {
        otherStatus.push(`${mutation.name}: ${res.status}`);
      }
      // The problem names what is wrong with the token and never echoes any of it.
      const body = await res.text();
      const tail = authorization.slice(-24);
      if (tail.length === 24 && body.includes(tail)) echoed.push(mutation.name);
    }
    console.log(
      `JWT mutation classes tried: ${MUTATIONS.length}, accepted: ${accepted.length}, not 401: ${otherStatus.length}`,
    );
    expect(accepted).toEqual([]);
    expect(otherStatus).toEqual([]);
    expect(echoed).toEqual([]);
  });

  it("a flood of unknown kids at a JWKS-URL issuer refetches its JWKS at most once per cooldown", async () => {
    const realFetch = globalThis.fetch;
    let fetches = 0;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      if (new Request(input).url !== "https://idp.test/.well-known/jwks.json") return realFetch(input, init);
      fetches++;
      return Response.json({ keys: [testEnv().TEST_URL_IDP_PUBLIC_JWK] });
    });
    const key = testEnv().TEST_URL_IDP_JWK as SigningJwk;
    const flood = 200;
    let refused = 0;
    for (let i = 0; i < flood; i++) {
      const token = await signRaw(
        ctx.claims({ iss: "https://idp.test" }),
        { kid: `unknown-${i}-${crypto.randomUUID()}` },
        key,
      );
      const res = await call("GET", "/v1/alerts", { token });
      if (res.status === 401) refused++;
      await res.body?.cancel();
    }
    console.log(`unknown-kid tokens sent: ${flood}, refused: ${refused}, JWKS fetches: ${fetches}`);
    expect(refused).toBe(flood);
    // The first unknown kid loads the set (or refetches a cached one); the cooldown holds the rest back.
    expect(fetches).toBeGreaterThanOrEqual(1);
    expect(fetches).toBeLessThanOrEqual(2);
  });
});
