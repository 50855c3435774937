// CaseObject: the record for one case (docs/decisions/008). Every change goes through the pure
// decide/evolve in domain/case and commits in one storage transaction together with its events,
// audit record, outbox rows and idempotency record. The outbox then updates the read models.
import { DurableObject } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { auditHash, canonicalAuditRecord, GENESIS_HASH, verifyAuditChain } from "../domain/case/audit.ts";
import type {
  CaseAudit,
  CaseResult,
  CaseSnapshot,
  CommandOutcome,
  CommandRequest,
  OpenRequest,
  TimelineEvent,
} from "../domain/case/gateway.ts";
import { decide, evolve, onSlaSignal } from "../domain/case/index.ts";
import type { CaseConfig, CaseEvent, CaseState, CommandEnvelope } from "../domain/case/model.ts";
import { type CaseProjection, projectCase } from "../domain/case/projection.ts";
import {
  actorLabel,
  caseProjectionWrites,
  type TimelineEntry,
  upsertWorkQueue,
} from "../domain/case/read-models.ts";
import { newId } from "../domain/ids.ts";
import { caseMetrics, metricsFor } from "../domain/metrics.ts";
import { dueSlaSignals, nextSlaTimerAt } from "../domain/sla/clocks.ts";
import { tenantDatabase } from "../domain/tenancy.ts";
import { caseObjectStub } from "./case-gateway.ts";

export interface SinkMessage {
  tenantId: string;
  caseId: string;
  version: number;
}

