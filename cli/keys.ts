// Phoenix's token-signing keyring in CONTROL_DB, as the operator sees it. The cron does every
// rotation (domain/auth/signing-keys.ts); the operator can only bring the next handover forward.

import { and, desc, eq, gt, inArray, isNull, or } from "drizzle-orm";
import { NEXT_KEY_MIN_PUBLISHED_MS } from "../domain/auth/key-schedule.ts";
import { signingKeys } from "../schema/control.ts";
import { d1Through, type Target } from "./d1.ts";
import { CONTROL_DB_BINDING } from "./wrangler-config.ts";

const KEY_ROW = {
  kid: signingKeys.kid,
  alg: signingKeys.alg,
  status: signingKeys.status,
  createdAt: signingKeys.createdAt,
  activatedAt: signingKeys.activatedAt,
  rotateAt: signingKeys.rotateAt,
  retiredAt: signingKeys.retiredAt,
};

/** A key as the operator sees it: everything but the key material. */
export type KeyRow = Pick<typeof signingKeys.$inferSelect, keyof typeof KEY_ROW>;

export async function listKeys(target: Target): Promise<KeyRow[]> {
  return d1Through(CONTROL_DB_BINDING, target)
    .select(KEY_ROW)
    .from(signingKeys)
    .orderBy(desc(signingKeys.createdAt), signingKeys.kid);
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
  const db = d1Through(CONTROL_DB_BINDING, target);
  const [, rows] = await db.batch([
    db
      .update(signingKeys)
      .set({ rotateAt: now })
      .where(
        and(
          eq(signingKeys.status, "current"),
          or(isNull(signingKeys.rotateAt), gt(signingKeys.rotateAt, now)),
        ),
      ),
    db
      .select(KEY_ROW)
      .from(signingKeys)
      .where(inArray(signingKeys.status, ["current", "next"])),
  ]);
  const current = rows.find((r) => r.status === "current");
  if (!current) return null;
  const next = rows.find((r) => r.status === "next") ?? null;
  return {
    current,
    next,
    handoverFrom: next ? Math.max(now, next.createdAt + NEXT_KEY_MIN_PUBLISHED_MS) : null,
  };
}
