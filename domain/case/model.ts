// The case aggregate's vocabulary: states, commands, events and the state they fold into.
// decide() (command → events) and evolve() (state + event → state) live beside this file.
import type { Actor } from "../actor.ts";
import type {
  CasePriority,
  CaseQueue,
  CaseSeverity,
  CaseStatus,
  EscalationTier,
  Resolution,
} from "../case-vocabulary.ts";
import type { SlaClockName, SlaPolicy, SlaState } from "../sla/types.ts";

export type { Actor } from "../actor.ts";
// The vocabulary is shared with the SLA engine, which the model in turn depends on for its clocks.
export * from "../case-vocabulary.ts";

export type CaseCommand =
  | {
      type: "open";
      /** Minted by the caller (it addresses the case object by it), so the opened event can carry it. */
      caseId: string;
      title: string;
      description?: string;
      severity: CaseSeverity;
      priority?: CasePriority;
      alertIds?: string[];
    }
  | { type: "acknowledge" }
  | { type: "assign"; assignee: string }
  | { type: "unassign" }
  /** `raiseOnly`: automation's form, a no-op when the case is already at least as high. */
  | { type: "change_severity"; severity: CaseSeverity; raiseOnly?: boolean }
  | { type: "change_priority"; priority: CasePriority; raiseOnly?: boolean }
  | { type: "start" }
  | { type: "hold" }
  | { type: "resume" }
  | { type: "contain" }
  | { type: "resolve"; resolution: Resolution }
  | { type: "close" }
  | { type: "reopen" }
  | { type: "escalate"; tier?: EscalationTier; team?: string }
  | { type: "comment"; body: string; visibility?: "internal" | "customer" }
  | { type: "link_alert"; alertId: string }
  /** Correlation's form: many alerts of one key in one commit (one event per alert not yet linked). */
  | { type: "link_alerts"; alertIds: string[] }
  | { type: "unlink_alert"; alertId: string }
  | { type: "review_alert"; alertId: string }
  | { type: "merge_into"; targetCaseId: string }
  /**
   * What a source changed about one of the case's alerts after sending it (XDR raised the severity,
   * closed its incident…). A version no newer than the last one recorded for the alert is a no-op.
   */
  | {
      type: "record_source_update";
      alertId: string;
      source: string;
      sourceTime: number;
      changes: SourceFieldChange[];
      /** The source closed its own record, as this (e.g. "False Positive"): a suggestion, never a close. */
      closedAs?: string;
    };

export interface SourceFieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export type CaseCommandType = CaseCommand["type"];

/** Every command carries who issued it and, optionally, why. */
export interface CommandEnvelope {
  command: CaseCommand;
  actor: Actor;
  reason?: string;
}

interface EventBase {
  at: number;
  actor: Actor;
  reason?: string;
}

type Transition = { from: CaseStatus; to: CaseStatus };

export type CaseEvent = EventBase &
  (
    | {
        type: "case.opened";
        caseId: string;
        title: string;
        description: string;
        severity: CaseSeverity;
        priority: CasePriority;
        alertIds: string[];
        /** The tenant's SLA policy as it was at opening: the case keeps counting by it. */
        slaPolicy: SlaPolicy;
      }
    | ({ type: "case.acknowledged" } & Transition)
    | ({ type: "case.started" } & Transition)
    | ({ type: "case.held" } & Transition)
    | ({ type: "case.resumed" } & Transition)
    | ({ type: "case.contained" } & Transition)
    | ({
        type: "case.resolved";
        resolution: Resolution;
        /** Whether the case had been escalated (a higher tier or the lead queue) when resolved. */
        escalated: boolean;
      } & Transition)
    | ({ type: "case.closed" } & Transition)
    | ({
        type: "case.reopened";
        /** The resolution this reopen takes back, for the reports that counted it. */
        undoes: { resolution: Resolution; resolvedAt: number; escalated: boolean } | null;
      } & Transition)
    | { type: "case.assigned"; assignee: string; previous: string | null }
    | { type: "case.unassigned"; previous: string }
    | { type: "case.severity_changed"; from: CaseSeverity; to: CaseSeverity }
    | { type: "case.priority_changed"; from: CasePriority; to: CasePriority }
    | {
        type: "case.escalated";
        tier: EscalationTier | null;
        team: string | null;
        queue: CaseQueue;
        auto: boolean;
      }
    | { type: "case.commented"; commentId: string; body: string; visibility: "internal" | "customer" }
    | { type: "case.alert_linked"; alertId: string }
    | { type: "case.alert_unlinked"; alertId: string }
    | { type: "case.alert_reviewed"; alertId: string }
    | {
        type: "case.source_updated";
        alertId: string;
        source: string;
        sourceTime: number;
        changes: SourceFieldChange[];
        closedAs: string | null;
      }
    /** The alerts move to the target case with the merge, so the merged case no longer holds them. */
    | ({ type: "case.merged"; into: string; alertIds: string[]; escalated: boolean } & Transition)
    | { type: "sla.warning"; clock: SlaClockName; dueAt: number }
    | { type: "sla.breached"; clock: SlaClockName; dueAt: number; severity: CaseSeverity }
    | {
        type: "sla.met";
        clock: SlaClockName;
        /** SLA time used, as the policy counts it (business hours, pauses excluded). */
        elapsedMs: number;
        dueAt: number;
        /** The case's severity when the clock was met. */
        severity: CaseSeverity;
        wallMs: number;
        warned: boolean;
        breached: boolean;
      }
  );

export type CaseEventType = CaseEvent["type"];

export interface LinkedAlert {
  reviewed: boolean;
}

export interface CaseState {
  id: string;
  title: string;
  description: string;
  status: CaseStatus;
  /**
   * Number of events folded into this state (the log's length), so it only moves forward. Counted per
   * event, not per command: a command can emit several events, or none. (The case *version*, the
   * ETag clients send back, counts commits instead: CaseSnapshot.version.)
   */
  eventCount: number;
  /** The state a held case resumes to; null unless on_hold. */
  heldFrom: CaseStatus | null;
  severity: CaseSeverity;
  priority: CasePriority;
  assignee: string | null;
  queue: CaseQueue;
  tier: EscalationTier;
  team: string | null;
  resolution: Resolution | null;
  alerts: Record<string, LinkedAlert>;
  commentCount: number;
  mergedInto: string | null;
  /** Per alert, the source time of the last source update recorded, so older versions change nothing. */
  sourceTimes: Record<string, number>;
  /** A source closed its record of this case's matter: shown to the analyst until the case is resolved. */
  sourceClosed: { alertId: string; source: string; closedAs: string; at: number } | null;
  openedAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  closedAt: number | null;
  slaPolicy: SlaPolicy;
  sla: SlaState;
}

/** Tenant configuration a decision depends on. */
export interface CaseConfig {
  slaPolicy: SlaPolicy;
  /** How long after resolving or closing a case may be reopened. */
  reopenWindowMs: number;
}

export type CaseErrorCode =
  | "invalid_transition"
  | "validation_failed"
  | "closure_blocked"
  | "not_found"
  | "conflict";

export type Decision =
  | { ok: true; events: CaseEvent[] }
  | { ok: false; error: { code: CaseErrorCode; message: string } };
