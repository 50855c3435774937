// The read models a case object keeps up to date from its outbox: the tenant's `cases` row, its
// timeline, comments and alert links, and the cross-tenant work queue. Each write is idempotent and
// guarded by the case version, so a replayed or late projection never moves a row backwards.
import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { workQueue } from "../../schema/control.ts";
import { alerts, cases, caseTimeline, comments } from "../../schema/tenant.ts";
import { alertLinkedWrite, alertsLinkedWrite, caseChangeWrite } from "../changes/feed.ts";
import { chunks } from "../chunks.ts";
import { guardedAlertCountWrites } from "../reports/aggregates.ts";
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
  // Alerts joining the case are written together, a few statements for any number of them (a
  // correlation storm links hundreds at a time); every other event row by row.
  const joined: Array<{ alertId: string; at: number }> = [];
  const linkedEntries: TimelineEntry[] = [];
  for (const entry of timeline) {
    const event = entry.data;
    if (event.type === "case.alert_linked") {
      linkedEntries.push(entry);
      joined.push({ alertId: event.alertId, at: event.at });
      continue;
    }
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
    if (event.type === "case.opened") {
      joined.push(...event.alertIds.map((alertId) => ({ alertId, at: event.at })));
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
  writes.push(...linkedTimelineWrites(db, id, linkedEntries), ...alertJoinWrites(db, id, p.version, joined));
  return writes;
}

const ROWS_PER_STATEMENT = 500;

/**
 * The timeline rows of `case.alert_linked` events, with their report counts first (each guarded by
 * its own row, as reportWrites does one by one); alerts a merge moves here were counted before.
 */
function linkedTimelineWrites(
  db: D1Database,
  caseId: string,
  entries: readonly TimelineEntry[],
): BatchItem<"sqlite">[] {
  const d = drizzle(db);
  const writes: BatchItem<"sqlite">[] = [];
  const counted = entries.filter(
    (e) => !(e.data.actor.kind === "system" && e.data.actor.id.startsWith("merge:")),
  );
  for (const part of chunks(counted, ROWS_PER_STATEMENT)) {
    writes.push(
      ...guardedAlertCountWrites(
        db,
        "grouped",
        caseId,
        part.map((e) => ({ alertId: (e.data as { alertId: string }).alertId, seq: e.seq, at: e.at })),
      ),
    );
  }
  for (const part of chunks(entries, ROWS_PER_STATEMENT)) {
    const rows = JSON.stringify(part.map((e) => [e.seq, e.type, e.actor, e.at, JSON.stringify(e.data)]));
    writes.push(
      d
        .insert(caseTimeline)
        .select(
          sql`SELECT ${caseId}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
            json_extract(value, '$[3]'), json_extract(value, '$[4]') FROM json_each(${rows}) WHERE true`,
        )
        .onConflictDoNothing(),
    );
  }
  return writes;
}

/** Alerts that joined the case at version `version`: their case, and each one's change-feed row. */
function alertJoinWrites(
  db: D1Database,
  caseId: string,
  version: number,
  joined: ReadonlyArray<{ alertId: string; at: number }>,
): BatchItem<"sqlite">[] {
  const d = drizzle(db);
  return chunks(joined, ROWS_PER_STATEMENT).flatMap((part) => {
    const ids = JSON.stringify(part.map((j) => j.alertId));
    return [
      d.update(alerts).set({ caseId }).where(sql`${alerts.id} IN (SELECT value FROM json_each(${ids}))`),
      alertsLinkedWrite(
        db,
        caseId,
        version,
        part.map((j) => [j.alertId, j.at]),
      ),
    ];
  });
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
