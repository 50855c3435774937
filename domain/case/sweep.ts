// The SLA safety net: open cases whose next SLA instant has passed, from the cross-tenant work
// queue. Each should already have fired its alarm; the sweep asks their objects to re-arm.
import { and, lte, notInArray, or, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { workQueue } from "../../schema/control.ts";

export const SWEEP_BATCH = 500;

export async function casesWithOverdueTimers(
  controlDb: D1Database,
  now: number,
): Promise<Array<{ tenantId: string; caseId: string }>> {
  return drizzle(controlDb)
    .select({ tenantId: workQueue.tenantId, caseId: workQueue.caseId })
    .from(workQueue)
    .where(
      and(
        notInArray(workQueue.state, ["closed"]),
        or(lte(workQueue.slaWarnAt, now), lte(workQueue.slaDueAt, now)),
        // A case whose breach is recorded has nothing left to fire on that clock.
        sql`(${workQueue.slaBreachedAt} IS NULL OR ${workQueue.slaDueAt} IS NOT NULL)`,
      ),
    )
    .orderBy(workQueue.slaDueAt)
    .limit(SWEEP_BATCH);
}
