// Retention: records kept for a bounded time are deleted once they expire, by the cron safety net.
// Deletes are bounded per run so one sweep never holds a database for long.
import { lt, lte, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { xdrOrgPauses, xdrRequestBudget } from "../schema/control.ts";
import { idempotencyRecords, webhookDeliveries } from "../schema/tenant.ts";

const PER_RUN = 5_000;
// Budget windows older than this can no longer count towards any rolling hour.
const BUDGET_KEEP_MS = 2 * 60 * 60 * 1000;

export interface Purged {
  idempotencyRecords: number;
  webhookDeliveries: number;
}

export async function purgeExpiredTenantRecords(db: D1Database, now: number): Promise<Purged> {
  const d = drizzle(db);
  const [keys, deliveries] = await d.batch([
    d
      .delete(idempotencyRecords)
      .where(
        sql`rowid IN (SELECT rowid FROM ${idempotencyRecords} WHERE ${lte(idempotencyRecords.expiresAt, now)} LIMIT ${PER_RUN})`,
      ),
    d
      .delete(webhookDeliveries)
      .where(
        sql`rowid IN (SELECT rowid FROM ${webhookDeliveries} WHERE ${lte(webhookDeliveries.expiresAt, now)} LIMIT ${PER_RUN})`,
      ),
  ]);
  return { idempotencyRecords: keys.meta.changes, webhookDeliveries: deliveries.meta.changes };
}

export async function purgeExpiredControlRecords(controlDb: D1Database, now: number): Promise<number> {
  const d = drizzle(controlDb);
  const [windows, pauses] = await d.batch([
    d.delete(xdrRequestBudget).where(lt(xdrRequestBudget.windowStart, now - BUDGET_KEEP_MS)),
    d.delete(xdrOrgPauses).where(lt(xdrOrgPauses.pausedUntil, now)),
  ]);
  return windows.meta.changes + pauses.meta.changes;
}
