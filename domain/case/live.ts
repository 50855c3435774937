// What a case change tells the people watching its tenant live: which case, at which version, and
// its queue row as it now is. Never an event's content: a page that wants more reloads its data
// through its loader, which applies the person's permissions (a customer never sees internal notes).
import type { CaseProjection } from "./projection.ts";

export interface LiveCaseChange {
  kind: "case.changed";
  tenantId: string;
  caseId: string;
  version: number;
  /** The kinds of event this version added (case.acknowledged, sla.breached, ...). */
  eventTypes: string[];
  row: Omit<CaseProjection, "resolution" | "mergedInto" | "closedAt">;
}

export function liveCaseChange(
  tenantId: string,
  projection: CaseProjection,
  eventTypes: readonly string[],
): LiveCaseChange {
  const { resolution: _r, mergedInto: _m, closedAt: _c, ...row } = projection;
  return {
    kind: "case.changed",
    tenantId,
    caseId: projection.id,
    version: projection.version,
    eventTypes: [...eventTypes],
    row,
  };
}
