// Local migrations in one Miniflare. `wrangler d1 migrations apply --local` starts a Miniflare for
// every migration, about a second each, and `npm start` applies sixty (decision 054). This applies
// the same files, split by wrangler's own splitter, and records them in wrangler's d1_migrations
// table, so `wrangler d1 migrations list` and later applies agree with it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { unstable_splitSqlQuery as splitSqlQuery } from "wrangler";
import { type LocalD1, localDatabase, withLocalD1 } from "./local-d1.ts";
import { PROJECT_ROOT } from "./wrangler.ts";
import type { D1DatabaseConfig } from "./wrangler-config.ts";

// As wrangler creates it (wrangler's default migrations table).
const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "d1_migrations"(
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT UNIQUE,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`;

/**
 * Applies each database's pending migrations, in the order given, against local state kept under
 * `persistTo` (as `wrangler --persist-to` keeps it). Each migration commits with its record or not
 * at all. Returns, per database, the migrations applied.
 */
export async function applyLocalMigrations(
  databases: readonly D1DatabaseConfig[],
  persistTo: string,
): Promise<Array<{ binding: string; names: string[] }>> {
  if (databases.length === 0) return [];
  return withLocalD1(persistTo, async (env) => {
    const applied: Array<{ binding: string; names: string[] }> = [];
    for (const database of databases) {
      if (!database.migrations_dir) throw new Error(`${database.binding} has no migrations to apply`);
      const db = localDatabase(env, database.binding);
      applied.push({ binding: database.binding, names: await applyPending(db, database.migrations_dir) });
    }
    return applied;
  });
}

async function applyPending(db: LocalD1, migrationsDir: string): Promise<string[]> {
  await db.prepare(MIGRATIONS_TABLE).run();
  const { results } = await db.prepare(`SELECT name FROM "d1_migrations"`).all<{ name: string }>();
  const done = new Set(results.map((r) => r.name));
  const dir = join(PROJECT_ROOT, migrationsDir);
  const pending = readdirSync(dir)
    .filter((name) => name.endsWith(".sql") && !done.has(name))
    .sort();
  for (const name of pending) {
    const statements = splitSqlQuery(readFileSync(join(dir, name), "utf8")).map((sql) => db.prepare(sql));
    await db.batch([...statements, db.prepare(`INSERT INTO "d1_migrations" (name) VALUES (?)`).bind(name)]);
  }
  return pending;
}
