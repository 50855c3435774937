// Storing alerts: OCSF Detection Findings become rows in the tenant's database, de-duplicated on
// a stable key. One D1 batch per request, so a request lands whole or not at all.
import { getTableColumns, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { alertAssets, alertObservables, alerts, assets, observables } from "../../schema/tenant.ts";
import { type AssetRef, assetId, assetsOf } from "../assets.ts";
import { alertsStoredWrite } from "../changes/feed.ts";
import type { IdempotencyClaim } from "../idempotency.ts";
import { newId } from "../ids.ts";
import { normaliseObservableValue, observableId } from "../observables.ts";
import {
  captionOf,
  type DetectionFinding,
  dedupKeyFor,
  normaliseFinding,
  OBSERVABLE_TYPE_CAPTIONS,
} from "../ocsf/detection-finding.ts";
import { alertCountWrites, countWrites } from "../reports/aggregates.ts";
import { type SourceVersion, sourceVersionStatements } from "./source-versions.ts";

export type Alert = typeof alerts.$inferSelect;

export interface StoredAlert {
  id: string;
  duplicate: boolean;
  occurrenceCount: number;
}

export interface StoreOutcome {
  alerts: StoredAlert[];
  created: number;
  duplicates: number;
}

export interface StoreContext {
  now: number;
  sourceConnectorId: string | null;
  claim: IdempotencyClaim;
  /** Further writes that must commit with the alerts or not at all (e.g. quarantined items). */
  alongside?: BatchItem<"sqlite">[];
  /**
   * Writes that come last in the batch and may count what it stored: given the ids minted for the
   * findings, of which only the new alerts keep theirs (a duplicate keeps the existing row's id).
   */
  closing?: (mintedIds: readonly string[]) => BatchItem<"sqlite">[];
  /** Per finding, the key that groups it into a case; absent for alerts nobody correlates. */
  correlationKeys?: ReadonlyArray<string | null>;
  /** Per finding, the version its source says it is, for sources that later update what they sent. */
  sourceVersions?: ReadonlyArray<SourceVersion | null | undefined>;
}

export async function storeFindings(
  db: D1Database,
  findings: readonly DetectionFinding[],
  ctx: StoreContext,
): Promise<StoreOutcome> {
  return storeFindingGroup(
    db,
    findings.map((finding, i) => ({
      finding,
      now: ctx.now,
      sourceConnectorId: ctx.sourceConnectorId,
      correlationKey: ctx.correlationKeys?.[i] ?? null,
      sourceVersion: ctx.sourceVersions?.[i] ?? null,
    })),
    {
      now: ctx.now,
      first: ctx.claim ? [ctx.claim] : [],
      alongside: ctx.alongside ?? [],
      closing: ctx.closing ?? (() => []),
    },
  );
}

/** A finding to store, with what it was received with: several deliveries may share one batch. */
export interface FindingToStore {
  finding: DetectionFinding;
  /** When its delivery was received: the alert's created_at. */
  now: number;
  sourceConnectorId: string | null;
  correlationKey: string | null;
  sourceVersion: SourceVersion | null;
}

export interface StoreGroupContext {
  /** The batch's clock for index rows, the change feed and the counters. */
  now: number;
  /** Writes ahead of the upserts (an idempotency claim). */
  first: BatchItem<"sqlite">[];
  alongside: BatchItem<"sqlite">[];
  /** As StoreContext.closing: given every finding's minted id, in order. */
  closing: (mintedIds: readonly string[]) => BatchItem<"sqlite">[];
}

/**
 * Stores findings in one D1 batch: the alerts in multi-row upserts mapped back by dedup key, then
 * their observables, assets, source versions, change feed rows and counters.
 */
export async function storeFindingGroup(
  db: D1Database,
  items: readonly FindingToStore[],
  ctx: StoreGroupContext,
): Promise<StoreOutcome> {
  const d = drizzle(db);
  const findings = items.map((item) => item.finding);
  const rows = await Promise.all(items.map((item) => toRow(item)));
  const upserts = alertUpserts(d, rows);
  const versions = rows.flatMap((row, i) => {
    const version = items[i]?.sourceVersion;
    // Received when its own delivery was, so a version that arrives late is seen to be.
    return version ? [{ dedupKey: row.dedupKey, version, receivedAt: items[i]?.now ?? ctx.now }] : [];
  });
  const indexing = [
    ...(await observableStatements(d, findings, rows, ctx.now)),
    ...(await assetStatements(d, findings, rows, ctx.now)),
    ...sourceVersionStatements(d, versions),
  ];
  const keys = [...new Set(rows.map((row) => row.dedupKey))];
  const statements: BatchItem<"sqlite">[] = [
    ...ctx.first,
    ...upserts,
    ...indexing,
    // The change feed reads each alert back after its upsert: created, or seen again.
    ...(keys.length > 0 ? [alertsStoredWrite(db, keys, ctx.now)] : []),
    ...volumeWrites(db, rows, ctx.now),
    ...ctx.alongside,
    ...ctx.closing(rows.map((row) => row.id)),
  ];
  if (statements.length === 0) return { alerts: [], created: 0, duplicates: 0 };
  const results = await d.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);

  // Every row an upsert touched; a key met twice answers twice.
  const returned = results.slice(ctx.first.length, ctx.first.length + upserts.length).flat() as Array<{
    id: string;
    dedupKey: string;
    occurrenceCount: number;
  }>;
  const kept = new Map<string, { id: string; occurrenceCount: number; touched: number }>();
  for (const r of returned) {
    // RETURNING's order is not promised: a key's count after its last upsert is the highest.
    const seen = kept.get(r.dedupKey);
    kept.set(r.dedupKey, {
      id: r.id,
      occurrenceCount: Math.max(r.occurrenceCount, seen?.occurrenceCount ?? 0),
      touched: (seen?.touched ?? 0) + 1,
    });
  }
  const met = new Map<string, number>();
  const stored = rows.map((row): StoredAlert => {
    const final = kept.get(row.dedupKey);
    if (!final) throw new Error("alert upsert returned no row");
    // The n-th of m rows with one key saw the count as it was after its own upsert.
    const nth = met.get(row.dedupKey) ?? 0;
    met.set(row.dedupKey, nth + 1);
    // New rows keep the id minted here; a conflict keeps the existing row's id.
    return {
      id: final.id,
      duplicate: final.id !== row.id,
      occurrenceCount: final.occurrenceCount - (final.touched - 1 - nth),
    };
  });
  const duplicates = stored.filter((s) => s.duplicate).length;
  return { alerts: stored, created: stored.length - duplicates, duplicates };
}

