// evolve(): the case state after one more event; fold(): the state a whole log describes. Pure and
// deterministic, so the case object, projections and tests all rebuild the same state from events.
import { markSlaSignal, slaOnSeverityChange, slaOnTransition, startSla } from "../sla/clocks.ts";
import type { CaseEvent, CaseState, LinkedAlert } from "./model.ts";

/**
 * Applies one event. Every event type is handled; the only refusal is a log whose first event is not
 * `case.opened` (or that opens twice), which is corrupted storage rather than input, so it throws.
 */
export function evolve(state: CaseState | null, event: CaseEvent): CaseState {
  if (event.type === "case.opened") {
    if (state !== null) throw new Error(`case ${state.id} is already open: a log has one case.opened`);
    return {
      id: event.caseId,
      title: event.title,
      description: event.description,
      status: "new",
      eventCount: 1,
      heldFrom: null,
      severity: event.severity,
      priority: event.priority,
      assignee: null,
      queue: "triage",
      tier: "L1",
      team: null,
      resolution: null,
      alerts: Object.fromEntries(
        event.alertIds.map((id): [string, LinkedAlert] => [id, { reviewed: false }]),
      ),
      commentCount: 0,
      mergedInto: null,
      sourceTimes: {},
      sourceClosed: null,
      openedAt: event.at,
      updatedAt: event.at,
      resolvedAt: null,
      closedAt: null,
      slaPolicy: event.slaPolicy,
      sla: startSla(event.slaPolicy, event.severity, event.at),
    };
  }
  if (state === null) throw new Error(`${event.type} before case.opened: a case log starts with case.opened`);

  // Every event moves the version and the last-update time, whatever else it changes.
  const next: CaseState = { ...state, eventCount: state.eventCount + 1, updatedAt: event.at };
  switch (event.type) {
    case "case.acknowledged":
    case "case.started":
    case "case.contained":
    case "case.resumed":
      return { ...next, ...moved(state, event), heldFrom: null };
    case "case.held":
      return { ...next, ...moved(state, event), heldFrom: event.from };
    case "case.resolved":
      return {
        ...next,
        ...moved(state, event),
        resolution: event.resolution,
        resolvedAt: event.at,
        sourceClosed: null,
      };
    case "case.closed":
      return { ...next, ...moved(state, event), closedAt: event.at };
    case "case.reopened":
      // Back to work: the old outcome no longer stands, and closing again needs a new resolution.
      return { ...next, ...moved(state, event), resolution: null, resolvedAt: null, closedAt: null };
    case "case.merged":
      return {
        ...next,
        ...moved(state, event),
        heldFrom: null,
        resolution: "duplicate",
        mergedInto: event.into,
        resolvedAt: event.at,
        closedAt: event.at,
        // The alerts now belong to the target case: one alert, one case.
        alerts: withoutAlerts(state.alerts, event.alertIds),
      };
    case "case.assigned":
      return { ...next, assignee: event.assignee };
    case "case.unassigned":
      return { ...next, assignee: null };
    case "case.severity_changed":
      return {
        ...next,
        severity: event.to,
        sla: slaOnSeverityChange(state.sla, state.slaPolicy, event.to, event.at),
      };
    case "case.priority_changed":
      return { ...next, priority: event.to };
    case "case.escalated":
      return { ...next, queue: event.queue, tier: event.tier ?? state.tier, team: event.team ?? state.team };
    case "case.commented":
      return { ...next, commentCount: state.commentCount + 1 };
    case "case.alert_linked":
      return { ...next, alerts: { ...state.alerts, [event.alertId]: { reviewed: false } } };
    case "case.alert_unlinked":
      return { ...next, alerts: withoutAlerts(state.alerts, [event.alertId]) };
    case "case.alert_reviewed":
      return { ...next, alerts: { ...state.alerts, [event.alertId]: { reviewed: true } } };
    case "case.source_updated":
      return {
        ...next,
        sourceTimes: { ...state.sourceTimes, [event.alertId]: event.sourceTime },
        sourceClosed:
          event.closedAs !== null
            ? { alertId: event.alertId, source: event.source, closedAs: event.closedAs, at: event.at }
            : state.sourceClosed,
      };
    case "sla.warning":
    case "sla.breached":
      return { ...next, sla: markSlaSignal(state.sla, event, event.at) };
    case "sla.met":
      // Informational: the transition event before it already met the clock through slaOnTransition.
      return next;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** The state a log describes; null for an empty log (the case does not exist). */
export function fold(events: readonly CaseEvent[]): CaseState | null {
  let state: CaseState | null = null;
  for (const event of events) state = evolve(state, event);
  return state;
}

function moved(
  state: CaseState,
  event: Extract<CaseEvent, { from: CaseState["status"]; to: CaseState["status"] }>,
): Pick<CaseState, "status" | "sla"> {
  return {
    status: event.to,
    sla: slaOnTransition(state.sla, state.slaPolicy, event.from, event.to, event.at).sla,
  };
}

function withoutAlerts(alerts: CaseState["alerts"], ids: readonly string[]): CaseState["alerts"] {
  const drop = new Set(ids);
  return Object.fromEntries(Object.entries(alerts).filter(([id]) => !drop.has(id)));
}
