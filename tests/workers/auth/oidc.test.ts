// OIDC sign-in against a provider served by a fetch mock that follows the OIDC contract (discovery,
// token endpoint, JWKS), so each test can make the provider misbehave in one precise way. The mock
// answers at the configured OIDC_ISSUER; oidc.local-provider.test.ts runs the same flow for real.
import { createExecutionContext } from "cloudflare:test";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resolveSession, SESSION_COOKIE } from "../../../domain/auth/sessions.ts";
import { OIDC_COOKIE } from "../../../workers/auth/oidc.ts";
import worker from "../../../workers/index.ts";
import {
  browserCall,
  cookieFrom,
  createPerson,
  expectSignInRefused,
  sessionCount,
} from "../../support/sessions.ts";
import { testEnv } from "../../support/test-env.ts";
import { createTenant } from "../../support/world.ts";

const env = testEnv();
const issuer = env.OIDC_ISSUER;
const CALLBACK = "http://phoenix.test/auth/callback";

let providerKey: CryptoKey;
let strangerKey: CryptoKey;
let providerJwk: JWK;

beforeAll(async () => {
  const provider = await generateKeyPair("RS256");
  providerKey = provider.privateKey;
  providerJwk = { ...(await exportJWK(provider.publicKey)), kid: "provider-key", alg: "RS256", use: "sig" };
  strangerKey = (await generateKeyPair("RS256")).privateKey;
});

/** How the mocked provider answers the token request; each test bends one thing. */
interface Scenario {
  claims?: (nonce: string) => Record<string, unknown>;
  signWith?: () => CryptoKey;
}

interface Provider {
  /** The token requests the Worker made, as sent. */
  tokenRequests: Array<{ body: URLSearchParams; authorization: string | null }>;
}

let provider: Provider;
let scenario: Scenario;
let nonceOfAuthorization = "";
let challengeOfAuthorization = "";

beforeEach(() => {
  provider = { tokenRequests: [] };
  scenario = {};
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.startsWith(`${issuer}/`)) return realFetch(input, init);
    const path = request.url.slice(issuer.length);
    if (path === "/.well-known/openid-configuration") {
      return Response.json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/keys`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (path === "/keys") return Response.json({ keys: [providerJwk] });
    if (path === "/token" && request.method === "POST") return tokenResponse(request);
    return new Response("not found", { status: 404 });
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function tokenResponse(request: Request): Promise<Response> {
  const body = new URLSearchParams(await request.text());
  provider.tokenRequests.push({ body, authorization: request.headers.get("authorization") });
  // A real provider refuses a verifier that does not hash to the challenge it was given.
  if ((await s256(body.get("code_verifier") ?? "")) !== challengeOfAuthorization) {
    return Response.json({ error: "invalid_grant" }, { status: 400 });
  }
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: issuer,
    sub: "provider-user-1",
    aud: env.OIDC_CLIENT_ID,
    iat: now,
    exp: now + 300,
    nonce: nonceOfAuthorization,
    email: "",
    email_verified: true,
    ...scenario.claims?.(nonceOfAuthorization),
  };
  const idToken = await new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: "provider-key" })
    .sign(scenario.signWith?.() ?? providerKey);
  return Response.json({
    access_token: "provider-access-token",
    token_type: "Bearer",
    expires_in: 300,
    id_token: idToken,
  });
}

async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return btoa(String.fromCharCode(...new Uint8Array(digest)))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** GET /auth/login: the redirect to the provider and the pending sign-in cookie it sets. */
async function startSignIn(returnTo = "/cases") {
  const res = await browserCall("GET", `/auth/login?return_to=${encodeURIComponent(returnTo)}`);
  expect(res.status).toBe(302);
  const authorize = new URL(res.headers.get("location") ?? "");
  nonceOfAuthorization = authorize.searchParams.get("nonce") ?? "";
  challengeOfAuthorization = authorize.searchParams.get("code_challenge") ?? "";
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith(`${OIDC_COOKIE}=`)) ?? "";
  return { res, authorize, setCookie, pending: cookieFrom(res.headers.getSetCookie(), OIDC_COOKIE) ?? "" };
}

/** The provider's redirect back to the Worker, as the browser follows it. */
function callback(params: Record<string, string>, cookie: string): Promise<Response> {
  return browserCall("GET", `/auth/callback?${new URLSearchParams(params)}`, { headers: { cookie } });
}

/** Through the whole flow for this email, with the provider behaving as the scenario says. */
async function signInAs(email: string, returnTo = "/cases", bend: Scenario = {}) {
  const { authorize, pending } = await startSignIn(returnTo);
  scenario = { claims: () => ({ email }), ...bend };
  return callback({ code: "provider-code", state: authorize.searchParams.get("state") ?? "" }, pending);
}

async function invitedPerson() {
  const tenant = await createTenant();
  return createPerson([{ tenant, role: "analyst" }]);
}

async function expectRefused(res: Response, status: number, detail: RegExp) {
  await expectSignInRefused(res, status, detail);
  // The pending sign-in is spent either way.
  expect(res.headers.getSetCookie()).toContainEqual(
    expect.stringMatching(new RegExp(`^${OIDC_COOKIE}=;.*Max-Age=0`)),
  );
}

describe("GET /auth/login with OIDC configured", () => {
  it("redirects to the authorization endpoint with PKCE S256, state and nonce, kept in a sealed cookie", async () => {
    const { authorize, setCookie, pending } = await startSignIn("/cases");
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${issuer}/authorize`);
    const params = Object.fromEntries(authorize.searchParams);
    expect(params).toMatchObject({
      response_type: "code",
      client_id: env.OIDC_CLIENT_ID,
      redirect_uri: CALLBACK,
      scope: "openid email profile",
      code_challenge_method: "S256",
    });
    expect(params.state).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(params.nonce).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(setCookie).toMatch(/; Max-Age=600/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(setCookie).toMatch(/; Path=\//);
    // Sealed: neither the state, the nonce nor the verifier can be read from the cookie.
    expect(pending).not.toContain(params.state);
    expect(pending).not.toContain(params.nonce);
  });
});

