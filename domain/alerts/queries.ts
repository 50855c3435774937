// Reading alerts: by id, and as a keyset-paginated, filtered list (newest first).
import {
  and,
  desc,
  eq,
  getTableColumns,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  or,
  type SQL,
  sql,
} from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { alerts, cases, reportCounts } from "../../schema/tenant.ts";
import { MAX_PAGE_BYTES, utf8Length } from "../input/limits.ts";
import { decodeCursor, keysetPage } from "../pagination.ts";
import type { Alert } from "./store.ts";

export const MAX_PAGE_SIZE = 200;

export interface AlertListQuery {
  limit: number;
  cursor?: string | undefined;
  severityId?: number | undefined;
  statusId?: number | undefined;
  /** Inclusive lower bound on `time`, epoch ms. */
  timeFrom?: number | undefined;
  /** Exclusive upper bound on `time`, epoch ms. */
  timeTo?: number | undefined;
  /** The source's product name, as the alert-volume report counts sources. */
  productName?: string | undefined;
  /** true: only alerts linked to a case; false: only alerts in none. */
  inCase?: boolean | undefined;
  /** Whether the page carries each alert's raw payload; without it a page is far smaller. */
  includeRawData?: boolean;
}

export interface AlertPage {
  /** Without includeRawData, each alert's rawData is "" (not read). */
  items: Alert[];
  nextCursor: string | null;
}

export async function getAlert(db: D1Database, id: string): Promise<Alert | null> {
  const rows = await drizzle(db).select().from(alerts).where(eq(alerts.id, id)).limit(1);
  return rows[0] ?? null;
}

export async function listAlerts(db: D1Database, query: AlertListQuery): Promise<AlertPage> {
  const { fingerprint, conditions } = listConditions(query);
  const limit = Math.min(Math.max(query.limit, 1), MAX_PAGE_SIZE);
  // Without raw data the column is not even read: it is most of an alert's bytes.
  const { rawData: _rawData, ...withoutRawData } = getTableColumns(alerts);
  const found = await drizzle(db)
    .select(query.includeRawData ? getTableColumns(alerts) : withoutRawData)
    .from(alerts)
    .where(and(...conditions))
    .orderBy(desc(alerts.time), desc(alerts.id))
    .limit(limit + 1);
  const rows: Alert[] = found.map((r) => ({ rawData: "", ...r }));

  return keysetPage(rows, limit, (r) => ({ k: r.time, id: r.id }), fingerprint, {
    maxBytes: MAX_PAGE_BYTES,
    sizeOf: rowBytes,
  });
}

/** The filters and the cursor of a newest-first list, and the fingerprint its cursors carry. */
function listConditions(query: Omit<AlertListQuery, "limit" | "includeRawData">): {
  fingerprint: string;
  conditions: SQL[];
} {
  const filters: unknown[] = [query.severityId, query.statusId, query.timeFrom, query.timeTo];
  // Appended only when set, so cursors issued before these filters existed stay valid.
  if (query.productName !== undefined || query.inCase !== undefined)
    filters.push(query.productName, query.inCase);
  const fingerprint = JSON.stringify(filters);
  const conditions: SQL[] = [];
  if (query.severityId !== undefined) conditions.push(eq(alerts.severityId, query.severityId));
  if (query.statusId !== undefined) conditions.push(eq(alerts.statusId, query.statusId));
  if (query.timeFrom !== undefined) conditions.push(gte(alerts.time, query.timeFrom));
  if (query.timeTo !== undefined) conditions.push(lt(alerts.time, query.timeTo));
  if (query.productName !== undefined) conditions.push(eq(alerts.productName, query.productName));
  if (query.inCase !== undefined)
    conditions.push(query.inCase ? isNotNull(alerts.caseId) : isNull(alerts.caseId));
  if (query.cursor) {
    const after = decodeCursor(query.cursor, fingerprint);
    const before = or(lt(alerts.time, after.k), and(eq(alerts.time, after.k), lt(alerts.id, after.id)));
    if (before) conditions.push(before);
  }
  return { fingerprint, conditions };
}

// Close enough to the rendered size: the row's JSON, which holds every field the finding shows.
function rowBytes(row: object): number {
  return utf8Length(JSON.stringify(row));
}

export interface AlertRef {
  id: string;
  findingUid: string;
  title: string;
  severityId: number;
  productName?: string;
}

/** The alerts of this tenant among `ids`, briefly (D1 binds at most 100 parameters, so in chunks). */
export async function findAlertRefs(db: D1Database, ids: readonly string[]): Promise<AlertRef[]> {
  const refs: AlertRef[] = [];
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await drizzle(db)
      .select({
        id: alerts.id,
        findingUid: alerts.findingUid,
        title: alerts.title,
        severityId: alerts.severityId,
        productName: alerts.productName,
      })
      .from(alerts)
      .where(inArray(alerts.id, ids.slice(i, i + 90)));
    for (const r of rows)
      refs.push({
        id: r.id,
        findingUid: r.findingUid,
        title: r.title,
        severityId: r.severityId,
        ...(r.productName ? { productName: r.productName } : {}),
      });
  }
  return refs;
}

/** The case each of `ids` is grouped into (null: not yet), for the ids that are alerts of this tenant. */
export async function alertCaseIds(
  db: D1Database,
  ids: readonly string[],
): Promise<Map<string, string | null>> {
  const found = new Map<string, string | null>();
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await drizzle(db)
      .select({ id: alerts.id, caseId: alerts.caseId })
      .from(alerts)
      .where(inArray(alerts.id, ids.slice(i, i + 90)));
    for (const r of rows) found.set(r.id, r.caseId);
  }
  return found;
}

