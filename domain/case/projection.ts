// What a case looks like in the read models: the tenant's `cases` table and the cross-tenant work
// queue. Derived from the case state alone, so any replay of the same version writes the same row.
import type { SlaClock, SlaClockName } from "../sla/types.ts";
import type { CaseState } from "./model.ts";

export interface CaseProjection {
  id: string;
  title: string;
  severity: string;
  priority: string;
  state: string;
  assigneeId: string | null;
  queue: string;
  resolution: string | null;
  mergedInto: string | null;
  alertCount: number;
  slaWarnAt: number | null;
  slaDueAt: number | null;
  /** The clock slaDueAt belongs to: the one due next. */
  slaDueClock: SlaClockName | null;
  slaBreachedAt: number | null;
  version: number;
  openedAt: number;
  updatedAt: number;
  closedAt: number | null;
}

export function projectCase(state: CaseState, version: number): CaseProjection {
  const clocks: SlaClock[] = Object.values(state.sla.clocks);
  const pending = clocks.filter((c) => c.metAt === null);
  return {
    id: state.id,
    title: state.title,
    severity: state.severity,
    priority: state.priority,
    state: state.status,
    assigneeId: state.assignee,
    queue: state.queue,
    resolution: state.resolution,
    mergedInto: state.mergedInto,
    alertCount: Object.keys(state.alerts).length,
    slaWarnAt: earliest(pending.map((c) => c.warnAt)),
    slaDueAt: earliest(pending.map((c) => c.dueAt)),
    slaDueClock: dueNext(state.sla.clocks),
    slaBreachedAt: earliest(clocks.flatMap((c) => (c.breachedAt === null ? [] : [c.breachedAt]))),
    version,
    openedAt: state.openedAt,
    updatedAt: state.updatedAt,
    closedAt: state.closedAt,
  };
}

function dueNext(clocks: CaseState["sla"]["clocks"]): SlaClockName | null {
  let next: { name: SlaClockName; dueAt: number } | null = null;
  for (const [name, clock] of Object.entries(clocks) as [SlaClockName, SlaClock][]) {
    if (clock.metAt === null && (next === null || clock.dueAt < next.dueAt))
      next = { name, dueAt: clock.dueAt };
  }
  return next?.name ?? null;
}

function earliest(values: number[]): number | null {
  return values.length === 0 ? null : Math.min(...values);
}
