// D1 for the operator tools: locally in one Miniflare over the files `npm start` serves
// (cli/local-d1.ts), remotely through wrangler.
import { drizzle, type SqliteRemoteDatabase } from "drizzle-orm/sqlite-proxy";
import { localDatabase, withLocalD1 } from "./local-d1.ts";
import { applyLocalMigrations } from "./local-migrations.ts";
import { CommandError, LOCAL_STATE_DIR, WRANGLER_TOML, wrangler } from "./wrangler.ts";
import { readWranglerConfig } from "./wrangler-config.ts";

/** `{ persistTo }` is local state kept elsewhere than `npm start`'s (the benchmark keeps its own). */
export type Target = "local" | "remote" | { persistTo: string };

function targetArgs(target: Target): string[] {
  const args = ["-c", WRANGLER_TOML];
  if (target === "remote") return [...args, "--remote"];
  return [...args, "--local", "--persist-to", localStateDir(target)];
}

export function localStateDir(target: Exclude<Target, "remote">): string {
  return target === "local" ? LOCAL_STATE_DIR : target.persistTo;
}

/**
 * Applies pending migrations from the binding's migrations_dir; already-applied ones are skipped.
 * Remotely through wrangler; locally in one Miniflare (cli/local-d1.ts, cli/local-migrations.ts).
 */
export async function applyMigrations(binding: string, target: Target): Promise<string[]> {
  if (target !== "remote") {
    const database = readWranglerConfig().d1Databases.find((db) => db.binding === binding);
    if (!database) throw new Error(`wrangler.toml declares no D1 database ${binding}`);
    const [applied] = await applyLocalMigrations([database], localStateDir(target));
    return applied?.names ?? [];
  }
  const out = await wrangler(["d1", "migrations", "apply", binding, ...targetArgs(target)]);
  // wrangler prints a table row per migration it applies ("│ 0000_name.sql │ ✅ │"), and reprints
  // the table as each one completes, so a name is counted once.
  return [...new Set([...out.matchAll(/│\s*(\S+\.sql)\s*│\s*✅/g)].map((m) => m[1] ?? ""))];
}

interface StatementResult<Row> {
  results: Row[];
  success: boolean;
  meta: { changes?: number };
}

/** Runs SQL (one or more `;`-separated statements) and returns one result per statement. */
async function execute<Row = Record<string, unknown>>(
  binding: string,
  sql: string,
  target: Target,
): Promise<StatementResult<Row>[]> {
  let out: string;
  try {
    out = await wrangler(["d1", "execute", binding, ...targetArgs(target), "--json", "--command", sql]);
  } catch (error) {
    // With --json, wrangler reports a failed query as {"error":{"text":…}} on stdout.
    const text =
      error instanceof CommandError ? /"text":\s*"((?:[^"\\]|\\.)*)"/.exec(error.message)?.[1] : undefined;
    if (text) throw new CommandError(`D1 ${binding}: ${JSON.parse(`"${text}"`)}`);
    throw error;
  }
  return JSON.parse(out) as StatementResult<Row>[];
}

/** A SQL string literal. wrangler's --command takes no parameters, so values are quoted here. */
function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "string") return sqlText(value);
  if (typeof value === "boolean") return value ? "1" : "0";
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "bigint")
    return String(value);
  throw new Error(`cannot send ${typeof value} ${String(value)} to D1 through wrangler`);
}

/**
 * Binds drizzle's `?` parameters as literals, since wrangler's --command takes none. Quoted
 * identifiers and string literals are copied as they are, so a `?` inside them is left alone.
 */
export function inlineParams(sql: string, params: readonly unknown[]): string {
  let out = "";
  let next = 0;
  let quote: string | null = null;
  for (const char of sql) {
    if (quote) {
      if (char === quote) quote = null;
      out += char;
    } else if (char === "'" || char === '"' || char === "`") {
      quote = char;
      out += char;
    } else if (char === "?") {
      if (next >= params.length) throw new Error(`more placeholders than parameters in: ${sql}`);
      out += sqlLiteral(params[next++]);
    } else out += char;
  }
  if (next !== params.length) throw new Error(`more parameters than placeholders in: ${sql}`);
  return out;
}

type Method = "run" | "all" | "values" | "get";

// drizzle maps rows given as value arrays in selection order; wrangler and a D1 batch return objects
// whose keys keep that order, so a batched selection must not name two columns alike (alias them).
function remoteRows(result: { results?: Record<string, unknown>[] } | undefined, method: Method) {
  return drizzleRows(
    (result?.results ?? []).map((row) => Object.values(row)),
    method,
  );
}

/** Value arrays as drizzle's proxy takes them: all of them, or the first for `get`. */
function drizzleRows(rows: unknown[][], method: Method) {
  return { rows: method === "get" ? (rows[0] ?? undefined) : rows } as { rows: unknown[] };
}

/**
 * The binding's database through drizzle, so the operator tools build their SQL from the schema
 * like the Worker does. Remotely a `batch` is one wrangler call: its statements run as one script;
 * locally it is one D1 batch.
 */
export function d1Through(binding: string, target: Target): SqliteRemoteDatabase {
  return target === "remote"
    ? wranglerD1Through(binding, target)
    : localD1Through(binding, localStateDir(target));
}

/** Through `wrangler d1 execute`: how the tools reach production (tested against local state). */
export function wranglerD1Through(binding: string, target: Target): SqliteRemoteDatabase {
  return drizzle(
    async (sql, params, method) => {
      const [result] = await execute(binding, inlineParams(sql, params), target);
      return remoteRows(result, method);
    },
    async (queries) => {
      const script = queries.map((q) => inlineParams(q.sql, q.params)).join(";\n");
      const results = await execute(binding, script, target);
      return queries.map((q, i) => remoteRows(results[i], q.method));
    },
  );
}

function localD1Through(binding: string, persistTo: string): SqliteRemoteDatabase {
  return drizzle(
    (sql, params, method) =>
      withLocalD1(persistTo, async (env) => {
        const statement = localDatabase(env, binding)
          .prepare(sql)
          .bind(...params);
        if (method === "run") {
          await statement.run();
          return { rows: [] };
        }
        // Rows as value arrays in selection order, as drizzle maps them.
        return drizzleRows(await statement.raw(), method);
      }),
    (queries) =>
      withLocalD1(persistTo, async (env) => {
        const db = localDatabase(env, binding);
        const results = await db.batch(queries.map((q) => db.prepare(q.sql).bind(...q.params)));
        return queries.map((q, i) => remoteRows(results[i], q.method));
      }),
  );
}
