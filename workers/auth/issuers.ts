// Which issuers Phoenix trusts, and the keys to check their tokens with. Phoenix itself is always
// trusted; others come from the TRUSTED_ISSUERS variable. Key sets are cached per isolate.
import { createLocalJWKSet, createRemoteJWKSet, type JWK, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { parseSigningKey, publicJwk } from "../../domain/auth/tokens.ts";

/** Asymmetric algorithms only: "none" and shared-secret HMAC can never verify here. */
export const ALLOWED_ALGORITHMS = ["ES256", "EdDSA", "RS256", "PS256"];

const trustedIssuerSchema = z.union([
  z.object({ issuer: z.string().min(1), jwksUrl: z.url(), algorithms: z.array(z.string()).optional() }),
  z.object({
    issuer: z.string().min(1),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
    algorithms: z.array(z.string()).optional(),
  }),
]);

export interface TrustedIssuer {
  issuer: string;
  algorithms: string[];
  keys: JWTVerifyGetKey;
}

interface IssuerEnv {
  PHOENIX_ISSUER: string;
  PHOENIX_SIGNING_JWK: string;
  TRUSTED_ISSUERS: string;
}

let cached: { source: string; issuers: Map<string, TrustedIssuer>; ownJwks: { keys: JWK[] } } | undefined;

export function trustedIssuers(env: IssuerEnv): Map<string, TrustedIssuer> {
  return load(env).issuers;
}

/** Phoenix's public keys, as served at /.well-known/jwks.json. */
export function ownJwks(env: IssuerEnv): { keys: JWK[] } {
  return load(env).ownJwks;
}

function load(env: IssuerEnv) {
  const source = `${env.PHOENIX_ISSUER}\n${env.PHOENIX_SIGNING_JWK}\n${env.TRUSTED_ISSUERS}`;
  if (cached?.source === source) return cached;

  const ownJwks = { keys: [publicJwk(parseSigningKey(env.PHOENIX_SIGNING_JWK))] };
  const issuers = new Map<string, TrustedIssuer>();
  issuers.set(env.PHOENIX_ISSUER, {
    issuer: env.PHOENIX_ISSUER,
    algorithms: ["ES256", "EdDSA"],
    keys: createLocalJWKSet(ownJwks),
  });
  const configured = z.array(trustedIssuerSchema).parse(JSON.parse(env.TRUSTED_ISSUERS || "[]"));
  for (const entry of configured) {
    const algorithms = (entry.algorithms ?? ALLOWED_ALGORITHMS).filter((a) => ALLOWED_ALGORITHMS.includes(a));
    const keys =
      "jwksUrl" in entry
        ? // jose caches the set and rate-limits refetches when an unknown kid shows up.
          createRemoteJWKSet(new URL(entry.jwksUrl), {
            cacheMaxAge: 10 * 60_000,
            cooldownDuration: 30_000,
            timeoutDuration: 5_000,
          })
        : createLocalJWKSet(entry.jwks as { keys: JWK[] });
    issuers.set(entry.issuer, { issuer: entry.issuer, algorithms, keys });
  }
  cached = { source, issuers, ownJwks };
  return cached;
}
