// The timing of Phoenix's signing-key rotation (decision 019): how long each cache may lag, and so
// how early a next key must be published and how long a retiring key must stay. Plain numbers, so
// the operator CLI can share them.

/** The longest access token Phoenix issues with its keyring (the token endpoint issues 600 s). */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 900;
/** The clock tolerance verifiers apply to exp and nbf (workers/auth/bearer.ts uses the same). */
export const CLOCK_SKEW_SECONDS = 30;
/** How long an isolate may keep using the keyring it read, for signing and for verifying. */
export const KEYRING_CACHE_MS = 60_000;
/** How long others may cache /.well-known/jwks.json (its Cache-Control max-age). */
export const JWKS_MAX_AGE_SECONDS = 300;
/** A next key signs only once every cache (ours and outside verifiers') has had time to see it. */
export const NEXT_KEY_MIN_PUBLISHED_MS = 2 * (JWKS_MAX_AGE_SECONDS * 1000 + KEYRING_CACHE_MS);
/**
 * From handover until the retiring key's last token has expired: an isolate may sign with it for
 * one more cache period, and that token lives its TTL plus the verifiers' clock skew.
 */
export const RETIRING_OVERLAP_MS =
  KEYRING_CACHE_MS + (MAX_ACCESS_TOKEN_TTL_SECONDS + CLOCK_SKEW_SECONDS) * 1000;
export const DEFAULT_ROTATION_DAYS = 30;
