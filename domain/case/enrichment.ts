// What a case's indicators and assets mean beyond the case: where else they were seen, what the
// enrichment providers said, who owns the asset, and which other open cases share them. Read for
// the case page's "Observables and assets" panel.
import { and, asc, desc, eq, inArray, isNull, lte, ne, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import {
  alertAssets,
  alertObservables,
  alerts,
  assets,
  cases,
  intelJudgements,
  observables,
} from "../../schema/tenant.ts";
import { currentVerdict, judgementColumns } from "../intel/judgements.ts";

/** Each list is capped; the cap also keeps every IN-list below D1's 100 bound parameters. */
export const MAX_ENRICHMENT_ITEMS = 90;
const DEFAULT_ENRICHMENT_ITEMS = 50;
const OTHER_CASES_PER_ITEM = 5;
// A false condition: an empty id list still gets its statement, so the batch keeps its shape.
const NONE = sql`0`;

type Asset = typeof assets.$inferSelect;

export interface CaseRef {
  id: string;
  title: string;
  state: string;
  severity: string;
}

export interface ObservableVerdict {
  provider: string;
  verdict: string | null;
  fetchedAt: number;
  /** Past this the verdict is stale (the provider may have changed its mind); null: never. */
  expiresAt: number | null;
  reason: string | null;
}

export interface CaseObservable {
  id: string;
  type: string;
  typeId: number;
  value: string;
  firstSeenAt: number;
  lastSeenAt: number;
  /** Alerts of this tenant carrying it, in any case or none. */
  sightings: number;
  /** Of those, the alerts not linked to this case. */
  sightingsBefore: number;
  verdicts: ObservableVerdict[];
  /** Open cases other than this one sharing it, newest first, at most five. */
  otherOpenCases: CaseRef[];
}

export interface CaseAsset {
  id: string;
  kind: Asset["kind"];
  uid: string;
  name: string | null;
  criticality: Asset["criticality"];
  owner: string | null;
  firstSeenAt: number;
  lastSeenAt: number;
  otherOpenCases: CaseRef[];
}

export interface CaseEnrichment {
  /** Most sightings outside this case first, then by value. */
  observables: CaseObservable[];
  /** Most critical first (unrated last), then by name. */
  assets: CaseAsset[];
}

/**
 * The observables and assets of a case's linked alerts, each capped at `limit` (default 50).
 * Five statements in two round trips whatever the case's size; a case with no alerts (or no such
 * case) gives empty lists.
 */
export async function caseEnrichment(
  db: D1Database,
  caseId: string,
  opts: { limit?: number; now: number },
): Promise<CaseEnrichment> {
  const limit = Math.min(
    Math.max(Math.trunc(opts.limit ?? DEFAULT_ENRICHMENT_ITEMS), 1),
    MAX_ENRICHMENT_ITEMS,
  );
  const d = drizzle(db);

  const caseObservableIds = d
    .selectDistinct({ id: alertObservables.observableId })
    .from(alertObservables)
    .innerJoin(alerts, eq(alerts.id, alertObservables.alertId))
    .where(eq(alerts.caseId, caseId));
  const caseAssetIds = d
    .selectDistinct({ id: alertAssets.assetId })
    .from(alertAssets)
    .innerJoin(alerts, eq(alerts.id, alertAssets.alertId))
    .where(eq(alerts.caseId, caseId));
  // `IS NOT` is null-safe, so alerts in no case yet count as seen elsewhere.
  const elsewhere = sql<number>`sum(${alerts.caseId} is not ${caseId})`;
  const criticalityRank = sql`case ${assets.criticality} when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 4 end`;

  const [observableRows, assetRows] = await d.batch([
    d
      .select({
        id: observables.id,
        type: observables.type,
        typeId: observables.typeId,
        value: observables.value,
        firstSeenAt: observables.firstSeenAt,
        lastSeenAt: observables.lastSeenAt,
        sightings: sql<number>`count(*)`.mapWith(Number),
        sightingsBefore: elsewhere.mapWith(Number),
      })
      .from(observables)
      .innerJoin(alertObservables, eq(alertObservables.observableId, observables.id))
      .innerJoin(alerts, eq(alerts.id, alertObservables.alertId))
      .where(inArray(observables.id, caseObservableIds))
      .groupBy(observables.id)
      .orderBy(desc(elsewhere), asc(observables.value), asc(observables.id))
      .limit(limit),
    d
      .select()
      .from(assets)
      .where(inArray(assets.id, caseAssetIds))
      .orderBy(asc(criticalityRank), asc(sql`coalesce(${assets.name}, ${assets.uid})`), asc(assets.id))
      .limit(limit),
  ]);

  const observableIds = observableRows.map((o) => o.id);
  const assetIds = assetRows.map((a) => a.id);
  const [verdictRows, observableCases, assetCases] =
    observableIds.length + assetIds.length === 0
      ? [[], [], []]
      : await d.batch([
          d
            .select(judgementColumns)
            .from(intelJudgements)
            .where(observableIds.length > 0 ? inArray(intelJudgements.observableId, observableIds) : NONE)
            .orderBy(asc(intelJudgements.source)),
          otherOpenCasesOf(d, alertObservables.observableId, alertObservables.alertId, observableIds, caseId),
          otherOpenCasesOf(d, alertAssets.assetId, alertAssets.alertId, assetIds, caseId),
        ]);

  const verdicts = verdictsByObservable(verdictRows, opts.now);
  const observableOthers = groupBy(observableCases, (c) => c.key);
  const assetOthers = groupBy(assetCases, (c) => c.key);
  return {
    observables: observableRows.map((o) => ({
      ...o,
      verdicts: verdicts.get(o.id) ?? [],
      otherOpenCases: (observableOthers.get(o.id) ?? []).map(caseRef),
    })),
    assets: assetRows.map((a) => ({
      id: a.id,
      kind: a.kind,
      uid: a.uid,
      name: a.name,
      criticality: a.criticality,
      owner: assetOwner(a.kind, a.details),
      firstSeenAt: a.firstSeenAt,
      lastSeenAt: a.lastSeenAt,
      otherOpenCases: (assetOthers.get(a.id) ?? []).map(caseRef),
    })),
  };
}

/** Per observable and source, the judgement that counts now; expired ones are left out. */
function verdictsByObservable(
  rows: ReadonlyArray<Pick<typeof intelJudgements.$inferSelect, keyof typeof judgementColumns>>,
  now: number,
): Map<string, ObservableVerdict[]> {
  const verdicts = new Map<string, ObservableVerdict[]>();
  for (const [observable, ofObservable] of groupBy(rows, (v) => v.observableId)) {
    const current = [...groupBy(ofObservable, (r) => r.source).values()].flatMap((bySource) => {
      const counted = currentVerdict(bySource, now);
      return counted ? [counted] : [];
    });
    verdicts.set(
      observable,
      current.map((v) => ({
        provider: v.source,
        verdict: v.dispositionName,
        fetchedAt: v.sourceTime,
        expiresAt: v.validUntil,
        reason: v.reason,
      })),
    );
  }
  return verdicts;
}

export interface AlertObservable {
  id: string;
  type: string;
  value: string;
  /** Alerts of this tenant carrying it, this one included. */
  sightings: number;
  verdicts: ObservableVerdict[];
}

/**
 * One alert's observables with each provider's current verdict and how often the tenant has seen
 * them: what an analyst triaging the alert weighs. Two round trips; at most MAX_ENRICHMENT_ITEMS.
 */
export async function alertObservableVerdicts(
  db: D1Database,
  alertId: string,
  now: number,
): Promise<AlertObservable[]> {
  const d = drizzle(db);
  const ofAlert = d
    .select({ id: alertObservables.observableId })
    .from(alertObservables)
    .where(eq(alertObservables.alertId, alertId));
  const rows = await d
    .select({
      id: observables.id,
      type: observables.type,
      value: observables.value,
      sightings: sql<number>`count(*)`.mapWith(Number),
    })
    .from(observables)
    .innerJoin(alertObservables, eq(alertObservables.observableId, observables.id))
    .where(inArray(observables.id, ofAlert))
    .groupBy(observables.id)
    .orderBy(asc(observables.type), asc(observables.value))
    .limit(MAX_ENRICHMENT_ITEMS);
  if (rows.length === 0) return [];
  const judged = await d
    .select(judgementColumns)
    .from(intelJudgements)
    .where(
      inArray(
        intelJudgements.observableId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(intelJudgements.source));
  const verdicts = verdictsByObservable(judged, now);
  return rows.map((r) => ({ ...r, verdicts: verdicts.get(r.id) ?? [] }));
}

/**
 * For each of `ids` (observables or assets, by the link table's `key` column), the open cases other
 * than `caseId` whose alerts carry it: newest first, at most five each, ranked in SQL so a popular
 * indicator shared by hundreds of cases returns five rows, not hundreds.
 */
function otherOpenCasesOf(
  d: ReturnType<typeof drizzle>,
  key: typeof alertObservables.observableId | typeof alertAssets.assetId,
  alertId: typeof alertObservables.alertId | typeof alertAssets.alertId,
  ids: readonly string[],
  caseId: string,
) {
  const shared = d
    .selectDistinct({ key: sql<string>`${key}`.as("shared_key"), caseId: alerts.caseId })
    .from(key.table)
    .innerJoin(alerts, eq(alerts.id, alertId))
    .where(and(ids.length > 0 ? inArray(key, [...ids]) : NONE, ne(alerts.caseId, caseId)))
    .as("shared");
  const ranked = d
    .select({
      key: shared.key,
      id: cases.id,
      title: cases.title,
      state: cases.state,
      severity: cases.severity,
      rank: sql<number>`row_number() over (partition by ${shared.key} order by ${cases.openedAt} desc, ${cases.id} desc)`.as(
        "rank",
      ),
    })
    .from(shared)
    .innerJoin(cases, eq(cases.id, shared.caseId))
    // Merging also closes a case, so the state test covers merged ones; merged_into is a second guard.
    .where(and(ne(cases.state, "closed"), isNull(cases.mergedInto)))
    .as("ranked");
  return d
    .select({
      key: ranked.key,
      id: ranked.id,
      title: ranked.title,
      state: ranked.state,
      severity: ranked.severity,
    })
    .from(ranked)
    .where(lte(ranked.rank, OTHER_CASES_PER_ITEM))
    .orderBy(asc(ranked.key), asc(ranked.rank));
}

/**
 * Who answers for an asset, from what its details hold (OCSF shapes): a device's or resource's
 * `owner` (a User object, or a plain string), a user's own email address or else their organisation.
 */
export function assetOwner(kind: Asset["kind"], details: Record<string, unknown> | null): string | null {
  if (!details) return null;
  switch (kind) {
    case "device":
    case "resource":
      return personLabel(details.owner);
    case "user":
      return text(details.email_addr) ?? text(obj(details.org)?.name);
    default: {
      const unknownKind: never = kind;
      return unknownKind;
    }
  }
}

function personLabel(v: unknown): string | null {
  const person = obj(v);
  if (!person) return text(v);
  return text(person.name) ?? text(person.email_addr) ?? text(person.uid);
}

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);
const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

const caseRef = ({ id, title, state, severity }: CaseRef): CaseRef => ({ id, title, state, severity });

function groupBy<T>(rows: readonly T[], keyOf: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}
