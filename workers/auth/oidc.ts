// Workbench sign-in with OpenID Connect: authorization code + PKCE against OIDC_ISSUER (decision 022).
// oauth4webapi speaks the protocol (discovery, PKCE, state, code exchange, ID token claims and
// nonce); jose checks the ID token's signature against the provider's JWKS, which oauth4webapi skips.
import { generateCookie } from "hono/cookie";
import { createRemoteJWKSet, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from "jose";
import * as oauth from "oauth4webapi";
import { readCookie } from "../../domain/auth/sessions.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { decryptSecret, encryptSecret } from "../../domain/secrets.ts";
import { ALLOWED_ALGORITHMS } from "./issuers.ts";
import { clearCookie, safeRedirectPath } from "./session-cookie.ts";

/** The sign-in in progress: state, nonce and PKCE verifier, sealed (AES-GCM) for the callback. */
export const OIDC_COOKIE = "__Host-phoenix_oidc";
const PENDING_TTL_MS = 10 * 60_000;
const SCOPE = "openid email profile";
// Associated data of the sealed cookie, so no other Phoenix ciphertext can stand in for it.
const PENDING_BINDING = "oidc-pending-sign-in";
const DISCOVERY_TTL_MS = 60 * 60_000;
const HTTP_TIMEOUT_MS = 5_000;

/** The optional secret is not in [secrets].required (public clients have none), so Env lacks it. */
export type OidcEnv = Pick<Env, "OIDC_ISSUER" | "OIDC_CLIENT_ID" | "SECRETS_ENCRYPTION_KEY"> & {
  OIDC_CLIENT_SECRET?: string;
};

interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  expiresAt: number;
}

interface Provider {
  as: oauth.AuthorizationServer;
  keys: JWTVerifyGetKey;
  algorithms: string[];
  fetchedAt: number;
}

export function oidcConfigured(env: Pick<Env, "OIDC_ISSUER" | "OIDC_CLIENT_ID">): boolean {
  return env.OIDC_ISSUER !== "" && env.OIDC_CLIENT_ID !== "";
}

/** 302 to the provider's authorization endpoint, with the pending sign-in sealed in a cookie. */
export async function beginOidcSignIn(
  env: OidcEnv,
  redirectUri: string,
  returnTo: string,
  now: number,
): Promise<Response> {
  const { as } = await provider(env, now);
  const pending: PendingSignIn = {
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    verifier: oauth.generateRandomCodeVerifier(),
    returnTo: safeRedirectPath(returnTo),
    expiresAt: now + PENDING_TTL_MS,
  };
  const location = new URL(as.authorization_endpoint as string);
  location.search = new URLSearchParams({
    response_type: "code",
    client_id: env.OIDC_CLIENT_ID,
    redirect_uri: redirectUri,
    scope: SCOPE,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: "S256",
  }).toString();

  const sealed = await encryptSecret(JSON.stringify(pending), env.SECRETS_ENCRYPTION_KEY, PENDING_BINDING);
  const headers = new Headers({ location: location.href, "cache-control": "no-store" });
  headers.append(
    "set-cookie",
    generateCookie(OIDC_COOKIE, sealed, {
      httpOnly: true,
      secure: true,
      sameSite: "Lax",
      path: "/",
      maxAge: PENDING_TTL_MS / 1000,
    }),
  );
  return new Response(null, { status: 302, headers });
}

export interface OidcIdentity {
  email: string;
  returnTo: string;
}

/**
 * The provider's redirect back: checks state against the cookie, exchanges the code with the PKCE
 * verifier and validates the ID token (signature, iss, aud, exp, nonce). Refuses unverified emails.
 */
export async function completeOidcSignIn(
  env: OidcEnv,
  request: Request,
  redirectUri: string,
  now: number,
): Promise<OidcIdentity> {
  const pending = await openPending(env, request.headers.get("cookie"), now);
  const callback = new URL(request.url);
  // Compared here, before anything is sent anywhere: a forged callback changes nothing.
  if (callback.searchParams.get("state") !== pending.state) {
    throw new PhoenixError("bad_request", "this sign-in response does not belong to this browser's sign-in");
  }
  const { as, keys, algorithms } = await provider(env, now);
  const client: oauth.Client = { client_id: env.OIDC_CLIENT_ID };
  const options = httpOptions(as.issuer);

  let claims: oauth.IDToken;
  let tokens: oauth.TokenEndpointResponse;
  try {
    const params = oauth.validateAuthResponse(as, client, callback, pending.state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      env.OIDC_CLIENT_SECRET ? oauth.ClientSecretBasic(env.OIDC_CLIENT_SECRET) : oauth.None(),
      params,
      redirectUri,
      pending.verifier,
      options,
    );
    tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: pending.nonce,
      requireIdToken: true,
    });
    claims = oauth.getValidatedIdTokenClaims(tokens) as oauth.IDToken;
    await jwtVerify(tokens.id_token as string, keys, {
      issuer: as.issuer,
      audience: env.OIDC_CLIENT_ID,
      algorithms,
      currentDate: new Date(now),
      clockTolerance: 30,
    });
  } catch (error) {
    throw refusal(error);
  }

  let email: unknown = claims.email;
  let verified: unknown = claims.email_verified;
  // Some providers put the email only in userinfo when the code flow is used.
  if (typeof email !== "string" && as.userinfo_endpoint) {
    try {
      const response = await oauth.userInfoRequest(as, client, tokens.access_token, options);
      const info = await oauth.processUserInfoResponse(as, client, claims.sub, response);
      email = info.email;
      verified = info.email_verified;
    } catch (error) {
      throw refusal(error);
    }
  }
  if (typeof email !== "string" || email === "") {
    throw new PhoenixError("forbidden", "the identity provider did not share an email address");
  }
  if (verified === false || verified === "false") {
    throw new PhoenixError("forbidden", "the identity provider has not verified this email address");
  }
  return { email, returnTo: pending.returnTo };
}

