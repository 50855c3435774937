// The case gateway: how domain services and edges reach case objects. Declared here, implemented
// once in durable-objects/case-gateway.ts, where addressing (`${tenantId}:${caseId}`) and result
// unwrapping live. Every method throws a PhoenixError with the object's code when it refuses.
import type { AuditVerification } from "./audit.ts";
import type { Actor, CaseCommand, CaseConfig, CaseEvent, CaseState, CommandEnvelope } from "./model.ts";

/** The codes a case object refuses with: a subset of the shared error vocabulary. */
export type CaseObjectErrorCode =
  | "not_found"
  | "invalid_transition"
  | "closure_blocked"
  | "validation_failed"
  | "conflict"
  | "precondition_failed"
  | "idempotency_key_reused";

/** What a case object's RPC methods answer: RPC strips custom error properties, so errors are data. */
export type CaseResult<T> =
  | ({ ok: true } & T)
  | { ok: false; error: { code: CaseObjectErrorCode; message: string } };

export interface CaseSnapshot {
  tenantId: string;
  caseId: string;
  /** The case version: one per committed command, the ETag clients send back in If-Match.
   * (CaseState.eventCount counts events instead; it is the pure model's own bookkeeping.) */
  version: number;
  state: CaseState;
}

export interface CommandOutcome extends CaseSnapshot {
  events: CaseEvent[];
  replayed: boolean;
}

export interface OpenRequest {
  tenantId: string;
  caseId: string;
  /** The tenant's D1 binding, resolved by the caller from a verified credential. */
  d1Binding: string;
  config: CaseConfig;
  command: Extract<CaseCommand, { type: "open" }>;
  actor: Actor;
  reason?: string;
}

export interface CommandRequest {
  /** The version the caller last saw (If-Match); null skips the check (system callers). */
  expectedVersion: number | null;
  envelope: CommandEnvelope;
  idempotencyKey?: string;
  /** Hash of the request that carried the key: the same key with another request is refused. */
  requestHash?: string;
}

export type TimelineEvent = CaseEvent & { seq: number; version: number };

export interface CaseAudit {
  /** `record` is the canonical JSON the hash covers, exactly as stored. */
  records: Array<{ seq: number; record: string; prevHash: string; hash: string }>;
  verification: AuditVerification;
}

/** A case as its page shows it: the state, one page of the timeline and the audit's verification. */
export interface CasePage {
  snapshot: CaseSnapshot;
  /** The `limit` events before `beforeSeq` (all the newest when it is null), oldest first. */
  events: TimelineEvent[];
  verification: AuditVerification;
}

export interface CaseGateway {
  open(request: OpenRequest): Promise<CommandOutcome>;
  command(tenantId: string, caseId: string, request: CommandRequest): Promise<CommandOutcome>;
  snapshot(tenantId: string, caseId: string): Promise<CaseSnapshot>;
  events(tenantId: string, caseId: string, afterSeq: number, limit: number): Promise<TimelineEvent[]>;
  audit(tenantId: string, caseId: string): Promise<CaseAudit>;
  /** The audit chain's verification without its records. */
  verifyAudit(tenantId: string, caseId: string): Promise<AuditVerification>;
  /** Everything a case page reads from the case, in one call. */
  page(tenantId: string, caseId: string, beforeSeq: number | null, limit: number): Promise<CasePage>;
}
