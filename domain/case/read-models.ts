// The read models a case object keeps up to date from its outbox: the tenant's `cases` row, its
// timeline, comments and alert links, and the cross-tenant work queue. Each write is idempotent and
// guarded by the case version, so a replayed or late projection never moves a row backwards.
import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { workQueue } from "../../schema/control.ts";
import { alerts, cases, caseTimeline, comments } from "../../schema/tenant.ts";
import { alertLinkedWrite, caseChangeWrite } from "../changes/feed.ts";
import type { Actor, CaseEvent, CaseSeverity } from "./model.ts";
import type { CaseProjection } from "./projection.ts";
import { reportWrites } from "./report-facts.ts";

/** One event of the case's log as the timeline shows it. */
export interface TimelineEntry {
  seq: number;
  type: string;
  actor: string;
  at: number;
  data: CaseEvent;
}

/** How the timeline and comments name an actor: `user:prn_…`, `client:…`, `system:…`. */
export function actorLabel(actor: Actor): string {
  return `${actor.kind}:${actor.id}`;
}

/** The tenant database's writes for one projected case version, to run in one batch. */
export function caseProjectionWrites(
  db: D1Database,
  p: CaseProjection,
  timeline: readonly TimelineEntry[],
): [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] {
  const d = drizzle(db);
  // The due clock is shown by the cross-tenant queue only; the tenant's rows keep the deadline.
  const { id, openedAt, slaDueClock: _queueOnly, ...changed } = p;
  const writes: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
    d
      .insert(cases)
      .values({ id, openedAt, ...changed })
      .onConflictDoUpdate({ target: cases.id, set: changed, setWhere: sql`${cases.version} < ${p.version}` }),
    caseChangeWrite(db, p),
  ];
  for (const entry of timeline) {
    // Before the timeline row: the report writes count only while that row is not there yet.
    writes.push(...reportWrites(db, entry.data, { caseId: id, seq: entry.seq }, p.severity as CaseSeverity));
    writes.push(
      d
        .insert(caseTimeline)
        .values({
          caseId: id,
          seq: entry.seq,
          type: entry.type,
          actor: entry.actor,
          at: entry.at,
          data: { ...entry.data },
        })
        .onConflictDoNothing(),
    );
    const event = entry.data;
    if (event.type === "case.alert_linked" || (event.type === "case.opened" && event.alertIds.length > 0)) {
      const ids = event.type === "case.alert_linked" ? [event.alertId] : event.alertIds;
      for (const alertId of ids) {
        writes.push(d.update(alerts).set({ caseId: id }).where(eq(alerts.id, alertId)));
        writes.push(alertLinkedWrite(db, alertId, id, true, p.version, event.at));
      }
    } else if (event.type === "case.alert_unlinked") {
      writes.push(
        d
          .update(alerts)
          .set({ caseId: null })
          .where(and(eq(alerts.id, event.alertId), eq(alerts.caseId, id))),
        alertLinkedWrite(db, event.alertId, id, false, p.version, event.at),
      );
    } else if (event.type === "case.commented") {
      writes.push(
        d
          .insert(comments)
          .values({
            id: event.commentId,
            caseId: id,
            authorId: actorLabel(event.actor),
            body: event.body,
            visibility: event.visibility,
            createdAt: event.at,
          })
          .onConflictDoNothing(),
      );
    }
  }
  return writes;
}

/** Version-guarded upsert of a case's routing metadata into the cross-tenant work queue. */
export async function upsertWorkQueue(
  controlDb: D1Database,
  tenantId: string,
  p: CaseProjection,
): Promise<void> {
  const row = {
    tenantId,
    title: p.title,
    severity: p.severity,
    priority: p.priority,
    state: p.state,
    assigneeId: p.assigneeId,
    queue: p.queue,
    slaWarnAt: p.slaWarnAt,
    slaDueAt: p.slaDueAt,
    slaDueClock: p.slaDueClock,
    slaBreachedAt: p.slaBreachedAt,
    alertCount: p.alertCount,
    openedAt: p.openedAt,
    version: p.version,
    updatedAt: p.updatedAt,
  };
  await drizzle(controlDb)
    .insert(workQueue)
    .values({ caseId: p.id, ...row })
    .onConflictDoUpdate({
      target: workQueue.caseId,
      set: row,
      setWhere: sql`${workQueue.version} < ${p.version}`,
    });
}
