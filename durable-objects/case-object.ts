// CaseObject: the record for one case (docs/decisions/008). Every change goes through the pure
// decide/evolve in domain/case and commits in one storage transaction together with its events,
// audit record, outbox rows and idempotency record (case-storage.ts, case-outbox.ts). The outbox
// then updates the read models (domain/case/read-models.ts). This file is the RPC and the commit.
import { DurableObject } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import {
  type AuditCheckpoint,
  type AuditVerification,
  auditHash,
  canonicalAuditRecord,
  GENESIS_HASH,
  verifyAuditChain,
} from "../domain/case/audit.ts";
import type {
  CaseAudit,
  CasePage,
  CaseResult,
  CaseSnapshot,
  CommandOutcome,
  CommandRequest,
  OpenRequest,
  TimelineEvent,
} from "../domain/case/gateway.ts";
import { decide, evolve, onSlaSignal } from "../domain/case/index.ts";
import { type LiveCaseChange, liveCaseChange } from "../domain/case/live.ts";
import type { CaseEvent, CaseState, CommandEnvelope } from "../domain/case/model.ts";
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
import { CaseOutbox, type OutboxRow, type OutboxTarget } from "./case-outbox.ts";
import { CaseStorage, type Meta } from "./case-storage.ts";

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

/**
 * How long after a commit the alarm waits before delivering the outbox itself. The commit's own
 * drain runs at once; the alarm is the backstop for an instance that dies before that drain ends.
 */
const OUTBOX_BACKSTOP_MS = 10_000;

