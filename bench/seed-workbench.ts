// The workbench benchmark's world, written straight into CONTROL_DB while the server is stopped:
// tenants beside the bench tenant, a person with an analyst grant on all of them, and their cases'
// rows in the cross-tenant work queue (what the queue page reads). Rows are spread over states,
// severities, assignees and SLA deadlines so the page sorts and filters real variety.
import { drizzle } from "drizzle-orm/d1";
import { CASE_PRIORITIES, CASE_SEVERITIES, CASE_STATUSES } from "../domain/case-vocabulary.ts";
import { newId } from "../domain/ids.ts";
import { grants, principals, tenants, workQueue } from "../schema/control.ts";
import { openSqlite, SqliteD1 } from "./sqlite-d1.ts";

export const BENCH_ANALYST = { displayName: "Bench Analyst", email: "bench-analyst@phoenix.test" };
const CHUNK = 500;
const MINUTE = 60_000;

/**
 * `cases` queue rows over `tenantCount` tenants (the bench tenant and new ones), and the bench
 * analyst granted on each. Returns the tenant ids.
 */
export async function seedWorkbench(
  file: string,
  benchTenantId: string,
  tenantCount: number,
  cases: number,
  now: number,
): Promise<string[]> {
  const sqlite = openSqlite(file);
  try {
    const db = drizzle(new SqliteD1(sqlite) as unknown as Parameters<typeof drizzle>[0]);
    const tenantIds = [benchTenantId];
    for (let i = 1; i < tenantCount; i++) {
      const id = newId("tenant", now);
      tenantIds.push(id);
      // The queue reads CONTROL_DB only, so these tenants need no database of their own.
      await db.insert(tenants).values({
        id,
        slug: `bench-${i}`,
        name: `Bench Customer ${i}`,
        d1Binding: `TENANT_BENCH_CUSTOMER_${i}`,
        createdAt: now,
        updatedAt: now,
      });
    }
    const principalId = await insertStaff(db, BENCH_ANALYST, now);
    await db.insert(grants).values(
      tenantIds.map((tenantId) => ({
        principalId,
        tenantId,
        role: "analyst" as const,
        createdAt: now,
        updatedAt: now,
      })),
    );

    for (let from = 0; from < cases; from += CHUNK) {
      const rows = Array.from({ length: Math.min(CHUNK, cases - from) }, (_, k) => {
        const i = from + k;
        const openedAt = now - (cases - i) * MINUTE;
        // Deadlines from an hour ago to a day ahead: some breached, some warning, most fine.
        const dueAt = now + ((i * 7919) % (25 * 60)) * MINUTE - 60 * MINUTE;
        return {
          caseId: newId("case", openedAt),
          tenantId: tenantIds[i % tenantIds.length] as string,
          title: `Bench case ${i}: suspicious activity on host-${i % 997}`,
          severity: CASE_SEVERITIES[i % CASE_SEVERITIES.length] as string,
          priority: CASE_PRIORITIES[i % CASE_PRIORITIES.length] as string,
          state: CASE_STATUSES[i % CASE_STATUSES.length] as string,
          assigneeId: i % 3 === 0 ? principalId : null,
          queue: "triage",
          slaWarnAt: dueAt - 15 * MINUTE,
          slaDueAt: dueAt,
          slaDueClock: "acknowledge",
          slaBreachedAt: dueAt < now ? dueAt : null,
          alertCount: i % 9,
          openedAt,
          version: 1,
          updatedAt: openedAt + MINUTE,
        };
      });
      await db.insert(workQueue).values(rows);
    }
    sqlite.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return tenantIds;
  } finally {
    sqlite.close();
  }
}

export const BENCH_LEAD = { displayName: "Bench Lead", email: "bench-lead@phoenix.test" };

/** A lead on the bench tenant, for the dashboard over the growth check's populations. */
export async function seedBenchLead(file: string, benchTenantId: string, now: number): Promise<void> {
  const sqlite = openSqlite(file);
  try {
    const db = drizzle(new SqliteD1(sqlite) as unknown as Parameters<typeof drizzle>[0]);
    const principalId = await insertStaff(db, BENCH_LEAD, now);
    await db
      .insert(grants)
      .values({ principalId, tenantId: benchTenantId, role: "lead", createdAt: now, updatedAt: now });
    sqlite.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    sqlite.close();
  }
}

async function insertStaff(
  db: ReturnType<typeof drizzle>,
  person: { displayName: string; email: string },
  now: number,
): Promise<string> {
  const id = newId("principal", now);
  await db.insert(principals).values({ id, kind: "staff", ...person, createdAt: now, updatedAt: now });
  return id;
}