/** Which of `ids` are alerts of this tenant. */
export async function existingAlertIds(db: D1Database, ids: readonly string[]): Promise<Set<string>> {
  return new Set((await findAlertRefs(db, ids)).map((r) => r.id));
}

/** One linked alert as a case page lists it: the key fields, read out of the JSON in SQLite. */
export interface CaseAlertSummary {
  id: string;
  title: string;
  time: number;
  severityId: number;
  productName: string | null;
  occurrenceCount: number;
  deviceName: string | null;
  userName: string | null;
  observableCount: number;
  /** "T1059.001 PowerShell", from finding_info.attacks, deduplicated. */
  techniques: string[];
}

/**
 * A case's linked alerts, newest first, without their nested objects or raw payload: a busy case
 * lists hundreds, and the full finding is read only when an analyst opens one (getAlert).
 */
export async function caseAlertSummaries(
  db: D1Database,
  caseId: string,
  limit: number,
): Promise<{ items: CaseAlertSummary[]; total: number }> {
  // One statement: the window counts every linked alert before LIMIT keeps the newest.
  const rows = await drizzle(db)
    .select({ ...summaryColumns, total: sql<number>`count(*) over ()` })
    .from(alerts)
    .where(eq(alerts.caseId, caseId))
    .orderBy(desc(alerts.time), desc(alerts.id))
    .limit(limit);
  return {
    items: rows.map(({ attacks, caseId: _caseId, total: _total, ...row }) => ({
      ...row,
      techniques: attackTechniques(attacks),
    })),
    total: rows[0]?.total ?? 0,
  };
}

// An alert's key fields read out of its JSON in SQLite: a list never parses whole findings.
const summaryColumns = {
  id: alerts.id,
  title: alerts.title,
  time: alerts.time,
  severityId: alerts.severityId,
  productName: alerts.productName,
  occurrenceCount: alerts.occurrenceCount,
  deviceName: sql<
    string | null
  >`coalesce(json_extract(${alerts.device}, '$.hostname'), json_extract(${alerts.device}, '$.name'), json_extract(${alerts.device}, '$.ip'))`,
  userName: sql<
    string | null
  >`coalesce(json_extract(${alerts.actor}, '$.user.name'), json_extract(${alerts.actor}, '$.user.email_addr'), json_extract(${alerts.actor}, '$.user.uid'))`,
  observableCount: sql<number>`coalesce(json_array_length(${alerts.observables}), 0)`,
  attacks: sql<string | null>`json_extract(${alerts.findingInfo}, '$.attacks')`,
  caseId: alerts.caseId,
};

/** An alert as the triage list shows it: the case page's summary and the case it is in, if any. */
export interface AlertSummary extends CaseAlertSummary {
  caseId: string | null;
  /** The case's title and state from the tenant's projection (null while it has not caught up). */
  caseTitle: string | null;
  caseState: string | null;
}

/** A newest-first page of a tenant's alerts as summaries, with the same filters and cursors as listAlerts. */
export async function listAlertSummaries(
  db: D1Database,
  query: Omit<AlertListQuery, "includeRawData">,
): Promise<{ items: AlertSummary[]; nextCursor: string | null }> {
  const { fingerprint, conditions } = listConditions(query);
  const limit = Math.min(Math.max(query.limit, 1), MAX_PAGE_SIZE);
  const rows = await drizzle(db)
    .select({ ...summaryColumns, caseTitle: cases.title, caseState: cases.state })
    .from(alerts)
    .leftJoin(cases, eq(cases.id, alerts.caseId))
    .where(and(...conditions))
    .orderBy(desc(alerts.time), desc(alerts.id))
    .limit(limit + 1);
  const items = rows.map(({ attacks, ...row }) => ({ ...row, techniques: attackTechniques(attacks) }));
  return keysetPage(items, limit, (r) => ({ k: r.time, id: r.id }), fingerprint);
}

/**
 * The sources (product names) a tenant has received alerts from, as the alert-volume report counts
 * them: a few rows per month, never a scan of the alerts.
 */
export async function alertSources(db: D1Database): Promise<string[]> {
  const rows = await drizzle(db)
    .selectDistinct({ source: reportCounts.dim1 })
    .from(reportCounts)
    .where(and(eq(reportCounts.grain, "month"), eq(reportCounts.metric, "deliveries")))
    .orderBy(reportCounts.dim1);
  return rows.map((r) => r.source).filter((s) => s !== "");
}

/** ATT&CK techniques named by a finding's attacks (JSON text), sub-technique first when present. */
export function attackTechniques(attacksJson: string | null): string[] {
  let attacks: unknown;
  try {
    attacks = attacksJson ? JSON.parse(attacksJson) : null;
  } catch {
    return [];
  }
  if (!Array.isArray(attacks)) return [];
  const names = attacks.flatMap((attack) => {
    const a = attack as {
      technique?: { uid?: string; name?: string };
      sub_technique?: { uid?: string; name?: string };
    };
    const t = a?.sub_technique ?? a?.technique;
    return t?.uid ? [`${t.uid}${t.name ? ` ${t.name}` : ""}`] : [];
  });
  return [...new Set(names)];
}

/** The case's alerts among `findingUids` (the uids their sources gave them), by that uid. */
export async function alertsByFindingUid(
  db: D1Database,
  caseId: string,
  findingUids: readonly string[],
): Promise<Map<string, { id: string; title: string }>> {
  const uids = [...new Set(findingUids)].slice(0, 90);
  if (uids.length === 0) return new Map();
  const rows = await drizzle(db)
    .select({ id: alerts.id, title: alerts.title, uid: alerts.findingUid })
    .from(alerts)
    .where(and(eq(alerts.caseId, caseId), inArray(alerts.findingUid, uids)));
  return new Map(rows.map((r) => [r.uid, { id: r.id, title: r.title }]));
}
