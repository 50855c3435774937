// The administration audit chain: every grant, client, connector and configuration change, with
// actor, time, before and after, committed in the same CONTROL_DB batch as the change itself.
// Per tenant, each record's hash covers the previous one. (tenant_id, seq) is the primary key, so
// of two racing writers one batch fails whole (change and record together) and is retried.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import canonicalize from "canonicalize";
import { desc, eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { adminAudit } from "../schema/control.ts";
import type { Actor } from "./actor.ts";
import { GENESIS_HASH } from "./case/audit.ts";
import { failedWith, PhoenixError } from "./errors.ts";
import { newId } from "./ids.ts";

export interface AdminChange {
  tenantId: string;
  actor: Actor;
  /** What happened, as `<target>.<verb>`: "grant.created", "client.revoked", "connector.updated"… */
  action: string;
  targetType: string;
  targetId: string;
  /** The target as it was and as it is, with secrets left out. Null when it did not or no longer exists. */
  before: unknown;
  after: unknown;
}

/** A stored record. Its actor keeps the field name it has always been hashed with (`type`). */
export interface AdminAuditRecord extends Omit<AdminChange, "actor"> {
  actor: { type: Actor["kind"]; id: string };
  seq: number;
  id: string;
  at: number;
  prevHash: string;
  hash: string;
}

const MAX_ATTEMPTS = 5;

/**
 * Runs `writes` and appends the audit record in one batch. `writes` is rebuilt per attempt, so a
 * retried batch re-reads nothing stale; a write that must not repeat should guard itself in SQL.
 */
export async function commitAdminChange(
  db: D1Database,
  change: AdminChange,
  writes: () => BatchItem<"sqlite">[],
  now: number,
): Promise<void> {
  const d = drizzle(db);
  for (let attempt = 1; ; attempt++) {
    const [head] = await d
      .select({ seq: adminAudit.seq, hash: adminAudit.hash })
      .from(adminAudit)
      .where(eq(adminAudit.tenantId, change.tenantId))
      .orderBy(desc(adminAudit.seq))
      .limit(1);
    // Only the stored fields are hashed: an extra property on `change` must not break verification.
    const record: AdminAuditRecord = {
      tenantId: change.tenantId,
      actor: { type: change.actor.kind, id: change.actor.id },
      action: change.action,
      targetType: change.targetType,
      targetId: change.targetId,
      // Stored as JSON and read back as null: hash the same shape either way.
      before: change.before ?? null,
      after: change.after ?? null,
      seq: (head?.seq ?? 0) + 1,
      id: newId("audit", now),
      at: now,
      prevHash: head?.hash ?? GENESIS_HASH,
      hash: "",
    };
    record.hash = adminAuditHash(record);
    try {
      const items = [...writes(), d.insert(adminAudit).values(storedRow(record))];
      await d.batch(items as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
      return;
    } catch (error) {
      if (!isChainConflict(error)) throw error;
      if (attempt >= MAX_ATTEMPTS) {
        throw new PhoenixError("unavailable", "too many concurrent administration changes; retry").retryAfter(
          1,
        );
      }
    }
  }
}

/** The hash of a record: its canonical JSON (RFC 8785, hash field excluded) chained to the previous hash. */
export function adminAuditHash(record: AdminAuditRecord): string {
  const { hash: _hash, ...hashed } = record;
  const text = canonicalize(hashed);
  if (text === undefined) throw new Error("admin audit record is not serialisable");
  return bytesToHex(sha256(utf8ToBytes(`${record.prevHash}\n${text}`)));
}

export type AdminAuditVerification = { ok: true; length: number } | { ok: false; brokenAt: number };

/** Re-walks a tenant's chain from the genesis hash (records in seq order, from seq 1). */
export function verifyAdminAuditChain(records: readonly AdminAuditRecord[]): AdminAuditVerification {
  let prev = GENESIS_HASH;
  for (const [i, record] of records.entries()) {
    if (record.seq !== i + 1 || record.prevHash !== prev || adminAuditHash(record) !== record.hash) {
      return { ok: false, brokenAt: i + 1 };
    }
    prev = record.hash;
  }
  return { ok: true, length: records.length };
}

function storedRow(r: AdminAuditRecord): typeof adminAudit.$inferInsert {
  return {
    tenantId: r.tenantId,
    seq: r.seq,
    id: r.id,
    at: r.at,
    actorType: r.actor.type,
    actorId: r.actor.id,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    before: r.before,
    after: r.after,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

function isChainConflict(error: unknown): boolean {
  return failedWith(error, /UNIQUE constraint failed: admin_audit\.|PRIMARY KEY/);
}
