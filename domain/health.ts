// One tenant's operational health, from figures that cost a few indexed queries: nothing here asks
// a CaseObject (one RPC per case would not scale) or reads another tenant's rows. What each figure
// means, and why it is a fair stand-in for what cannot be read directly, is in docs/decisions/023.
import { and, count, desc, eq, isNotNull, isNull, lte, min, notInArray, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { workQueue } from "../schema/control.ts";
import { alerts, cases as caseRows, quarantine as quarantined } from "../schema/tenant.ts";
import { loadCaseConfig } from "./case/config.ts";

/** Recently changed cases whose two read models are compared for outbox lag. */
export const OUTBOX_SAMPLE = 500;

export interface TenantHealth {
  outbox: {
    /** Cases (of the sample) whose case projection and work-queue row disagree on the version. */
    laggingCases: number;
    /** How long the oldest of those has waited, at least; null when none lags. */
    oldestEntryAgeMs: number | null;
    casesCompared: number;
  };
  slaSweep: {
    /** Open cases whose SLA deadline passed with no breach recorded. */
    overdueCases: number;
    /** How far past its deadline the most overdue of them is; null when none. */
    lagMs: number | null;
  };
  quarantine: { pending: number; oldestAgeMs: number | null };
  correlation: { owedAlerts: number; oldestAgeMs: number | null };
}

interface Version {
  id: string;
  version: number;
  updatedAt: number;
}

export async function tenantHealth(
  controlDb: D1Database,
  tenantDb: D1Database,
  tenantId: string,
  now: number,
): Promise<TenantHealth> {
  const [outbox, slaSweep, quarantine, correlation] = await Promise.all([
    outboxLag(controlDb, tenantDb, tenantId, now),
    slaSweepLag(controlDb, tenantId, now),
    backlog(tenantDb, quarantined, quarantined.receivedAt, isNull(quarantined.replayedAt), now),
    backlog(
      tenantDb,
      alerts,
      alerts.createdAt,
      // Alerts without a key (POST /v1/alerts) are never grouped, so they are never owed.
      and(isNull(alerts.correlatedAt), isNotNull(alerts.correlationKey)),
      now,
    ),
  ]);
  return {
    outbox,
    slaSweep,
    quarantine: { pending: quarantine.count, oldestAgeMs: quarantine.oldestAgeMs },
    correlation: { owedAlerts: correlation.count, oldestAgeMs: correlation.oldestAgeMs },
  };
}

/**
 * Every commit enqueues the same version for the tenant's `cases` projection and the work queue,
 * and each is drained in order, so a case whose two rows disagree still has an outbox entry
 * waiting. Its age is at least the time since the newer row was written.
 */
async function outboxLag(
  controlDb: D1Database,
  tenantDb: D1Database,
  tenantId: string,
  now: number,
): Promise<TenantHealth["outbox"]> {
  const control = drizzle(controlDb);
  const tenant = drizzle(tenantDb);
  const queuedVersion = {
    id: workQueue.caseId,
    version: workQueue.version,
    updatedAt: workQueue.updatedAt,
  };
  const projectedVersion = { id: caseRows.id, version: caseRows.version, updatedAt: caseRows.updatedAt };
  const [queued, projected] = await Promise.all([
    control
      .select(queuedVersion)
      .from(workQueue)
      .where(eq(workQueue.tenantId, tenantId))
      .orderBy(desc(workQueue.updatedAt))
      .limit(OUTBOX_SAMPLE),
    tenant.select(projectedVersion).from(caseRows).orderBy(desc(caseRows.updatedAt)).limit(OUTBOX_SAMPLE),
  ]);
  const work = new Map<string, Version>(queued.map((r) => [r.id, r]));
  const cases = new Map<string, Version>(projected.map((r) => [r.id, r]));
  // A case recent on one side may be older on the other: fetch its counterpart by id.
  const missingWork = [...cases.keys()].filter((id) => !work.has(id));
  const missingCases = [...work.keys()].filter((id) => !cases.has(id));
  const [moreWork, moreCases] = await Promise.all([
    missingWork.length === 0
      ? []
      : control
          .select(queuedVersion)
          .from(workQueue)
          .where(and(eq(workQueue.tenantId, tenantId), inJsonList(workQueue.caseId, missingWork))),
    missingCases.length === 0
      ? []
      : tenant.select(projectedVersion).from(caseRows).where(inJsonList(caseRows.id, missingCases)),
  ]);
  for (const row of moreWork) work.set(row.id, row);
  for (const row of moreCases) cases.set(row.id, row);

  const compared = new Set([...work.keys(), ...cases.keys()]);
  let lagging = 0;
  let oldest: number | null = null;
  for (const id of compared) {
    const a = work.get(id);
    const b = cases.get(id);
    if (a && b && a.version === b.version) continue;
    lagging++;
    const newer = Math.max(a?.updatedAt ?? 0, b?.updatedAt ?? 0);
    const age = Math.max(0, now - newer);
    oldest = oldest === null ? age : Math.max(oldest, age);
  }
  return { laggingCases: lagging, oldestEntryAgeMs: oldest, casesCompared: compared.size };
}

// One JSON parameter however many ids: D1 allows at most 100 bound parameters per statement.
function inJsonList(column: SQLiteColumn, ids: readonly string[]): SQL {
  return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
}

/**
 * The sweep exists to catch SLA timers whose alarm was lost. The work queue records breaches but not
 * warnings, so the lag is measured on deadlines: passed, and no breach recorded. Cases in a state
 * that pauses a clock under the tenant's policy are left out, as their deadline is not final.
 */
async function slaSweepLag(
  controlDb: D1Database,
  tenantId: string,
  now: number,
): Promise<TenantHealth["slaSweep"]> {
  const { slaPolicy } = await loadCaseConfig(controlDb, tenantId);
  const excluded = [...new Set(["closed", ...Object.values(slaPolicy.pausedIn).flat()])];
  const [row] = await drizzle(controlDb)
    .select({ n: count(), oldest: min(workQueue.slaDueAt) })
    .from(workQueue)
    .where(
      and(
        eq(workQueue.tenantId, tenantId),
        lte(workQueue.slaDueAt, now),
        isNull(workQueue.slaBreachedAt),
        notInArray(workQueue.state, excluded),
      ),
    );
  return {
    overdueCases: row?.n ?? 0,
    lagMs: row?.oldest == null ? null : Math.max(0, now - row.oldest),
  };
}

async function backlog(
  db: D1Database,
  table: SQLiteTable,
  since: SQLiteColumn,
  owed: SQL | undefined,
  now: number,
) {
  const [row] = await drizzle(db)
    .select({ n: count(), oldest: min(since) })
    .from(table)
    .where(owed);
  return {
    count: row?.n ?? 0,
    oldestAgeMs: row?.oldest == null ? null : Math.max(0, now - Number(row.oldest)),
  };
}
