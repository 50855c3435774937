// Phoenix's own token-signing keyring in CONTROL_DB (decision 019). A key is published as `next`
// before it signs, signs as `current`, stays published as `retiring` until every token it signed
// has expired, and is then `retired`: unpublished, its private half erased.
import { and, asc, eq, inArray, lte, not, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { signingKeys } from "../../schema/control.ts";
import { failedWith } from "../errors.ts";
import { newId } from "../ids.ts";
import { decryptSecret, encryptSecret } from "../secrets.ts";
import { DEFAULT_ROTATION_DAYS, NEXT_KEY_MIN_PUBLISHED_MS, RETIRING_OVERLAP_MS } from "./key-schedule.ts";
import { parseSigningKey, publicJwk, type SigningKey } from "./tokens.ts";

export type SigningKeyStatus = (typeof signingKeys.$inferSelect)["status"];

/** A key of the keyring: its row. `privateJwkCiphertext` is null for the bootstrap key, whose private
 * half stays in the PHOENIX_SIGNING_JWK secret. */
export type KeyringEntry = typeof signingKeys.$inferSelect;

export interface Keyring {
  /** The key that signs now. */
  current: KeyringEntry;
  /** What /.well-known/jwks.json serves and verification accepts: current, next and retiring. */
  published: KeyringEntry[];
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
  const entries = await drizzle(db)
    .select()
    .from(signingKeys)
    .where(inArray(signingKeys.status, ["next", "current", "retiring"]))
    .orderBy(asc(signingKeys.createdAt));
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

  const d = drizzle(db);
  const retiredRows = await d
    .update(signingKeys)
    .set({ status: "retired", privateJwkCiphertext: null })
    .where(and(eq(signingKeys.status, "retiring"), lte(signingKeys.retiredAt, now)))
    .returning({ kid: signingKeys.kid });

  let created = await createNextKey(env, now);
  const results = await d
    .select()
    .from(signingKeys)
    .where(inArray(signingKeys.status, ["current", "next"]));
  const current = results.find((r) => r.status === "current");
  const next = results.find((r) => r.status === "next");

  let promoted: string | null = null;
  if (
    current &&
    next &&
    current.rotateAt !== null &&
    current.rotateAt <= now &&
    next.createdAt + NEXT_KEY_MIN_PUBLISHED_MS <= now
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
  return insertUnlessStatusExists(db, "current", {
    kid: key.jwk.kid,
    alg: key.jwk.alg,
    publicJwk: publicJwk(key),
    privateJwkCiphertext: null,
    status: "current",
    createdAt: now,
    activatedAt: now,
    rotateAt: now + intervalMs,
  });
}

/** Generates and stores a next key unless one exists; returns its kid when this call created it. */
async function createNextKey(env: RotationEnv, now: number): Promise<string | null> {
  const [existing] = await drizzle(env.CONTROL_DB)
    .select({ kid: signingKeys.kid })
    .from(signingKeys)
    .where(eq(signingKeys.status, "next"))
    .limit(1);
  if (existing) return null;
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = newId("signingKey", now);
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: "ES256", use: "sig" };
  const ciphertext = await encryptSecret(JSON.stringify(jwk), env.SECRETS_ENCRYPTION_KEY, kid);
  // The guard makes a racing run's insert a no-op; its freshly generated key is simply dropped.
  const created = await insertUnlessStatusExists(env.CONTROL_DB, "next", {
    kid,
    alg: "ES256",
    publicJwk: publicJwk({ jwk }),
    privateJwkCiphertext: ciphertext,
    status: "next",
    createdAt: now,
  });
  return created ? kid : null;
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
  const d = drizzle(db);
  const withStatus = (kid: string, status: SigningKeyStatus) =>
    sql`EXISTS (SELECT 1 FROM ${signingKeys} WHERE ${signingKeys.kid} = ${kid} AND ${signingKeys.status} = ${status})`;
  const anyWithStatus = (status: SigningKeyStatus) =>
    sql`EXISTS (SELECT 1 FROM ${signingKeys} WHERE ${signingKeys.status} = ${status})`;
  const [, promotion] = await d.batch([
    d
      .update(signingKeys)
      .set({ status: "retiring", retiredAt: now + RETIRING_OVERLAP_MS })
      .where(
        and(eq(signingKeys.kid, currentKid), eq(signingKeys.status, "current"), withStatus(nextKid, "next")),
      ),
    d
      .update(signingKeys)
      .set({ status: "current", activatedAt: now, rotateAt: now + intervalMs })
      .where(
        and(eq(signingKeys.kid, nextKid), eq(signingKeys.status, "next"), not(anyWithStatus("current"))),
      ),
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

/**
 * Inserts a key unless a key with `status` exists, as one batch: the guard reads the table and fails
 * the batch (json() of a non-JSON string is an error) when such a key is there, so two racing runs
 * leave one. A kid that exists already changes nothing either.
 */
async function insertUnlessStatusExists(
  db: D1Database,
  status: SigningKeyStatus,
  row: typeof signingKeys.$inferInsert,
): Promise<boolean> {
  const d = drizzle(db);
  try {
    const [, inserted] = await d.batch([
      d
        .select({
          guard: sql`CASE WHEN ${signingKeys.status} = ${status} THEN json('taken') ELSE 1 END`,
        })
        .from(signingKeys),
      d.insert(signingKeys).values(row).onConflictDoNothing(),
    ]);
    return inserted.meta.changes === 1;
  } catch (error) {
    if (failedWith(error, /malformed JSON/i)) return false;
    throw error;
  }
}
