// Listing cases from the tenant's projection: filters, two sort orders, keyset cursors.
import { and, asc, desc, eq, gt, gte, isNotNull, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { cases } from "../../schema/tenant.ts";
import { decodeCursor, keysetPage } from "../pagination.ts";
import type { SlaStatus } from "../sla/types.ts";

export type CaseRow = typeof cases.$inferSelect;
const CASE_SLA_COLUMNS = { warnAt: cases.slaWarnAt, dueAt: cases.slaDueAt, breachedAt: cases.slaBreachedAt };
export const MAX_CASE_PAGE_SIZE = 200;

export interface CaseListQuery {
  limit: number;
  cursor?: string | undefined;
  state?: string | undefined;
  severity?: string | undefined;
  assignee?: string | undefined;
  slaStatus?: SlaStatus | undefined;
  updatedSince?: number | undefined;
  sort: "updated" | "sla_due";
  now: number;
}

// Cases with no pending deadline sort after every real one.
const NO_DEADLINE = 8_640_000_000_000_000;
// A literal, not a bound parameter, so SQLite matches it to the cases_due_key_idx expression index.
const dueKey = sql<number>`coalesce(${cases.slaDueAt}, ${sql.raw(String(NO_DEADLINE))})`;

export async function listCases(
  db: D1Database,
  q: CaseListQuery,
): Promise<{ items: CaseRow[]; nextCursor: string | null }> {
  const fingerprint = JSON.stringify([q.state, q.severity, q.assignee, q.slaStatus, q.updatedSince, q.sort]);
  const conditions: SQL[] = [];
  if (q.state) conditions.push(eq(cases.state, q.state));
  if (q.severity) conditions.push(eq(cases.severity, q.severity));
  if (q.assignee) conditions.push(eq(cases.assigneeId, q.assignee));
  if (q.updatedSince !== undefined) conditions.push(gte(cases.updatedAt, q.updatedSince));
  if (q.slaStatus) conditions.push(slaStatusIs(CASE_SLA_COLUMNS, q.slaStatus, q.now));

  if (q.cursor) {
    const after = decodeCursor(q.cursor, fingerprint);
    const next =
      q.sort === "updated"
        ? or(
            sql`${cases.updatedAt} < ${after.k}`,
            and(eq(cases.updatedAt, after.k), sql`${cases.id} < ${after.id}`),
          )
        : or(sql`${dueKey} > ${after.k}`, and(sql`${dueKey} = ${after.k}`, gt(cases.id, after.id)));
    if (next) conditions.push(next);
  }

  const limit = Math.min(Math.max(q.limit, 1), MAX_CASE_PAGE_SIZE);
  const order = q.sort === "updated" ? [desc(cases.updatedAt), desc(cases.id)] : [asc(dueKey), asc(cases.id)];
  const rows = await drizzle(db)
    .select()
    .from(cases)
    .where(and(...conditions))
    .orderBy(...order)
    .limit(limit + 1);
  const key = (row: CaseRow) => (q.sort === "updated" ? row.updatedAt : (row.slaDueAt ?? NO_DEADLINE));
  return keysetPage(rows, limit, (r) => ({ k: key(r), id: r.id }), fingerprint);
}

/** Open cases an analyst may link alerts to: not closed nor merged, the most recently active first. */
export async function openCaseChoices(
  db: D1Database,
  limit: number,
): Promise<Array<Pick<CaseRow, "id" | "title" | "severity" | "state">>> {
  return drizzle(db)
    .select({ id: cases.id, title: cases.title, severity: cases.severity, state: cases.state })
    .from(cases)
    .where(and(sql`${cases.state} <> 'closed'`, isNull(cases.mergedInto)))
    .orderBy(desc(cases.updatedAt), desc(cases.id))
    .limit(limit);
}

/** One case's title and state from the projection, or null before it has caught up. */
export async function caseHeadline(
  db: D1Database,
  id: string,
): Promise<Pick<CaseRow, "id" | "title" | "state"> | null> {
  const [row] = await drizzle(db)
    .select({ id: cases.id, title: cases.title, state: cases.state })
    .from(cases)
    .where(eq(cases.id, id));
  return row ?? null;
}

/** A projected case's SLA status at `now`; the same rule as the `sla_status` filter below. */
export function projectedSlaStatus(
  row: Pick<CaseRow, "slaBreachedAt" | "slaDueAt" | "slaWarnAt">,
  now: number,
): SlaStatus {
  if (row.slaBreachedAt !== null || (row.slaDueAt !== null && row.slaDueAt <= now)) return "breached";
  if (row.slaWarnAt !== null && row.slaWarnAt <= now) return "warning";
  return "ok";
}

/** The projected deadline columns of a read model (the tenant's cases, or the work queue). */
export interface SlaColumns {
  warnAt: SQLiteColumn;
  dueAt: SQLiteColumn;
  breachedAt: SQLiteColumn;
}

/** SLA status at `now`, from the projected deadlines (see slaStatus in domain/sla for one case). */
export function slaStatusIs(c: SlaColumns, status: SlaStatus, now: number): SQL {
  const breached = or(isNotNull(c.breachedAt), lte(c.dueAt, now)) as SQL;
  const warning = and(isNull(c.breachedAt), gt(c.dueAt, now), lte(c.warnAt, now)) as SQL;
  switch (status) {
    case "breached":
      return breached;
    case "warning":
      return warning;
    case "ok":
      return and(
        isNull(c.breachedAt),
        or(isNull(c.dueAt), gt(c.dueAt, now)),
        or(isNull(c.warnAt), gt(c.warnAt, now)),
      ) as SQL;
    default: {
      const unknown: never = status;
      throw new Error(`unknown SLA status ${String(unknown)}`);
    }
  }
}
