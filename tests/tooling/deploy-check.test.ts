// The parts of `npm run deploy:check` that decide pass or fail, on fixtures: configuration drift
// between the top level and each environment, placeholders, and the bundle size against the limits.
// The check itself (builds and dry runs) runs as the last step of `npm test`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import {
  environmentDrift,
  formatTable,
  LIMITS,
  measureBundle,
  placeholders,
  REQUIRED_ENVIRONMENTS,
  sizeProblems,
} from "../../scripts/deploy-check.ts";
import { environmentSection, parseWranglerToml, readWranglerFile } from "../../scripts/migrate.ts";

const TOP = `
name = "phoenix"
[vars]
ENVIRONMENT = "development"
OIDC_ISSUER = ""
[secrets]
required = ["PHOENIX_SIGNING_JWK", "SECRETS_ENCRYPTION_KEY"]
[[d1_databases]]
binding = "CONTROL_DB"
database_id = "local-phoenix-control"
migrations_dir = "migrations/control"
[[d1_databases]]
binding = "TENANT_DEMO"
database_id = "local-phoenix-tenant-demo"
migrations_dir = "migrations/tenant"
[[durable_objects.bindings]]
name = "CASES"
class_name = "CaseObject"
[[ratelimits]]
name = "RATE_LIMIT_IP"
namespace_id = "1001"
simple = { limit = 10000000, period = 60 }
[[analytics_engine_datasets]]
binding = "METRICS"
dataset = "phoenix_metrics"
[[queues.producers]]
binding = "SINK_QUEUE"
queue = "phoenix-sink-sync"
`;

const COMPLETE_ENV = `
[env.production]
name = "phoenix-production"
[env.production.vars]
ENVIRONMENT = "production"
OIDC_ISSUER = ""
[env.production.secrets]
required = ["PHOENIX_SIGNING_JWK", "SECRETS_ENCRYPTION_KEY"]
[[env.production.d1_databases]]
binding = "CONTROL_DB"
database_id = "replace-me-production-control"
migrations_dir = "migrations/control"
[[env.production.durable_objects.bindings]]
name = "CASES"
class_name = "CaseObject"
[[env.production.ratelimits]]
name = "RATE_LIMIT_IP"
namespace_id = "3001"
simple = { limit = 1200, period = 60 }
[[env.production.analytics_engine_datasets]]
binding = "METRICS"
dataset = "phoenix_metrics_production"
[[env.production.queues.producers]]
binding = "SINK_QUEUE"
queue = "phoenix-sink-sync-production"
`;

describe("environmentDrift", () => {
  it("accepts an environment that restates everything but the top level's tenant databases", () => {
    expect(environmentDrift(parseWranglerToml(TOP + COMPLETE_ENV), "production")).toEqual([]);
  });

  it("names each var, secret and binding the environment does not restate", () => {
    const sparse = `
[env.staging]
name = "phoenix-staging"
[env.staging.vars]
ENVIRONMENT = "staging"
[env.staging.secrets]
required = ["PHOENIX_SIGNING_JWK"]
`;
    expect(environmentDrift(parseWranglerToml(TOP + sparse), "staging")).toEqual([
      "staging: var OIDC_ISSUER is missing",
      "staging: secret SECRETS_ENCRYPTION_KEY is missing",
      "staging: D1 binding CONTROL_DB is missing",
      "staging: Durable Object binding CASES is missing",
      "staging: ratelimit RATE_LIMIT_IP is missing",
      "staging: Analytics Engine binding METRICS is missing",
      "staging: queue producer SINK_QUEUE is missing",
    ]);
  });

  it("flags a Durable Object bound to another class and a ratelimit with another period", () => {
    const changed = (TOP + COMPLETE_ENV)
      .replace(
        'name = "CASES"\nclass_name = "CaseObject"\n[[env',
        'name = "CASES"\nclass_name = "CaseObjectV2"\n[[env',
      )
      .replace("{ limit = 1200, period = 60 }", "{ limit = 1200, period = 10 }");
    expect(environmentDrift(parseWranglerToml(changed), "production")).toEqual([
      "production: Durable Object binding CASES names class CaseObjectV2, not CaseObject",
      "production: ratelimit RATE_LIMIT_IP has period 10, not 60",
    ]);
  });

  it("finds no drift in the project's own wrangler.toml for staging and production", () => {
    const file = readWranglerFile();
    expect(REQUIRED_ENVIRONMENTS.flatMap((env) => environmentDrift(file, env))).toEqual([]);
  });
});

