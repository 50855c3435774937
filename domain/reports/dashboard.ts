// What the SOC dashboard shows, read once per page: the reports of decision 040 over a period ending
// today, per tenant where it compares tenants, plus the open work from the queue. The dashboard
// computes no figure of its own; these are the functions /v1/reports answers with.
import type { Grain } from "./buckets.ts";
import { type OpenCases, openCases, type RecentBreach, recentBreaches } from "./open-cases.ts";
import {
  type AlertVolumeBucket,
  alertVolume,
  type CaseOutcomes,
  caseOutcomesOf,
  type MttxRow,
  mttx,
  type Period,
  percentOf,
  periodCounts,
  SEVERITY_ORDER,
  type SlaComplianceRow,
  slaComplianceOf,
} from "./queries.ts";

const DAY = 86_400_000;

/** The periods the dashboard offers, in whole UTC days ending with today. */
export const DASHBOARD_PERIODS = { "7d": 7, "30d": 30, "90d": 90, "365d": 365 } as const;
export type DashboardPeriod = keyof typeof DASHBOARD_PERIODS;

export interface DashboardTenant {
  id: string;
  name: string;
  db: D1Database;
}

/** One tenant's SLA commitments of one severity, the three clocks together. */
export interface SlaBySeverity {
  tenantId: string;
  tenantName: string;
  severity: string;
  met: number;
  warned: number;
  breached: number;
  breached_pct: number;
}

export interface DashboardFigures {
  period: Period;
  /** The volume chart's buckets: days up to a month, ISO weeks beyond. MTTx is always by week. */
  volumeGrain: Grain;
  sla: Array<{ tenantId: string; tenantName: string; rows: SlaComplianceRow[] }>;
  /** `sla` summed over the clocks, per tenant and severity, most severe first. */
  slaBySeverity: SlaBySeverity[];
  mttx: MttxRow[];
  volume: AlertVolumeBucket[];
  /** The volume's buckets summed per source (the first week may start before the period). */
  sources: Array<{ source: string; deliveries: number; alerts: number; grouped: number }>;
  outcomes: CaseOutcomes;
  open: OpenCases;
  breaches: RecentBreach[];
}

/** `days` whole UTC days, today the last of them. */
export function dashboardPeriod(period: DashboardPeriod, now: number): Period {
  const to = Math.floor(now / DAY) * DAY + DAY;
  return { from: to - DASHBOARD_PERIODS[period] * DAY, to };
}

export function volumeGrainOf(period: DashboardPeriod): Grain {
  return DASHBOARD_PERIODS[period] <= 31 ? "day" : "week";
}

/** `severity` narrows the MTTx figures to the one severity the page charts. */
export async function dashboardFigures(
  controlDb: D1Database,
  tenants: readonly DashboardTenant[],
  period: DashboardPeriod,
  now: number,
  severity?: string,
): Promise<DashboardFigures> {
  const span = dashboardPeriod(period, now);
  const volumeGrain = volumeGrainOf(period);
  const dbs = tenants.map((t) => t.db);
  const tenantIds = tenants.map((t) => t.id);
  const [counts, mttxRows, volume, open, breaches] = await Promise.all([
    // SLA compliance is per tenant and the outcomes are summed: one read per tenant serves both.
    Promise.all(tenants.map((t) => periodCounts([t.db], ["sla", "resolution", "escalation"], span))),
    mttx(dbs, span, "week", severity),
    alertVolume(dbs, span, volumeGrain),
    openCases(controlDb, tenantIds, now),
    recentBreaches(controlDb, tenantIds, now),
  ]);
  const sla = tenants.map((t, i) => ({
    tenantId: t.id,
    tenantName: t.name,
    rows: slaComplianceOf(counts[i] ?? []),
  }));
  const outcomes = caseOutcomesOf(counts.flat());
  return {
    period: span,
    volumeGrain,
    sla,
    slaBySeverity: slaBySeverity(sla),
    mttx: mttxRows,
    volume,
    sources: sourcesOf(volume),
    outcomes,
    open,
    breaches,
  };
}

// One read of the counters serves both the chart and this table: a read costs more than its rows.
function sourcesOf(volume: readonly AlertVolumeBucket[]): DashboardFigures["sources"] {
  const sources = new Map<string, DashboardFigures["sources"][number]>();
  for (const s of volume.flatMap((b) => b.by_source)) {
    const sum = sources.get(s.source) ?? { source: s.source, deliveries: 0, alerts: 0, grouped: 0 };
    sum.deliveries += s.deliveries;
    sum.alerts += s.alerts;
    sum.grouped += s.grouped;
    sources.set(s.source, sum);
  }
  return [...sources.values()].sort(
    (a, b) => b.deliveries - a.deliveries || a.source.localeCompare(b.source),
  );
}

function slaBySeverity(sla: DashboardFigures["sla"]): SlaBySeverity[] {
  return sla.flatMap((t) =>
    SEVERITY_ORDER.flatMap((severity) => {
      const rows = t.rows.filter((r) => r.severity === severity);
      if (rows.length === 0) return [];
      const sum = (k: "met" | "warned" | "breached") => rows.reduce((n, r) => n + r[k], 0);
      const [met, warned, breached] = [sum("met"), sum("warned"), sum("breached")];
      const breached_pct = percentOf(breached, met + warned + breached);
      return [
        { tenantId: t.tenantId, tenantName: t.tenantName, severity, met, warned, breached, breached_pct },
      ];
    }),
  );
}
