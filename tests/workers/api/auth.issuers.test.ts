// Tokens from outside identity providers configured in TRUSTED_ISSUERS: an inline JWKS, and a JWKS
// URL whose document is served here the way the IdP would serve it.
import { importJWK, type JWK, SignJWT } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, standardClaims } from "../../support/world.ts";

type SigningJwk = JWK & { kid: string; alg: string };

async function idpToken(jwk: SigningJwk, issuer: string, tenantId: string, header: { kid?: string } = {}) {
  return new SignJWT(standardClaims(tenantId, { iss: issuer, sub: "platform@idp", scope: "alerts:read" }))
    .setProtectedHeader({ alg: jwk.alg, kid: header.kid ?? jwk.kid })
    .sign(await importJWK(jwk, jwk.alg));
}

/** Serves the URL IdP's JWKS document and counts how often Phoenix fetched it. */
function serveIdpJwks(): { fetches: () => number } {
  let fetches = 0;
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new Request(input).url;
    if (url !== "https://idp.test/.well-known/jwks.json") return realFetch(input, init);
    fetches++;
    return Response.json({ keys: [testEnv().TEST_URL_IDP_PUBLIC_JWK] });
  });
  return { fetches: () => fetches };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("trusted outside issuers", () => {
  it("accepts an RS256 token from an issuer trusted by inline JWKS", async () => {
    const tenant = await createTenant();
    const token = await idpToken(
      testEnv().TEST_INLINE_IDP_JWK as SigningJwk,
      "https://idp-inline.test",
      tenant.id,
    );
    const res = await call("GET", "/v1/alerts", { token });
    expect(res.status).toBe(200);
  });

  it("refuses that issuer's token signed with an algorithm its entry does not allow", async () => {
    const tenant = await createTenant();
    // Signed with the URL IdP's ES256 key but claiming the inline issuer, which allows RS256 only.
    const urlKey = testEnv().TEST_URL_IDP_JWK as SigningJwk;
    const token = await idpToken(urlKey, "https://idp-inline.test", tenant.id, { kid: "inline-idp-key" });
    expect((await call("GET", "/v1/alerts", { token })).status).toBe(401);
  });

  it("fetches a JWKS URL once, caches it, and refuses a kid it does not list", async () => {
    const idp = serveIdpJwks();
    const tenant = await createTenant();
    const key = testEnv().TEST_URL_IDP_JWK as SigningJwk;
    const token = await idpToken(key, "https://idp.test", tenant.id);

    expect((await call("GET", "/v1/alerts", { token })).status).toBe(200);
    expect((await call("GET", "/v1/alerts", { token })).status).toBe(200);
    expect(idp.fetches()).toBe(1);

    const unknownKid = await idpToken(key, "https://idp.test", tenant.id, { kid: "rotated-away" });
    const res = await call("GET", "/v1/alerts", { token: unknownKid });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toContain("kid");
    // An unknown kid may trigger one refetch, then the cooldown holds further ones back.
    await call("GET", "/v1/alerts", { token: unknownKid });
    expect(idp.fetches()).toBeLessThanOrEqual(2);
  });
});

describe("an issuer trusted for some tenants only", () => {
  it("speaks for its own tenant, and its validly signed token naming another tenant is 401", async () => {
    const env = testEnv();
    const own = await createTenant();
    // The customer IdP's entry in TRUSTED_ISSUERS names one fixed tenant id; give a fresh tenant that id.
    const customerTenantId = env.TEST_CUSTOMER_IDP_TENANT_ID as string;
    await env.CONTROL_DB.prepare("UPDATE tenants SET id = ? WHERE id = ?")
      .bind(customerTenantId, own.id)
      .run();
    const other = await createTenant();
    const key = env.TEST_INLINE_IDP_JWK as SigningJwk;

    const mine = await idpToken(key, "https://idp-customer.test", customerTenantId);
    expect((await call("GET", "/v1/alerts", { token: mine })).status).toBe(200);

    const theirs = await idpToken(key, "https://idp-customer.test", other.id);
    const res = await call("GET", "/v1/alerts", { token: theirs });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toContain("not trusted for this tenant");
  });
});