describe("placeholders", () => {
  it("lists the path of every value still marked replace-me", () => {
    const section = environmentSection(parseWranglerToml(TOP + COMPLETE_ENV), "production");
    expect(
      placeholders({ ...section, vars: { ...section.vars, PHOENIX_ISSUER: "https://x.replace-me.dev" } }),
    ).toEqual(["vars.PHOENIX_ISSUER", "d1_databases[CONTROL_DB].database_id"]);
  });
});

describe("measureBundle and sizeProblems", () => {
  const outdir = mkdtempSync(join(tmpdir(), "phoenix-bundle-test-"));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("counts every module in the dry run's output, gzipped as one stream, but no maps or README", () => {
    mkdirSync(join(outdir, "assets"));
    writeFileSync(join(outdir, "index.js"), "export default {};\n".repeat(100));
    writeFileSync(join(outdir, "assets", "chunk.js"), "export const a = 1;\n");
    writeFileSync(join(outdir, "index.js.map"), "x".repeat(10_000));
    writeFileSync(join(outdir, "README.md"), "y".repeat(10_000));

    const size = measureBundle(outdir);
    expect(size.modules).toBe(2);
    expect(size.rawBytes).toBe(19 * 100 + 20);
    const stream = Buffer.from(`export const a = 1;\n${"export default {};\n".repeat(100)}`);
    expect(size.gzipBytes).toBe(gzipSync(stream).length);
  });

  it("fails a bundle over either limit, or an empty one, and passes one under both", () => {
    expect(sizeProblems("staging", { modules: 4, rawBytes: 6_000_000, gzipBytes: 850_000 })).toEqual([]);
    expect(
      sizeProblems("staging", { modules: 4, rawBytes: 40_000_000, gzipBytes: LIMITS.gzipBytes + 1 }),
    ).toEqual(["staging: 9.54 MiB gzip is over the 9.54 MiB limit"]);
    expect(
      sizeProblems("production", { modules: 4, rawBytes: LIMITS.rawBytes + 1, gzipBytes: 9_000_000 }),
    ).toEqual(["production: 64.00 MiB uncompressed is over the 64.00 MiB limit"]);
    expect(sizeProblems("production", { modules: 0, rawBytes: 0, gzipBytes: 20 })).toEqual([
      "production: the dry run wrote no modules",
    ]);
  });

  it("prints one row per environment with sizes, share of the limit and the result", () => {
    const table = formatTable([
      {
        env: "staging",
        worker: "phoenix-staging",
        size: { modules: 4, rawBytes: 6 * 1024 * 1024, gzipBytes: 1_000_000 },
        seconds: 12.34,
        ok: true,
      },
      { env: "production", worker: "phoenix-production", seconds: 3, ok: false },
    ]).split("\n");
    expect(table[0]).toMatch(/^ENV\s+WORKER\s+MODULES\s+RAW\s+GZIP\s+GZIP\/LIMIT\s+TIME\s+RESULT$/);
    expect(table[1]).toMatch(
      /^staging\s+phoenix-staging\s+4\s+6\.00 MiB\s+0\.95 MiB\s+10\.0%\s+12\.3 s\s+ok$/,
    );
    expect(table[2]).toMatch(/^production\s+phoenix-production\s+-\s+-\s+-\s+-\s+3\.0 s\s+FAILED$/);
  });
});