export class CaseObject extends DurableObject<Env> {
  private readonly store: CaseStorage;
  /**
   * The meta row as last committed; undefined until read. This instance is its storage's only
   * writer, so the copy stays true until a commit replaces it (a crash discards the instance).
   */
  private meta: Meta | null | undefined;
  private readonly outbox: CaseOutbox;
  private readonly faults = new Set<FaultPoint>();
  private draining: Promise<void> | null = null;
  /** The longest prefix of the audit chain this instance has verified. */
  private verified: AuditCheckpoint | null = null;
  private drainAgain: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new CaseStorage(ctx.storage.sql);
    this.outbox = new CaseOutbox(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => {
      this.store.migrate();
      // A crash can lose an alarm set just before it; re-arm from what storage says is pending.
      await this.arm();
    });
  }

  private loadMeta(): Meta | null {
    if (this.meta === undefined) this.meta = this.store.loadMeta();
    return this.meta;
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
    const outcome = this.committed(() => this.commit(meta, state, decision.events, envelope, now, null));
    metricsFor(this.env).record(...caseMetrics(meta.tenantId, request.command.type, outcome.events));
    await this.afterCommit();
    return { ok: true, ...outcome };
  }

  async command(request: CommandRequest): Promise<CaseResult<CommandOutcome>> {
    const meta = this.loadMeta();
    if (!meta) return { ok: false, error: { code: "not_found", message: "no such case" } };
    const now = Date.now();

    if (request.idempotencyKey) {
      const replay = this.store.idempotentResponse(request.idempotencyKey, request.requestHash ?? "", now);
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
    const outcome = this.committed(() =>
      this.commit(meta, state, decision.events, request.envelope, now, idempotency),
    );
    metricsFor(this.env).record(...caseMetrics(meta.tenantId, request.envelope.command.type, outcome.events));
    this.maybeCrash("after_commit_before_reply");
    await this.afterCommit();
    return { ok: true, ...outcome };
  }

  /** The case's version alone (null: no such case), for a caller asking only whether it changed. */
  async version(): Promise<number | null> {
    return this.loadMeta()?.version ?? null;
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
    return { ok: true, events: this.store.eventsAfter(afterSeq, limit) };
  }

  async audit(): Promise<CaseResult<CaseAudit>> {
    const meta = this.loadMeta();
    if (!meta) return { ok: false, error: { code: "not_found", message: "no such case" } };
    const stored = this.store.auditRecords();
    const verification = verifyAuditChain(stored, meta.version);
    this.verified = verification.ok ? verification : null;
    return { ok: true, records: stored, verification };
  }

  /**
   * The chain's verification alone, for pages that show its status on every view. Each instance
   * walks the whole chain once, then only the records written since (its storage is its own, so
   * nothing else changes them while it lives); the audit read above always walks it all.
   */
  async verifyAudit(): Promise<CaseResult<{ verification: AuditVerification }>> {
    const meta = this.loadMeta();
    if (!meta) return { ok: false, error: { code: "not_found", message: "no such case" } };
    return { ok: true, verification: this.verifyFromCheckpoint(meta.version) };
  }

  /** A case page's reads in one call: state, the timeline page before `beforeSeq`, verification. */
  async page(beforeSeq: number | null, limit: number): Promise<CaseResult<CasePage>> {
    const meta = this.loadMeta();
    if (!meta) return { ok: false, error: { code: "not_found", message: "no such case" } };
    const end = Math.min(beforeSeq ?? Number.MAX_SAFE_INTEGER, meta.state.eventCount + 1);
    const from = Math.max(0, end - 1 - limit);
    return {
      ok: true,
      snapshot: { tenantId: meta.tenantId, caseId: meta.caseId, version: meta.version, state: meta.state },
      events: this.store.eventsAfter(from, end - 1 - from),
      verification: this.verifyFromCheckpoint(meta.version),
    };
  }

  private verifyFromCheckpoint(version: number): AuditVerification {
    const from = this.verified !== null && this.verified.length <= version ? this.verified : undefined;
    const verification = verifyAuditChain(this.store.auditRecords(from?.length), version, from);
    this.verified = verification.ok ? verification : null;
    return verification;
  }

  /** Re-arms the alarm from storage; the scheduled sweep calls this for cases whose alarm was lost. */
  async ensureAlarm(): Promise<number | null> {
    return this.arm();
  }

  /** Drains the outbox now (also done after every commit and on every alarm). */
  async flush(): Promise<{ pending: number }> {
    await this.drain();
    return { pending: this.outbox.pending() };
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

  /** Runs a commit in one storage transaction; the kept meta changes only once it has committed. */
  private committed(commit: () => { outcome: CommandOutcome; meta: Meta }): CommandOutcome {
    const { outcome, meta } = this.ctx.storage.transactionSync(commit);
    this.meta = meta;
    return outcome;
  }

  private commit(
    meta: Meta,
    state: CaseState,
    events: CaseEvent[],
    envelope: CommandEnvelope,
    now: number,
    idempotency: { key: string; requestHash: string } | null,
  ): { outcome: CommandOutcome; meta: Meta } {
    const version = meta.version + 1;
    const firstSeq = this.store.nextEventSeq();
    this.store.appendEvents(firstSeq, version, events);

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
    this.store.appendAudit({ seq: version, record, prevHash: meta.auditHead, hash });

    const projection = projectCase(state, version);
    const timeline = events.map((e, i) => ({
      seq: firstSeq + i,
      type: e.type,
      actor: actorLabel(e.actor),
      at: e.at,
      data: e,
    }));
    this.outbox.enqueue("projection", version, { projection, timeline }, now);
    this.outbox.enqueue("work_queue", version, { tenantId: meta.tenantId, projection }, now);
    this.outbox.enqueue(
      "sink",
      version,
      { tenantId: meta.tenantId, caseId: meta.caseId, version } satisfies SinkMessage,
      now,
    );
    this.outbox.enqueue(
      "live",
      version,
      liveCaseChange(
        meta.tenantId,
        projection,
        events.map((e) => e.type),
      ),
      now,
    );
    for (const event of events) {
      if (event.type === "case.merged") {
        this.outbox.enqueue("merge", version, { into: event.into, alertIds: event.alertIds }, now);
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
    if (idempotency) this.store.rememberResponse(idempotency.key, idempotency.requestHash, outcome, now);
    const next: Meta = { ...meta, version, state, auditHead: hash };
    this.store.saveMeta(next);
    return { outcome, meta: next };
  }

  private async afterCommit(): Promise<void> {
    this.broadcastSince(this.lastBroadcastSeq);
    await this.arm(Date.now() + OUTBOX_BACKSTOP_MS);
    // Read models catch up after the reply. Re-arming after the drain sets the alarm back to the
    // next SLA timer or retry, so it fires only for what this pass could not deliver.
    this.ctx.waitUntil(this.drain().then(() => this.arm()));
  }

  private lastBroadcastSeq = -1;

  private broadcastSince(afterSeq: number): void {
    const sockets = this.ctx.getWebSockets();
    if (sockets.length === 0) {
      // Nobody listening: nothing to read, only where the next broadcast starts.
      this.lastBroadcastSeq = this.store.nextEventSeq();
      return;
    }
    const from = afterSeq < 0 ? this.store.nextEventSeq() - 1 : afterSeq;
    const rows = this.store.eventsAfter(from - 1, Number.MAX_SAFE_INTEGER);
    if (rows.length > 0) this.lastBroadcastSeq = (rows.at(-1)?.seq ?? from) + 1;
    for (const { seq, version, ...event } of rows) {
      const message = JSON.stringify({ type: "event", seq, version, event });
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
    this.committed(() => this.commit(meta, state, events, { ...envelope, reason: "sla timers" }, now, null));
    // The alarm's own commit is not a command; only its warnings and breaches are counted.
    metricsFor(this.env).record(...caseMetrics(meta.tenantId, null, events));
    this.broadcastSince(this.lastBroadcastSeq);
  }

  // --- outbox --------------------------------------------------------------------------------

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
    const rows = this.outbox.due(Date.now());
    // Per target, strictly in order: a failed row holds back the later ones, so no read model
    // ever sees version n+1 before version n.
    const blocked = new Set<OutboxTarget>();
    // Removed together at the end of the pass: a crash before then delivers them again, which
    // every target tolerates (projections are version-guarded, merges keyed, sink messages versioned).
    const delivered: number[] = [];
    try {
      for (const row of rows) {
        if (blocked.has(row.target)) continue;
        try {
          await this.deliver(meta, row);
          delivered.push(row.id);
        } catch (error) {
          blocked.add(row.target);
          this.outbox.failed(row, error, Date.now());
        }
      }
    } finally {
      this.outbox.delivered(delivered);
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
      case "live": {
        const change = JSON.parse(row.payload) as LiveCaseChange;
        await this.env.LIVE.getByName(change.tenantId).publish(change);
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

  /**
   * Sets the one alarm to the earliest of: the next SLA timer, the next outbox retry. `drainingUntil`:
   * a drain is under way, so rows due before then need the alarm only once that time has passed.
   */
  private async arm(drainingUntil?: number): Promise<number | null> {
    const meta = this.loadMeta();
    if (!meta) return null;
    const due = this.outbox.nextAttemptAt();
    const outboxAt = due === null || drainingUntil === undefined ? due : Math.max(due, drainingUntil);
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
