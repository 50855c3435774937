// The dashboard shows the reports API's figures and no others: for each period it offers, what it
// reads equals what /v1/reports answers for the same days, tenant and buckets. Then the open work it
// reads from the queue: cases by state and age, and the last day's breaches, only of its tenants.
import { drizzle } from "drizzle-orm/d1";
import { beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../../domain/ids.ts";
import {
  DASHBOARD_PERIODS,
  type DashboardPeriod,
  type DashboardTenant,
  dashboardFigures,
} from "../../../domain/reports/dashboard.ts";
import { workQueue } from "../../../schema/control.ts";
import { seedHistory } from "../../support/report-history.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

const DAY = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
// Mid-history, so every period the dashboard offers holds closed clocks, alerts and outcomes.
const NOW = Date.parse("2026-03-04T15:00:00Z");

async function report<T>(token: string, path: string): Promise<T> {
  const res = await call("GET", `/v1/reports/${path}`, { token });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe("the dashboard's figures", () => {
  let token = "";
  let tenant: DashboardTenant;
  beforeAll(async () => {
    const t = await createTenant();
    token = await tokenFor(t, { scopes: ["reports:read"] });
    tenant = { id: t.id, name: t.name, db: tenantDb(t) };
    await seedHistory(tenant.db, 7, Date.parse("2026-01-05T00:00:00Z"), 40);
  }, 120_000);

  for (const period of Object.keys(DASHBOARD_PERIODS) as DashboardPeriod[]) {
    it(`equal the reports API's for the ${period} period`, async () => {
      const figures = await dashboardFigures(testEnv().CONTROL_DB, [tenant], period, NOW);
      expect(figures.period.to - figures.period.from).toBe(DASHBOARD_PERIODS[period] * DAY);
      const q = `from=${day(figures.period.from)}&to=${day(figures.period.to)}`;

      const sla = await report<{ data: unknown[] }>(token, `sla-compliance?${q}`);
      expect(figures.sla).toEqual([{ tenantId: tenant.id, tenantName: tenant.name, rows: sla.data }]);

      const mttx = await report<{ data: Array<{ bucket: string; severity: string }> }>(
        token,
        `mttx?${q}&bucket=week`,
      );
      expect(figures.mttx.map((r) => ({ ...r, bucket: day(r.bucket) }))).toEqual(mttx.data);
      // The page charts one severity at a time: the API's rows of that severity, no others.
      const high = await dashboardFigures(testEnv().CONTROL_DB, [tenant], period, NOW, "high");
      expect(high.mttx.map((r) => ({ ...r, bucket: day(r.bucket) }))).toEqual(
        mttx.data.filter((r) => r.severity === "high"),
      );

      const volume = await report<{
        data: Array<{
          bucket: string;
          by_source: Array<{ source: string; deliveries: number; alerts: number; grouped: number }>;
        }>;
      }>(token, `alert-volume?${q}&bucket=${figures.volumeGrain}`);
      expect(figures.volume.map((b) => ({ ...b, bucket: day(b.bucket) }))).toEqual(volume.data);
      // The per-source table is those buckets summed per source.
      const bySource = new Map<string, { deliveries: number; alerts: number; grouped: number }>();
      for (const s of volume.data.flatMap((b) => b.by_source)) {
        const sum = bySource.get(s.source) ?? { deliveries: 0, alerts: 0, grouped: 0 };
        sum.deliveries += s.deliveries;
        sum.alerts += s.alerts;
        sum.grouped += s.grouped;
        bySource.set(s.source, sum);
      }
      expect(Object.fromEntries(figures.sources.map(({ source, ...sum }) => [source, sum]))).toEqual(
        Object.fromEntries(bySource),
      );

      const outcomes = await report<{ resolutions: unknown[]; escalations: unknown[] }>(
        token,
        `case-outcomes?${q}`,
      );
      expect(figures.outcomes).toEqual({
        resolutions: outcomes.resolutions,
        escalations: outcomes.escalations,
      });
      if (period !== "7d") expect(sla.data.length + mttx.data.length + volume.data.length).toBeGreaterThan(0);
    });
  }
});

describe("the dashboard's open work", () => {
  it("counts open cases by state and age and lists the last day's breaches, of its tenants only", async () => {
    const [mine, theirs] = [await createTenant(), await createTenant()];
    const d = drizzle(testEnv().CONTROL_DB);
    const HOUR = 3_600_000;
    const row = (tenantId: string, state: string, openedAgo: number, breachedAgo: number | null) => ({
      caseId: newId("case", NOW),
      tenantId,
      title: `${state} case`,
      severity: "high",
      priority: "P2",
      state,
      queue: "default",
      openedAt: NOW - openedAgo,
      slaBreachedAt: breachedAgo === null ? null : NOW - breachedAgo,
      version: 1,
      updatedAt: NOW,
    });
    const rows = [
      row(mine.id, "new", 10 * 60_000, null),
      row(mine.id, "new", 3 * HOUR, 2 * HOUR),
      row(mine.id, "in_progress", 3 * DAY, 30 * HOUR),
      row(mine.id, "closed", 9 * DAY, 1 * HOUR),
      row(theirs.id, "new", 20 * DAY, 1 * HOUR),
    ];
    await d.insert(workQueue).values(rows);
    const figures = await dashboardFigures(
      testEnv().CONTROL_DB,
      [{ id: mine.id, name: mine.name, db: tenantDb(mine) }],
      "7d",
      NOW,
    );
    expect(figures.open.total).toBe(3);
    expect(figures.open.byState).toEqual(
      expect.arrayContaining([
        { state: "new", count: 2 },
        { state: "in_progress", count: 1 },
      ]),
    );
    expect(figures.open.byAge).toEqual([
      { band: "under_1h", count: 1 },
      { band: "under_1d", count: 1 },
      { band: "under_7d", count: 1 },
      { band: "over_7d", count: 0 },
    ]);
    // Breached in the last day, newest first: the closed case's breach too, never the other tenant's.
    expect(figures.breaches.map((b) => b.title)).toEqual(["closed case", "new case"]);
    expect(figures.breaches.every((b) => b.tenantId === mine.id && b.tenantName === mine.name)).toBe(true);
  });
});