type AlertRow = typeof alerts.$inferInsert & { id: string; dedupKey: string };

// A multi-row statement's rows travel as one JSON parameter (D1 binds at most 100 parameters):
// each row an array of the values drizzle would bind, in the table's column order.
const ALERT_COLUMNS = Object.entries(getTableColumns(alerts));
const MAX_ROWS_JSON_BYTES = 512 * 1024;

function alertUpserts(d: ReturnType<typeof drizzle>, rows: readonly AlertRow[]): BatchItem<"sqlite">[] {
  const chunks: string[][] = [];
  let size = 0;
  for (const row of rows) {
    const values = JSON.stringify(
      ALERT_COLUMNS.map(([key, column]) => {
        const value = row[key as keyof AlertRow];
        return value === undefined || value === null ? null : column.mapToDriverValue(value);
      }),
    );
    const last = chunks.at(-1);
    if (!last || size + values.length > MAX_ROWS_JSON_BYTES) {
      chunks.push([values]);
      size = values.length;
    } else {
      last.push(values);
      size += values.length;
    }
  }
  const selected = sql.join(
    ALERT_COLUMNS.map((_, i) => sql.raw(`json_extract(value, '$[${i}]')`)),
    sql`, `,
  );
  return chunks.map((chunk) =>
    d
      .insert(alerts)
      // `WHERE true` keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT.
      .select(sql`SELECT ${selected} FROM json_each(${`[${chunk.join(",")}]`}) WHERE true`)
      .onConflictDoUpdate({
        target: alerts.dedupKey,
        // A re-delivery is one more occurrence of the same finding, never a second alert.
        set: {
          occurrenceCount: sql`${alerts.occurrenceCount} + 1`,
          firstSeenAt: sql`min(${alerts.firstSeenAt}, excluded.first_seen_at)`,
          lastSeenAt: sql`max(${alerts.lastSeenAt}, excluded.last_seen_at)`,
          updatedAt: sql`excluded.updated_at`,
        },
      })
      .returning({ id: alerts.id, dedupKey: alerts.dedupKey, occurrenceCount: alerts.occurrenceCount }),
  );
}

/**
 * The alert-volume report's counters: every finding is a delivery; a row whose minted id survived
 * the upsert is a new alert (a duplicate keeps the existing row's id).
 */
function volumeWrites(
  db: D1Database,
  rows: ReadonlyArray<typeof alerts.$inferInsert & { id: string }>,
  now: number,
) {
  const deliveries = new Map<string, { severity: string; source: string; connector: string; n: number }>();
  for (const row of rows) {
    const dims = {
      severity: String(row.severityId),
      source: row.productName ?? "",
      connector: row.sourceConnectorId ?? "",
    };
    const key = JSON.stringify(dims);
    deliveries.set(key, { ...dims, n: (deliveries.get(key)?.n ?? 0) + 1 });
  }
  return [
    ...countWrites(
      db,
      [...deliveries.values()].map((d) => ({
        metric: "deliveries" as const,
        at: now,
        severity: d.severity,
        dim1: d.source,
        dim2: d.connector,
        n: d.n,
      })),
      null,
    ),
    ...alertCountWrites(
      db,
      "alerts",
      rows.map((row) => row.id),
      now,
      null,
    ),
  ];
}

async function toRow(item: FindingToStore): Promise<AlertRow> {
  const normalised = normaliseFinding(item.finding, item.now);
  return {
    ...normalised,
    id: newId("alert", item.now),
    dedupKey: await dedupKeyFor(item.finding),
    occurrenceCount: 1,
    firstSeenAt: normalised.time,
    lastSeenAt: normalised.time,
    sourceConnectorId: item.sourceConnectorId,
    correlationKey: item.correlationKey,
    correlatedAt: null,
    caseId: null,
    createdAt: item.now,
    updatedAt: item.now,
  };
}

