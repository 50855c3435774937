// Reads wrangler.toml, and adds tenant databases to it. Edits are textual (a block inserted after
// the last [[d1_databases]]) so the file's comments and layout survive; the result is re-parsed.
import { readFileSync, writeFileSync } from "node:fs";
import { parse } from "smol-toml";
import { WRANGLER_TOML } from "./wrangler.ts";

export const CONTROL_DB_BINDING = "CONTROL_DB";
export const TENANT_MIGRATIONS_DIR = "migrations/tenant";

export interface D1DatabaseConfig {
  binding: string;
  database_name: string;
  database_id: string;
  migrations_dir?: string;
}

export interface WranglerConfig {
  vars: Record<string, string>;
  d1Databases: D1DatabaseConfig[];
}

export function readWranglerConfig(path: string = WRANGLER_TOML): WranglerConfig {
  const toml = parse(readFileSync(path, "utf8")) as {
    vars?: Record<string, string>;
    d1_databases?: D1DatabaseConfig[];
  };
  return { vars: toml.vars ?? {}, d1Databases: toml.d1_databases ?? [] };
}

/** Databases wrangler migrates: the control database and every tenant database. */
export function migratedDatabases(config: WranglerConfig): D1DatabaseConfig[] {
  return config.d1Databases.filter((db) => db.migrations_dir !== undefined);
}

export function tenantDatabases(config: WranglerConfig): D1DatabaseConfig[] {
  return config.d1Databases.filter((db) => db.migrations_dir === TENANT_MIGRATIONS_DIR);
}

export function issuer(config: WranglerConfig): string {
  const value = config.vars.PHOENIX_ISSUER;
  if (!value) throw new Error("wrangler.toml has no [vars] PHOENIX_ISSUER");
  return value;
}

/** Adds a [[d1_databases]] block right after the last one (or at the end of the file). */
export function addD1Database(db: D1DatabaseConfig, path: string = WRANGLER_TOML): void {
  const text = readFileSync(path, "utf8");
  const block = [
    "[[d1_databases]]",
    `binding = ${JSON.stringify(db.binding)}`,
    `database_name = ${JSON.stringify(db.database_name)}`,
    `database_id = ${JSON.stringify(db.database_id)}`,
    ...(db.migrations_dir ? [`migrations_dir = ${JSON.stringify(db.migrations_dir)}`] : []),
  ].join("\n");

  const lines = text.split("\n");
  const lastD1 = lines.findLastIndex((line) => line.trim() === "[[d1_databases]]");
  let insertAt = lines.length;
  if (lastD1 >= 0) {
    // The block ends at the next table header; comments just above that header belong to it.
    const nextHeader = lines.findIndex((line, i) => i > lastD1 && line.trimStart().startsWith("["));
    insertAt = nextHeader === -1 ? lines.length : nextHeader;
    while (insertAt > lastD1 + 1 && /^\s*(#.*)?$/.test(lines[insertAt - 1] ?? "")) insertAt--;
  }
  const before = lines.slice(0, insertAt).join("\n").replace(/\n*$/, "");
  const after = lines.slice(insertAt).join("\n").replace(/^\n*/, "");
  const updated = `${before}\n\n${block}\n${after ? `\n${after}` : ""}`;

  const added = readWranglerConfigText(updated).find((d) => d.binding === db.binding);
  if (!added || added.database_id !== db.database_id) {
    throw new Error(`could not add ${db.binding} to ${path}: the edited file does not parse as expected`);
  }
  writeFileSync(path, updated);
}

function readWranglerConfigText(text: string): D1DatabaseConfig[] {
  return ((parse(text) as { d1_databases?: D1DatabaseConfig[] }).d1_databases ?? []).slice();
}
