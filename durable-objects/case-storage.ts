// A case object's own SQLite storage: its meta row (current state and version), the event log, the
// audit chain and the idempotency records. Only CaseObject writes it, inside its transactions.
import type { StoredAuditRecord } from "../domain/case/audit.ts";
import type { CaseResult, CommandOutcome, TimelineEvent } from "../domain/case/gateway.ts";
import type { CaseConfig, CaseEvent, CaseState } from "../domain/case/model.ts";

const IDEMPOTENCY_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export interface Meta {
  tenantId: string;
  caseId: string;
  d1Binding: string;
  config: CaseConfig;
  version: number;
  state: CaseState;
  auditHead: string;
}

export class CaseStorage {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  migrate(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        tenant_id TEXT NOT NULL, case_id TEXT NOT NULL, d1_binding TEXT NOT NULL, config TEXT NOT NULL,
        version INTEGER NOT NULL, state TEXT NOT NULL, audit_head TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY, version INTEGER NOT NULL, type TEXT NOT NULL, at INTEGER NOT NULL, body TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS audit (seq INTEGER NOT NULL, record TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, version INTEGER NOT NULL, payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL, last_error TEXT
      );
      CREATE TABLE IF NOT EXISTS idempotency (
        key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, response TEXT NOT NULL, expires_at INTEGER NOT NULL
      );
    `);
  }

  loadMeta(): Meta | null {
    const row = this.sql
      .exec<{
        tenant_id: string;
        case_id: string;
        d1_binding: string;
        config: string;
        version: number;
        state: string;
        audit_head: string;
      }>("SELECT tenant_id, case_id, d1_binding, config, version, state, audit_head FROM meta WHERE id = 1")
      .toArray()[0];
    if (!row) return null;
    return {
      tenantId: row.tenant_id,
      caseId: row.case_id,
      d1Binding: row.d1_binding,
      config: JSON.parse(row.config) as CaseConfig,
      version: row.version,
      state: storedState(row.state),
      auditHead: row.audit_head,
    };
  }

  saveMeta(meta: Meta): void {
    this.sql.exec(
      `INSERT INTO meta (id, tenant_id, case_id, d1_binding, config, version, state, audit_head) VALUES (1, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version, state = excluded.state, audit_head = excluded.audit_head`,
      meta.tenantId,
      meta.caseId,
      meta.d1Binding,
      JSON.stringify(meta.config),
      meta.version,
      JSON.stringify(meta.state),
      meta.auditHead,
    );
  }

  nextEventSeq(): number {
    const row = this.sql
      .exec<{ next: number }>("SELECT coalesce(max(seq), 0) + 1 AS next FROM events")
      .toArray()[0];
    return row?.next ?? 1;
  }

  appendEvents(firstSeq: number, version: number, events: readonly CaseEvent[]): void {
    for (const [i, event] of events.entries()) {
      this.sql.exec(
        "INSERT INTO events (seq, version, type, at, body) VALUES (?, ?, ?, ?, ?)",
        firstSeq + i,
        version,
        event.type,
        event.at,
        JSON.stringify(event),
      );
    }
  }

  /** Events after `afterSeq` (at most `limit`), oldest first. */
  eventsAfter(afterSeq: number, limit: number): TimelineEvent[] {
    return this.sql
      .exec<{ seq: number; version: number; body: string }>(
        "SELECT seq, version, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
        afterSeq,
        limit,
      )
      .toArray()
      .map((r) => ({ ...(JSON.parse(r.body) as CaseEvent), seq: r.seq, version: r.version }));
  }

  appendAudit(record: StoredAuditRecord): void {
    this.sql.exec(
      "INSERT INTO audit (seq, record, prev_hash, hash) VALUES (?, ?, ?, ?)",
      record.seq,
      record.record,
      record.prevHash,
      record.hash,
    );
  }

  /** The audit chain in the order it was written, from the record after `afterSeq`. */
  auditRecords(afterSeq = 0): StoredAuditRecord[] {
    return this.sql
      .exec<{ seq: number; record: string; prev_hash: string; hash: string }>(
        "SELECT seq, record, prev_hash, hash FROM audit WHERE seq > ? ORDER BY rowid",
        afterSeq,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, record: r.record, prevHash: r.prev_hash, hash: r.hash }));
  }

  /** The recorded answer to an idempotent command, a refusal for a reused key, or null. */
  idempotentResponse(key: string, requestHash: string, now: number): CaseResult<CommandOutcome> | null {
    const row = this.sql
      .exec<{ request_hash: string; response: string; expires_at: number }>(
        "SELECT request_hash, response, expires_at FROM idempotency WHERE key = ?",
        key,
      )
      .toArray()[0];
    if (!row) return null;
    if (row.expires_at <= now) {
      this.sql.exec("DELETE FROM idempotency WHERE key = ?", key);
      return null;
    }
    if (row.request_hash !== requestHash) {
      return {
        ok: false,
        error: {
          code: "idempotency_key_reused",
          message: "this Idempotency-Key was already used for a different request",
        },
      };
    }
    return { ok: true, ...(JSON.parse(row.response) as CommandOutcome), replayed: true };
  }

  rememberResponse(key: string, requestHash: string, outcome: CommandOutcome, now: number): void {
    this.sql.exec(
      "INSERT INTO idempotency (key, request_hash, response, expires_at) VALUES (?, ?, ?, ?)",
      key,
      requestHash,
      JSON.stringify(outcome),
      now + IDEMPOTENCY_RETENTION_MS,
    );
  }
}

/**
 * A stored case state. Those saved before the event count had its own name called it `version`;
 * those saved before source updates were recorded have none recorded.
 */
function storedState(json: string): CaseState {
  const { version, ...stored } = JSON.parse(json) as Partial<CaseState> & CaseState & { version?: number };
  const state: CaseState = {
    ...stored,
    sourceTimes: stored.sourceTimes ?? {},
    sourceClosed: stored.sourceClosed ?? null,
  };
  return version !== undefined && state.eventCount === undefined ? { ...state, eventCount: version } : state;
}
