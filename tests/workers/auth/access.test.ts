// Cloudflare Access sign-in: the Cf-Access-Jwt-Assertion header, verified against the team's
// certificates (served here by a fetch mock at <team>/cdn-cgi/access/certs, as Access serves them).
import { createExecutionContext } from "cloudflare:test";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resolveSession, SESSION_COOKIE } from "../../../domain/auth/sessions.ts";
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
const team = env.ACCESS_TEAM_DOMAIN;

let teamKey: CryptoKey;
let strangerKey: CryptoKey;
let teamCerts: { keys: JWK[] };
let certFetches = 0;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  teamKey = pair.privateKey;
  strangerKey = (await generateKeyPair("RS256")).privateKey;
  teamCerts = {
    keys: [{ ...(await exportJWK(pair.publicKey)), kid: "team-key-1", alg: "RS256", use: "sig" }],
  };
});

beforeEach(() => {
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new Request(input, init).url;
    if (url !== `${team}/cdn-cgi/access/certs`) return realFetch(input, init);
    certFetches++;
    return Response.json(teamCerts);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** An application token as Access issues it for a person, with any claim or the key bent. */
async function assertion(
  email: string,
  overrides: Record<string, unknown> = {},
  signing: { key?: CryptoKey; kid?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    aud: [env.ACCESS_AUD],
    email,
    iss: team,
    sub: "7335d417-61da-459d-899c-0a01c76a2f94",
    type: "app",
    identity_nonce: "6ei69kawdKzMIAPF",
    country: "GB",
    iat: now,
    nbf: now,
    exp: now + 300,
    ...overrides,
  })
    .setProtectedHeader({ alg: "RS256", kid: signing.kid ?? "team-key-1" })
    .sign(signing.key ?? teamKey);
}

function login(jwt: string | null, returnTo = "/cases") {
  return browserCall("GET", `/auth/login?return_to=${encodeURIComponent(returnTo)}`, {
    headers: jwt === null ? {} : { "cf-access-jwt-assertion": jwt },
  });
}

async function invitedPerson() {
  const tenant = await createTenant();
  return createPerson([{ tenant, role: "lead" }]);
}

describe("GET /auth/login behind Cloudflare Access", () => {
  it("signs the invited person named by a valid assertion in", async () => {
    const person = await invitedPerson();
    const res = await login(await assertion(person.email), "/cases/case_1");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/cases/case_1");
    const session = cookieFrom(res.headers.getSetCookie(), SESSION_COOKIE) ?? "";
    const signedIn = await resolveSession(
      env,
      new Request("http://phoenix.test/", { headers: { cookie: session } }),
      Date.now(),
    );
    expect(signedIn?.principal.id).toBe(person.id);
    expect(signedIn?.session.method).toBe("access");
    expect(certFetches).toBeGreaterThan(0);
  });

  it("refuses assertions Access did not issue for this application, and creates no session", async () => {
    const person = await invitedPerson();
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const cases: Array<[string, Promise<string>, RegExp]> = [
      ["wrong aud", assertion(person.email, { aud: ["another-application-aud"] }), /aud claim/],
      ["wrong iss", assertion(person.email, { iss: "https://other-team.cloudflareaccess.com" }), /iss claim/],
      [
        "expired",
        assertion(person.email, { iat: hourAgo - 300, nbf: hourAgo - 300, exp: hourAgo }),
        /expired/,
      ],
      ["unknown kid", assertion(person.email, {}, { key: strangerKey, kid: "not-a-team-key" }), /kid/],
      ["forged signature", assertion(person.email, {}, { key: strangerKey }), /could not be verified/],
      ["service token", assertion("", { common_name: "a1b2.access" }), /names no person/],
      ["not a JWT", Promise.resolve("not-a-jwt"), /could not be verified/],
    ];
    const before = await sessionCount();
    for (const [name, jwt, detail] of cases) {
      const res = await login(await jwt);
      expect(res.status, name).toBe(401);
      await expectSignInRefused(res, 401, detail);
    }
    expect(await sessionCount()).toBe(before);
  });

  it("refuses a valid assertion for someone who was not invited", async () => {
    const before = await sessionCount();
    await expectSignInRefused(
      await login(await assertion("stranger@elsewhere.example")),
      403,
      /not been invited/,
    );
    expect(await sessionCount()).toBe(before);
  });

  it("never redirects off the site after signing in", async () => {
    const person = await invitedPerson();
    const res = await login(await assertion(person.email), "https://evil.example/");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
  });

  it("falls through to OIDC when the header is absent", async () => {
    const res = await login(null);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(new RegExp(`^${env.OIDC_ISSUER}/`));
  });

  it("ignores the header when Access is not configured, since anyone could send it", async () => {
    const person = await invitedPerson();
    const res = await worker.fetch(
      new Request("http://phoenix.test/auth/login", {
        headers: { "cf-access-jwt-assertion": await assertion(person.email) },
      }),
      { ...env, ACCESS_TEAM_DOMAIN: "", ACCESS_AUD: "" },
      createExecutionContext(),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(new RegExp(`^${env.OIDC_ISSUER}/`));
    expect(res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
  });
});
