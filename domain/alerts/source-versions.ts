// What a source changed about a finding after Phoenix first saw it. The alert keeps its first-seen
// view; each version the source sends (severity, status, assignees, scores, observables…) is kept
// by source time, and the change from one to the next is what the case timeline shows.
import canonicalize from "canonicalize";
import { asc, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { alertSourceVersions, alerts } from "../../schema/tenant.ts";
import { SEVERITY_CAPTIONS } from "../ocsf/captions.ts";

type Json = Record<string, unknown>;

/**
 * One version of a finding as its source tells it. `state` may be partial (a status-change event);
 * `severity` in it is the OCSF caption, so any source's raise can raise the case.
 */
export interface SourceVersion {
  /** Who changed it, as the timeline names it ("XDR"). */
  source: string;
  /** The source's own clock for this version: later versions have later times. */
  time: number;
  state: Json;
}

export interface SourceChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** The fields `next` says something about that differ from `previous` (arrays compared as sets). */
export function sourceChanges(previous: Json, next: Json): SourceChange[] {
  const changes: SourceChange[] = [];
  for (const [field, to] of Object.entries(next)) {
    if (to === undefined) continue;
    const from = previous[field];
    if (canonical(from) !== canonical(to)) changes.push({ field, from: from ?? null, to });
  }
  return changes;
}

/** The state after `next`, which may leave out fields it does not change. */
export function laterState(previous: Json, next: Json): Json {
  return { ...previous, ...Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)) };
}

/**
 * The convention mappers follow for a source's `status`: "Closed" or "Closed: <why>" means the
 * source closed its record (CTIM's incident statuses read this way), answered as the why.
 */
export function sourceClosedAs(status: unknown): string | null {
  if (typeof status !== "string") return null;
  const match = /^closed\s*(?::\s*(.+))?$/i.exec(status.trim());
  if (match === null) return null;
  return match[1]?.trim() || "closed";
}

/** The OCSF severity_id a version's `severity` caption names, if any. */
export function severityIdOf(caption: unknown): number | null {
  if (typeof caption !== "string") return null;
  const found = Object.entries(SEVERITY_CAPTIONS).find(([, c]) => c.toLowerCase() === caption.toLowerCase());
  return found ? Number(found[0]) : null;
}

function canonical(value: unknown): string {
  const sorted = Array.isArray(value) ? [...value].map((v) => canonicalize(v) ?? "").sort() : value;
  return canonicalize(sorted ?? null) ?? "null";
}

/**
 * Keeps each version against whichever alert row holds `dedupKey` (the upsert beside it decides);
 * a version already kept (the same source time) changes nothing. An alert's first version is its
 * first-seen view, so it is applied as it lands; later ones are owed to the case (follow-ups.ts).
 */
export function sourceVersionStatements(
  d: DrizzleD1Database,
  versions: ReadonlyArray<{ dedupKey: string; version: SourceVersion; receivedAt: number }>,
): BatchItem<"sqlite">[] {
  return versions.map(({ dedupKey, version, receivedAt: now }) =>
    d
      .insert(alertSourceVersions)
      .select(
        sql`SELECT ${alerts.id}, ${version.time}, ${version.source}, ${JSON.stringify(version.state)}, ${now},
          CASE WHEN EXISTS (SELECT 1 FROM ${alertSourceVersions} WHERE ${alertSourceVersions.alertId} = ${alerts.id}) THEN NULL ELSE ${now} END
          FROM ${alerts} WHERE ${alerts.dedupKey} = ${dedupKey}`,
      )
      .onConflictDoNothing(),
  );
}

export interface SourceHistoryEntry {
  source: string;
  sourceTime: number;
  receivedAt: number;
  /** What changed from the version before it in source time; empty for the first version. */
  changes: SourceChange[];
  /** It reached Phoenix after a newer version had: kept, but it changed nothing in the case. */
  late: boolean;
}

/** An alert's versions as its source told them, oldest first, each with what it changed. */
export async function alertSourceHistory(
  db: DrizzleD1Database,
  alertId: string,
): Promise<SourceHistoryEntry[]> {
  const rows = await db
    .select()
    .from(alertSourceVersions)
    .where(eq(alertSourceVersions.alertId, alertId))
    .orderBy(asc(alertSourceVersions.sourceTime))
    .limit(500);
  let state: Json = {};
  return rows.map((row, i) => {
    const changes = i === 0 ? [] : sourceChanges(state, row.state);
    state = laterState(state, row.state);
    const late = rows.some((newer) => newer.sourceTime > row.sourceTime && newer.receivedAt < row.receivedAt);
    return { source: row.source, sourceTime: row.sourceTime, receivedAt: row.receivedAt, changes, late };
  });
}
