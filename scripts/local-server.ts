// Building and serving the Worker locally. `npm start` and `npm run bench` share these; they differ
// only in the port, the state directory and where wrangler's output goes.
import type { ChildProcess, StdioOptions } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { DEV_VARS_PATH } from "../cli/dev-vars.ts";
import { PROJECT_ROOT, reactRouter, spawnWrangler } from "../cli/wrangler.ts";
import { copyDocsBundle } from "./docs-bundle.ts";
import { generateOcsfValidators } from "./generate-ocsf-validators.ts";

/**
 * build/client and build/server. The Worker validates findings with Ajv code compiled first, and
 * serves the API reference's bundle from its static assets.
 */
export async function buildWorker(): Promise<void> {
  await generateOcsfValidators(PROJECT_ROOT);
  await copyDocsBundle(PROJECT_ROOT);
  await reactRouter(["build"]);
}

export interface LocalServer {
  child: ChildProcess;
  /** Resolves with the exit code once wrangler dev has exited. */
  exited: Promise<number>;
}

export interface ServeOptions {
  port: number;
  /** Local D1 and Durable Object state: the same directory `d1 … --local --persist-to` used. */
  persistTo: string;
  stdio?: StdioOptions;
  /** Further `wrangler dev` flags, e.g. `--ip 127.0.0.1`. */
  args?: string[];
}

/**
 * Serves the build with `wrangler dev`. --persist-to is given explicitly (instead of wrangler's
 * default next to the config) so the server sees the state the migrations were applied to.
 */
export function serveBuild(options: ServeOptions): LocalServer {
  const child = spawnWrangler(
    [
      "dev",
      "-c",
      join(PROJECT_ROOT, "build", "server", "wrangler.json"),
      // The Vite plugin copies .dev.vars into build/server/; pointing at the original means a
      // stale copy can never win.
      "--env-file",
      DEV_VARS_PATH,
      "--persist-to",
      options.persistTo,
      "--port",
      String(options.port),
      "--show-interactive-dev-session=false",
      ...(options.args ?? []),
    ],
    options.stdio,
  );
  const exited = new Promise<number>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  );
  return { child, exited };
}

/** Polls `${origin}/healthz` until it answers 2xx; fails early if the server exits meanwhile. */
export async function waitForHealth(
  origin: string,
  exited: Promise<number>,
  timeoutMs = 60_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let serverExit: number | undefined;
  void exited.then((code) => {
    serverExit = code;
  });
  while (Date.now() < deadline) {
    if (serverExit !== undefined)
      throw new Error(`wrangler dev exited (code ${serverExit}) before ${origin}/healthz answered`);
    try {
      const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return "healthy";
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${origin}/healthz did not answer within ${timeoutMs / 1000} s`);
}

/** Refuses early when something already holds the port, instead of talking to it by mistake. */
export function assertPortFree(port: number, host = "localhost", hint = "is another `npm start` running?") {
  return new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", () => reject(new Error(`port ${port} is in use: ${hint}`)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
