// `npm run deploy:check`: proves each deployed environment (staging, production) would deploy,
// without a Cloudflare account. Per environment it builds the Worker the way a deploy does
// (CLOUDFLARE_ENV=<env> react-router build: the Vite plugin flattens that environment's config
// into build/server/wrangler.json), runs `wrangler deploy --dry-run --outdir` on that output and
// measures the upload against the Workers Paid plan limits. Builds happen in a scratch copy of the
// project, so build/ and .wrangler/deploy (which `npm start` and a bare `wrangler` use) stay as they are.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { PROJECT_ROOT } from "../cli/wrangler.ts";
import { TENANT_MIGRATIONS_DIR } from "../cli/wrangler-config.ts";
import { copyDocsBundle } from "./docs-bundle.ts";
import { generateOcsfValidators } from "./generate-ocsf-validators.ts";
import {
  environmentSection,
  PLACEHOLDER_MARK,
  readWranglerFile,
  type WranglerFile,
  type WranglerSection,
} from "./migrate.ts";

export const REQUIRED_ENVIRONMENTS = ["staging", "production"] as const;

/**
 * Workers Paid plan. Cloudflare long capped a Worker at 10 MB compressed (3 MB on Free); the
 * platform now states 64 MiB uncompressed, which is what wrangler 4 reports against. Both must hold.
 */
export const LIMITS = {
  plan: "Workers Paid",
  gzipBytes: 10 * 1000 * 1000,
  rawBytes: 64 * 1024 * 1024,
} as const;

/**
 * What a deployed environment fails to restate from the top level. Vars, secrets and bindings
 * are not inherited, so a missing one deploys fine and breaks at run time. Tenant databases differ
 * per environment by design and are not compared.
 */
export function environmentDrift(file: WranglerFile, env: string): string[] {
  const section = environmentSection(file, env);
  const problems: string[] = [];
  const missing = (kind: string, top: string[], here: string[]) => {
    for (const name of top.filter((n) => !here.includes(n)))
      problems.push(`${env}: ${kind} ${name} is missing`);
  };

  missing("var", Object.keys(file.vars ?? {}), Object.keys(section.vars ?? {}));
  missing("secret", file.secrets?.required ?? [], section.secrets?.required ?? []);
  const shared = (s: WranglerSection) =>
    (s.d1_databases ?? [])
      .filter((db) => db.migrations_dir !== TENANT_MIGRATIONS_DIR)
      .map((db) => db.binding);
  missing("D1 binding", shared(file), shared(section));
  missing(
    "Durable Object binding",
    (file.durable_objects?.bindings ?? []).map((b) => b.name),
    (section.durable_objects?.bindings ?? []).map((b) => b.name),
  );
  for (const top of file.durable_objects?.bindings ?? []) {
    const here = section.durable_objects?.bindings?.find((b) => b.name === top.name);
    if (here && here.class_name !== top.class_name) {
      problems.push(
        `${env}: Durable Object binding ${top.name} names class ${here.class_name}, not ${top.class_name}`,
      );
    }
  }
  missing(
    "ratelimit",
    (file.ratelimits ?? []).map((r) => r.name),
    (section.ratelimits ?? []).map((r) => r.name),
  );
  for (const top of file.ratelimits ?? []) {
    const here = section.ratelimits?.find((r) => r.name === top.name);
    // The Worker's Retry-After is the period, so it must not differ between environments.
    if (here && here.simple?.period !== top.simple?.period) {
      problems.push(
        `${env}: ratelimit ${top.name} has period ${here.simple?.period}, not ${top.simple?.period}`,
      );
    }
  }
  missing(
    "Analytics Engine binding",
    (file.analytics_engine_datasets ?? []).map((d) => d.binding),
    (section.analytics_engine_datasets ?? []).map((d) => d.binding),
  );
  missing(
    "queue producer",
    (file.queues?.producers ?? []).map((p) => p.binding),
    (section.queues?.producers ?? []).map((p) => p.binding),
  );
  return problems;
}

/** Paths of values in an environment's section that are still placeholders. */
export function placeholders(value: unknown, path = ""): string[] {
  if (typeof value === "string") return value.includes(PLACEHOLDER_MARK) ? [path] : [];
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => {
      const named = item as { binding?: string; name?: string };
      return placeholders(item, `${path}[${named.binding ?? named.name ?? i}]`);
    });
  }
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => placeholders(item, path ? `${path}.${key}` : key));
  }
  return [];
}

export interface BundleSize {
  modules: number;
  rawBytes: number;
  gzipBytes: number;
}

/**
 * The Worker's upload as wrangler measures it: every module in the dry run's output, gzipped as
 * one stream. Source maps and wrangler's README are not modules.
 */
export function measureBundle(outdir: string): BundleSize {
  const files = listFiles(outdir)
    .filter((file) => !file.endsWith(".map") && relative(outdir, file) !== "README.md")
    .sort();
  const contents = files.map((file) => readFileSync(file));
  const all = Buffer.concat(contents);
  return { modules: files.length, rawBytes: all.length, gzipBytes: gzipSync(all).length };
}

export function sizeProblems(env: string, size: BundleSize): string[] {
  const problems: string[] = [];
  if (size.modules === 0) problems.push(`${env}: the dry run wrote no modules`);
  if (size.gzipBytes > LIMITS.gzipBytes)
    problems.push(`${env}: ${mib(size.gzipBytes)} gzip is over the ${mib(LIMITS.gzipBytes)} limit`);
  if (size.rawBytes > LIMITS.rawBytes)
    problems.push(`${env}: ${mib(size.rawBytes)} uncompressed is over the ${mib(LIMITS.rawBytes)} limit`);
  return problems;
}

