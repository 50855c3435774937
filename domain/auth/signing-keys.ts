// Phoenix's own token-signing keyring in CONTROL_DB (decision 019). A key is published as `next`
// before it signs, signs as `current`, stays published as `retiring` until every token it signed
// has expired, and is then `retired`: unpublished, its private half erased.
import { exportJWK, generateKeyPair, type JWK } from "jose";
import type { signingKeys } from "../../schema/control.ts";
import { newId } from "../ids.ts";
import { decryptSecret, encryptSecret } from "../secrets.ts";
import { DEFAULT_ROTATION_DAYS, NEXT_KEY_MIN_PUBLISHED_MS, RETIRING_OVERLAP_MS } from "./key-schedule.ts";
import { parseSigningKey, publicJwk, type SigningKey } from "./tokens.ts";

export type SigningKeyStatus = (typeof signingKeys.$inferSelect)["status"];

export interface KeyringEntry {
  kid: string;
  alg: string;
  publicJwk: JWK;
  status: SigningKeyStatus;
  /** Null for the bootstrap key, whose private half stays in the PHOENIX_SIGNING_JWK secret. */
  privateJwkCiphertext: string | null;
  createdAt: number;
  activatedAt: number | null;
  rotateAt: number | null;
  retiredAt: number | null;
}

export interface Keyring {
  /** The key that signs now. */
  current: KeyringEntry;
  /** What /.well-known/jwks.json serves and verification accepts: current, next and retiring. */
  published: KeyringEntry[];
}

interface SigningKeySqlRow {
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwk_ciphertext: string | null;
  status: SigningKeyStatus;
  created_at: number;
  activated_at: number | null;
  rotate_at: number | null;
  retired_at: number | null;
}

export interface SecretsEnv {
  PHOENIX_SIGNING_JWK: string;
  SECRETS_ENCRYPTION_KEY: string;
}

export interface RotationEnv extends SecretsEnv {
  CONTROL_DB: D1Database;
  SIGNING_KEY_ROTATION_DAYS?: string;
}

/**
 * Reads the keyring. Before the first rotation the table holds no current key: the key in
 * PHOENIX_SIGNING_JWK is then current (the cron registers it), so a fresh deployment signs at once.
 */
export async function loadKeyring(db: D1Database, bootstrapSecret: string, now: number): Promise<Keyring> {
  const { results } = await db
    .prepare("SELECT * FROM signing_keys WHERE status IN ('next', 'current', 'retiring') ORDER BY created_at")
    .all<SigningKeySqlRow>();
  const entries = results.map(entryFromRow);
  const current =
    entries.find((e) => e.status === "current") ?? bootstrapEntry(parseSigningKey(bootstrapSecret), now);
  const others = entries.filter(
    (e) => e.status === "next" || (e.status === "retiring" && e.retiredAt !== null && e.retiredAt > now),
  );
  return { current, published: [current, ...others] };
}

/** The JWK Set of a keyring's published keys. */
export function publishedJwks(keyring: Keyring): { keys: JWK[] } {
  return { keys: keyring.published.map((e) => ({ ...e.publicJwk, kid: e.kid, alg: e.alg, use: "sig" })) };
}

/** The private key of an entry: decrypted from CONTROL_DB, or the bootstrap key from its secret. */
export async function signingKeyOf(entry: KeyringEntry, env: SecretsEnv): Promise<SigningKey> {
  if (entry.privateJwkCiphertext !== null) {
    return parseSigningKey(
      await decryptSecret(entry.privateJwkCiphertext, env.SECRETS_ENCRYPTION_KEY, entry.kid),
    );
  }
  const bootstrap = parseSigningKey(env.PHOENIX_SIGNING_JWK);
  if (bootstrap.jwk.kid !== entry.kid) {
    throw new Error(
      `signing key ${entry.kid} keeps its private half in PHOENIX_SIGNING_JWK, which now holds ${bootstrap.jwk.kid}`,
    );
  }
  return bootstrap;
}

export interface RotationOutcome {
  /** The PHOENIX_SIGNING_JWK key was registered as current (first run). */
  bootstrapped: boolean;
  /** The kid of a next key created by this run. */
  created: string | null;
  /** The kid that became current in this run. */
  promoted: string | null;
  retired: string[];
}

/**
 * One cron tick of the keyring: register the bootstrap key, retire keys past their overlap, make
 * sure a next key is published, and hand over when the current key is due. Every write is a
 * guarded statement, so two runs at once leave one current and one next.
 */
