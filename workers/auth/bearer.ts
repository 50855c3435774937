// Bearer-token authentication for /v1: verify the JWT, then resolve its tenant. Tenant identity
// comes from the verified `tid` claim and nowhere else.
import { decodeJwt, errors as joseErrors, jwtVerify } from "jose";
import { operationsForScopes } from "../../domain/auth/permissions.ts";
import type { Principal } from "../../domain/auth/principal.ts";
import { parseScopes } from "../../domain/auth/scopes.ts";
import { API_AUDIENCE } from "../../domain/auth/tokens.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { trustedIssuers } from "./issuers.ts";
import { activeTenant } from "./tenant-cache.ts";

const CLOCK_TOLERANCE_SECONDS = 30;
// Real access tokens are a few hundred bytes; anything this large is refused before parsing.
const MAX_TOKEN_BYTES = 8 * 1024;

export async function authenticateBearer(authorization: string | undefined, env: Env): Promise<Principal> {
  const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization ?? "")?.[1];
  if (!token) throw new PhoenixError("unauthenticated", "an Authorization: Bearer token is required");
  if (token.length > MAX_TOKEN_BYTES) throw invalidToken("the bearer token is too large");

  let issuerClaim: unknown;
  try {
    issuerClaim = decodeJwt(token).iss;
  } catch {
    throw invalidToken("the bearer token is not a JWT");
  }
  const issuer = typeof issuerClaim === "string" ? trustedIssuers(env).get(issuerClaim) : undefined;
  if (!issuer) throw invalidToken("the token's issuer is not trusted");

  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, issuer.keys, {
      issuer: issuer.issuer,
      audience: API_AUDIENCE,
      algorithms: issuer.algorithms,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["exp", "sub"],
    }));
  } catch (error) {
    throw invalidToken(describeJoseError(error));
  }

  // jose leaves iat unchecked; a token minted in the future means a skewed or forging issuer.
  if (typeof payload.iat === "number" && payload.iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) {
    throw invalidToken("the token's iat claim is in the future");
  }

  const tenantId = payload.tid;
  if (typeof tenantId !== "string" || tenantId === "")
    throw invalidToken("the token has no tenant (tid) claim");
  if (issuer.tenants !== "*" && !issuer.tenants.has(tenantId)) {
    throw invalidToken("the token's issuer is not trusted for this tenant");
  }
  const tenant = await activeTenant(env.CONTROL_DB, tenantId, Date.now());
  if (!tenant) throw invalidToken("the token's tenant is unknown or not active");

  const subject = String(payload.sub);
  const scopes = parseScopes(payload.scope);
  return {
    type: "client",
    id: `${issuer.issuer}|${subject}`,
    subject,
    issuer: issuer.issuer,
    tenant,
    scopes,
    operations: operationsForScopes(scopes),
  };
}

function invalidToken(message: string): PhoenixError {
  return new PhoenixError("unauthenticated", message);
}

// Tell the caller what was wrong with the token without echoing anything from it.
function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "the token has expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return `the token's ${error.claim} claim is not acceptable`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "the token's signing algorithm is not allowed";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "the token's signature is invalid";
  if (error instanceof joseErrors.JWKSNoMatchingKey) return "no trusted key matches the token's kid";
  return "the token could not be verified";
}