export interface ReportRow {
  env: string;
  worker: string;
  size?: BundleSize;
  seconds: number;
  ok: boolean;
}

export function formatTable(rows: ReportRow[]): string {
  const header = ["ENV", "WORKER", "MODULES", "RAW", "GZIP", "GZIP/LIMIT", "TIME", "RESULT"];
  const body = rows.map((r) => [
    r.env,
    r.worker,
    r.size ? String(r.size.modules) : "-",
    r.size ? mib(r.size.rawBytes) : "-",
    r.size ? mib(r.size.gzipBytes) : "-",
    r.size ? `${((100 * r.size.gzipBytes) / LIMITS.gzipBytes).toFixed(1)}%` : "-",
    `${r.seconds.toFixed(1)} s`,
    r.ok ? "ok" : "FAILED",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)));
  return [header, ...body]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

// Not copied into the scratch tree: dependencies are linked, outputs are rebuilt, secrets stay home.
const NOT_COPIED = new Set(["node_modules", ".git", "build", ".wrangler", ".react-router", "dist", "bench"]);

function scratchCopy(): string {
  const scratch = mkdtempSync(join(tmpdir(), "phoenix-deploy-check-"));
  cpSync(PROJECT_ROOT, scratch, {
    recursive: true,
    filter: (source) => {
      const top = relative(PROJECT_ROOT, source).split(/[\\/]/)[0] ?? "";
      return !NOT_COPIED.has(top) && !top.startsWith(".dev.vars");
    },
  });
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(scratch, "node_modules"), "dir");
  return scratch;
}

const REACT_ROUTER_BIN = join(PROJECT_ROOT, "node_modules", "@react-router", "dev", "bin.cjs");
const WRANGLER_BIN = join(PROJECT_ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/** Runs a Node CLI to completion under this Node; the output is kept for the report on failure. */
function runNode(
  script: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

async function checkEnvironment(
  env: string,
  section: WranglerSection,
  scratch: string,
): Promise<{ row: ReportRow; problems: string[] }> {
  const started = performance.now();
  const worker = section.name ?? "?";
  const childEnv: NodeJS.ProcessEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };
  delete childEnv.CLOUDFLARE_ENV;
  const fail = (problem: string, output = "") => ({
    row: { env, worker, seconds: (performance.now() - started) / 1000, ok: false },
    problems: [`${env}: ${problem}${output ? `\n${output.trim()}` : ""}`],
  });

  const build = await runNode(REACT_ROUTER_BIN, ["build"], scratch, { ...childEnv, CLOUDFLARE_ENV: env });
  if (build.code !== 0) return fail("react-router build failed", build.output);
  const outputConfig = join(scratch, "build", "server", "wrangler.json");
  const built = JSON.parse(readFileSync(outputConfig, "utf8")) as {
    name?: string;
    targetEnvironment?: string;
  };
  if (built.targetEnvironment !== env || built.name !== worker) {
    return fail(`the build is for ${built.targetEnvironment ?? "the top level"} (${built.name}), not ${env}`);
  }

  // The flattened output config has no environments left: no --env here.
  const outdir = join(scratch, "dry-run", env);
  const dryRun = await runNode(
    WRANGLER_BIN,
    ["deploy", "--dry-run", "--outdir", outdir, "-c", outputConfig],
    scratch,
    childEnv,
  );
  if (dryRun.code !== 0) return fail("wrangler deploy --dry-run failed", dryRun.output);

  const size = measureBundle(outdir);
  const problems = sizeProblems(env, size);
  return {
    row: { env, worker, size, seconds: (performance.now() - started) / 1000, ok: problems.length === 0 },
    problems,
  };
}

async function main(): Promise<void> {
  const file = readWranglerFile();
  const missingEnvs = REQUIRED_ENVIRONMENTS.filter((env) => !file.env?.[env]);
  if (missingEnvs.length > 0) throw new Error(`wrangler.toml has no [env.${missingEnvs.join("], [env.")}]`);

  const problems = REQUIRED_ENVIRONMENTS.flatMap((env) => environmentDrift(file, env));
  const warnings = REQUIRED_ENVIRONMENTS.flatMap((env) => {
    const found = placeholders(environmentSection(file, env));
    return found.length > 0
      ? [`${env}: ${found.length} placeholder(s) to replace before deploying: ${found.join(", ")}`]
      : [];
  });

  const wranglerVersion = (
    JSON.parse(readFileSync(join(PROJECT_ROOT, "node_modules", "wrangler", "package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  process.stdout.write(
    `Deploy check: wrangler ${wranglerVersion} deploy --dry-run per environment; ${LIMITS.plan} plan limits ` +
      `${mib(LIMITS.gzipBytes)} gzip (10 MB) and ${mib(LIMITS.rawBytes)} uncompressed\n`,
  );

  // The validators are generated into domain/, and the docs bundle copied into public/, before
  // copying, exactly as `npm run build` does.
  await generateOcsfValidators(PROJECT_ROOT);
  await copyDocsBundle(PROJECT_ROOT);
  const scratch = scratchCopy();
  const rows: ReportRow[] = [];
  try {
    for (const env of REQUIRED_ENVIRONMENTS) {
      const result = await checkEnvironment(env, environmentSection(file, env), scratch);
      rows.push(result.row);
      problems.push(...result.problems);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  process.stdout.write(`\n${formatTable(rows)}\n`);
  if (warnings.length > 0) process.stdout.write(`\n${warnings.map((w) => `warning: ${w}`).join("\n")}\n`);
  if (problems.length > 0) {
    process.stderr.write(`\ndeploy check failed:\n${problems.map((p) => `- ${p}`).join("\n")}\n`);
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`deploy:check: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
