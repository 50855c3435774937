// The cross-tenant work queue as a person sees it: the cases of every tenant they hold a grant on,
// read from CONTROL_DB's work_queue index (never a fan-out to each tenant's database), filtered,
// sorted and paged with keyset cursors that stay stable while cases change.
import { and, asc, desc, eq, inArray, isNull, ne, type SQL, sql } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import { principals, tenants, workQueue } from "../../schema/control.ts";
import { CASE_PRIORITIES, CASE_SEVERITIES, CASE_STATUSES } from "../case-vocabulary.ts";
import { PhoenixError } from "../errors.ts";
import { idSchema } from "../ids.ts";
import { decodeCursor, keysetPage } from "../pagination.ts";
import type { SlaClockName } from "../sla/types.ts";
import { assignablePeopleQuery } from "./assignees.ts";
import { slaStatusIs } from "./queries.ts";
import { QUEUE_SORTS, type QueueSort, type QueueView } from "./queue-view.ts";
import { savedViewsQuery } from "./saved-views.ts";

export { QUEUE_SORTS, type QueueSort, type QueueView, queueViewSearch } from "./queue-view.ts";

const QUEUE_STATES = ["open", "all", ...CASE_STATUSES] as const;
export const QUEUE_PAGE_SIZE = 50;

const QUEUE_SLA_COLUMNS = {
  warnAt: workQueue.slaWarnAt,
  dueAt: workQueue.slaDueAt,
  breachedAt: workQueue.slaBreachedAt,
};
const searchSchema = z.string().trim().max(200);

/**
 * A queue view as the URL carries it, so a view is shared by pasting its address. Every field is
 * optional in the URL; what is left out takes the default.
 */
export const queueViewSchema = z.strictObject({
  tenant: idSchema("tenant", "tenant").optional(),
  state: z.enum(QUEUE_STATES).default("open"),
  severity: z.enum(CASE_SEVERITIES).optional(),
  assignee: z.union([z.enum(["me", "unassigned"]), idSchema("principal", "person")]).optional(),
  sla: z.enum(["ok", "warning", "breached"]).optional(),
  q: searchSchema.optional(),
  sort: z.enum(QUEUE_SORTS).default("sla"),
});

/** The view named by a URL's query string; a value that is not one of the choices is a 400. */
export function queueViewFrom(params: URLSearchParams): { view: QueueView; cursor: string | undefined } {
  const fields: Record<string, string> = {};
  for (const key of Object.keys(queueViewSchema.shape)) {
    const value = params.get(key);
    if (value !== null && value !== "") fields[key] = value;
  }
  const parsed = queueViewSchema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? "view");
    throw new PhoenixError("invalid_parameter", `the queue cannot be filtered by this ${field}`, [
      { field, message: issue?.message ?? "is not valid" },
    ]);
  }
  const view: QueueView = parsed.data;
  return { view, cursor: params.get("cursor") || undefined };
}

export interface QueueRow {
  caseId: string;
  tenantId: string;
  tenantName: string;
  title: string;
  severity: string;
  priority: string;
  state: string;
  assigneeId: string | null;
  assigneeName: string | null;
  slaWarnAt: number | null;
  slaDueAt: number | null;
  slaDueClock: SlaClockName | null;
  slaBreachedAt: number | null;
  alertCount: number;
  openedAt: number;
  updatedAt: number;
  version: number;
}

export interface QueueQuery {
  /** The tenants the person holds a grant on: nothing outside them is ever read. */
  tenantIds: readonly string[];
  /** Who "me" is. */
  viewerId: string;
  view: QueueView;
  cursor?: string | undefined;
  limit?: number;
  now: number;
}

// Cases with no pending deadline sort after every real one (the literal matches the expression index).
const NO_DEADLINE = 8_640_000_000_000_000;
const dueKey = sql<number>`coalesce(${workQueue.slaDueAt}, ${sql.raw(String(NO_DEADLINE))})`;

// Literals, not parameters: SQLite uses an expression index only for the very same expression
// (schema/control.ts indexes each rank). The values are Phoenix's own vocabulary, never input.
function rank(column: SQLiteColumn, values: readonly string[]): SQL<number> {
  const cases = values.map((v, i) => sql.raw(`when '${v}' then ${i + 1}`));
  return sql<number>`(case ${column} ${sql.join(cases, sql` `)} else 0 end)`;
}