/** Named points where tests can make the object crash, to prove recovery loses nothing. */
export const FAULT_POINTS = [
  "after_commit_before_reply",
  "after_queue_send_before_mark",
  "mid_projection",
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

type OutboxTarget = "projection" | "work_queue" | "sink" | "merge";

interface Meta {
  tenantId: string;
  caseId: string;
  d1Binding: string;
  config: CaseConfig;
  version: number;
  state: CaseState;
  auditHead: string;
}

type OutboxRow = {
  id: number;
  target: OutboxTarget;
  version: number;
  payload: string;
  attempts: number;
};

const IDEMPOTENCY_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
const OUTBOX_BASE_DELAY_MS = 1_000;
const OUTBOX_MAX_DELAY_MS = 5 * 60_000;

export class CaseObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly faults = new Set<FaultPoint>();
  private draining: Promise<void> | null = null;
  private drainAgain: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      this.migrate();
      // A crash can lose an alarm set just before it; re-arm from what storage says is pending.
      await this.arm();
    });
  }

  // --- RPC ---------------------------------------------------------------------------------

  async open(request: OpenRequest): Promise<CaseResult<CommandOutcome>> {
    const existing = this.loadMeta();
    if (existing) {
      return { ok: false, error: { code: "conflict", message: `case ${existing.caseId} already exists` } };
    }
    const now = Date.now();
    const envelope: CommandEnvelope = {
      command: request.command,
      actor: request.actor,
      ...(request.reason ? { reason: request.reason } : {}),
    };
    const decision = decide(envelope, null, {
      now,
      config: request.config,
      newCommentId: () => newId("comment", now),
    });
    if (!decision.ok) return { ok: false, error: decision.error };
    if (request.command.caseId !== request.caseId) {
      return {
        ok: false,
        error: { code: "validation_failed", message: "the open command names another case" },
      };
    }
    const state = decision.events.reduce<CaseState | null>(evolve, null);
    if (!state) return { ok: false, error: { code: "validation_failed", message: "open produced no case" } };

    const meta: Meta = {
      tenantId: request.tenantId,
      caseId: request.caseId,
      d1Binding: request.d1Binding,
      config: request.config,
      version: 0,
      state,
      auditHead: GENESIS_HASH,
    };
    const outcome = this.ctx.storage.transactionSync(() =>
      this.commit(meta, state, decision.events, envelope, now, null),
    );
    metricsFor(this.env).record(...caseMetrics(meta.tenantId, request.command.type, outcome.events));
    await this.afterCommit();
    return { ok: true, ...outcome };
  }

  async command(request: CommandRequest): Promise<CaseResult<CommandOutcome>> {
    const meta = this.loadMeta();
    if (!meta) return { ok: false, error: { code: "not_found", message: "no such case" } };
    const now = Date.now();

    if (request.idempotencyKey) {
      const replay = this.findIdempotentResponse(request.idempotencyKey, request.requestHash ?? "", now);
      if (replay) return replay;
    }
    if (request.expectedVersion !== null && request.expectedVersion !== meta.version) {
      return {
        ok: false,
        error: {
          code: "precondition_failed",
          message: `the case is at version ${meta.version}, not ${request.expectedVersion}`,
        },
      };
    }
    const decision = decide(request.envelope, meta.state, {
      now,
      config: meta.config,
      newCommentId: () => newId("comment", now),
    });
    if (!decision.ok) return { ok: false, error: decision.error };

    // A command that changes nothing (assigning the current assignee, …) commits nothing either.
    if (decision.events.length === 0) {
      const { tenantId, caseId, version, state } = meta;
      return { ok: true, tenantId, caseId, version, state, events: [], replayed: false };
    }

    const idempotency = request.idempotencyKey
      ? { key: request.idempotencyKey, requestHash: request.requestHash ?? "" }
      : null;
    const state = decision.events.reduce<CaseState>((s, e) => evolve(s, e), meta.state);
    const outcome = this.ctx.storage.transactionSync(() =>
      this.commit(meta, state, decision.events, request.envelope, now, idempotency),
    );
    metricsFor(this.env).record(...caseMetrics(meta.tenantId, request.envelope.command.type, outcome.events));
    this.maybeCrash("after_commit_before_reply");
    await this.afterCommit();
    return { ok: true, ...outcome };
  }

  async snapshot(): Promise<CaseResult<CaseSnapshot>> {
    const meta = this.loadMeta();
    if (!meta) return { ok: false, error: { code: "not_found", message: "no such case" } };
    return {
      ok: true,
      tenantId: meta.tenantId,
      caseId: meta.caseId,
      version: meta.version,
      state: meta.state,
    };
  }

  /** The event log, oldest first, after a sequence number. */
  async events(afterSeq = 0, limit = 500): Promise<CaseResult<{ events: TimelineEvent[] }>> {
    if (!this.loadMeta()) return { ok: false, error: { code: "not_found", message: "no such case" } };
    const rows = this.sql
      .exec<{ seq: number; version: number; body: string }>(
        "SELECT seq, version, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
        afterSeq,
        limit,
      )
      .toArray();
    return {
      ok: true,
      events: rows.map((r) => ({ ...(JSON.parse(r.body) as CaseEvent), seq: r.seq, version: r.version })),
    };
  }

  async audit(): Promise<CaseResult<CaseAudit>> {
    const meta = this.loadMeta();
    if (!meta) return { ok: false, error: { code: "not_found", message: "no such case" } };
    const rows = this.sql
      .exec<{ seq: number; record: string; prev_hash: string; hash: string }>(
        "SELECT seq, record, prev_hash, hash FROM audit ORDER BY rowid",
      )
      .toArray();
    const stored = rows.map((r) => ({ seq: r.seq, record: r.record, prevHash: r.prev_hash, hash: r.hash }));
    return {
      ok: true,
      records: stored,
      verification: verifyAuditChain(stored, meta.version),
    };
  }

  /** Re-arms the alarm from storage; the scheduled sweep calls this for cases whose alarm was lost. */
  async ensureAlarm(): Promise<number | null> {
    return this.arm();
  }

  /** Drains the outbox now (also done after every commit and on every alarm). */
  async flush(): Promise<{ pending: number }> {
    await this.drain();
    return { pending: this.pendingOutbox() };
  }

  /** Test-only fault seam: the next pass through `point` aborts the object like a crash. */
  async injectFault(point: FaultPoint): Promise<void> {
    if (this.env.ENVIRONMENT !== "test") throw new Error("fault injection exists only in tests");
    this.faults.add(point);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    this.fireDueSla(now);
    await this.drain();
    await this.arm();
  }

  // Live updates: hibernatable WebSockets; the Worker authenticates before forwarding the upgrade.
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const meta = this.loadMeta();
    if (!meta) return new Response("no such case", { status: 404 });
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    server.send(JSON.stringify({ type: "hello", caseId: meta.caseId, version: meta.version }));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Clients only listen; a ping keeps intermediaries from closing an idle connection.
    if (message === "ping") ws.send("pong");
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // 1005/1006 describe a close without a status; they may not be sent back.
    ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
  }

  // --- commit ------------------------------------------------------------------------------

  private commit(
    meta: Meta,
    state: CaseState,
    events: CaseEvent[],
    envelope: CommandEnvelope,
    now: number,
    idempotency: { key: string; requestHash: string } | null,
  ): CommandOutcome {
    const version = meta.version + 1;
    const firstSeq = this.nextEventSeq();
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

    const record = canonicalAuditRecord({
      seq: version,
      version,
      at: now,
      actor: envelope.actor,
      command: envelope.command.type,
      reason: envelope.reason ?? null,
      events: events.map((e) => e.type),
      idempotencyKey: idempotency?.key ?? null,
    });
    const hash = auditHash(record, meta.auditHead);
    this.sql.exec(
      "INSERT INTO audit (seq, record, prev_hash, hash) VALUES (?, ?, ?, ?)",
      version,
      record,
      meta.auditHead,
      hash,
    );

    const projection = projectCase(state, version);
    const timeline = events.map((e, i) => ({
      seq: firstSeq + i,
      type: e.type,
      actor: actorLabel(e.actor),
      at: e.at,
      data: e,
    }));
    this.enqueue("projection", version, { projection, timeline }, now);
    this.enqueue("work_queue", version, { tenantId: meta.tenantId, projection }, now);
    this.enqueue(
      "sink",
      version,
      { tenantId: meta.tenantId, caseId: meta.caseId, version } satisfies SinkMessage,
      now,
    );
    for (const event of events) {
      if (event.type === "case.merged") {
        this.enqueue("merge", version, { into: event.into, alertIds: event.alertIds }, now);
      }
    }

    const outcome: CommandOutcome = {
      tenantId: meta.tenantId,
      caseId: meta.caseId,
      version,
      state,
      events,
      replayed: false,
    };
    if (idempotency) {
      this.sql.exec(
        "INSERT INTO idempotency (key, request_hash, response, expires_at) VALUES (?, ?, ?, ?)",
        idempotency.key,
        idempotency.requestHash,
        JSON.stringify(outcome),
        now + IDEMPOTENCY_RETENTION_MS,
      );
    }
    this.saveMeta({ ...meta, version, state, auditHead: hash });
    return outcome;
  }

  private async afterCommit(): Promise<void> {
    this.broadcastSince(this.lastBroadcastSeq);
    await this.arm();
    // Read models catch up after the reply; the alarm retries whatever this pass cannot deliver.
    this.ctx.waitUntil(this.drain());
  }

  private lastBroadcastSeq = -1;

  private broadcastSince(afterSeq: number): void {
    const sockets = this.ctx.getWebSockets();
    const from = afterSeq < 0 ? this.nextEventSeq() - 1 : afterSeq;
    const rows = this.sql
      .exec<{ seq: number; version: number; body: string }>(
        "SELECT seq, version, body FROM events WHERE seq >= ? ORDER BY seq",
        from,
      )
      .toArray();
    if (rows.length > 0) this.lastBroadcastSeq = (rows.at(-1)?.seq ?? from) + 1;
    if (sockets.length === 0) return;
    for (const row of rows) {
      const message = JSON.stringify({
        type: "event",
        seq: row.seq,
        version: row.version,
        event: JSON.parse(row.body),
      });
      for (const socket of sockets) {
        try {
          socket.send(message);
        } catch {
          // A socket closing mid-broadcast is the client's business, not the command's.
        }
      }
    }
  }

  private fireDueSla(now: number): void {
    const meta = this.loadMeta();
    if (!meta) return;
    const signals = dueSlaSignals(meta.state.sla, now);
    if (signals.length === 0) return;
    let state = meta.state;
    const events: CaseEvent[] = [];
    for (const signal of signals) {
      for (const event of onSlaSignal(state, signal, now)) {
        state = evolve(state, event);
        events.push(event);
      }
    }
    const envelope: CommandEnvelope = { command: { type: "escalate" }, actor: { kind: "system", id: "sla" } };
    this.ctx.storage.transactionSync(() =>
      this.commit(meta, state, events, { ...envelope, reason: "sla timers" }, now, null),
    );
    // The alarm's own commit is not a command; only its warnings and breaches are counted.
    metricsFor(this.env).record(...caseMetrics(meta.tenantId, null, events));
    this.broadcastSince(this.lastBroadcastSeq);
  }

  // --- outbox --------------------------------------------------------------------------------

  private enqueue(target: OutboxTarget, version: number, payload: unknown, now: number): void {
    this.sql.exec(
      "INSERT INTO outbox (target, version, payload, attempts, next_attempt_at) VALUES (?, ?, ?, 0, ?)",
      target,
      version,
      JSON.stringify(payload),
      now,
    );
  }

  private async drain(): Promise<void> {
    // One pass at a time per object. A caller arriving mid-pass may have committed after that pass
    // read the outbox, so it gets one more pass after it (shared by everyone who arrives meanwhile).
    if (this.draining) {
      this.drainAgain ??= this.draining.then(() => {
        this.drainAgain = null;
        return this.drain();
      });
      return this.drainAgain;
    }
    this.draining = this.drainOnce().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  private async drainOnce(): Promise<void> {
    const meta = this.loadMeta();
    if (!meta) return;
    const now = Date.now();
    const rows = this.sql
      .exec<OutboxRow>(
        "SELECT id, target, version, payload, attempts FROM outbox WHERE next_attempt_at <= ? ORDER BY id",
        now,
      )
      .toArray();
    // Per target, strictly in order: a failed row holds back the later ones, so no read model
    // ever sees version n+1 before version n.
    const blocked = new Set<OutboxTarget>();
    for (const row of rows) {
      if (blocked.has(row.target)) continue;
      try {
        await this.deliver(meta, row);
        this.sql.exec("DELETE FROM outbox WHERE id = ?", row.id);
      } catch (error) {
        blocked.add(row.target);
        const attempts = row.attempts + 1;
        const delay = Math.min(OUTBOX_MAX_DELAY_MS, OUTBOX_BASE_DELAY_MS * 2 ** (attempts - 1));
        const jittered = Math.round(delay / 2 + Math.random() * (delay / 2));
        this.sql.exec(
          "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
          attempts,
          Date.now() + jittered,
          String(error).slice(0, 500),
          row.id,
        );
      }
    }
  }

  private async deliver(meta: Meta, row: OutboxRow): Promise<void> {
    switch (row.target) {
      case "projection": {
        const { projection, timeline } = JSON.parse(row.payload) as {
          projection: CaseProjection;
          timeline: TimelineEntry[];
        };
        await this.projectToTenant(meta, projection, timeline);
        return;
      }
      case "work_queue": {
        const { tenantId, projection } = JSON.parse(row.payload) as {
          tenantId: string;
          projection: CaseProjection;
        };
        await upsertWorkQueue(this.env.CONTROL_DB, tenantId, projection);
        return;
      }
      case "sink": {
        await this.env.SINK_QUEUE.send(JSON.parse(row.payload) as SinkMessage, { contentType: "json" });
        this.maybeCrash("after_queue_send_before_mark");
        return;
      }
      case "merge": {
        const { into, alertIds } = JSON.parse(row.payload) as { into: string; alertIds: string[] };
        const target = caseObjectStub(this.env, meta.tenantId, into);
        for (const alertId of alertIds) {
          const result = await target.command({
            expectedVersion: null,
            envelope: {
              command: { type: "link_alert", alertId },
              actor: { kind: "system", id: `merge:${meta.caseId}` },
              reason: `merged from ${meta.caseId}`,
            },
            // Keyed, so a redelivered merge links each alert once.
            idempotencyKey: `merge:${meta.caseId}:${alertId}`,
            requestHash: `merge:${meta.caseId}:${alertId}`,
          });
          // The API checks the target exists; one that vanished cannot take the alerts, so retrying
          // would only block this outbox. It is logged for an operator instead.
          if (!result.ok && result.error.code === "not_found") {
            console.error(
              JSON.stringify({ level: "error", msg: "merge target missing", caseId: meta.caseId, into }),
            );
            return;
          }
          if (!result.ok && result.error.code !== "conflict") {
            throw new Error(`merge into ${into} failed: ${result.error.code} ${result.error.message}`);
          }
        }
        return;
      }
      default: {
        const unknownTarget: never = row.target;
        throw new Error(`unknown outbox target ${String(unknownTarget)}`);
      }
    }
  }

  private async projectToTenant(meta: Meta, p: CaseProjection, timeline: TimelineEntry[]): Promise<void> {
    const db = tenantDatabase(this.env, { id: meta.tenantId, d1Binding: meta.d1Binding });
    await drizzle(db).batch(caseProjectionWrites(db, p, timeline));
    // Test seam: the D1 write lands, the outbox row is not yet deleted.
    this.maybeCrash("mid_projection");
  }

  // --- storage ---------------------------------------------------------------------------------

  private migrate(): void {
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

  private loadMeta(): Meta | null {
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

  private saveMeta(meta: Meta): void {
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

  private nextEventSeq(): number {
    const row = this.sql
      .exec<{ next: number }>("SELECT coalesce(max(seq), 0) + 1 AS next FROM events")
      .toArray()[0];
    return row?.next ?? 1;
  }

  private pendingOutbox(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").toArray()[0]?.n ?? 0;
  }

  private findIdempotentResponse(
    key: string,
    requestHash: string,
    now: number,
  ): CaseResult<CommandOutcome> | null {
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

  /** Sets the one alarm to the earliest of: the next SLA timer, the next outbox retry. */
  private async arm(): Promise<number | null> {
    const meta = this.loadMeta();
    if (!meta) return null;
    const outboxAt =
      this.sql.exec<{ at: number | null }>("SELECT min(next_attempt_at) AS at FROM outbox").toArray()[0]
        ?.at ?? null;
    const slaAt = nextSlaTimerAt(meta.state.sla);
    const candidates = [outboxAt, slaAt].filter((t): t is number => t !== null);
    if (candidates.length === 0) {
      await this.ctx.storage.deleteAlarm();
      return null;
    }
    const at = Math.min(...candidates);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current !== at) await this.ctx.storage.setAlarm(at);
    return at;
  }

  private maybeCrash(point: FaultPoint): void {
    if (this.faults.delete(point)) this.ctx.abort(`injected fault: ${point}`);
  }
}

/** A stored case state; those saved before the event count had its own name called it `version`. */
function storedState(json: string): CaseState {
  const { version, ...state } = JSON.parse(json) as CaseState & { version?: number };
  return version !== undefined && state.eventCount === undefined ? { ...state, eventCount: version } : state;
}
