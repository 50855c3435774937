// Where a pull resumes, for every pulling connector kind (Cisco XDR, Cisco AI Defense): the latest
// time stored and which items were stored at exactly that time, moved by compare-and-set only after
// a page is stored, so a crash in between re-pulls the page and changes nothing.
import { and, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { connectors } from "../../schema/control.ts";

export interface PullCursor {
  since: string;
  seen: string[];
}

export interface PulledItem {
  key: string | undefined;
  timestamp: string | undefined;
}

/** The cursor after a page: the latest timestamp on it, and which items were stored at exactly that time. */
export function advanceCursor(cursor: PullCursor, items: readonly PulledItem[]): PullCursor {
  let since = Date.parse(cursor.since);
  let seen = new Set(cursor.seen);
  for (const item of items) {
    const at = item.timestamp !== undefined ? Date.parse(item.timestamp) : Number.NaN;
    if (Number.isNaN(at)) continue;
    if (at > since) {
      since = at;
      seen = new Set();
    }
    if (at === since && item.key !== undefined) seen.add(item.key);
  }
  // Kept as the source wrote it when unchanged, so an unchanged cursor compares equal.
  const sinceText = since === Date.parse(cursor.since) ? cursor.since : new Date(since).toISOString();
  return { since: sinceText, seen: [...seen].sort() };
}

/** Stored in an earlier page or run: on the cursor's boundary time and listed as seen there. */
export function alreadyPulled(cursor: PullCursor, item: PulledItem): boolean {
  return (
    item.key !== undefined &&
    item.timestamp !== undefined &&
    Date.parse(item.timestamp) === Date.parse(cursor.since) &&
    cursor.seen.includes(item.key)
  );
}

export function sameCursor(a: PullCursor, b: PullCursor): boolean {
  return a.since === b.since && a.seen.join("\n") === b.seen.join("\n");
}

/**
 * Moves a connector's pull cursor from `previous` to `next`, only if it still is `previous` (null: no
 * cursor yet). False means another run moved it first; that run's work stands and this one stops.
 */
export async function commitPullCursor(
  controlDb: D1Database,
  connectorId: string,
  previous: unknown,
  next: unknown,
  now: number = Date.now(),
): Promise<boolean> {
  const result = await drizzle(controlDb)
    .update(connectors)
    .set({
      config: sql`json_set(${connectors.config}, '$.pull.cursor', json(${JSON.stringify(next)}))`,
      updatedAt: now,
    })
    .where(
      and(
        eq(connectors.id, connectorId),
        sql`json_type(${connectors.config}, '$.pull') = 'object'`,
        sql`json_extract(${connectors.config}, '$.pull.cursor') IS json(${previous === null ? null : JSON.stringify(previous)})`,
      ),
    );
  return result.meta.changes === 1;
}

/**
 * Keeps `run` as the connector's last pull (`config.pull.lastRun`), in place like the cursor, so
 * settings saved meanwhile are kept. Not audited: it is the pull's own bookkeeping, not a change.
 */
export async function recordPullRun(
  controlDb: D1Database,
  connectorId: string,
  run: Record<string, unknown>,
) {
  const kept = Object.fromEntries(Object.entries(run).filter(([, v]) => v !== undefined));
  await drizzle(controlDb)
    .update(connectors)
    .set({ config: sql`json_set(${connectors.config}, '$.pull.lastRun', json(${JSON.stringify(kept)}))` })
    .where(and(eq(connectors.id, connectorId), sql`json_type(${connectors.config}, '$.pull') = 'object'`));
}
