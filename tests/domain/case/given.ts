// Given/when/then helpers for the case lifecycle: every state a test starts from is reached through
// real commands (decide, then evolve), never written by hand, so the specs exercise the same paths
// the case object does.
import { decide } from "../../../domain/case/decide.ts";
import { evolve } from "../../../domain/case/evolve.ts";
import type {
  Actor,
  CaseCommand,
  CaseConfig,
  CaseEvent,
  CaseState,
  CaseStatus,
  Decision,
} from "../../../domain/case/model.ts";
import type { SlaPolicy } from "../../../domain/sla/types.ts";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Monday 2 November 2026, 09:00 UTC: the instant every spec's case opens. */
export const T0 = Date.UTC(2026, 10, 2, 9, 0);

/** A policy of round numbers, around the clock, so expected deadlines can be written by hand. */
export const POLICY: SlaPolicy = {
  targets: {
    critical: { acknowledgeMs: 15 * MINUTE, containMs: 4 * HOUR, resolveMs: 24 * HOUR },
    high: { acknowledgeMs: 1 * HOUR, containMs: 8 * HOUR, resolveMs: 72 * HOUR },
    medium: { acknowledgeMs: 4 * HOUR, containMs: 24 * HOUR, resolveMs: 7 * DAY },
    low: { acknowledgeMs: 24 * HOUR, containMs: 72 * HOUR, resolveMs: 30 * DAY },
  },
  warningRatio: 0.75,
  calendar: { kind: "24x7" },
  pausedIn: { acknowledge: [], contain: ["on_hold"], resolve: ["on_hold"] },
};

export const CONFIG: CaseConfig = { slaPolicy: POLICY, reopenWindowMs: 7 * DAY };

export const ANALYST: Actor = { kind: "user", id: "prn_analyst" };
export const CASE_ID = "case_under_test";

/** Opened as high / P2 with two alerts, then assigned, so unassign and review have something to act on. */
export const OPEN: CaseCommand = {
  type: "open",
  caseId: CASE_ID,
  title: "Suspicious PowerShell on FIN-LAPTOP-7",
  severity: "high",
  priority: "P2",
  alertIds: ["alrt_a", "alrt_b"],
};

export interface When {
  now: number;
  actor?: Actor;
  reason?: string;
  config?: CaseConfig;
  newCommentId?: () => string;
}

/** Runs one command through decide. */
export function when(state: CaseState | null, command: CaseCommand, opts: When): Decision {
  const envelope = {
    command,
    actor: opts.actor ?? ANALYST,
    ...(opts.reason === undefined ? {} : { reason: opts.reason }),
  };
  return decide(envelope, state, {
    now: opts.now,
    config: opts.config ?? CONFIG,
    newCommentId: opts.newCommentId ?? (() => "cmt_fixed"),
  });
}

/** The events a decision produced; fails the test (with the refusal) when it was refused. */
export function eventsOf(decision: Decision): CaseEvent[] {
  if (!decision.ok) throw new Error(`expected events, got ${decision.error.code}: ${decision.error.message}`);
  return decision.events;
}

export function applyAll(state: CaseState | null, events: readonly CaseEvent[]): CaseState | null {
  return events.reduce<CaseState | null>((s, e) => evolve(s, e), state);
}

/** A case being driven through commands, with its full event log and the clock of the last command. */
export interface Story {
  state: CaseState;
  log: CaseEvent[];
  now: number;
}

/** Applies a command that must be accepted, one minute after the previous one. */
export function step(story: Story, command: CaseCommand, opts: Partial<When> = {}): Story {
  const now = opts.now ?? story.now + MINUTE;
  const events = eventsOf(when(story.state, command, { ...opts, now }));
  const state = applyAll(story.state, events);
  if (state === null) throw new Error("a case cannot vanish");
  return { state, log: [...story.log, ...events], now };
}

export function opened(command: CaseCommand = OPEN, now = T0): Story {
  const events = eventsOf(when(null, command, { now }));
  const state = applyAll(null, events);
  if (state === null) throw new Error("open produced no case");
  return { state, log: events, now };
}

/** The commands that take a freshly opened (and assigned) case to each state. */
export const PATHS: Record<CaseStatus, CaseCommand[]> = {
  new: [],
  acknowledged: [{ type: "acknowledge" }],
  in_progress: [{ type: "acknowledge" }, { type: "start" }],
  contained: [{ type: "acknowledge" }, { type: "start" }, { type: "contain" }],
  on_hold: [{ type: "acknowledge" }, { type: "start" }, { type: "hold" }],
  resolved: [{ type: "acknowledge" }, { type: "start" }, { type: "resolve", resolution: "true_positive" }],
  closed: [
    { type: "acknowledge" },
    { type: "start" },
    { type: "resolve", resolution: "true_positive" },
    { type: "review_alert", alertId: "alrt_a" },
    { type: "review_alert", alertId: "alrt_b" },
    { type: "close" },
  ],
  reopened: [
    { type: "acknowledge" },
    { type: "start" },
    { type: "resolve", resolution: "true_positive" },
    { type: "reopen" },
  ],
};

/** A case in `status`, reached through real commands, assigned to prn_analyst_1. */
export function caseIn(status: CaseStatus): Story {
  let story = step(opened(), { type: "assign", assignee: "prn_analyst_1" });
  for (const command of PATHS[status]) story = step(story, command);
  if (story.state.status !== status) throw new Error(`path to ${status} ended in ${story.state.status}`);
  return story;
}

/** Reviews every linked alert that is still unreviewed (what an analyst does before closing). */
export function reviewAll(story: Story): Story {
  let next = story;
  for (const [alertId, alert] of Object.entries(story.state.alerts)) {
    if (!alert.reviewed) next = step(next, { type: "review_alert", alertId });
  }
  return next;
}
