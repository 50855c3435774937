// Workbench sign-in behind Cloudflare Access (decision 022): Access has authenticated the person at
// the edge and forwards a signed assertion in Cf-Access-Jwt-Assertion. Phoenix trusts it only once
// it verifies against the team's certificates, with this application's AUD tag.
import { createRemoteJWKSet, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from "jose";
import { PhoenixError } from "../../domain/errors.ts";

export const ACCESS_ASSERTION_HEADER = "cf-access-jwt-assertion";

type AccessEnv = Pick<Env, "ACCESS_TEAM_DOMAIN" | "ACCESS_AUD">;

export function accessConfigured(env: AccessEnv): boolean {
  return env.ACCESS_TEAM_DOMAIN !== "" && env.ACCESS_AUD !== "";
}

/** The verified email in an Access assertion; 401 for anything Access did not sign for this app. */
export async function verifyAccessAssertion(env: AccessEnv, assertion: string, now: number): Promise<string> {
  const team = teamOrigin(env.ACCESS_TEAM_DOMAIN);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(assertion, teamCertificates(team), {
      issuer: team,
      audience: env.ACCESS_AUD,
      algorithms: ["RS256"],
      requiredClaims: ["exp"],
      currentDate: new Date(now),
      clockTolerance: 30,
    }));
  } catch (error) {
    throw new PhoenixError("unauthenticated", describe(error));
  }
  // Service tokens carry a common_name instead: machines use /v1 with bearer tokens, not the workbench.
  if (typeof payload.email !== "string" || payload.email === "") {
    throw new PhoenixError("unauthenticated", "the Cloudflare Access assertion names no person (email)");
  }
  return payload.email;
}

/** "https://<team>.cloudflareaccess.com", also when configured without the scheme or with a path. */
function teamOrigin(configured: string): string {
  return new URL(configured.includes("://") ? configured : `https://${configured}`).origin;
}

// Per isolate and team; jose refetches on an unknown kid (Access rotates its keys), with a cooldown.
const certificates = new Map<string, JWTVerifyGetKey>();

function teamCertificates(team: string): JWTVerifyGetKey {
  let keys = certificates.get(team);
  if (!keys) {
    keys = createRemoteJWKSet(new URL("/cdn-cgi/access/certs", team), {
      cacheMaxAge: 10 * 60_000,
      cooldownDuration: 30_000,
      timeoutDuration: 5_000,
    });
    certificates.set(team, keys);
  }
  return keys;
}

// What was wrong with the assertion, without echoing anything from it.
function describe(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "the Cloudflare Access assertion has expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return `the Cloudflare Access assertion's ${error.claim} claim is not acceptable`;
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) {
    return "no Cloudflare Access certificate matches the assertion's kid";
  }
  return "the Cloudflare Access assertion could not be verified";
}
