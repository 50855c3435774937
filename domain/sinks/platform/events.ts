// What the customer-facing Platform hears about a case: one webhook per case event it subscribes
// to, worded for the customer. Internal comments, alert work and SOC-only details never leave.
import type { TimelineEvent } from "../../case/gateway.ts";
import type { CaseEvent } from "../../case/model.ts";

export interface PlatformEvent {
  /** Also the webhook-id: the receiver de-duplicates on it. */
  id: string;
  type: string;
  case_id: string;
  case_version: number;
  occurred_at: number;
  data: Record<string, unknown>;
}

const STATE_CHANGES = new Set<CaseEvent["type"]>([
  "case.acknowledged",
  "case.started",
  "case.held",
  "case.resumed",
  "case.contained",
  "case.resolved",
  "case.closed",
  "case.reopened",
]);

export const platformEventId = (caseId: string, seq: number) => `evt_${caseId}_${seq}`;

/** The Platform's view of one case event, or null when it is not the customer's to see. */
export function platformEvent(caseId: string, event: TimelineEvent): PlatformEvent | null {
  const said = (type: string, data: Record<string, unknown>): PlatformEvent => ({
    id: platformEventId(caseId, event.seq),
    type,
    case_id: caseId,
    case_version: event.version,
    occurred_at: event.at,
    data,
  });
  if (STATE_CHANGES.has(event.type) && "from" in event && "to" in event) {
    return said("case.state_changed", {
      from: event.from,
      to: event.to,
      ...(event.type === "case.resolved" ? { resolution: event.resolution } : {}),
    });
  }
  switch (event.type) {
    case "case.opened":
      return said("case.opened", { title: event.title, severity: event.severity, priority: event.priority });
    case "case.severity_changed":
      return said("case.updated", { field: "severity", from: event.from, to: event.to });
    case "case.priority_changed":
      return said("case.updated", { field: "priority", from: event.from, to: event.to });
    case "case.commented":
      // A comment is the customer's only when it was written for them.
      return event.visibility === "customer"
        ? said("case.commented", { comment_id: event.commentId, body: event.body })
        : null;
    case "case.merged":
      return said("case.merged", { into: event.into });
    case "sla.breached":
      return said("sla.breached", { clock: event.clock, due_at: event.dueAt });
    default:
      return null;
  }
}

/** Whether a sink subscribed to `types` ("case.*" for every case event) receives `type`. */
export function subscribed(types: readonly string[], type: string): boolean {
  return types.some((t) => t === type || (t.endsWith(".*") && type.startsWith(t.slice(0, -1))));
}
