// Seeding a tenant's local D1 file directly, for populations the API would take hours to build
// (docs/performance.md has the cost and the reasoning). The server must be stopped meanwhile.
// Rows come from the domain functions that build them (normaliseFinding, dedupKeyFor, the observable
// and asset ids; decide/evolve/projectCase for cases) and are written with one prepared statement
// per table. Before every seeding, a self-check stores sample findings both ways, through
// storeFindings itself and through this path, and refuses to seed if any row differs.
// Everything is appended oldest first, so ids and times grow together as in real ingestion.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import { getTableColumns, getTableName, type Table } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { assetId, assetsOf } from "../domain/assets.ts";
import { decide, evolve } from "../domain/case/index.ts";
import type { CaseCommand, CaseConfig, CaseEvent, CaseSeverity, CaseState } from "../domain/case/model.ts";
import { projectCase } from "../domain/case/projection.ts";
import { fireSlaTimers } from "../domain/case/sla-timers.ts";
import { newId } from "../domain/ids.ts";
import { normaliseObservableValue, observableId } from "../domain/observables.ts";
import {
  captionOf,
  type DetectionFinding,
  dedupKeyFor,
  detectionFindingSchema,
  normaliseFinding,
  OBSERVABLE_TYPE_CAPTIONS,
} from "../domain/ocsf/detection-finding.ts";
import { DEFAULT_SLA_POLICY } from "../domain/sla/policy.ts";
import {
  alertAssets,
  alertObservables,
  alerts,
  assets,
  cases,
  caseTimeline,
  observables,
} from "../schema/tenant.ts";
import { benchFinding } from "./findings.ts";
import type { Population } from "./scenario.ts";
import { openSqlite, SqliteD1 } from "./sqlite-d1.ts";

const MINUTE = 60_000;
const CHUNK = 1000;
// The growth check's largest population spans about 60 days at these spacings.
const ALERT_SPACING_MS = 5_000;
const CASE_SPACING_MS = 50_000;
// A tenant without its own policy: what loadCaseConfig answers (reopen window: 30 days).
const CONFIG: CaseConfig = { slaPolicy: DEFAULT_SLA_POLICY, reopenWindowMs: 30 * 24 * 60 * MINUTE };
const SEVERITIES: CaseSeverity[] = ["medium", "high", "low", "critical", "medium", "high"];

type StoreFindings = (
  db: SqliteD1,
  findings: DetectionFinding[],
  ctx: { now: number; sourceConnectorId: null; claim: null },
) => Promise<{ created: number; duplicates: number }>;

export interface SeedReport {
  alertsAdded: number;
  alertSeconds: number;
  casesAdded: number;
  caseSeconds: number;
}

/** The names of the local D1 files under `stateDir`. */
export function localDatabaseFiles(stateDir: string): string[] {
  return readdirSync(join(stateDir, "v3", "d1", "miniflare-D1DatabaseObject")).filter((name) =>
    name.endsWith(".sqlite"),
  );
}

/**
 * The one local D1 file under `stateDir` that holds `table` (alerts: the bench tenant; work_queue:
 * CONTROL_DB), leaving out `except` (the other tenant's file, by name).
 */