// Severity counts up (critical last in the vocabulary, so highest); priority counts down (P1 first).
const severityRank = rank(workQueue.severity, CASE_SEVERITIES);
const priorityRank = rank(workQueue.priority, [...CASE_PRIORITIES].reverse());

/** Each sort as one numeric key and its direction; the case id breaks ties in the same direction. */
const SORT_KEYS: Record<QueueSort, { key: SQL<number>; dir: "asc" | "desc"; of: (r: QueueRow) => number }> = {
  sla: { key: dueKey, dir: "asc", of: (r) => r.slaDueAt ?? NO_DEADLINE },
  severity: {
    key: severityRank,
    dir: "desc",
    of: (r) => CASE_SEVERITIES.indexOf(r.severity as (typeof CASE_SEVERITIES)[number]) + 1,
  },
  priority: {
    key: priorityRank,
    dir: "desc",
    of: (r) => [...CASE_PRIORITIES].reverse().indexOf(r.priority as (typeof CASE_PRIORITIES)[number]) + 1,
  },
  activity: { key: sql<number>`${workQueue.updatedAt}`, dir: "desc", of: (r) => r.updatedAt },
  age: { key: sql<number>`${workQueue.openedAt}`, dir: "asc", of: (r) => r.openedAt },
};

export async function listWorkQueue(
  controlDb: D1Database,
  q: QueueQuery,
): Promise<{ rows: QueueRow[]; nextCursor: string | null }> {
  const built = queueQuery(drizzle(controlDb), q);
  if (!built) return { rows: [], nextCursor: null };
  return built.page(await built.query);
}

/**
 * Everything the queue page reads, in one round trip: the page of cases, the person's saved views
 * and the people its cases can be assigned to.
 */
export async function queuePage(controlDb: D1Database, q: QueueQuery) {
  const d = drizzle(controlDb);
  const built = queueQuery(d, q);
  const views = savedViewsQuery(d, q.viewerId);
  const people = assignablePeopleQuery(d, q.tenantIds);
  if (!built) {
    const [savedViews, assignable] = await d.batch([views, people]);
    return { rows: [] as QueueRow[], nextCursor: null, views: savedViews, people: assignable };
  }
  const [rows, savedViews, assignable] = await d.batch([built.query, views, people]);
  return { ...built.page(rows), views: savedViews, people: assignable };
}

/** SQLite's plan for a queue query, one line per step: how tests hold the queue to its indexes. */
export async function explainWorkQueue(controlDb: D1Database, q: QueueQuery): Promise<string[]> {
  const built = queueQuery(drizzle(controlDb), q);
  if (!built) return [];
  const { sql: text, params } = built.query.toSQL();
  const plan = await controlDb
    .prepare(`EXPLAIN QUERY PLAN ${text}`)
    .bind(...params)
    .all<{ detail: string }>();
  return plan.results.map((r) => r.detail);
}

function queueQuery(d: DrizzleD1Database, q: QueueQuery) {
  const { view } = q;
  const tenantIds = view.tenant ? q.tenantIds.filter((id) => id === view.tenant) : [...q.tenantIds];
  if (tenantIds.length === 0) return null;

  // The unary plus keeps SQLite off the tenant index: walking the sort's own index (which carries
  // tenant and state) stops after one page, where the tenant index means sorting all their cases.
  const conditions: SQL[] = [inArray(sql`+${workQueue.tenantId}`, tenantIds)];
  if (view.state === "open") conditions.push(ne(workQueue.state, "closed"));
  else if (view.state !== "all") conditions.push(eq(workQueue.state, view.state));
  if (view.severity) conditions.push(eq(workQueue.severity, view.severity));
  if (view.assignee === "me") conditions.push(eq(workQueue.assigneeId, q.viewerId));
  else if (view.assignee === "unassigned") conditions.push(isNull(workQueue.assigneeId));
  else if (view.assignee) conditions.push(eq(workQueue.assigneeId, view.assignee));
  if (view.sla) conditions.push(slaStatusIs(QUEUE_SLA_COLUMNS, view.sla, q.now));
  if (view.q) conditions.push(sql`${workQueue.title} like ${`%${escapeLike(view.q)}%`} escape '\\'`);

  const sort = SORT_KEYS[view.sort];
  // Everything that changes which rows match, so a cursor cannot be replayed against another view.
  const fingerprint = JSON.stringify({ ...view, tenantIds, me: q.viewerId });
  if (q.cursor) {
    const after = decodeCursor(q.cursor, fingerprint);
    // A row value, so SQLite seeks to the position in the sort's index instead of filtering.
    const beyond = sql.raw(sort.dir === "asc" ? ">" : "<");
    conditions.push(sql`(${sort.key}, ${workQueue.caseId}) ${beyond} (${after.k}, ${after.id})`);
  }

  const limit = Math.min(Math.max(q.limit ?? QUEUE_PAGE_SIZE, 1), 200);
  const order =
    sort.dir === "asc" ? [asc(sort.key), asc(workQueue.caseId)] : [desc(sort.key), desc(workQueue.caseId)];
  const query = queueRows(d)
    .where(and(...conditions))
    .orderBy(...order)
    .limit(limit + 1);
  const page = (rows: QueueRow[]) => {
    const kept = keysetPage(rows, limit, (r) => ({ k: sort.of(r), id: r.caseId }), fingerprint);
    return { rows: kept.items, nextCursor: kept.nextCursor };
  };
  return { query, page };
}

