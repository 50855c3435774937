// Local D1 for the operator tools, npm start and the bench: the databases wrangler.toml declares, in
// one Miniflare started through wrangler's own getPlatformProxy against the state `wrangler dev
// --persist-to` serves (decisions 054, 059). `wrangler d1 execute --local` starts a Miniflare per
// query; this one serves a command's queries and closes itself once they stop.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getPlatformProxy } from "wrangler";
import { type D1DatabaseConfig, readWranglerConfig } from "./wrangler-config.ts";

/** What the tools need of a D1 binding: the Node side of the project has no Workers types. */
export interface LocalD1 {
  prepare(sql: string): LocalStatement;
  batch(statements: LocalStatement[]): Promise<Array<{ results: Record<string, unknown>[] }>>;
}
export interface LocalStatement {
  bind(...values: unknown[]): LocalStatement;
  run(): Promise<{ meta: { changes?: number } }>;
  all<Row>(): Promise<{ results: Row[] }>;
  raw<Row extends unknown[]>(): Promise<Row[]>;
}

// Long enough for the next query of the same command to find it open; short enough that a command
// ends right after its last query.
const IDLE_CLOSE_MS = 200;

interface Opened {
  env: Promise<Record<string, LocalD1>>;
  dispose: () => Promise<void>;
  users: number;
  idle?: ReturnType<typeof setTimeout>;
}

const opened = new Map<string, Opened>();

/** Runs `use` with the local databases under `persistTo`, opening them if no command has them open. */
export async function withLocalD1<T>(persistTo: string, use: (env: Record<string, LocalD1>) => Promise<T>) {
  const databases = readWranglerConfig().d1Databases;
  // Keyed by the databases too: `phoenix tenant create` adds one to wrangler.toml and then migrates it.
  const key = JSON.stringify([persistTo, databases.map((db) => [db.binding, db.database_id])]);
  const entry = opened.get(key) ?? open(key, persistTo, databases);
  clearTimeout(entry.idle);
  entry.users++;
  try {
    return await use(await entry.env);
  } finally {
    entry.users--;
    if (entry.users === 0) {
      entry.idle = setTimeout(() => {
        if (opened.get(key) === entry) opened.delete(key);
        // A Miniflare that failed to start was reported to the query that waited for it.
        entry.dispose().catch(() => undefined);
      }, IDLE_CLOSE_MS);
    }
  }
}

/** The binding's local database, as `withLocalD1` opens it. */
export function localDatabase(env: Record<string, LocalD1>, binding: string): LocalD1 {
  const db = env[binding];
  if (!db) throw new Error(`wrangler.toml declares no D1 database ${binding}`);
  return db;
}

function open(key: string, persistTo: string, databases: readonly D1DatabaseConfig[]): Opened {
  // A configuration naming the databases alone: the Worker's Durable Objects and queues are not needed.
  const configDir = mkdtempSync(join(tmpdir(), "phoenix-local-d1-"));
  const configPath = join(configDir, "wrangler.json");
  writeFileSync(
    configPath,
    JSON.stringify({
      name: "phoenix-local-d1",
      compatibility_date: "2025-01-01",
      d1_databases: databases.map((db) => ({
        binding: db.binding,
        database_name: db.database_name,
        database_id: db.database_id,
      })),
    }),
  );
  const proxy = getPlatformProxy<Record<string, LocalD1>>({
    configPath,
    persist: { path: join(persistTo, "v3") },
    remoteBindings: false,
  });
  const entry: Opened = {
    env: proxy.then((p) => p.env),
    dispose: async () => {
      try {
        await (await proxy).dispose();
      } finally {
        rmSync(configDir, { recursive: true, force: true });
      }
    },
    users: 0,
  };
  // A failed start is not kept: the next command tries again.
  proxy.catch(() => {
    if (opened.get(key) === entry) opened.delete(key);
  });
  opened.set(key, entry);
  return entry;
}