// Observables are indexed for lookup ("which alerts saw this IP?"). The link is written by
// dedup key, so it attaches to whichever row the upsert above kept.
async function observableStatements(
  d: ReturnType<typeof drizzle>,
  findings: readonly DetectionFinding[],
  rows: ReadonlyArray<{ dedupKey: string }>,
  now: number,
): Promise<BatchItem<"sqlite">[]> {
  const seen = new Map<string, { typeId: number; type: string; value: string }>();
  const links = new Map<string, { dedupKey: string; observableId: string }>();
  for (const [i, finding] of findings.entries()) {
    const dedupKey = rows[i]?.dedupKey;
    if (!dedupKey) continue;
    for (const observable of finding.observables ?? []) {
      if (typeof observable.value !== "string" || observable.value.trim() === "") continue;
      const value = normaliseObservableValue(observable.type_id, observable.value);
      const id = await observableId(observable.type_id, value);
      seen.set(id, {
        typeId: observable.type_id,
        type: observable.type ?? captionOf(OBSERVABLE_TYPE_CAPTIONS, observable.type_id) ?? "Other",
        value,
      });
      links.set(`${dedupKey}|${id}`, { dedupKey, observableId: id });
    }
  }
  const upserts = chunked([...seen], 6).map((chunk) =>
    d
      .insert(observables)
      .values(
        chunk.map(([id, o]) => ({
          id,
          typeId: o.typeId,
          type: o.type,
          value: o.value,
          firstSeenAt: now,
          lastSeenAt: now,
        })),
      )
      .onConflictDoUpdate({
        target: observables.id,
        set: { lastSeenAt: sql`max(${observables.lastSeenAt}, excluded.last_seen_at)` },
      }),
  );
  const linkInserts = linkStatements(
    d,
    alertObservables,
    [...links.values()].map((l) => [l.dedupKey, l.observableId]),
  );
  return [...upserts, ...linkInserts];
}

// Assets feed the inventory (and, through their criticality, case priority). Linked by dedup key
// like observables, so the link lands on whichever alert row the upsert kept.
async function assetStatements(
  d: ReturnType<typeof drizzle>,
  findings: readonly DetectionFinding[],
  rows: ReadonlyArray<{ dedupKey: string }>,
  now: number,
): Promise<BatchItem<"sqlite">[]> {
  const seen = new Map<string, AssetRef>();
  const links = new Map<string, { dedupKey: string; assetId: string }>();
  for (const [i, finding] of findings.entries()) {
    const dedupKey = rows[i]?.dedupKey;
    if (!dedupKey) continue;
    for (const asset of assetsOf(finding)) {
      const id = await assetId(asset.kind, asset.uid);
      seen.set(id, asset);
      links.set(`${dedupKey}|${id}`, { dedupKey, assetId: id });
    }
  }
  const upserts = chunked([...seen], 7).map((chunk) =>
    d
      .insert(assets)
      .values(
        chunk.map(([id, a]) => ({
          id,
          kind: a.kind,
          uid: a.uid,
          name: a.name,
          details: a.details,
          firstSeenAt: now,
          lastSeenAt: now,
        })),
      )
      .onConflictDoUpdate({
        target: assets.id,
        set: {
          lastSeenAt: sql`max(${assets.lastSeenAt}, excluded.last_seen_at)`,
          name: sql`coalesce(excluded.name, ${assets.name})`,
          details: sql`coalesce(excluded.details, ${assets.details})`,
        },
      }),
  );
  const linkInserts = linkStatements(
    d,
    alertAssets,
    [...links.values()].map((l) => [l.dedupKey, l.assetId]),
  );
  return [...upserts, ...linkInserts];
}

// D1 binds at most 100 parameters per statement, so index rows go in multi-row statements of that
// size rather than one statement each: a 1,000-finding batch is a few hundred statements, not thousands.
const MAX_BOUND_PARAMETERS = 100;

function chunked<T>(items: readonly T[], parametersPerItem: number): T[][] {
  const size = Math.floor(MAX_BOUND_PARAMETERS / parametersPerItem);
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * Links alerts to index rows by dedup key, so a link attaches to whichever alert row the upsert kept.
 * (`WHERE true` keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT.)
 */
function linkStatements(
  d: ReturnType<typeof drizzle>,
  table: typeof alertObservables | typeof alertAssets,
  links: ReadonlyArray<readonly [dedupKey: string, targetId: string]>,
): BatchItem<"sqlite">[] {
  return chunked(links, 2).map((chunk) =>
    d
      .insert(table)
      .select(
        sql`SELECT ${alerts.id}, link.column2 FROM ${alerts} JOIN (VALUES ${sql.join(
          chunk.map(([dedupKey, targetId]) => sql`(${dedupKey}, ${targetId})`),
          sql`, `,
        )}) AS link ON ${alerts.dedupKey} = link.column1 WHERE true`,
      )
      .onConflictDoNothing(),
  );
}
