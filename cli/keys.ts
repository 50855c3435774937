// Phoenix's token-signing keyring in CONTROL_DB, as the operator sees it. The cron does every
// rotation (domain/auth/signing-keys.ts); the operator can only bring the next handover forward.
import { NEXT_KEY_MIN_PUBLISHED_MS } from "../domain/auth/key-schedule.ts";
import { execute, type Target } from "./d1.ts";
import { CONTROL_DB_BINDING } from "./wrangler-config.ts";

export interface KeyRow {
  kid: string;
  alg: string;
  status: "next" | "current" | "retiring" | "retired";
  created_at: number;
  activated_at: number | null;
  rotate_at: number | null;
  retired_at: number | null;
}

const COLUMNS = "kid, alg, status, created_at, activated_at, rotate_at, retired_at";

export async function listKeys(target: Target): Promise<KeyRow[]> {
  const [result] = await execute<KeyRow>(
    CONTROL_DB_BINDING,
    `SELECT ${COLUMNS} FROM signing_keys ORDER BY created_at DESC, kid`,
    target,
  );
  return result?.results ?? [];
}

export interface HandoverPlan {
  current: KeyRow;
  next: KeyRow | null;
  /** The earliest moment a cron run hands over; null until a next key exists. */
  handoverFrom: number | null;
}

/**
 * Makes the current key due now, in one wrangler call with the read-back. The cron hands over on
 * its first run once the next key has been published long enough for every verifier to know it.
 */
export async function pullHandoverForward(
  target: Target,
  now: number = Date.now(),
): Promise<HandoverPlan | null> {
  const results = await execute<KeyRow>(
    CONTROL_DB_BINDING,
    `UPDATE signing_keys SET rotate_at = ${now} WHERE status = 'current' AND (rotate_at IS NULL OR rotate_at > ${now});
     SELECT ${COLUMNS} FROM signing_keys WHERE status IN ('current', 'next');`,
    target,
  );
  const rows = results.at(-1)?.results ?? [];
  const current = rows.find((r) => r.status === "current");
  if (!current) return null;
  const next = rows.find((r) => r.status === "next") ?? null;
  return {
    current,
    next,
    handoverFrom: next ? Math.max(now, next.created_at + NEXT_KEY_MIN_PUBLISHED_MS) : null,
  };
}
