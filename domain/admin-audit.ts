// The administration audit chain: every grant, client, connector and configuration change, with
// actor, time, before and after, committed in the same CONTROL_DB batch as the change itself.
// Per tenant, each record's hash covers the previous one. (tenant_id, seq) is the primary key, so
// of two racing writers one batch fails whole (change and record together) and is retried.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import canonicalize from "canonicalize";
import type { Actor } from "./actor.ts";
import { GENESIS_HASH } from "./case/audit.ts";
import { PhoenixError } from "./errors.ts";
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
 * Returns the results of `writes`, in order.
 */
export async function commitAdminChange(
  db: D1Database,
  change: AdminChange,
  writes: () => D1PreparedStatement[],
  now: number,
): Promise<D1Result[]> {
  for (let attempt = 1; ; attempt++) {
    const head = await db
      .prepare("SELECT seq, hash FROM admin_audit WHERE tenant_id = ? ORDER BY seq DESC LIMIT 1")
      .bind(change.tenantId)
      .first<{ seq: number; hash: string }>();
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
    const statements = writes();
    try {
      const results = await db.batch([...statements, insertStatement(db, record)]);
      return results.slice(0, statements.length);
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

function insertStatement(db: D1Database, r: AdminAuditRecord): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO admin_audit (tenant_id, seq, id, at, actor_type, actor_id, action, target_type, target_id,
         before, after, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      r.tenantId,
      r.seq,
      r.id,
      r.at,
      r.actor.type,
      r.actor.id,
      r.action,
      r.targetType,
      r.targetId,
      r.before === null ? null : JSON.stringify(r.before),
      r.after === null ? null : JSON.stringify(r.after),
      r.prevHash,
      r.hash,
    );
}

function isChainConflict(error: unknown): boolean {
  return error instanceof Error && /UNIQUE constraint failed: admin_audit\.|PRIMARY KEY/.test(error.message);
}
