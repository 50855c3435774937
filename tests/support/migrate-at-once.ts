// Test databases are migrated from empty, many times a run: each file's CONTROL_DB and every tenant
// database a test provisions. One D1 batch (one transaction) for all pending migrations instead of
// one per migration, as cloudflare:test's applyD1Migrations does, and the same d1_migrations records.
import type { D1Migration } from "cloudflare:test";

const TABLE = `CREATE TABLE IF NOT EXISTS "d1_migrations" (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT UNIQUE,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`;

export async function applyMigrationsAtOnce(
  db: D1Database,
  migrations: readonly D1Migration[],
): Promise<void> {
  await db.prepare(TABLE).run();
  const { results } = await db.prepare(`SELECT name FROM "d1_migrations"`).all<{ name: string }>();
  const applied = new Set(results.map((r) => r.name));
  const record = db.prepare(`INSERT INTO "d1_migrations" (name) VALUES (?)`);
  const statements = migrations
    .filter((m) => !applied.has(m.name))
    .flatMap((m) => [...m.queries.map((q) => db.prepare(q)), record.bind(m.name)]);
  if (statements.length > 0) await db.batch(statements);
}
