// The open work across a person's tenants, from CONTROL_DB's work queue (what the queue page reads):
// cases by state and age, and the SLA breaches of the last day. Counted in SQL, never row by row.
import { and, desc, gte, inArray, ne, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { tenants, workQueue } from "../../schema/control.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** How long open cases have been open, youngest first; each band ends where the next starts. */
export const AGE_BANDS = [
  { key: "under_1h", label: "under 1 hour", below: HOUR },
  { key: "under_1d", label: "1 to 24 hours", below: DAY },
  { key: "under_7d", label: "1 to 7 days", below: 7 * DAY },
  { key: "over_7d", label: "over 7 days", below: Number.MAX_SAFE_INTEGER },
] as const;
export type AgeBand = (typeof AGE_BANDS)[number]["key"];

export interface OpenCases {
  total: number;
  byState: Array<{ state: string; count: number }>;
  byAge: Array<{ band: AgeBand; count: number }>;
}

export async function openCases(
  controlDb: D1Database,
  tenantIds: readonly string[],
  now: number,
): Promise<OpenCases> {
  if (tenantIds.length === 0)
    return { total: 0, byState: [], byAge: AGE_BANDS.map((b) => ({ band: b.key, count: 0 })) };
  const band = sql<AgeBand>`(case ${sql.join(
    AGE_BANDS.map((b) => sql`when ${now} - ${workQueue.openedAt} < ${b.below} then ${b.key}`),
    sql` `,
  )} end)`;
  const rows = await drizzle(controlDb)
    .select({ state: workQueue.state, band, count: sql<number>`count(*)`.mapWith(Number) })
    .from(workQueue)
    .where(and(inArray(workQueue.tenantId, [...tenantIds]), ne(workQueue.state, "closed")))
    .groupBy(workQueue.state, band);
  const byState = new Map<string, number>();
  const byAge = new Map<AgeBand, number>(AGE_BANDS.map((b) => [b.key, 0]));
  for (const row of rows) {
    byState.set(row.state, (byState.get(row.state) ?? 0) + row.count);
    byAge.set(row.band, (byAge.get(row.band) ?? 0) + row.count);
  }
  return {
    total: rows.reduce((n, r) => n + r.count, 0),
    byState: [...byState].map(([state, count]) => ({ state, count })),
    byAge: [...byAge].map(([b, count]) => ({ band: b, count })),
  };
}

export interface RecentBreach {
  caseId: string;
  tenantId: string;
  tenantName: string;
  title: string;
  severity: string;
  state: string;
  breachedAt: number;
}

/**
 * Cases whose first SLA breach fell in the 24 hours before `now`, newest first. The queue keeps a
 * case's earliest breach, so a case that breached before and again today is not listed again.
 */
export async function recentBreaches(
  controlDb: D1Database,
  tenantIds: readonly string[],
  now: number,
  limit = 20,
): Promise<RecentBreach[]> {
  if (tenantIds.length === 0) return [];
  const rows = await drizzle(controlDb)
    .select({
      caseId: workQueue.caseId,
      tenantId: workQueue.tenantId,
      tenantName: tenants.name,
      title: workQueue.title,
      severity: workQueue.severity,
      state: workQueue.state,
      breachedAt: workQueue.slaBreachedAt,
    })
    .from(workQueue)
    .innerJoin(tenants, sql`${tenants.id} = ${workQueue.tenantId}`)
    .where(and(inArray(workQueue.tenantId, [...tenantIds]), gte(workQueue.slaBreachedAt, now - DAY)))
    .orderBy(desc(workQueue.slaBreachedAt))
    .limit(limit);
  return rows.map((r) => ({ ...r, breachedAt: r.breachedAt ?? 0 }));
}
