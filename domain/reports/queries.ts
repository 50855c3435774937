// Reading reports from the aggregates (decision 040): a few rows per bucket, whatever the tenant's
// history. Several tenants (provider staff with grants on each) are summed bucket by bucket.
import { and, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { reportCounts, reportDurations } from "../../schema/tenant.ts";
import { SLA_CLOCKS } from "../sla/types.ts";
import type { ReportMetric } from "./aggregates.ts";
import { bucketStart, type Grain, tile } from "./buckets.ts";
import { type Bins, mergeBins, percentileMs } from "./histogram.ts";

export interface Period {
  /** Inclusive, a UTC midnight. */
  from: number;
  /** Exclusive, a UTC midnight. */
  to: number;
}

export interface CountRow {
  metric: string;
  bucket: number;
  severity: string;
  dim1: string;
  dim2: string;
  n: number;
}

/** Sums of counters, per bucket of `grain` (or over the whole period when grain is null). */
async function readCounts(
  dbs: readonly D1Database[],
  metrics: readonly ReportMetric[],
  period: Period,
  grain: Grain | null,
): Promise<CountRow[]> {
  const parts = grain
    ? [{ grain, from: bucketStart(grain, period.from), to: period.to }]
    : tile(period.from, period.to);
  // One statement per database whatever the tiling: each part is a range of the counters' primary
  // key, so SQLite reads them as a union of index ranges; a D1 call costs more than its rows.
  const inPart = (part: (typeof parts)[number]) =>
    and(
      eq(reportCounts.grain, part.grain),
      inArray(reportCounts.metric, [...metrics]),
      gte(reportCounts.bucket, part.from),
      lt(reportCounts.bucket, part.to),
    );
  const reads = dbs.map((db) =>
    drizzle(db)
      .select({
        metric: reportCounts.metric,
        bucket: grain ? reportCounts.bucket : sql<number>`0`,
        severity: reportCounts.severity,
        dim1: reportCounts.dim1,
        dim2: reportCounts.dim2,
        n: sql<number>`sum(${reportCounts.n})`.mapWith(Number),
      })
      .from(reportCounts)
      .where(or(...parts.map(inPart)))
      .groupBy(
        reportCounts.metric,
        ...(grain ? [reportCounts.bucket] : []),
        reportCounts.severity,
        reportCounts.dim1,
        reportCounts.dim2,
      ),
  );
  const summed = new Map<string, CountRow>();
  for (const row of (await Promise.all(reads)).flat()) {
    const key = JSON.stringify([row.metric, row.bucket, row.severity, row.dim1, row.dim2]);
    const seen = summed.get(key);
    if (seen) seen.n += row.n;
    else summed.set(key, { ...row });
  }
  return [...summed.values()].filter((row) => row.n !== 0);
}

/** A share of a total, in percent to one decimal; 0 of nothing is 0. */
export function percentOf(part: number, total: number): number {
  return total === 0 ? 0 : Math.round((part / total) * 1000) / 10;
}

export interface SlaComplianceRow {
  severity: string;
  clock: string;
  met: number;
  warned: number;
  breached: number;
  total: number;
  met_pct: number;
  warned_pct: number;
  breached_pct: number;
}

/**
 * Per severity and clock: clock periods met on time without a warning, met on time after one, and
 * breached, over the period. A breach counts when it fires; a met clock counts when it is met.
 */
export async function slaCompliance(dbs: readonly D1Database[], period: Period): Promise<SlaComplianceRow[]> {
  return slaComplianceOf(await readCounts(dbs, ["sla"], period, null));
}

/**
 * The period's counters of several reports at once, for a page that shows them together (one read
 * per database instead of one per report); `slaComplianceOf` and `caseOutcomesOf` take it apart.
 */
export function periodCounts(
  dbs: readonly D1Database[],
  metrics: readonly ReportMetric[],
  period: Period,
): Promise<CountRow[]> {
  return readCounts(dbs, metrics, period, null);
}

export function slaComplianceOf(rows: readonly CountRow[]): SlaComplianceRow[] {
  const byKey = new Map<string, SlaComplianceRow>();
  for (const row of rows) {
    if (row.metric !== "sla") continue;
    const key = `${row.severity}|${row.dim1}`;
    const entry = byKey.get(key) ?? {
      severity: row.severity,
      clock: row.dim1,
      met: 0,
      warned: 0,
      breached: 0,
      total: 0,
      met_pct: 0,
      warned_pct: 0,
      breached_pct: 0,
    };
    if (row.dim2 === "met" || row.dim2 === "warned" || row.dim2 === "breached") entry[row.dim2] += row.n;
    byKey.set(key, entry);
  }
  return [...byKey.values()]
    .map((e) => {
      const total = e.met + e.warned + e.breached;
      return {
        ...e,
        total,
        met_pct: percentOf(e.met, total),
        warned_pct: percentOf(e.warned, total),
        breached_pct: percentOf(e.breached, total),
      };
    })
    .sort(bySeverityThenClock);
}

export const SEVERITY_ORDER = ["critical", "high", "medium", "low"];
function bySeverityThenClock(a: { severity: string; clock: string }, b: { severity: string; clock: string }) {
  return (
    SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
    SLA_CLOCKS.indexOf(a.clock as (typeof SLA_CLOCKS)[number]) -
      SLA_CLOCKS.indexOf(b.clock as (typeof SLA_CLOCKS)[number])
  );
}

export interface DurationFigures {
  mean_ms: number;
  p50_ms: number;
  p90_ms: number;
}

export interface MttxRow {
  bucket: number;
  severity: string;
  clock: string;
  count: number;
  business: DurationFigures;
  wall: DurationFigures;
}

/**
 * Mean, p50 and p90 of time to acknowledge, contain and resolve, per bucket, severity and clock;
 * of one severity only when `severity` is given (the dashboard charts one at a time).
 */
export async function mttx(
  dbs: readonly D1Database[],
  period: Period,
  grain: Grain,
  severity?: string,
): Promise<MttxRow[]> {
  const reads = dbs.map((db) =>
    drizzle(db)
      .select()
      .from(reportDurations)
      .where(
        and(
          eq(reportDurations.grain, grain),
          gte(reportDurations.bucket, bucketStart(grain, period.from)),
          lt(reportDurations.bucket, period.to),
          severity === undefined ? undefined : eq(reportDurations.severity, severity),
        ),
      ),
  );
  const merged = new Map<
    string,
    {
      bucket: number;
      severity: string;
      clock: string;
      n: number;
      business: number;
      wall: number;
      bb: Bins;
      wb: Bins;
    }
  >();
  for (const row of (await Promise.all(reads)).flat()) {
    const key = `${row.bucket}|${row.severity}|${row.clock}`;
    const entry = merged.get(key) ?? {
      bucket: row.bucket,
      severity: row.severity,
      clock: row.clock,
      n: 0,
      business: 0,
      wall: 0,
      bb: {},
      wb: {},
    };
    entry.n += row.n;
    entry.business += row.businessSumMs;
    entry.wall += row.wallSumMs;
    mergeBins(entry.bb, row.businessBins);
    mergeBins(entry.wb, row.wallBins);
    merged.set(key, entry);
  }
  const figures = (sum: number, n: number, bins: Bins): DurationFigures => ({
    mean_ms: Math.round(sum / n),
    p50_ms: percentileMs(bins, 0.5) ?? 0,
    p90_ms: percentileMs(bins, 0.9) ?? 0,
  });
  return [...merged.values()]
    .filter((e) => e.n > 0)
    .map((e) => ({
      bucket: e.bucket,
      severity: e.severity,
      clock: e.clock,
      count: e.n,
      business: figures(e.business, e.n, e.bb),
      wall: figures(e.wall, e.n, e.wb),
    }))
    .sort((a, b) => a.bucket - b.bucket || bySeverityThenClock(a, b));
}

export interface AlertVolumeBucket {
  bucket: number;
  deliveries: number;
  alerts: number;
  duplicates: number;
  grouped: number;
  cases: number;
  /** Raw deliveries per case opened; null when no case opened in the bucket. */
  noise_reduction: number | null;
  by_source: Array<{
    source: string;
    connector_id: string | null;
    severity_id: number;
    deliveries: number;
    alerts: number;
    duplicates: number;
    grouped: number;
  }>;
}

/** Alerts per bucket, source, connector and severity: raw deliveries, after dedup, and into cases. */
export async function alertVolume(
  dbs: readonly D1Database[],
  period: Period,
  grain: Grain,
): Promise<AlertVolumeBucket[]> {
  const rows = await readCounts(dbs, ["deliveries", "alerts", "grouped", "cases_opened"], period, grain);
  const buckets = new Map<number, AlertVolumeBucket>();
  const bucketOf = (start: number) => {
    let b = buckets.get(start);
    if (!b) {
      b = {
        bucket: start,
        deliveries: 0,
        alerts: 0,
        duplicates: 0,
        grouped: 0,
        cases: 0,
        noise_reduction: null,
        by_source: [],
      };
      buckets.set(start, b);
    }
    return b;
  };
  for (const row of rows) {
    const b = bucketOf(row.bucket);
    if (row.metric === "cases_opened") {
      b.cases += row.n;
      continue;
    }
    let source = b.by_source.find(
      (s) =>
        s.source === row.dim1 &&
        (s.connector_id ?? "") === row.dim2 &&
        String(s.severity_id) === row.severity,
    );
    if (!source) {
      source = {
        source: row.dim1,
        connector_id: row.dim2 === "" ? null : row.dim2,
        severity_id: Number(row.severity),
        deliveries: 0,
        alerts: 0,
        duplicates: 0,
        grouped: 0,
      };
      b.by_source.push(source);
    }
    if (row.metric === "deliveries" || row.metric === "alerts" || row.metric === "grouped") {
      source[row.metric] += row.n;
      b[row.metric] += row.n;
    }
  }
  return [...buckets.values()]
    .map((b) => ({
      ...b,
      duplicates: b.deliveries - b.alerts,
      noise_reduction: b.cases === 0 ? null : Math.round((b.deliveries / b.cases) * 100) / 100,
      by_source: b.by_source
        .map((s) => ({ ...s, duplicates: s.deliveries - s.alerts }))
        .sort(
          (x, y) =>
            x.source.localeCompare(y.source) ||
            (x.connector_id ?? "").localeCompare(y.connector_id ?? "") ||
            x.severity_id - y.severity_id,
        ),
    }))
    .sort((a, b) => a.bucket - b.bucket);
}

export interface CaseOutcomes {
  resolutions: Array<{ resolution: string; total: number; escalated: number; not_escalated: number }>;
  escalations: Array<{ to: string; auto: number; manual: number }>;
}

/**
 * Cases resolved in the period by resolution (merges count as duplicates), split by whether they
 * had been escalated; a reopened case leaves its old outcome's bucket. And escalations by target.
 */
export async function caseOutcomes(dbs: readonly D1Database[], period: Period): Promise<CaseOutcomes> {
  return caseOutcomesOf(await readCounts(dbs, ["resolution", "escalation"], period, null));
}

/** Sums over the rows given, so rows read from several databases add up. */
export function caseOutcomesOf(rows: readonly CountRow[]): CaseOutcomes {
  const resolutions = new Map<string, CaseOutcomes["resolutions"][number]>();
  const escalations = new Map<string, CaseOutcomes["escalations"][number]>();
  for (const row of rows) {
    if (row.metric === "resolution") {
      const r = resolutions.get(row.dim1) ?? {
        resolution: row.dim1,
        total: 0,
        escalated: 0,
        not_escalated: 0,
      };
      if (row.dim2 === "escalated" || row.dim2 === "not_escalated") r[row.dim2] += row.n;
      r.total = r.escalated + r.not_escalated;
      resolutions.set(row.dim1, r);
    } else if (row.metric === "escalation") {
      const e = escalations.get(row.dim1) ?? { to: row.dim1, auto: 0, manual: 0 };
      if (row.dim2 === "auto" || row.dim2 === "manual") e[row.dim2] += row.n;
      escalations.set(row.dim1, e);
    }
  }
  return {
    resolutions: [...resolutions.values()]
      .filter((r) => r.total !== 0)
      .sort((a, b) => a.resolution.localeCompare(b.resolution)),
    escalations: [...escalations.values()].sort((a, b) => a.to.localeCompare(b.to)),
  };
}
