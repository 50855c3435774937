// Runs the project's own wrangler (and react-router) under the same Node as this script: npm
// scripts pin Node 22, which wrangler needs. Every wrangler command names wrangler.toml explicitly:
// after a build, a bare `wrangler` follows .wrangler/deploy/config.json to build/server/wrangler.json,
// which lags behind wrangler.toml until the next build.
import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const WRANGLER_TOML = join(PROJECT_ROOT, "wrangler.toml");
/** Local D1 and Durable Object state; wrangler and the Vite plugin both keep it under `v3/` here. */
export const LOCAL_STATE_DIR = join(PROJECT_ROOT, ".wrangler", "state");

const WRANGLER_BIN = join(PROJECT_ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const REACT_ROUTER_BIN = join(PROJECT_ROOT, "node_modules", "@react-router", "dev", "bin.cjs");
const CHILD_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false" };

export class CommandError extends Error {}

/**
 * Runs `wrangler …` to completion and returns its stdout. Output is captured and only shown (in
 * the error) if the command fails. stdin is closed, so wrangler never prompts: it takes its
 * non-interactive default, which is "yes" for applying migrations.
 */
export function wrangler(args: string[]): Promise<string> {
  return run(WRANGLER_BIN, args, "wrangler");
}

export function reactRouter(args: string[]): Promise<string> {
  // Always a production build, whatever the calling process exports (vitest sets NODE_ENV=test,
  // which would give React's development build and a different server handler).
  return run(REACT_ROUTER_BIN, args, "react-router", { ...CHILD_ENV, NODE_ENV: "production" });
}

/** Starts a long-running wrangler (e.g. `dev`) whose output goes straight to this terminal, or to `stdio`. */
export function spawnWrangler(
  args: string[],
  stdio: StdioOptions = ["ignore", "inherit", "inherit"],
): ChildProcess {
  return spawn(process.execPath, [WRANGLER_BIN, ...args], { cwd: PROJECT_ROOT, env: CHILD_ENV, stdio });
}

function run(
  script: string,
  args: string[],
  name: string,
  env: NodeJS.ProcessEnv = CHILD_ENV,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) return resolve(stdout);
      const output = `${stdout}\n${stderr}`.trim();
      reject(new CommandError(`${name} ${args.join(" ")} failed (exit ${code}):\n${output}`));
    });
  });
}
