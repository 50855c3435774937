// `npm run migrate -- --env <env>` cannot reach Cloudflare here, so what it would run is checked:
// the wrangler arguments for each database of the chosen environment, and what it refuses.
import { describe, expect, it } from "vitest";
import { appliedMigrations, migrationPlan, parseWranglerToml } from "../../scripts/migrate.ts";

const CONFIG = "/project/wrangler.toml";

const toml = parseWranglerToml(`
name = "phoenix"

[[d1_databases]]
binding = "CONTROL_DB"
database_name = "phoenix-control"
database_id = "local-phoenix-control"
migrations_dir = "migrations/control"

[[d1_databases]]
binding = "TENANT_LOCAL_ONLY"
database_name = "phoenix-tenant-local-only"
database_id = "local-phoenix-tenant-local-only"
migrations_dir = "migrations/tenant"

[env.production]
name = "phoenix-production"

[[env.production.d1_databases]]
binding = "TENANT_ACME"
database_name = "phoenix-tenant-acme-production"
database_id = "1d3b6f2e-0000-4000-8000-00000000a001"
migrations_dir = "migrations/tenant"

[[env.production.d1_databases]]
binding = "CONTROL_DB"
database_name = "phoenix-control-production"
database_id = "1d3b6f2e-0000-4000-8000-00000000c001"
migrations_dir = "migrations/control"

[[env.production.d1_databases]]
binding = "REPORTING_REPLICA"
database_name = "phoenix-reporting"
database_id = "1d3b6f2e-0000-4000-8000-00000000r001"

[[env.production.d1_databases]]
binding = "TENANT_GLOBEX"
database_name = "phoenix-tenant-globex-production"
database_id = "1d3b6f2e-0000-4000-8000-00000000a002"
migrations_dir = "migrations/tenant"

[env.staging]
name = "phoenix-staging"

[[env.staging.d1_databases]]
binding = "CONTROL_DB"
database_name = "phoenix-control-staging"
database_id = "replace-me-staging-phoenix-control"
migrations_dir = "migrations/control"

[[env.staging.d1_databases]]
binding = "TENANT_DEMO"
database_name = "phoenix-tenant-demo-staging"
database_id = "local-phoenix-tenant-demo"
migrations_dir = "migrations/tenant"

[env.empty]
name = "phoenix-empty"
`);

describe("migrationPlan", () => {
  it("applies CONTROL_DB first, then each tenant database of that environment, remotely", () => {
    const plan = migrationPlan(toml, "production", { configPath: CONFIG });
    expect(plan.map((step) => step.binding)).toEqual(["CONTROL_DB", "TENANT_ACME", "TENANT_GLOBEX"]);
    expect(plan[0]).toEqual({
      binding: "CONTROL_DB",
      databaseName: "phoenix-control-production",
      args: ["d1", "migrations", "apply", "CONTROL_DB", "-c", CONFIG, "--env", "production", "--remote"],
    });
    expect(plan[2]?.args).toEqual([
      "d1",
      "migrations",
      "apply",
      "TENANT_GLOBEX",
      "-c",
      CONFIG,
      "--env",
      "production",
      "--remote",
    ]);
  });

  it("never touches the top-level (local) databases or ones without migrations", () => {
    const bindings = migrationPlan(toml, "production", { configPath: CONFIG }).map((s) => s.binding);
    expect(bindings).not.toContain("TENANT_LOCAL_ONLY");
    expect(bindings).not.toContain("REPORTING_REPLICA");
  });

  it("lists instead of applying with --list", () => {
    const plan = migrationPlan(toml, "production", { action: "list", configPath: CONFIG });
    expect(plan.every((step) => step.args.slice(0, 3).join(" ") === "d1 migrations list")).toBe(true);
  });

  it("refuses an environment that wrangler.toml does not declare, naming the ones it does", () => {
    expect(() => migrationPlan(toml, "prod", { configPath: CONFIG })).toThrow(
      "wrangler.toml has no [env.prod]; known environments: production, staging, empty",
    );
  });

  it("refuses to run while any database id is a placeholder or local-only, naming each", () => {
    expect(() => migrationPlan(toml, "staging", { configPath: CONFIG })).toThrow(
      /CONTROL_DB = "replace-me-staging-phoenix-control", TENANT_DEMO = "local-phoenix-tenant-demo"/,
    );
  });

  it("refuses an environment without a migrated CONTROL_DB", () => {
    expect(() => migrationPlan(toml, "empty", { configPath: CONFIG })).toThrow(
      "[env.empty] declares no CONTROL_DB with a migrations_dir",
    );
  });
});

describe("appliedMigrations", () => {
  it("reads the applied files from wrangler's result table, and nothing when it is up to date", () => {
    const output = [
      "Migrations to be applied:",
      "┌──────────────────────────┐",
      "│ name                     │",
      "├──────────────────────────┤",
      "│ 0003_signing_keys.sql    │",
      "└──────────────────────────┘",
      "┌──────────────────────────┬────────┐",
      "│ name                     │ status │",
      "├──────────────────────────┼────────┤",
      "│ 0003_signing_keys.sql    │ ✅     │",
      "├──────────────────────────┼────────┤",
      "│ 0004_admin_audit.sql     │ ✅     │",
      "└──────────────────────────┴────────┘",
    ].join("\n");
    expect(appliedMigrations(output)).toEqual(["0003_signing_keys.sql", "0004_admin_audit.sql"]);
    expect(appliedMigrations("✅ No migrations to apply!")).toEqual([]);
  });
});
