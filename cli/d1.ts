// D1 through wrangler, locally (the same files `npm start` serves) or remotely.
import { CommandError, LOCAL_STATE_DIR, WRANGLER_TOML, wrangler } from "./wrangler.ts";

/** `{ persistTo }` is local state kept elsewhere than `npm start`'s (the benchmark keeps its own). */
export type Target = "local" | "remote" | { persistTo: string };

function targetArgs(target: Target): string[] {
  const args = ["-c", WRANGLER_TOML];
  if (target === "remote") return [...args, "--remote"];
  return [...args, "--local", "--persist-to", target === "local" ? LOCAL_STATE_DIR : target.persistTo];
}

/** Applies pending migrations from the binding's migrations_dir; already-applied ones are skipped. */
export async function applyMigrations(binding: string, target: Target): Promise<string[]> {
  const out = await wrangler(["d1", "migrations", "apply", binding, ...targetArgs(target)]);
  // wrangler prints a table row per migration it applies ("│ 0000_name.sql │ ✅ │").
  return [...out.matchAll(/│\s*(\S+\.sql)\s*│\s*✅/g)].map((m) => m[1] ?? "");
}

export interface StatementResult<Row> {
  results: Row[];
  success: boolean;
  meta: { changes?: number };
}

/** Runs SQL (one or more `;`-separated statements) and returns one result per statement. */
export async function execute<Row = Record<string, unknown>>(
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
export function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
