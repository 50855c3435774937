// The change feed (issue 16): what changed in a tenant, in the order it committed, so the Platform
// mirrors Phoenix by reading forward from its last cursor instead of polling everything. Rows are
// written in the same D1 batch as the change itself (the case projection, the alert upsert), so
// the feed never shows a change that did not happen, nor misses one that did.
import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { alerts, changes } from "../../schema/tenant.ts";
import { PhoenixError } from "../errors.ts";

export type ChangeRow = typeof changes.$inferSelect;
export type ChangeKind = ChangeRow["kind"];

/** What a case version says in the feed: enough to decide whether to fetch the case. */
export interface CaseChange {
  id: string;
  version: number;
  state: string;
  severity: string;
  priority: string;
  assigneeId: string | null;
  updatedAt: number;
}

export function caseChangeWrite(db: D1Database, c: CaseChange): BatchItem<"sqlite"> {
  return drizzle(db)
    .insert(changes)
    .values({
      kind: "case",
      entityId: c.id,
      version: c.version,
      type: c.version === 1 ? "case.opened" : "case.changed",
      at: c.updatedAt,
      data: { state: c.state, severity: c.severity, priority: c.priority, assignee: c.assigneeId },
    })
    .onConflictDoNothing();
}

/** An alert joined to (`linked`) or taken out of a case, as that case's version `version` says. */
export function alertLinkedWrite(
  db: D1Database,
  alertId: string,
  caseId: string,
  linked: boolean,
  version: number,
  at: number,
): BatchItem<"sqlite"> {
  return drizzle(db)
    .insert(changes)
    .values({
      kind: "alert",
      entityId: alertId,
      origin: caseId,
      version,
      type: linked ? "alert.linked" : "alert.unlinked",
      at,
      data: { case_id: linked ? caseId : null },
    })
    .onConflictDoNothing();
}

/** Several alerts joined to one case at its version `version`, as alertLinkedWrite writes each. */
export function alertsLinkedWrite(
  db: D1Database,
  caseId: string,
  version: number,
  joined: ReadonlyArray<readonly [alertId: string, at: number]>,
): BatchItem<"sqlite"> {
  return drizzle(db)
    .insert(changes)
    .select(
      // NULL takes the next AUTOINCREMENT value; every column, in the table's order.
      sql`SELECT NULL, 'alert', json_extract(value, '$[0]'), ${version}, 'alert.linked', json_extract(value, '$[1]'),
        json_object('case_id', ${caseId}), ${caseId} FROM json_each(${JSON.stringify(joined)}) WHERE true`,
    )
    .onConflictDoNothing();
}

/**
 * After the alert upserts in the same batch: each alert as created, or seen again (a duplicate
 * delivery counts one more occurrence). Read from the rows themselves, so it is right either way.
 * One JSON parameter carries every key (D1 binds at most 100).
 */
export function alertsStoredWrite(
  db: D1Database,
  dedupKeys: readonly string[],
  at: number,
): BatchItem<"sqlite"> {
  const d = drizzle(db);
  const count = alerts.occurrenceCount;
  return d
    .insert(changes)
    .select(
      d
        .select({
          // NULL takes the next AUTOINCREMENT value; drizzle wants every column, in order.
          seq: sql<number>`NULL`.as("seq"),
          kind: sql<"alert">`'alert'`.as("kind"),
          entityId: alerts.id,
          version: count,
          type: sql<string>`CASE WHEN ${count} = 1 THEN 'alert.created' ELSE 'alert.seen_again' END`.as(
            "type",
          ),
          at: sql<number>`${at}`.as("at"),
          data: sql<Record<string, unknown>>`json_object('occurrences', ${count})`.as("data"),
          origin: sql<string>`''`.as("origin"),
        })
        .from(alerts)
        .where(sql`${alerts.dedupKey} IN (SELECT value FROM json_each(${JSON.stringify(dedupKeys)}))`),
    )
    .onConflictDoNothing();
}

export interface ChangePage {
  items: ChangeRow[];
  /** Where to read on from: the last row's position, or `since` again when nothing was new. */
  nextCursor: string;
}

const CURSOR = /^chg_(\d{1,15})$/;
export const cursorAt = (seq: number) => `chg_${seq}`;

/** Changes after `since` (the start when absent), oldest first, of the kinds the caller may read. */
export async function readChanges(
  db: D1Database,
  q: { since?: string | undefined; limit: number; kinds: readonly ChangeKind[] },
): Promise<ChangePage> {
  let after = 0;
  if (q.since !== undefined) {
    const m = CURSOR.exec(q.since);
    if (!m)
      throw new PhoenixError("validation_failed", "since is not a change cursor", [
        { field: "since", message: "must be a next_cursor this feed returned (chg_…)" },
      ]);
    after = Number(m[1]);
  }
  const items =
    q.kinds.length === 0
      ? []
      : await drizzle(db)
          .select()
          .from(changes)
          .where(and(gt(changes.seq, after), inArray(changes.kind, [...q.kinds])))
          .orderBy(asc(changes.seq))
          .limit(q.limit);
  const last = items.at(-1);
  return { items, nextCursor: cursorAt(last ? last.seq : after) };
}

/** One entity's changes, for tests and support. */
export async function changesOf(db: D1Database, kind: ChangeKind, entityId: string): Promise<ChangeRow[]> {
  return drizzle(db)
    .select()
    .from(changes)
    .where(and(eq(changes.kind, kind), eq(changes.entityId, entityId)))
    .orderBy(asc(changes.seq));
}