export function localDatabaseFile(
  stateDir: string,
  table: "alerts" | "work_queue",
  except: string | null = null,
): string {
  const dir = join(stateDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const found = localDatabaseFiles(stateDir)
    .filter((name) => name !== except)
    .map((name) => join(dir, name))
    .filter((file) => {
      const db = openSqlite(file);
      try {
        return (
          db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined
        );
      } finally {
        db.close();
      }
    });
  if (found.length !== 1)
    throw new Error(`expected one database with ${table} in ${dir}, found ${found.length}`);
  return found[0] as string;
}

/**
 * Grows the tenant to `target` (never shrinks it). `largest` is the biggest population of the run:
 * times are laid out so that it ends just before `now`.
 */
export async function seedPopulation(
  file: string,
  target: Population,
  largest: Population,
  now: number,
): Promise<SeedReport> {
  const db = openSqlite(file);
  try {
    await assertSameRowsAsStoreFindings(db);
    const alertStart = performance.now();
    const alertsAdded = await seedAlerts(db, target.alerts, now - largest.alerts * ALERT_SPACING_MS);
    const alertSeconds = (performance.now() - alertStart) / 1000;
    const caseStart = performance.now();
    const casesAdded = await seedCases(db, target.cases, now - largest.cases * CASE_SPACING_MS, now);
    const caseSeconds = (performance.now() - caseStart) / 1000;
    // Fold the WAL back in, so the server starts on a plain database file.
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return { alertsAdded, alertSeconds, casesAdded, caseSeconds };
  } finally {
    db.close();
  }
}

/** `count` findings from global index `from`, parsed as POST /v1/alerts parses them. */
function seedFindings(from: number, count: number, base: number): DetectionFinding[] {
  return Array.from({ length: count }, (_, i) => {
    const g = from + i;
    const time = base + g * ALERT_SPACING_MS;
    // The full OCSF schema check is proven on the same findings by the API scenarios.
    return detectionFindingSchema.parse(
      benchFinding({ uid: `seed-${g}`, time, rule: g % 50, device: g % 5000, seq: g }),
    );
  });
}

async function seedAlerts(db: DatabaseSync, target: number, base: number): Promise<number> {
  const write = alertWriter(db);
  const existing = countRows(db, "alerts");
  for (let from = existing; from < target; from += CHUNK) {
    const size = Math.min(CHUNK, target - from);
    // Submitted a few seconds after the newest finding of the batch was detected.
    const now = base + (from + size - 1) * ALERT_SPACING_MS + 3_000;
    const rows = await alertRows(seedFindings(from, size, base), now);
    transaction(db, () => {
      for (const row of rows) write(row);
    });
    await seedVolume(db, rows, now);
  }
  return Math.max(0, target - existing);
}

type AlertRows = Awaited<ReturnType<typeof alertRows>>[number];

// Content-addressed ids repeat across a large population (5,000 devices); each is hashed once.
const observableIds = new Map<string, Promise<string>>();
const assetIds = new Map<string, Promise<string>>();
function once(cache: Map<string, Promise<string>>, key: string, make: () => Promise<string>) {
  let id = cache.get(key);
  if (!id) {
    id = make();
    cache.set(key, id);
  }
  return id;
}

/** What storeFindings writes for new findings: the alert row, its observables and its assets. */
async function alertRows(findings: readonly DetectionFinding[], now: number) {
  return Promise.all(
    findings.map(async (finding) => {
      const normalised = normaliseFinding(finding, now);
      const alert = {
        ...normalised,
        id: newId("alert", now),
        dedupKey: await dedupKeyFor(finding),
        occurrenceCount: 1,
        firstSeenAt: normalised.time,
        lastSeenAt: normalised.time,
        sourceConnectorId: null,
        correlationKey: null,
        correlatedAt: null,
        caseId: null,
        createdAt: now,
        updatedAt: now,
      };
      const seen = [];
      for (const o of finding.observables ?? []) {
        if (typeof o.value !== "string" || o.value.trim() === "") continue;
        const value = normaliseObservableValue(o.type_id, o.value);
        const type = o.type ?? captionOf(OBSERVABLE_TYPE_CAPTIONS, o.type_id) ?? "Other";
        seen.push({
          id: await once(observableIds, `${o.type_id}\u0000${value}`, () => observableId(o.type_id, value)),
          typeId: o.type_id,
          type,
          value,
          firstSeenAt: now,
          lastSeenAt: now,
        });
      }
      const found = await Promise.all(
        assetsOf(finding).map(async (a) => ({
          id: await once(assetIds, `${a.kind}\u0000${a.uid}`, () => assetId(a.kind, a.uid)),
          ...a,
          firstSeenAt: now,
          lastSeenAt: now,
        })),
      );
      return { alert, observables: seen, assets: found };
    }),
  );
}

function alertWriter(db: DatabaseSync): (rows: AlertRows) => void {
  const alert = inserter(db, alerts);
  const observable = inserter(
    db,
    observables,
    "ON CONFLICT (id) DO UPDATE SET last_seen_at = max(last_seen_at, excluded.last_seen_at)",
  );
  const observableLink = inserter(db, alertObservables, "ON CONFLICT DO NOTHING");
  const asset = inserter(
    db,
    assets,
    "ON CONFLICT (id) DO UPDATE SET last_seen_at = max(last_seen_at, excluded.last_seen_at), name = coalesce(excluded.name, name)",
  );
  const assetLink = inserter(db, alertAssets, "ON CONFLICT DO NOTHING");
  return (rows) => {
    alert(rows.alert);
    for (const o of rows.observables) {
      observable(o);
      observableLink({ alertId: rows.alert.id, observableId: o.id });
    }
    for (const a of rows.assets) {
      asset(a);
      assetLink({ alertId: rows.alert.id, assetId: a.id });
    }
  };
}

/**
 * Stores the same findings through storeFindings (over node:sqlite) and through alertRows, each
 * into an empty copy of the tenant schema, and compares every row but the random alert ids.
 */
interface ReportModules {
  reportWrites: (
    db: SqliteD1,
    event: CaseEvent,
    guard: { caseId: string; seq: number },
    severity: CaseSeverity,
  ) => BatchItem<"sqlite">[];
  countWrites: (
    db: SqliteD1,
    fact: {
      metric: "deliveries" | "alerts";
      at: number;
      n: number;
      severity: string;
      dim1: string;
      dim2: string;
    },
    guard: null,
  ) => BatchItem<"sqlite">[];
}

// Loaded at run time for the same reason as storeFindings below: their D1 types are the Worker's.
async function reportModules(): Promise<ReportModules> {
  const facts = await import(new URL("../domain/case/report-facts.ts", import.meta.url).href);
  const aggregates = await import(new URL("../domain/reports/aggregates.ts", import.meta.url).href);
  return { reportWrites: facts.reportWrites, countWrites: aggregates.countWrites } as ReportModules;
}

/** The alert-volume counters storeFindings writes for rows that are all new: deliveries and alerts. */
async function seedVolume(db: DatabaseSync, rows: readonly AlertRows[], now: number): Promise<void> {
  const { countWrites } = await reportModules();
  const groups = new Map<string, { severity: string; source: string; n: number }>();
  for (const { alert } of rows) {
    const key = `${alert.severityId}|${alert.productName ?? ""}`;
    const group = groups.get(key) ?? {
      severity: String(alert.severityId),
      source: alert.productName ?? "",
      n: 0,
    };
    group.n++;
    groups.set(key, group);
  }
  const d1 = new SqliteD1(db);
  const writes = [...groups.values()].flatMap((g) =>
    (["deliveries", "alerts"] as const).flatMap((metric) =>
      countWrites(d1, { metric, at: now, n: g.n, severity: g.severity, dim1: g.source, dim2: "" }, null),
    ),
  );
  if (writes.length > 0) await drizzle(d1).batch(writes as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
}

async function assertSameRowsAsStoreFindings(tenant: DatabaseSync): Promise<void> {
  // Loaded at run time: storeFindings' D1 types are not part of the Node typecheck, so this
  // self-check (run by the bench smoke test) is what notices if it changes shape.
  const { storeFindings } = (await import(new URL("../domain/alerts/store.ts", import.meta.url).href)) as {
    storeFindings: StoreFindings;
  };
  const schema = tenant
    .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
    .all()
    .map((row) => row as { name: string; sql: string })
    // D1's and SQLite's own tables are not part of the tenant schema.
    .filter((row) => !/^(_cf_|sqlite_|d1_)/.test(row.name))
    .map((row) => row.sql);
  const empty = () => {
    const db = openSqlite(":memory:");
    for (const sql of schema) db.exec(sql);
    return db;
  };
  // Devices 0, 1, 0: two findings share a device, so the upserts and links are exercised too.
  const base = Date.UTC(2026, 0, 1);
  const findings = [0, 1, 2].map((i) =>
    detectionFindingSchema.parse(
      benchFinding({ uid: `check-${i}`, time: base + i * 1000, rule: i, device: i % 2, seq: i }),
    ),
  );
  const now = base + MINUTE;
  const viaStore = empty();
  const viaSeed = empty();
  try {
    await storeFindings(new SqliteD1(viaStore), findings, { now, sourceConnectorId: null, claim: null });
    const write = alertWriter(viaSeed);
    const seeded = await alertRows(findings, now);
    for (const rows of seeded) write(rows);
    await seedVolume(viaSeed, seeded, now);
    for (const table of [
      "alerts",
      "observables",
      "alert_observables",
      "assets",
      "alert_assets",
      "report_counts",
    ]) {
      const expected = comparable(viaStore, table);
      const actual = comparable(viaSeed, table);
      if (expected !== actual) {
        throw new Error(
          `direct seeding no longer writes what storeFindings writes (table ${table}):\n${expected}\n≠\n${actual}`,
        );
      }
    }
  } finally {
    viaStore.close();
    viaSeed.close();
  }
}

/** A table's rows with alert ids replaced by their dedup keys, sorted, as one string. */
function comparable(db: DatabaseSync, table: string): string {
  const keyOf = new Map(
    db
      .prepare("SELECT id, dedup_key FROM alerts")
      .all()
      .map((r) => {
        const row = r as { id: string; dedup_key: string };
        return [row.id, row.dedup_key] as const;
      }),
  );
  return db
    .prepare(`SELECT * FROM ${table}`)
    .all()
    .map((row) => {
      const { id, alert_id, ...rest } = row as Record<string, unknown>;
      const ident =
        table === "alerts" ? {} : alert_id !== undefined ? { alert: keyOf.get(String(alert_id)) } : { id };
      return JSON.stringify({ ...ident, ...rest });
    })
    .sort()
    .join("\n");
}

async function seedCases(db: DatabaseSync, target: number, base: number, now: number): Promise<number> {
  const project = inserter(db, cases);
  const timeline = inserter(db, caseTimeline);
  const existing = countRows(db, "cases");
  const { reportWrites } = await reportModules();
  const d1 = new SqliteD1(db);
  for (let from = existing; from < target; from += CHUNK) {
    const to = Math.min(target, from + CHUNK);
    const histories = Array.from({ length: to - from }, (_, i) =>
      caseHistory(from + i, base + (from + i) * CASE_SPACING_MS, now),
    );
    // The report counters first, through the projection's own writes: they count an event only
    // while its timeline row is not there yet, as in the case object's batch.
    const counted = histories.flatMap((history) =>
      history.events.flatMap((event, i) =>
        reportWrites(d1, event, { caseId: history.state.id, seq: i + 1 }, history.state.severity),
      ),
    );
    if (counted.length > 0)
      await drizzle(d1).batch(counted as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
    transaction(db, () => {
      for (const history of histories) {
        // As the case object's projection writes them: the row, then one timeline row per event.
        project(projectCase(history.state, history.version));
        for (const [i, event] of history.events.entries()) {
          timeline({
            caseId: history.state.id,
            seq: i + 1,
            type: event.type,
            actor: `${event.actor.kind}:${event.actor.id}`,
            at: event.at,
            data: event,
          });
        }
      }
    });
  }
  return Math.max(0, target - existing);
}

/**
 * A prepared INSERT of every column of a drizzle table, taking the row as drizzle would (camelCase
 * keys, JSON columns as values): the table definition decides the column names and encodings.
 */
function inserter(db: DatabaseSync, table: Table, conflict = ""): (row: object) => void {
  const columns = Object.entries(getTableColumns(table));
  const names = columns.map(([, column]) => `"${column.name}"`).join(", ");
  const statement = db.prepare(
    `INSERT INTO "${getTableName(table)}" (${names}) VALUES (${columns.map(() => "?").join(", ")}) ${conflict}`,
  );
  return (row) => {
    const values = row as Record<string, unknown>;
    statement.run(
      ...columns.map(([key, column]): SQLInputValue => {
        const value = values[key] === undefined ? column.default : values[key];
        return value === undefined || value === null
          ? null
          : (column.mapToDriverValue(value) as SQLInputValue);
      }),
    );
  };
}

function transaction(db: DatabaseSync, work: () => void): void {
  db.exec("BEGIN");
  try {
    work();
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

/**
 * One case's life as its case object would have committed it: opened, then (depending on g)
 * acknowledged, assigned, resolved and closed, with every SLA timer firing when it fell due up to
 * `now`. One version per commit, as in the object.
 */
function caseHistory(g: number, openedAt: number, now: number) {
  const id = newId("case", openedAt);
  const analyst = { kind: "user" as const, id: `analyst-${g % 25}` };
  const plan: Array<{ at: number; command: CaseCommand }> = [
    {
      at: openedAt,
      command: {
        type: "open",
        caseId: id,
        title: `Seeded case ${g}`,
        severity: SEVERITIES[g % SEVERITIES.length] ?? "medium",
      },
    },
  ];
  if (g % 4 !== 3) plan.push({ at: openedAt + 5 * MINUTE, command: { type: "acknowledge" } });
  if (g % 3 === 0)
    plan.push({ at: openedAt + 10 * MINUTE, command: { type: "assign", assignee: analyst.id } });
  if (g % 4 === 0) {
    plan.push({ at: openedAt + 60 * MINUTE, command: { type: "resolve", resolution: "true_positive" } });
    plan.push({ at: openedAt + 120 * MINUTE, command: { type: "close" } });
  }

  let state: CaseState | null = null;
  const commits: CaseEvent[][] = [];
  for (const step of plan) {
    if (state) state = fireSlaTimers(state, step.at, commits);
    const actor = step.command.type === "open" ? { kind: "system" as const, id: "bench-seed" } : analyst;
    const decision = decide({ command: step.command, actor }, state, {
      now: step.at,
      config: CONFIG,
      newCommentId: () => newId("comment", step.at),
    });
    if (!decision.ok)
      throw new Error(`seeded case ${g}: ${step.command.type} refused: ${decision.error.message}`);
    state = decision.events.reduce<CaseState | null>(evolve, state);
    if (decision.events.length > 0) commits.push(decision.events);
  }
  if (!state) throw new Error(`seeded case ${g} was never opened`);
  state = fireSlaTimers(state, now, commits);
  return { state, version: commits.length, events: commits.flat() };
}

function countRows(db: DatabaseSync, table: "alerts" | "cases"): number {
  return Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
}
