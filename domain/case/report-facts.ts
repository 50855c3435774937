// What each case event adds to the report aggregates (decision 040). Facts are counted by the
// event's own time, so a projection that lands late still adds to the bucket the event happened in.
import type { BatchItem } from "drizzle-orm/batch";
import { alertCountWrites, countWrites, durationWrites, type EventGuard } from "../reports/aggregates.ts";
import type { CaseEvent, CaseSeverity } from "./model.ts";

/** The aggregate writes for one event, to run before the event's timeline row in the same batch. */
export function reportWrites(
  db: D1Database,
  event: CaseEvent,
  guard: EventGuard,
  /** For events recorded before they carried the severity: the case's severity now. */
  currentSeverity: CaseSeverity,
): BatchItem<"sqlite">[] {
  const count = (fact: Parameters<typeof countWrites>[1]) => countWrites(db, fact, guard);
  const outcome = (escalated: boolean) => (escalated ? "escalated" : "not_escalated");
  switch (event.type) {
    case "case.opened":
      return [
        ...count({ metric: "cases_opened", at: event.at, severity: event.severity, n: 1 }),
        ...alertCountWrites(db, "grouped", event.alertIds, event.at, guard),
      ];
    case "case.alert_linked":
      // Alerts a merge moves here were counted when they first joined a case.
      if (event.actor.kind === "system" && event.actor.id.startsWith("merge:")) return [];
      return alertCountWrites(db, "grouped", [event.alertId], event.at, guard);
    case "case.resolved":
      return count({
        metric: "resolution",
        at: event.at,
        dim1: event.resolution,
        dim2: outcome(event.escalated ?? false),
        n: 1,
      });
    case "case.merged":
      // A merge resolves the case as a duplicate of its target.
      return count({
        metric: "resolution",
        at: event.at,
        dim1: "duplicate",
        dim2: outcome(event.escalated ?? false),
        n: 1,
      });
    case "case.reopened": {
      // The outcome no longer stands: it leaves the bucket it was counted in.
      const undone = event.undoes;
      if (!undone) return [];
      return count({
        metric: "resolution",
        at: undone.resolvedAt,
        dim1: undone.resolution,
        dim2: outcome(undone.escalated),
        n: -1,
      });
    }
    case "case.escalated":
      return count({
        metric: "escalation",
        at: event.at,
        dim1: event.tier ?? event.queue,
        dim2: event.auto ? "auto" : "manual",
        n: 1,
      });
    case "sla.breached":
      return count({
        metric: "sla",
        at: event.at,
        severity: event.severity ?? currentSeverity,
        dim1: event.clock,
        dim2: "breached",
        n: 1,
      });
    case "sla.met": {
      const severity = event.severity ?? currentSeverity;
      const durations = durationWrites(
        db,
        {
          at: event.at,
          severity,
          clock: event.clock,
          businessMs: event.elapsedMs,
          wallMs: event.wallMs ?? event.elapsedMs,
        },
        guard,
      );
      // A breach was counted when it fired; a clock met late without one is a breach now.
      if (event.breached) return durations;
      const result = event.at > event.dueAt ? "breached" : event.warned ? "warned" : "met";
      return [
        ...durations,
        ...count({ metric: "sla", at: event.at, severity, dim1: event.clock, dim2: result, n: 1 }),
      ];
    }
    default:
      return [];
  }
}
