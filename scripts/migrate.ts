// `npm run migrate -- --env <staging|production> [--list]`: applies the D1 migrations of one
// deployed environment to its remote databases, CONTROL_DB first and then every tenant database
// that environment's section of wrangler.toml declares. It needs a Cloudflare account
// (`wrangler login`, or CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID in CI); local databases are
// migrated by `npm start` and the CLI instead.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parse } from "smol-toml";
import { WRANGLER_TOML, wrangler } from "../cli/wrangler.ts";
import { CONTROL_DB_BINDING } from "../cli/wrangler-config.ts";

/** Marks a value in wrangler.toml that still has to be replaced by the account's real one. */
export const PLACEHOLDER_MARK = "replace-me";

export interface D1Binding {
  binding: string;
  database_name?: string;
  database_id?: string;
  migrations_dir?: string;
}

/** The part of a wrangler.toml (top level, or one [env.*] section) these scripts read. */
export interface WranglerSection {
  name?: string;
  vars?: Record<string, unknown>;
  secrets?: { required?: string[] };
  d1_databases?: D1Binding[];
  durable_objects?: { bindings?: Array<{ name: string; class_name?: string }> };
  ratelimits?: Array<{ name: string; namespace_id?: string; simple?: { limit?: number; period?: number } }>;
  analytics_engine_datasets?: Array<{ binding: string; dataset?: string }>;
  queues?: {
    producers?: Array<{ binding: string; queue: string }>;
    consumers?: Array<{ queue: string; dead_letter_queue?: string }>;
  };
  triggers?: { crons?: string[] };
}

export interface WranglerFile extends WranglerSection {
  env?: Record<string, WranglerSection>;
}

export function parseWranglerToml(text: string): WranglerFile {
  return parse(text) as WranglerFile;
}

export function readWranglerFile(path: string = WRANGLER_TOML): WranglerFile {
  return parseWranglerToml(readFileSync(path, "utf8"));
}

/** The deployed environments, in the order the file declares them. */
export function environmentNames(file: WranglerFile): string[] {
  return Object.keys(file.env ?? {});
}

export function environmentSection(file: WranglerFile, env: string): WranglerSection {
  const section = file.env?.[env];
  if (!section) {
    const known = environmentNames(file);
    throw new Error(
      `wrangler.toml has no [env.${env}]; known environments: ${known.length > 0 ? known.join(", ") : "none"}`,
    );
  }
  return section;
}

export interface MigrationStep {
  binding: string;
  databaseName: string;
  /** Arguments after `wrangler`. */
  args: string[];
}

/**
 * One `wrangler d1 migrations apply|list` per migrated database of `env`: CONTROL_DB first, since
 * the tenant registry lives there, then the tenant databases in the order they are declared.
 * Refuses the whole plan while any database id is a placeholder or a local-only id.
 */
export function migrationPlan(
  file: WranglerFile,
  env: string,
  options: { action?: "apply" | "list"; configPath?: string } = {},
): MigrationStep[] {
  const { action = "apply", configPath = WRANGLER_TOML } = options;
  const databases = (environmentSection(file, env).d1_databases ?? []).filter(
    (db) => db.migrations_dir !== undefined,
  );
  if (!databases.some((db) => db.binding === CONTROL_DB_BINDING)) {
    throw new Error(`[env.${env}] declares no ${CONTROL_DB_BINDING} with a migrations_dir`);
  }
  const unusable = databases.filter((db) => !hasRealId(db));
  if (unusable.length > 0) {
    throw new Error(
      `[env.${env}] still has placeholder database ids (${unusable.map((db) => `${db.binding} = "${db.database_id ?? ""}"`).join(", ")}); ` +
        "create the databases with `wrangler d1 create` and put their ids in wrangler.toml first",
    );
  }
  const ordered = [
    ...databases.filter((db) => db.binding === CONTROL_DB_BINDING),
    ...databases.filter((db) => db.binding !== CONTROL_DB_BINDING),
  ];
  return ordered.map((db) => ({
    binding: db.binding,
    databaseName: db.database_name ?? db.binding,
    // wrangler.toml is named explicitly: a bare wrangler would follow the last build's redirect.
    args: ["d1", "migrations", action, db.binding, "-c", configPath, "--env", env, "--remote"],
  }));
}

function hasRealId(db: D1Binding): boolean {
  const id = db.database_id ?? "";
  return id !== "" && !id.includes(PLACEHOLDER_MARK) && !id.startsWith("local-");
}

/** The migration files wrangler reports as applied, from its result table. */
export function appliedMigrations(output: string): string[] {
  return [...output.matchAll(/│\s*(\S+\.sql)\s*│\s*✅/g)].map((m) => m[1] ?? "");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { env: { type: "string" }, list: { type: "boolean", default: false } },
  });
  const file = readWranglerFile();
  if (!values.env) {
    throw new Error(`--env is required: one of ${environmentNames(file).join(", ")}`);
  }
  const env = values.env;
  const plan = migrationPlan(file, env, { action: values.list ? "list" : "apply" });
  process.stdout.write(
    `${values.list ? "Listing" : "Applying"} migrations for ${plan.length} database(s) in ${env}\n`,
  );
  // One at a time, stopping at the first failure: a re-run skips what was applied and resumes.
  for (const step of plan) {
    process.stdout.write(`• ${step.binding} (${step.databaseName}) … `);
    const output = await wrangler(step.args).catch((error: unknown) => {
      process.stdout.write("failed\n");
      throw error;
    });
    if (values.list) {
      process.stdout.write(`\n${output.trim()}\n`);
      continue;
    }
    const applied = appliedMigrations(output);
    process.stdout.write(applied.length > 0 ? `applied ${applied.join(", ")}\n` : "up to date\n");
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`migrate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
