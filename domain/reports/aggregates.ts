// Writing report aggregates: each counted fact adds to its bucket at every grain, in the same D1
// batch as the write it counts. A fact from a case event is guarded by that event's timeline row,
// written later in the same batch: a replayed projection finds the row there and adds nothing.
import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { reportCounts, reportDurations } from "../../schema/tenant.ts";
import { chunks } from "../chunks.ts";
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

/**
 * Adds each fact to its bucket at every grain, in one statement: the rows travel as one JSON
 * parameter, so building the batch costs little however many facts and grains there are.
 */
export function countWrites(
  db: D1Database,
  facts: CountFact | readonly CountFact[],
  guard: EventGuard | null,
): BatchItem<"sqlite">[] {
  const list: readonly CountFact[] = Array.isArray(facts) ? facts : [facts as CountFact];
  if (list.length === 0) return [];
  const rows = list.flatMap((f) =>
    bucketsOf(f.at).map(({ grain, bucket }) => [
      grain,
      f.metric,
      bucket,
      f.severity ?? "",
      f.dim1 ?? "",
      f.dim2 ?? "",
      f.n,
    ]),
  );
  const n = sql.raw("json_extract(r.value, '$[6]')");
  return [
    drizzle(db)
      .insert(reportCounts)
      .select(
        sql`SELECT json_extract(r.value, '$[0]'), json_extract(r.value, '$[1]'), json_extract(r.value, '$[2]'),
          json_extract(r.value, '$[3]'), json_extract(r.value, '$[4]'), json_extract(r.value, '$[5]'),
          ${guard ? sql`CASE WHEN ${alreadyProjected(guard)} THEN 0 ELSE ${n} END` : n}
        FROM json_each(${JSON.stringify(rows)}) AS r WHERE true`,
      )
      .onConflictDoUpdate(ADD_TO_COUNT),
  ];
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
/**
 * Alerts that joined a case one event each: every alert counts in the buckets of its event's time,
 * unless that event's timeline row is already there (a replayed projection adds nothing).
 */
export function guardedAlertCountWrites(
  db: D1Database,
  metric: "alerts" | "grouped",
  caseId: string,
  links: ReadonlyArray<{ alertId: string; seq: number; at: number }>,
): BatchItem<"sqlite">[] {
  if (links.length === 0) return [];
  const rows = JSON.stringify(
    links.flatMap((l) => bucketsOf(l.at).map(({ grain, bucket }) => [l.alertId, l.seq, grain, bucket])),
  );
  return [
    drizzle(db)
      .insert(reportCounts)
      .select(
        sql`SELECT json_extract(l.value, '$[2]'), ${metric}, json_extract(l.value, '$[3]'),
          CAST(a.severity_id AS TEXT), coalesce(a.product_name, ''), coalesce(a.source_connector_id, ''), count(*)
        FROM json_each(${rows}) AS l JOIN alerts AS a ON a.id = json_extract(l.value, '$[0]')
        WHERE NOT EXISTS (
          SELECT 1 FROM case_timeline WHERE case_id = ${caseId} AND seq = json_extract(l.value, '$[1]')
        )
        GROUP BY json_extract(l.value, '$[2]'), json_extract(l.value, '$[3]'), a.severity_id, a.product_name,
          a.source_connector_id`,
      )
      .onConflictDoUpdate(ADD_TO_COUNT),
  ];
}

export function alertCountWrites(
  db: D1Database,
  metric: "alerts" | "grouped",
  alertIds: readonly string[],
  at: number,
  guard: EventGuard | null,
): BatchItem<"sqlite">[] {
  const d = drizzle(db);
  const buckets = JSON.stringify(bucketsOf(at).map(({ grain, bucket }) => [grain, bucket]));
  const writes: BatchItem<"sqlite">[] = [];
  // Every grain in one statement; the ids as one JSON parameter, a thousand at a time.
  for (const part of chunks(alertIds, 1_000)) {
    const ids = JSON.stringify(part);
    writes.push(
      d
        .insert(reportCounts)
        .select(
          sql`SELECT json_extract(b.value, '$[0]'), ${metric}, json_extract(b.value, '$[1]'),
            CAST(a.severity_id AS TEXT), coalesce(a.product_name, ''), coalesce(a.source_connector_id, ''), count(*)
          FROM alerts AS a, json_each(${buckets}) AS b
          WHERE a.id IN (SELECT value FROM json_each(${ids}))${guard ? sql` AND NOT ${alreadyProjected(guard)}` : sql``}
          GROUP BY b.key, a.severity_id, a.product_name, a.source_connector_id`,
        )
        .onConflictDoUpdate(ADD_TO_COUNT),
    );
  }
  return writes;
}