/** The Set-Cookie value that drops the pending sign-in once the callback has used (or refused) it. */
export function clearOidcCookie(): string {
  return clearCookie(OIDC_COOKIE);
}

async function openPending(env: OidcEnv, cookieHeader: string | null, now: number): Promise<PendingSignIn> {
  const sealed = readCookie(cookieHeader, OIDC_COOKIE);
  let pending: PendingSignIn | undefined;
  if (sealed) {
    try {
      pending = JSON.parse(
        await decryptSecret(sealed, env.SECRETS_ENCRYPTION_KEY, PENDING_BINDING),
      ) as PendingSignIn;
    } catch {
      pending = undefined;
    }
  }
  // The cookie's Max-Age is the browser's business; the sealed expiry is what Phoenix enforces.
  if (!pending || now >= pending.expiresAt) {
    throw new PhoenixError(
      "bad_request",
      "no sign-in is in progress in this browser, or it took longer than 10 minutes: sign in again",
    );
  }
  return pending;
}

// Discovery and the provider's key set, per isolate; jose refetches keys on an unknown kid, with a cooldown.
const providers = new Map<string, Provider>();

async function provider(env: Pick<Env, "OIDC_ISSUER">, now: number): Promise<Provider> {
  const cached = providers.get(env.OIDC_ISSUER);
  if (cached && now - cached.fetchedAt < DISCOVERY_TTL_MS) return cached;

  const issuer = new URL(env.OIDC_ISSUER);
  let as: oauth.AuthorizationServer;
  try {
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: "oidc", ...httpOptions(issuer.href) }),
    );
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "error",
        msg: "OIDC discovery failed",
        issuer: issuer.href,
        error: String(error),
      }),
    );
    throw new PhoenixError("unavailable", "the identity provider cannot be reached: try again shortly");
  }
  if (!as.authorization_endpoint || !as.token_endpoint || !as.jwks_uri) {
    throw new PhoenixError("unavailable", "the identity provider's discovery document is incomplete");
  }
  const offered = as.id_token_signing_alg_values_supported ?? ["RS256"];
  const entry: Provider = {
    as,
    keys: createRemoteJWKSet(new URL(as.jwks_uri), {
      cacheMaxAge: 10 * 60_000,
      cooldownDuration: 30_000,
      timeoutDuration: HTTP_TIMEOUT_MS,
    }),
    // Asymmetric algorithms only, whatever the provider offers.
    algorithms: offered.filter((alg) => ALLOWED_ALGORITHMS.includes(alg)),
    fetchedAt: now,
  };
  providers.set(env.OIDC_ISSUER, entry);
  return entry;
}

// Plain http is accepted for loopback issuers only (a provider on the developer's machine or in tests).
function httpOptions(issuer: string): { signal: () => AbortSignal; [oauth.allowInsecureRequests]?: boolean } {
  const { protocol, hostname } = new URL(issuer);
  const loopback = hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]";
  return {
    signal: () => AbortSignal.timeout(HTTP_TIMEOUT_MS),
    ...(protocol === "http:" && loopback ? { [oauth.allowInsecureRequests]: true } : {}),
  };
}

// Says what was wrong without echoing tokens or the provider's free-text error description.
function refusal(error: unknown): PhoenixError {
  if (error instanceof PhoenixError) return error;
  let reason: string;
  if (error instanceof oauth.AuthorizationResponseError || error instanceof oauth.ResponseBodyError) {
    const code = /^[a-z_]{1,40}$/.test(error.error) ? ` (${error.error})` : "";
    reason = `the identity provider refused the sign-in${code}`;
  } else if (error instanceof oauth.OperationProcessingError) {
    const claim = (error.cause as { claim?: unknown } | undefined)?.claim;
    reason =
      typeof claim === "string" && /^[a-z_]{1,20}$/.test(claim)
        ? `the ID token's ${claim} claim is not acceptable`
        : "the identity provider's response could not be verified";
  } else if (error instanceof joseErrors.JWTClaimValidationFailed) {
    reason = `the ID token's ${error.claim} claim is not acceptable`;
  } else if (error instanceof joseErrors.JOSEError && !(error instanceof joseErrors.JWKSTimeout)) {
    reason = "the ID token's signature could not be verified against the provider's keys";
  } else {
    // Not a verdict on the sign-in: the provider (or its keys) could not be reached.
    console.error(JSON.stringify({ level: "error", msg: "OIDC provider unreachable", error: String(error) }));
    return new PhoenixError("unavailable", "the identity provider cannot be reached: try again shortly");
  }
  console.warn(JSON.stringify({ level: "warn", msg: "OIDC sign-in refused", reason }));
  return new PhoenixError("unauthenticated", reason);
}