export async function rotateSigningKeys(env: RotationEnv, now: number): Promise<RotationOutcome> {
  const db = env.CONTROL_DB;
  const intervalMs = rotationIntervalMs(env.SIGNING_KEY_ROTATION_DAYS);
  const bootstrapped = await registerBootstrapKey(db, env.PHOENIX_SIGNING_JWK, intervalMs, now);

  const { results: retiredRows } = await db
    .prepare(
      `UPDATE signing_keys SET status = 'retired', private_jwk_ciphertext = NULL
        WHERE status = 'retiring' AND retired_at <= ? RETURNING kid`,
    )
    .bind(now)
    .all<{ kid: string }>();

  let created = await createNextKey(env, now);
  const { results } = await db
    .prepare("SELECT * FROM signing_keys WHERE status IN ('current', 'next')")
    .all<SigningKeySqlRow>();
  const current = results.find((r) => r.status === "current");
  const next = results.find((r) => r.status === "next");

  let promoted: string | null = null;
  if (
    current &&
    next &&
    current.rotate_at !== null &&
    current.rotate_at <= now &&
    next.created_at + NEXT_KEY_MIN_PUBLISHED_MS <= now
  ) {
    promoted = (await handOver(db, current.kid, next.kid, intervalMs, now)) ? next.kid : null;
    if (promoted) created = (await createNextKey(env, now)) ?? created;
  }
  return { bootstrapped, created, promoted, retired: retiredRows.map((r) => r.kid) };
}

/** SIGNING_KEY_ROTATION_DAYS (default 30) in milliseconds. */
export function rotationIntervalMs(days: string | undefined): number {
  const value = days === undefined || days.trim() === "" ? DEFAULT_ROTATION_DAYS : Number(days);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error("SIGNING_KEY_ROTATION_DAYS must be a positive number of days");
  }
  return value * 86_400_000;
}

/** Registers the PHOENIX_SIGNING_JWK key as current unless a current key exists. */
async function registerBootstrapKey(
  db: D1Database,
  secret: string,
  intervalMs: number,
  now: number,
): Promise<boolean> {
  const key = parseSigningKey(secret);
  const result = await db
    .prepare(
      `INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk_ciphertext, status, created_at, activated_at, rotate_at)
       SELECT ?, ?, ?, NULL, 'current', ?, ?, ?
        WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE status = 'current')
       ON CONFLICT (kid) DO NOTHING`,
    )
    .bind(key.jwk.kid, key.jwk.alg, JSON.stringify(publicJwk(key)), now, now, now + intervalMs)
    .run();
  return result.meta.changes === 1;
}

/** Generates and stores a next key unless one exists; returns its kid when this call created it. */
async function createNextKey(env: RotationEnv, now: number): Promise<string | null> {
  const existing = await env.CONTROL_DB.prepare("SELECT kid FROM signing_keys WHERE status = 'next'").first();
  if (existing) return null;
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = newId("signingKey", now);
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: "ES256", use: "sig" };
  const ciphertext = await encryptSecret(JSON.stringify(jwk), env.SECRETS_ENCRYPTION_KEY, kid);
  // The guard makes a racing run's insert a no-op; its freshly generated key is simply dropped.
  const result = await env.CONTROL_DB.prepare(
    `INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk_ciphertext, status, created_at)
     SELECT ?, 'ES256', ?, ?, 'next', ?
      WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE status = 'next')`,
  )
    .bind(kid, JSON.stringify(publicJwk({ jwk })), ciphertext, now)
    .run();
  return result.meta.changes === 1 ? kid : null;
}

/**
 * current → retiring and next → current in one batch. Both statements are guarded on the state this
 * run read, and the promotion also on there being no current key, so a racing run changes nothing.
 */
async function handOver(
  db: D1Database,
  currentKid: string,
  nextKid: string,
  intervalMs: number,
  now: number,
): Promise<boolean> {
  const [, promotion] = await db.batch([
    db
      .prepare(
        `UPDATE signing_keys SET status = 'retiring', retired_at = ?
          WHERE kid = ? AND status = 'current'
            AND EXISTS (SELECT 1 FROM signing_keys WHERE kid = ? AND status = 'next')`,
      )
      .bind(now + RETIRING_OVERLAP_MS, currentKid, nextKid),
    db
      .prepare(
        `UPDATE signing_keys SET status = 'current', activated_at = ?, rotate_at = ?
          WHERE kid = ? AND status = 'next'
            AND NOT EXISTS (SELECT 1 FROM signing_keys WHERE status = 'current')`,
      )
      .bind(now, now + intervalMs, nextKid),
  ]);
  return promotion?.meta.changes === 1;
}

function bootstrapEntry(key: SigningKey, now: number): KeyringEntry {
  return {
    kid: key.jwk.kid,
    alg: key.jwk.alg,
    publicJwk: publicJwk(key),
    status: "current",
    privateJwkCiphertext: null,
    createdAt: now,
    activatedAt: now,
    rotateAt: null,
    retiredAt: null,
  };
}

function entryFromRow(row: SigningKeySqlRow): KeyringEntry {
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk: JSON.parse(row.public_jwk) as JWK,
    status: row.status,
    privateJwkCiphertext: row.private_jwk_ciphertext,
    createdAt: row.created_at,
    activatedAt: row.activated_at,
    rotateAt: row.rotate_at,
    retiredAt: row.retired_at,
  };
}