describe("GET /auth/callback", () => {
  it("exchanges the code with the verifier and signs the invited person in", async () => {
    const person = await invitedPerson();
    const res = await signInAs(person.email.toUpperCase(), "/cases?queue=mine");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/cases?queue=mine");

    const [token] = provider.tokenRequests;
    expect(token?.body.get("grant_type")).toBe("authorization_code");
    expect(token?.body.get("code")).toBe("provider-code");
    expect(token?.body.get("redirect_uri")).toBe(CALLBACK);
    // client_secret_basic: both parts form-urlencoded before base64 (RFC 6749 section 2.3.1).
    const [id, secret] = atob(token?.authorization?.replace(/^Basic /, "") ?? "")
      .split(":")
      .map(decodeURIComponent);
    expect([id, secret]).toEqual([env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET]);

    const session = cookieFrom(res.headers.getSetCookie(), SESSION_COOKIE) ?? "";
    const signedIn = await resolveSession(
      env,
      new Request("http://phoenix.test/", { headers: { cookie: session } }),
      Date.now(),
    );
    expect(signedIn?.principal.id).toBe(person.id);
    expect(signedIn?.session.method).toBe("oidc");
    expect(res.headers.getSetCookie()).toContainEqual(expect.stringMatching(new RegExp(`^${OIDC_COOKIE}=;`)));
  });

  it("refuses a state that is not this browser's, before contacting the provider", async () => {
    await invitedPerson();
    const { pending } = await startSignIn();
    const before = await sessionCount();
    const res = await callback({ code: "provider-code", state: "attacker-chosen-state" }, pending);
    await expectRefused(res, 400, /does not belong to this browser's sign-in/);
    expect(provider.tokenRequests).toHaveLength(0);
    expect(await sessionCount()).toBe(before);
  });

  it("refuses a callback without the pending sign-in cookie, or with a tampered one", async () => {
    const { authorize, pending } = await startSignIn();
    const state = authorize.searchParams.get("state") ?? "";
    await expectRefused(await callback({ code: "c", state }, ""), 400, /no sign-in is in progress/);
    const tampered = `${pending.slice(0, -4)}AAAA`;
    await expectRefused(await callback({ code: "c", state }, tampered), 400, /no sign-in is in progress/);
    expect(provider.tokenRequests).toHaveLength(0);
  });

  it("refuses an ID token whose nonce is not this sign-in's", async () => {
    const person = await invitedPerson();
    const before = await sessionCount();
    const res = await signInAs(person.email, "/", {
      claims: () => ({ email: person.email, nonce: "a-nonce-from-another-sign-in" }),
    });
    await expectRefused(res, 401, /nonce claim/);
    expect(await sessionCount()).toBe(before);
  });

  it("refuses an ID token from another issuer", async () => {
    const person = await invitedPerson();
    const res = await signInAs(person.email, "/", {
      claims: () => ({ email: person.email, iss: "https://other-idp.example" }),
    });
    await expectRefused(res, 401, /iss claim/);
  });

  it("refuses an ID token meant for another client", async () => {
    const person = await invitedPerson();
    const res = await signInAs(person.email, "/", {
      claims: () => ({ email: person.email, aud: "some-other-client" }),
    });
    await expectRefused(res, 401, /aud claim/);
  });

  it("refuses an expired ID token", async () => {
    const person = await invitedPerson();
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const res = await signInAs(person.email, "/", {
      claims: () => ({ email: person.email, iat: hourAgo - 300, exp: hourAgo }),
    });
    await expectRefused(res, 401, /exp claim/);
  });

  it("refuses an ID token not signed by the provider's keys, even with the provider's kid", async () => {
    const person = await invitedPerson();
    const before = await sessionCount();
    const res = await signInAs(person.email, "/", { signWith: () => strangerKey });
    await expectRefused(res, 401, /signature could not be verified/);
    expect(await sessionCount()).toBe(before);
  });

  it("refuses an email the provider has not verified", async () => {
    const person = await invitedPerson();
    const res = await signInAs(person.email, "/", {
      claims: () => ({ email: person.email, email_verified: false }),
    });
    await expectRefused(res, 403, /not verified this email/);
  });

  it("refuses people who were not invited, are disabled or hold no live grant", async () => {
    const tenant = await createTenant();
    const disabled = await createPerson([{ tenant, role: "analyst" }], { status: "disabled" });
    const grantless = await createPerson([]);
    const before = await sessionCount();
    for (const email of ["stranger@elsewhere.example", disabled.email, grantless.email]) {
      await expectRefused(await signInAs(email), 403, /not been invited/);
    }
    expect(await sessionCount()).toBe(before);
  });

  it("passes the provider's refusal on without a session", async () => {
    const { authorize, pending } = await startSignIn();
    const state = authorize.searchParams.get("state") ?? "";
    const res = await callback({ error: "access_denied", state }, pending);
    await expectRefused(res, 401, /refused the sign-in \(access_denied\)/);
    expect(provider.tokenRequests).toHaveLength(0);
  });

  it("returns only to paths on this site", async () => {
    const person = await invitedPerson();
    for (const target of [
      "https://evil.example/phish",
      "//evil.example/",
      "/\\evil.example",
      "javascript:alert(1)",
    ]) {
      const res = await signInAs(person.email, target);
      expect(res.status, target).toBe(303);
      expect(res.headers.get("location"), target).toBe("/");
    }
  });
});

describe("GET /auth/login without OIDC or Access", () => {
  const unconfigured = { OIDC_ISSUER: "", OIDC_CLIENT_ID: "", ACCESS_TEAM_DOMAIN: "", ACCESS_AUD: "" };
  const login = (overrides: Record<string, string>) =>
    worker.fetch(
      new Request("http://phoenix.test/auth/login?return_to=/cases"),
      { ...env, ...overrides },
      createExecutionContext(),
    );

  it("sends development to the development IdP", async () => {
    const res = await login({ ...unconfigured, ENVIRONMENT: "development" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/auth/dev?redirect_to=%2Fcases");
  });

  it("answers 404 anywhere else", async () => {
    const res = await login({ ...unconfigured, ENVIRONMENT: "production" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { detail: string }).detail).toBe("no sign-in method is configured");
  });
});
