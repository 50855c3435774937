// decide(): a command against the current state becomes events or a refusal. Pure: time, config and
// comment ids come in through the context, so the case object can replay and tests can pin them.
import { dueSlaSignals, slaOnTransition } from "../sla/clocks.ts";
import type { SlaSignal } from "../sla/types.ts";
import {
  type Actor,
  CASE_PRIORITIES,
  CASE_SEVERITIES,
  type CaseCommand,
  type CaseConfig,
  type CaseErrorCode,
  type CaseEvent,
  type CasePriority,
  type CaseSeverity,
  type CaseState,
  type CaseStatus,
  type CommandEnvelope,
  type Decision,
  ESCALATION_TIERS,
  RESOLUTIONS,
} from "./model.ts";
import { transitionFor } from "./transitions.ts";

export interface DecideContext {
  now: number;
  config: CaseConfig;
  /** Called once per comment event, so a refused command consumes no id. */
  newCommentId: () => string;
}

export const LIMITS = {
  titleMax: 300,
  descriptionMax: 10_000,
  commentMax: 10_000,
  reasonMax: 2_000,
  teamMax: 100,
  idMax: 200,
} as const;

/** How long after resolving or closing a case may be reopened, unless the tenant sets its own. */
export const DEFAULT_REOPEN_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/** Priority a case gets when it is opened without one. */
export const DEFAULT_PRIORITY: Record<CaseSeverity, CasePriority> = {
  critical: "P1",
  high: "P2",
  medium: "P3",
  low: "P4",
};

/** The SLA engine's own identity on the events it causes. */
export const SLA_ACTOR: Actor = { kind: "system", id: "sla" };

/**
 * Order of checks: the case must exist (not_found) → the table must allow the command in this state
 * (invalid_transition) → the arguments must be valid (validation_failed) → guards that read the
 * state (closure_blocked, reopen window, merge target) → the events.
 *
 * No-op commands (assign to the current assignee, unchanged severity or priority, escalate to where
 * the case already is, link an already linked alert, unlink one that is not linked, review one
 * already reviewed) succeed with no events: a command states the desired state, and retries or two
 * analysts clicking the same button then converge without errors, audit noise or a version bump.
 */
