// Which issuers Phoenix trusts, and the keys to check their tokens with. Phoenix itself is always
// trusted, with the published keys of its keyring; others come from the TRUSTED_ISSUERS variable.
// Key sets are cached per isolate.
import { createLocalJWKSet, createRemoteJWKSet, type JWK, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { KEYRING_CACHE_MS } from "../../domain/auth/key-schedule.ts";
import { type Keyring, loadKeyring, publishedJwks, signingKeyOf } from "../../domain/auth/signing-keys.ts";
import type { SigningKey } from "../../domain/auth/tokens.ts";

/** Asymmetric algorithms only: "none" and shared-secret HMAC can never verify here. */
export const ALLOWED_ALGORITHMS = ["ES256", "EdDSA", "RS256", "PS256"];

// Each outside issuer names the tenants it may speak for: a customer's IdP its own tenant ids, the
// provider's own IdP "*". A token's `tid` outside that list is refused, whatever its signature.
const tenantsSchema = z.union([z.literal("*"), z.array(z.string().min(1)).min(1)]);

const trustedIssuerSchema = z.union([
  z.object({
    issuer: z.string().min(1),
    jwksUrl: z.url(),
    algorithms: z.array(z.string()).optional(),
    tenants: tenantsSchema,
  }),
  z.object({
    issuer: z.string().min(1),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
    algorithms: z.array(z.string()).optional(),
    tenants: tenantsSchema,
  }),
]);

export interface TrustedIssuer {
  issuer: string;
  algorithms: string[];
  keys: JWTVerifyGetKey;
  /** The tenant ids this issuer may name in `tid`, or "*" for any. */
  tenants: "*" | ReadonlySet<string>;
}

interface IssuerEnv {
  PHOENIX_ISSUER: string;
  PHOENIX_SIGNING_JWK: string;
  SECRETS_ENCRYPTION_KEY: string;
  TRUSTED_ISSUERS: string;
  CONTROL_DB: D1Database;
}

let configuredCache: { source: string; issuers: Map<string, TrustedIssuer> } | undefined;

/** Every trusted issuer by its `iss`. Phoenix's own entry reads the keyring when a token needs it. */
export function trustedIssuers(env: IssuerEnv): Map<string, TrustedIssuer> {
  const issuers = new Map(configured(env.TRUSTED_ISSUERS));
  // Set last: a TRUSTED_ISSUERS entry can never stand in for Phoenix's own keys.
  issuers.set(env.PHOENIX_ISSUER, {
    issuer: env.PHOENIX_ISSUER,
    algorithms: ["ES256", "EdDSA"],
    keys: async (header, token) => (await ownKeyring(env)).verify(header, token),
    tenants: "*",
  });
  return issuers;
}

/** Phoenix's public keys (current, next, retiring), as served at /.well-known/jwks.json. */
export async function ownJwks(env: IssuerEnv): Promise<{ keys: JWK[] }> {
  return (await ownKeyring(env)).jwks;
}

/** The key Phoenix signs its access tokens with right now. */
export async function currentSigningKey(env: IssuerEnv, now: number = Date.now()): Promise<SigningKey> {
  return (await ownKeyring(env, now)).signingKey();
}

interface CachedKeyring {
  keyring: Keyring;
  jwks: { keys: JWK[] };
  verify: JWTVerifyGetKey;
  signingKey: () => Promise<SigningKey>;
}

let keyringCache: { source: string; loadedAt: number; loaded: Promise<CachedKeyring> } | undefined;

/**
 * The keyring as this isolate last read it, at most KEYRING_CACHE_MS old, so the hot path does not
 * read D1 per request. Rotation allows for that staleness: a next key is published well before it
 * signs, and a retiring key outlives the cache (see domain/auth/signing-keys.ts).
 */
function ownKeyring(env: IssuerEnv, now: number = Date.now()): Promise<CachedKeyring> {
  const source = env.PHOENIX_SIGNING_JWK;
  const cached = keyringCache;
  // A clock that went backwards (tests travel in time) reloads rather than trusting the cache.
  if (cached?.source === source && now >= cached.loadedAt && now < cached.loadedAt + KEYRING_CACHE_MS) {
    return cached.loaded;
  }
  const loaded = loadKeyring(env.CONTROL_DB, source, now).then((keyring): CachedKeyring => {
    const jwks = publishedJwks(keyring);
    let signing: Promise<SigningKey> | undefined;
    return {
      keyring,
      jwks,
      verify: createLocalJWKSet(jwks),
      signingKey: () => {
        signing ??= signingKeyOf(keyring.current, env);
        return signing;
      },
    };
  });
  keyringCache = { source, loadedAt: now, loaded };
  // A failed read is not cached: the next request tries D1 again.
  loaded.catch(() => {
    if (keyringCache?.loaded === loaded) keyringCache = undefined;
  });
  return loaded;
}

function configured(trustedIssuersJson: string): Map<string, TrustedIssuer> {
  if (configuredCache?.source === trustedIssuersJson) return configuredCache.issuers;
  const issuers = new Map<string, TrustedIssuer>();
  const entries = z.array(trustedIssuerSchema).parse(JSON.parse(trustedIssuersJson || "[]"));
  for (const entry of entries) {
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
    const tenants = entry.tenants === "*" ? "*" : new Set(entry.tenants);
    issuers.set(entry.issuer, { issuer: entry.issuer, algorithms, keys, tenants });
  }
  configuredCache = { source: trustedIssuersJson, issuers };
  return issuers;
}
