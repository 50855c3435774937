// Writing report aggregates: each counted fact adds to its bucket at every grain, in the same D1
// batch as the write it counts. A fact from a case event is guarded by that event's timeline row,
// written later in the same batch: a replayed projection finds the row there and adds nothing.
import { and, inArray, not, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { alerts, reportCounts, reportDurations } from "../../schema/tenant.ts";
import { bucketsOf } from "./buckets.ts";
import { binOf } from "./histogram.ts";

/** A number to add to one counter: dimensions left out are ''. */
export interface CountFact {
  metric: ReportMetric;
  /** When it happened: the bucket it counts in. */
  at: number;
  n: number;
  severity?: string;
  dim1?: string;
  dim2?: string;
}

/**
 * The counters. `sla`: clock, outcome. `resolution`: resolution, escalated or not. `escalation`:
 * tier or queue, auto or manual. `cases_opened`. Alerts (severity is the OCSF severity_id; source,
 * connector): `alerts` new after dedup, `deliveries` raw, `grouped` joined to a case.
 */
export type ReportMetric =
  | "sla"
  | "resolution"
  | "escalation"
  | "cases_opened"
  | "alerts"
  | "deliveries"
  | "grouped";

/** One met SLA clock: how long it took, in the policy's business time and on the wall clock. */
export interface DurationFact {
  at: number;
  severity: string;
  clock: string;
  businessMs: number;
  wallMs: number;
}

/** The case event a fact comes from: the fact counts only if the event was not projected before. */
export interface EventGuard {
  caseId: string;
  seq: number;
}

function alreadyProjected(guard: EventGuard): SQL {
  return sql`EXISTS (SELECT 1 FROM case_timeline WHERE case_id = ${guard.caseId} AND seq = ${guard.seq})`;
}

/** `n`, or 0 when the guarded event was projected before: a replay adds nothing. */
function once(n: number, guard: EventGuard | null): SQL | number {
  return guard ? sql`CASE WHEN ${alreadyProjected(guard)} THEN 0 ELSE ${n} END` : n;
}

// A counter row's key, and what a second fact for the same key does: add to it.
const ADD_TO_COUNT = {
  target: [
    reportCounts.grain,
    reportCounts.metric,
    reportCounts.bucket,
    reportCounts.severity,
    reportCounts.dim1,
    reportCounts.dim2,
  ],
  set: { n: sql`${reportCounts.n} + excluded.n` },
};

export function countWrites(
  db: D1Database,
  fact: CountFact,
  guard: EventGuard | null,
): BatchItem<"sqlite">[] {
  const d = drizzle(db);
  return bucketsOf(fact.at).map(({ grain, bucket }) =>
    d
      .insert(reportCounts)
      .values({
        grain,
        metric: fact.metric,
        bucket,
        severity: fact.severity ?? "",
        dim1: fact.dim1 ?? "",
        dim2: fact.dim2 ?? "",
        n: once(fact.n, guard),
      })
      .onConflictDoUpdate(ADD_TO_COUNT),
  );
}

export function durationWrites(
  db: D1Database,
  fact: DurationFact,
  guard: EventGuard | null,
): BatchItem<"sqlite">[] {
  const d = drizzle(db);
  const business = String(binOf(fact.businessMs));
  const wall = String(binOf(fact.wallMs));
  const counted = once(1, guard);
  // One more in the value's bin: excluded.n is 1, or 0 for a replay.
  const binPlus = (
    column: typeof reportDurations.businessBins | typeof reportDurations.wallBins,
    bin: string,
  ) => {
    const path = `$."${bin}"`;
    return sql`json_set(${column}, ${path}, coalesce(json_extract(${column}, ${path}), 0) + excluded.n)`;
  };
  return bucketsOf(fact.at).map(({ grain, bucket }) =>
    d
      .insert(reportDurations)
      .values({
        grain,
        bucket,
        severity: fact.severity,
        clock: fact.clock,
        n: counted,
        businessSumMs: sql`${counted} * ${fact.businessMs}`,
        wallSumMs: sql`${counted} * ${fact.wallMs}`,
        businessBins: sql`json_object(${business}, ${counted})`,
        wallBins: sql`json_object(${wall}, ${counted})`,
      })
      .onConflictDoUpdate({
        target: [
          reportDurations.grain,
          reportDurations.bucket,
          reportDurations.severity,
          reportDurations.clock,
        ],
        set: {
          n: sql`${reportDurations.n} + excluded.n`,
          businessSumMs: sql`${reportDurations.businessSumMs} + excluded.business_sum_ms`,
          wallSumMs: sql`${reportDurations.wallSumMs} + excluded.wall_sum_ms`,
          businessBins: binPlus(reportDurations.businessBins, business),
          wallBins: binPlus(reportDurations.wallBins, wall),
        },
      }),
  );
}

/**
 * Counts alerts by their own dimensions (severity, source, connector), read from their rows in the
 * same batch: `alerts` and `grouped` count rows, so the caller names which rows, by id.
 */
export function alertCountWrites(
  db: D1Database,
  metric: "alerts" | "grouped",
  alertIds: readonly string[],
  at: number,
  guard: EventGuard | null,
): BatchItem<"sqlite">[] {
  const d = drizzle(db);
  const writes: BatchItem<"sqlite">[] = [];
  // D1 takes at most 100 bound parameters per statement.
  for (let i = 0; i < alertIds.length; i += 80) {
    const ids = alertIds.slice(i, i + 80);
    for (const { grain, bucket } of bucketsOf(at)) {
      const rows = d
        .select({
          grain: sql<string>`${grain}`.as("grain"),
          metric: sql<string>`${metric}`.as("metric"),
          bucket: sql<number>`${bucket}`.as("bucket"),
          severity: sql<string>`CAST(${alerts.severityId} AS TEXT)`.as("severity"),
          dim1: sql<string>`coalesce(${alerts.productName}, '')`.as("dim1"),
          dim2: sql<string>`coalesce(${alerts.sourceConnectorId}, '')`.as("dim2"),
          n: sql<number>`count(*)`.as("n"),
        })
        .from(alerts)
        .where(and(inArray(alerts.id, ids), guard ? not(alreadyProjected(guard)) : undefined))
        .groupBy(alerts.severityId, alerts.productName, alerts.sourceConnectorId);
      writes.push(
        d
          .insert(reportCounts)
          .select(rows as never)
          .onConflictDoUpdate(ADD_TO_COUNT),
      );
    }
  }
  return writes;
}