export function decide(envelope: CommandEnvelope, state: CaseState | null, ctx: DecideContext): Decision {
  const { command } = envelope;
  const envelopeError = validateEnvelope(envelope);
  if (state === null) {
    if (command.type !== "open") return fail("not_found", "case not found");
    if (envelopeError) return envelopeError;
    return decideOpen(envelope, command, ctx);
  }

  const target = transitionFor(state.status, command.type);
  if (target === null) return fail("invalid_transition", refusal(command.type, state));
  if (envelopeError) return envelopeError;

  // The table, not this switch, says where each transition leads.
  const to: CaseStatus =
    target === "unchanged"
      ? state.status
      : target === "held_from"
        ? (state.heldFrom ?? "in_progress")
        : target;
  const from = state.status;
  const event = eventBase(envelope, ctx.now);
  switch (command.type) {
    case "open":
      // Unreachable: the table allows open in no state; kept so the switch stays exhaustive.
      return fail("invalid_transition", refusal(command.type, state));

    case "acknowledge":
      return transition(state, ctx.now, { ...event, type: "case.acknowledged", from, to });
    case "start":
      return transition(state, ctx.now, { ...event, type: "case.started", from, to });
    case "hold":
      return transition(state, ctx.now, { ...event, type: "case.held", from, to });
    case "resume":
      // heldFrom is always set on a held case; in_progress (above) only covers a state that lacks it.
      return transition(state, ctx.now, { ...event, type: "case.resumed", from, to });
    case "contain":
      return transition(state, ctx.now, { ...event, type: "case.contained", from, to });
    case "resolve": {
      if (!RESOLUTIONS.includes(command.resolution))
        return invalid("resolution", `must be one of ${RESOLUTIONS.join(", ")}`);
      return transition(state, ctx.now, {
        ...event,
        type: "case.resolved",
        resolution: command.resolution,
        escalated: wasEscalated(state),
        from,
        to,
      });
    }
    case "close": {
      const blockers = closureBlockers(state);
      if (blockers.length > 0)
        return fail("closure_blocked", `cannot close the case: ${blockers.join("; ")}`);
      return transition(state, ctx.now, { ...event, type: "case.closed", from, to });
    }
    case "reopen": {
      if (state.mergedInto !== null)
        return fail(
          "invalid_transition",
          `${refusal("reopen", state)}: it was merged into ${state.mergedInto}`,
        );
      const endedAt = (state.status === "closed" ? state.closedAt : state.resolvedAt) ?? state.updatedAt;
      const windowEnds = endedAt + ctx.config.reopenWindowMs;
      if (ctx.now > windowEnds)
        return fail(
          "invalid_transition",
          `${refusal("reopen", state)}: the reopen window ended at ${new Date(windowEnds).toISOString()}`,
        );
      const undoes =
        state.resolution !== null && state.resolvedAt !== null
          ? { resolution: state.resolution, resolvedAt: state.resolvedAt, escalated: wasEscalated(state) }
          : null;
      return transition(state, ctx.now, { ...event, type: "case.reopened", undoes, from, to });
    }
    case "merge_into": {
      const bad = checkId("targetCaseId", command.targetCaseId);
      if (bad) return bad;
      if (command.targetCaseId === state.id)
        return invalid("targetCaseId", "a case cannot be merged into itself");
      return transition(state, ctx.now, {
        ...event,
        type: "case.merged",
        into: command.targetCaseId,
        alertIds: Object.keys(state.alerts),
        escalated: wasEscalated(state),
        from,
        to,
      });
    }

    case "assign": {
      const bad = checkId("assignee", command.assignee);
      if (bad) return bad;
      if (command.assignee === state.assignee) return accepted([]);
      return accepted([
        { ...event, type: "case.assigned", assignee: command.assignee, previous: state.assignee },
      ]);
    }
    case "unassign":
      if (state.assignee === null) return accepted([]);
      return accepted([{ ...event, type: "case.unassigned", previous: state.assignee }]);
    case "change_severity":
      if (!CASE_SEVERITIES.includes(command.severity))
        return invalid("severity", `must be one of ${CASE_SEVERITIES.join(", ")}`);
      if (command.severity === state.severity) return accepted([]);
      if (
        command.raiseOnly &&
        CASE_SEVERITIES.indexOf(command.severity) < CASE_SEVERITIES.indexOf(state.severity)
      )
        return accepted([]);
      return accepted([
        { ...event, type: "case.severity_changed", from: state.severity, to: command.severity },
      ]);
    case "change_priority":
      if (!CASE_PRIORITIES.includes(command.priority))
        return invalid("priority", `must be one of ${CASE_PRIORITIES.join(", ")}`);
      if (command.priority === state.priority) return accepted([]);
      // "P1" sorts before "P2": a lower string is a higher priority.
      if (command.raiseOnly && command.priority > state.priority) return accepted([]);
      return accepted([
        { ...event, type: "case.priority_changed", from: state.priority, to: command.priority },
      ]);
    case "escalate": {
      if (envelope.reason === undefined) return invalid("reason", "an escalation needs a reason");
      if (command.tier === undefined && command.team === undefined)
        return invalid("tier", "name a tier or a team to escalate to");
      if (command.tier !== undefined && !ESCALATION_TIERS.includes(command.tier))
        return invalid("tier", `must be one of ${ESCALATION_TIERS.join(", ")}`);
      if (command.team !== undefined) {
        const bad = checkText("team", command.team, LIMITS.teamMax);
        if (bad) return bad;
      }
      const tier = command.tier ?? null;
      const team = command.team ?? null;
      if ((tier === null || tier === state.tier) && (team === null || team === state.team))
        return accepted([]);
      return accepted([{ ...event, type: "case.escalated", tier, team, queue: state.queue, auto: false }]);
    }
    case "comment": {
      const bad = checkText("body", command.body, LIMITS.commentMax);
      if (bad) return bad;
      const visibility = command.visibility ?? "internal";
      if (visibility !== "internal" && visibility !== "customer")
        return invalid("visibility", "must be internal or customer");
      return accepted([
        { ...event, type: "case.commented", commentId: ctx.newCommentId(), body: command.body, visibility },
      ]);
    }
    case "link_alert": {
      const bad = checkId("alertId", command.alertId);
      if (bad) return bad;
      if (Object.hasOwn(state.alerts, command.alertId)) return accepted([]);
      return accepted([{ ...event, type: "case.alert_linked", alertId: command.alertId }]);
    }
    case "link_alerts": {
      if (command.alertIds.length === 0) return invalid("alertIds", "must name at least one alert");
      for (const [i, id] of command.alertIds.entries()) {
        const bad = checkId(`alertIds.${i}`, id);
        if (bad) return bad;
      }
      const fresh = [...new Set(command.alertIds)].filter((id) => !Object.hasOwn(state.alerts, id));
      return accepted(fresh.map((alertId) => ({ ...event, type: "case.alert_linked" as const, alertId })));
    }
    case "unlink_alert": {
      const bad = checkId("alertId", command.alertId);
      if (bad) return bad;
      if (!Object.hasOwn(state.alerts, command.alertId)) return accepted([]);
      return accepted([{ ...event, type: "case.alert_unlinked", alertId: command.alertId }]);
    }
    case "review_alert": {
      const bad = checkId("alertId", command.alertId);
      if (bad) return bad;
      const alert = Object.hasOwn(state.alerts, command.alertId) ? state.alerts[command.alertId] : undefined;
      // A well-formed request the case's state refuses: a conflict, as for any other such command.
      if (alert === undefined) return fail("conflict", `alert ${command.alertId} is not linked to this case`);
      if (alert.reviewed) return accepted([]);
      return accepted([{ ...event, type: "case.alert_reviewed", alertId: command.alertId }]);
    }
    case "record_source_update": {
      const bad = checkId("alertId", command.alertId) ?? checkText("source", command.source, LIMITS.teamMax);
      if (bad) return bad;
      if (!Number.isSafeInteger(command.sourceTime) || command.sourceTime < 0)
        return invalid("sourceTime", "must be a time in epoch milliseconds");
      if (command.changes.length === 0 && command.closedAs === undefined)
        return invalid("changes", "must name at least one change");
      const recorded = state.sourceTimes[command.alertId];
      if (recorded !== undefined && command.sourceTime <= recorded) return accepted([]);
      return accepted([
        {
          ...event,
          type: "case.source_updated",
          alertId: command.alertId,
          source: command.source,
          sourceTime: command.sourceTime,
          changes: command.changes,
          closedAs: command.closedAs ?? null,
        },
      ]);
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

/**
 * What still stands between the case and closing, in words an analyst can act on; empty when it may
 * close. The workbench shows the same list as a checklist.
 */
export function closureBlockers(state: CaseState): string[] {
  const blockers: string[] = [];
  if (state.resolution === null) blockers.push("resolution missing");
  const unreviewed = Object.entries(state.alerts)
    .filter(([, alert]) => !alert.reviewed)
    .map(([id]) => id)
    .sort();
  if (unreviewed.length > 0) blockers.push(`linked alerts not reviewed: ${unreviewed.join(", ")}`);
  return blockers;
}

/**
 * The events an SLA signal (from the case's alarm or the sweep) causes. A warning is recorded as is;
 * a breach is recorded, raises the priority one step (P1 stays) and escalates to the lead queue.
 * Signals that are not due on the case's current clocks (already fired, met, paused, moved by a
 * severity change, or a closed case) give no events, so late and repeated alarms are harmless.
 */
export function onSlaSignal(state: CaseState, signal: SlaSignal, now: number): CaseEvent[] {
  if (state.status === "closed") return [];
  const due = dueSlaSignals(state.sla, now).find((s) => s.type === signal.type && s.clock === signal.clock);
  if (due === undefined) return [];
  const base = { at: now, actor: SLA_ACTOR };
  if (due.type === "sla.warning")
    return [{ ...base, type: "sla.warning", clock: due.clock, dueAt: due.dueAt }];

  const reason = `${due.clock} SLA breached`;
  const events: CaseEvent[] = [
    { ...base, type: "sla.breached", clock: due.clock, dueAt: due.dueAt, severity: state.severity },
  ];
  const raised = raisePriority(state.priority);
  if (raised !== state.priority)
    events.push({ ...base, reason, type: "case.priority_changed", from: state.priority, to: raised });
  events.push({ ...base, reason, type: "case.escalated", tier: null, team: null, queue: "lead", auto: true });
  return events;
}

/** Whether the case has gone past first-line handling: a higher tier, or the lead queue. */
export function wasEscalated(state: Pick<CaseState, "tier" | "queue">): boolean {
  return state.tier !== "L1" || state.queue === "lead";
}

/** One step more urgent: P4 → P3 → P2 → P1; P1 stays. */
export function raisePriority(priority: CasePriority): CasePriority {
  const i = CASE_PRIORITIES.indexOf(priority);
  return CASE_PRIORITIES[Math.max(0, i - 1)] ?? priority;
}

function decideOpen(
  envelope: CommandEnvelope,
  command: Extract<CaseCommand, { type: "open" }>,
  ctx: DecideContext,
): Decision {
  const badId = checkId("caseId", command.caseId);
  if (badId) return badId;
  const badTitle = checkText("title", command.title, LIMITS.titleMax);
  if (badTitle) return badTitle;
  const description = command.description ?? "";
  if (typeof description !== "string" || characters(description) > LIMITS.descriptionMax)
    return invalid("description", `must be at most ${LIMITS.descriptionMax} characters`);
  if (!CASE_SEVERITIES.includes(command.severity))
    return invalid("severity", `must be one of ${CASE_SEVERITIES.join(", ")}`);
  if (command.priority !== undefined && !CASE_PRIORITIES.includes(command.priority))
    return invalid("priority", `must be one of ${CASE_PRIORITIES.join(", ")}`);
  const alertIds = command.alertIds ?? [];
  for (const [i, id] of alertIds.entries()) {
    const bad = checkId(`alertIds.${i}`, id);
    if (bad) return bad;
  }
  return accepted([
    {
      ...eventBase(envelope, ctx.now),
      type: "case.opened",
      caseId: command.caseId,
      title: command.title,
      description,
      severity: command.severity,
      priority: command.priority ?? DEFAULT_PRIORITY[command.severity],
      // The same alert twice in one open is one link, not an error.
      alertIds: [...new Set(alertIds)],
      slaPolicy: ctx.config.slaPolicy,
    },
  ]);
}

type TransitionEvent = Extract<CaseEvent, { from: CaseStatus; to: CaseStatus }>;

/** A state change plus the sla.met events for the clocks it stops, computed by the SLA engine. */
function transition(state: CaseState, now: number, event: TransitionEvent): Decision {
  const { met } = slaOnTransition(state.sla, state.slaPolicy, event.from, event.to, now);
  const metEvents: CaseEvent[] = met.map((m) => ({
    at: now,
    actor: event.actor,
    ...(event.reason === undefined ? {} : { reason: event.reason }),
    type: "sla.met",
    clock: m.clock,
    elapsedMs: m.elapsedMs,
    dueAt: m.dueAt,
    severity: state.severity,
    wallMs: m.wallMs,
    warned: m.warned,
    breached: m.breached,
  }));
  return accepted([event, ...metEvents]);
}

function eventBase(envelope: CommandEnvelope, now: number): { at: number; actor: Actor; reason?: string } {
  return envelope.reason === undefined
    ? { at: now, actor: envelope.actor }
    : { at: now, actor: envelope.actor, reason: envelope.reason };
}

function validateEnvelope(envelope: CommandEnvelope): Decision | null {
  const { actor, reason } = envelope;
  if (actor.kind !== "user" && actor.kind !== "client" && actor.kind !== "system" && actor.kind !== "jira")
    return invalid("actor.kind", "must be user, client, system or jira");
  const badActor = checkId("actor.id", actor.id);
  if (badActor) return badActor;
  if (reason !== undefined) return checkText("reason", reason, LIMITS.reasonMax);
  return null;
}

/** The message names the state and the command, e.g. "cannot contain a case that is on_hold". */
function refusal(command: string, state: CaseState): string {
  return `cannot ${command} a case that is ${state.status}`;
}

function checkText(field: string, value: string, max: number): Decision | null {
  if (typeof value !== "string" || value.trim().length === 0) return invalid(field, "must not be empty");
  if (characters(value) > max) return invalid(field, `must be at most ${max} characters`);
  return null;
}

/**
 * A string's length in characters (code points), as the request schemas and the OpenAPI document
 * count it: an emoji is one, where `.length` counts its two UTF-16 units.
 */
function characters(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

function checkId(field: string, value: string): Decision | null {
  return checkText(field, value, LIMITS.idMax);
}

function invalid(field: string, problem: string): Decision {
  return fail("validation_failed", `${field}: ${problem}`);
}

function fail(code: CaseErrorCode, message: string): Decision {
  return { ok: false, error: { code, message } };
}

function accepted(events: CaseEvent[]): Decision {
  return { ok: true, events };
}
