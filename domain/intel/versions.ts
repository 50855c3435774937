// Intelligence records are versioned by their source's clock: a re-sent record replaces the stored
// one only when it is at least as new, so an older version delivered late never overwrites.
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import type { SQLiteColumn, SQLiteTableWithColumns, SQLiteUpdateSetSource } from "drizzle-orm/sqlite-core";

type VersionedTable = SQLiteTableWithColumns<{
  name: string;
  schema: undefined;
  dialect: "sqlite";
  columns: { id: SQLiteColumn; sourceTime: SQLiteColumn; firstSeenAt: SQLiteColumn };
}>;

/** Insert the record, or update the stored one (keeping its first-seen time) unless that is newer. */
export function newestVersionWins<T extends VersionedTable>(
  d: DrizzleD1Database,
  table: T,
  row: T["$inferInsert"] & { id: string; sourceTime: number; firstSeenAt: number },
): BatchItem<"sqlite"> {
  const { id: _id, firstSeenAt: _first, ...changes } = row;
  return d
    .insert(table)
    .values(row)
    .onConflictDoUpdate({
      target: table.id,
      set: Object.fromEntries(
        Object.keys(changes).map((key) => [key, sql.raw(`excluded.${snake(key)}`)]),
      ) as SQLiteUpdateSetSource<T>,
      setWhere: sql`excluded.source_time >= ${table.sourceTime}`,
    });
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
