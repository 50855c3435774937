// One tenant's operational health, from figures that cost a few indexed queries: nothing here asks
// a CaseObject (one RPC per case would not scale) or reads another tenant's rows. What each figure
// means, and why it is a fair stand-in for what cannot be read directly, is in docs/decisions/023.
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
  updated_at: number;
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
    backlog(
      tenantDb,
      "SELECT count(*) AS n, min(received_at) AS oldest FROM quarantine WHERE replayed_at IS NULL",
      now,
    ),
    backlog(
      tenantDb,
      // Alerts without a key (POST /v1/alerts) are never grouped, so they are never owed.
      "SELECT count(*) AS n, min(created_at) AS oldest FROM alerts WHERE correlated_at IS NULL AND correlation_key IS NOT NULL",
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
  const [queued, projected] = await Promise.all([
    controlDb
      .prepare(
        "SELECT case_id AS id, version, updated_at FROM work_queue WHERE tenant_id = ? ORDER BY updated_at DESC LIMIT ?",
      )
      .bind(tenantId, OUTBOX_SAMPLE)
      .all<Version>(),
    tenantDb
      .prepare("SELECT id, version, updated_at FROM cases ORDER BY updated_at DESC LIMIT ?")
      .bind(OUTBOX_SAMPLE)
      .all<Version>(),
  ]);
  const work = new Map(queued.results.map((r) => [r.id, r]));
  const cases = new Map(projected.results.map((r) => [r.id, r]));
  // A case recent on one side may be older on the other: fetch its counterpart by id.
  const [moreWork, moreCases] = await Promise.all([
    byIds(
      controlDb,
      "SELECT case_id AS id, version, updated_at FROM work_queue WHERE tenant_id = ? AND case_id IN (SELECT value FROM json_each(?))",
      [...cases.keys()].filter((id) => !work.has(id)),
      tenantId,
    ),
    byIds(
      tenantDb,
      "SELECT id, version, updated_at FROM cases WHERE id IN (SELECT value FROM json_each(?))",
      [...work.keys()].filter((id) => !cases.has(id)),
    ),
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
    const newer = Math.max(a?.updated_at ?? 0, b?.updated_at ?? 0);
    const age = Math.max(0, now - newer);
    oldest = oldest === null ? age : Math.max(oldest, age);
  }
  return { laggingCases: lagging, oldestEntryAgeMs: oldest, casesCompared: compared.size };
}

async function byIds(db: D1Database, sql: string, ids: string[], tenantId?: string): Promise<Version[]> {
  if (ids.length === 0) return [];
  // One JSON parameter: D1 allows at most 100 bound parameters per statement.
  const statement =
    tenantId === undefined
      ? db.prepare(sql).bind(JSON.stringify(ids))
      : db.prepare(sql).bind(tenantId, JSON.stringify(ids));
  return (await statement.all<Version>()).results;
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
  const row = await controlDb
    .prepare(
      `SELECT count(*) AS n, min(sla_due_at) AS oldest FROM work_queue
       WHERE tenant_id = ? AND sla_due_at <= ? AND sla_breached_at IS NULL
         AND state NOT IN (SELECT value FROM json_each(?))`,
    )
    .bind(tenantId, now, JSON.stringify(excluded))
    .first<{ n: number; oldest: number | null }>();
  return {
    overdueCases: row?.n ?? 0,
    lagMs: row?.oldest == null ? null : Math.max(0, now - row.oldest),
  };
}

async function backlog(db: D1Database, sql: string, now: number) {
  const row = await db.prepare(sql).first<{ n: number; oldest: number | null }>();
  return {
    count: row?.n ?? 0,
    oldestAgeMs: row?.oldest == null ? null : Math.max(0, now - row.oldest),
  };
}
