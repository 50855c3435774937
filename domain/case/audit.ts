// The case audit log is a hash chain: each record's hash covers its canonical JSON (RFC 8785)
// and the previous record's hash, so modifying, deleting or reordering any record is detectable.
// Hashing is synchronous so a command's audit record commits in the same storage transaction.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import canonicalize from "canonicalize";
import type { Actor } from "./model.ts";

export const GENESIS_HASH = "0".repeat(64);

export interface AuditRecord {
  seq: number;
  /** The case version this command produced. */
  version: number;
  at: number;
  actor: Actor;
  command: string;
  reason: string | null;
  /** Event types the command produced, in order. */
  events: string[];
  idempotencyKey: string | null;
}

export interface StoredAuditRecord {
  seq: number;
  record: string;
  prevHash: string;
  hash: string;
}

export function canonicalAuditRecord(record: AuditRecord): string {
  const text = canonicalize(record);
  if (text === undefined) throw new Error("audit record is not serialisable");
  return text;
}

export function auditHash(canonicalRecord: string, prevHash: string): string {
  return bytesToHex(sha256(utf8ToBytes(`${prevHash}\n${canonicalRecord}`)));
}

export type AuditVerification =
  | { ok: true; length: number; head: string }
  | { ok: false; length: number; brokenAt: number; reason: string };

/** A verified prefix of a chain: its first `length` records hold, ending in `head`. */
export interface AuditCheckpoint {
  length: number;
  head: string;
}

/**
 * Walks the chain from the genesis hash, or from a verified `checkpoint` when `rows` are only the
 * records after it. `expectedLength` is the number of records the case says it wrote (its
 * version), which catches a record cut off the end.
 */
export function verifyAuditChain(
  rows: readonly StoredAuditRecord[],
  expectedLength: number,
  checkpoint: AuditCheckpoint = { length: 0, head: GENESIS_HASH },
): AuditVerification {
  let prev = checkpoint.head;
  const total = checkpoint.length + rows.length;
  for (const [i, row] of rows.entries()) {
    const expectedSeq = checkpoint.length + i + 1;
    const broken = (reason: string): AuditVerification => ({
      ok: false,
      length: total,
      brokenAt: expectedSeq,
      reason,
    });
    if (row.seq !== expectedSeq)
      return broken(`record ${expectedSeq} is missing or out of order (found ${row.seq})`);
    if (row.prevHash !== prev)
      return broken(`record ${expectedSeq} does not follow record ${expectedSeq - 1}`);
    if (auditHash(row.record, row.prevHash) !== row.hash) return broken(`record ${expectedSeq} was modified`);
    let parsed: { seq?: unknown };
    try {
      parsed = JSON.parse(row.record) as { seq?: unknown };
    } catch {
      return broken(`record ${expectedSeq} is not JSON`);
    }
    if (parsed.seq !== expectedSeq)
      return broken(`record ${expectedSeq} claims to be record ${String(parsed.seq)}`);
    prev = row.hash;
  }
  if (total !== expectedLength) {
    return {
      ok: false,
      length: total,
      brokenAt: total + 1,
      reason: `expected ${expectedLength} records, found ${total}`,
    };
  }
  return { ok: true, length: total, head: prev };
}