/**
 * Until when a queue page rendered at `now` still shows the truth as time alone passes: the next
 * moment a row's SLA badge would turn (warning, breached), at most `maxAgeMs` away. A view filtered
 * by SLA status gains and loses cases with the clock, so it holds for no time at all.
 */
export function queuePageFreshUntil(
  view: QueueView,
  rows: readonly Pick<QueueRow, "slaWarnAt" | "slaDueAt" | "slaBreachedAt">[],
  now: number,
  maxAgeMs: number,
): number {
  if (view.sla) return now;
  let until = now + maxAgeMs;
  for (const row of rows) {
    if (row.slaBreachedAt !== null) continue;
    for (const turn of [row.slaWarnAt, row.slaDueAt]) {
      if (turn !== null && turn > now && turn < until) until = turn;
    }
  }
  return until;
}

/** One case's queue row, if it is in one of these tenants: how the case page finds its tenant. */
export async function findQueuedCase(
  controlDb: D1Database,
  caseId: string,
  tenantIds: readonly string[],
): Promise<QueueRow | null> {
  const [row] = await queuedCaseQuery(drizzle(controlDb), caseId, tenantIds);
  return row ?? null;
}

/** The case's queue row among `tenantIds` (none when it is in none of them), for a caller that batches it. */
export function queuedCaseQuery(d: DrizzleD1Database, caseId: string, tenantIds: readonly string[]) {
  return queueRows(d)
    .where(and(eq(workQueue.caseId, caseId), inArray(workQueue.tenantId, [...tenantIds])))
    .limit(1);
}

/**
 * The tenant of the case, as a subquery, when it is one of `tenantIds` (else null, which matches no
 * row): reads about the case's tenant can then ride in the same batch as the case's own row.
 */
export function queuedCaseTenant(caseId: string, tenantIds: readonly string[]): SQL<string> {
  const found = and(eq(workQueue.caseId, caseId), inArray(workQueue.tenantId, [...tenantIds]));
  return sql<string>`(select ${workQueue.tenantId} from ${workQueue} where ${found})`;
}

/** The queue's rows with their tenant's and assignee's names, for a query to narrow. */
function queueRows(d: DrizzleD1Database) {
  return d
    .select({
      caseId: workQueue.caseId,
      tenantId: workQueue.tenantId,
      tenantName: tenants.name,
      title: workQueue.title,
      severity: workQueue.severity,
      priority: workQueue.priority,
      state: workQueue.state,
      assigneeId: workQueue.assigneeId,
      assigneeName: principals.displayName,
      slaWarnAt: workQueue.slaWarnAt,
      slaDueAt: workQueue.slaDueAt,
      slaDueClock: sql<SlaClockName | null>`${workQueue.slaDueClock}`,
      slaBreachedAt: workQueue.slaBreachedAt,
      alertCount: workQueue.alertCount,
      openedAt: workQueue.openedAt,
      updatedAt: workQueue.updatedAt,
      version: workQueue.version,
    })
    .from(workQueue)
    .innerJoin(tenants, eq(tenants.id, workQueue.tenantId))
    .leftJoin(principals, eq(principals.id, workQueue.assigneeId))
    .$dynamic();
}

function escapeLike(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("%", "\\%").replaceAll("_", "\\_");
}
