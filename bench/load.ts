// The load generator. The harness forks this file once per run, so building, signing and timing
// requests never compete with the harness's own work; the server is a third process.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { autocannon } from "./autocannon.ts";
import type { BenchContext, LoadPlan, Measurement } from "./scenario.ts";
import { SCENARIOS } from "./scenarios/index.ts";

type Reply = { ok: true; measurement: Measurement } | { ok: false; error: string };

let loadProcess: ChildProcess | undefined;

/**
 * Runs one scenario's load in the load process and returns what it measured. One process serves
 * every scenario of a run: starting one per scenario cost seconds each on a loaded machine.
 */
export function measureInLoadProcess(scenario: string, ctx: BenchContext): Promise<Measurement> {
  loadProcess ??= fork(fileURLToPath(import.meta.url), ["--load-process"], { stdio: "inherit" });
  const child = loadProcess;
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      child.off("exit", onExit);
      const reply = message as Reply;
      if (reply.ok) resolve(reply.measurement);
      else reject(new Error(reply.error));
    };
    const onExit = (code: number | null) => {
      child.off("message", onMessage);
      loadProcess = undefined;
      reject(new Error(`the load process exited with code ${code}`));
    };
    child.once("message", onMessage);
    child.once("exit", onExit);
    child.send({ scenario, ctx });
  });
}

/** Ends the load process, if one was started; the harness calls it once the run is over. */
export function stopLoadProcess(): void {
  loadProcess?.kill();
  loadProcess = undefined;
}

async function measure(name: string, ctx: BenchContext): Promise<Measurement> {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`no scenario named "${name}"`);
  if (scenario.run) return scenario.run(ctx);
  if (!scenario.requests) throw new Error(`scenario "${name}" has neither requests nor run`);
  const plan = scenario.requests(ctx);
  const warmup = plan.warmupSeconds ?? ctx.bounds.warmupSeconds;
  if (warmup > 0) await fire(ctx, plan, { durationSeconds: warmup, maxRequests: ctx.bounds.maxRequests });
  return fire(ctx, plan, {
    durationSeconds: plan.durationSeconds ?? ctx.bounds.durationSeconds,
    maxRequests: plan.maxRequests ?? ctx.bounds.maxRequests,
  });
}

async function fire(
  ctx: BenchContext,
  plan: LoadPlan,
  limits: { durationSeconds: number; maxRequests: number },
): Promise<Measurement> {
  const connections = Math.min(plan.connections ?? ctx.bounds.connections, limits.maxRequests);
  const latenciesMs: number[] = [];
  const statusCounts: Record<string, number> = {};
  let responses = 0;
  let ok = 0;
  // The window is timed here, up to the last response: autocannon's own duration also counts any
  // stall of this process after the load has ended.
  const started = performance.now();
  let lastResponse = started;
  const instance = autocannon({
    url: ctx.origin,
    connections,
    duration: limits.durationSeconds,
    maxOverallRequests: limits.maxRequests,
    // A 1,000-finding batch or a storm delivery can take a while; still bounded.
    timeout: 60,
    requests: plan.requests,
  });
  instance.on("response", (_client, status, _bytes, ms) => {
    responses++;
    lastResponse = performance.now();
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    if (status >= 200 && status < 300) {
      ok++;
      latenciesMs.push(ms);
    }
  });
  const result = await instance;
  return {
    responses,
    ok,
    errors: responses - ok + result.errors,
    statusCounts,
    durationSeconds: Math.min(result.duration, (lastResponse - started) / 1000),
    latenciesMs,
    itemsPerRequest: plan.itemsPerRequest ?? 1,
    connections,
  };
}

if (process.argv[2] === "--load-process" && process.send) {
  // One scenario at a time: the harness waits for each reply before it sends the next.
  process.on("message", (message) => {
    const { scenario, ctx } = message as { scenario: string; ctx: BenchContext };
    measure(scenario, ctx).then(
      (measurement) => process.send?.({ ok: true, measurement } satisfies Reply),
      (error: unknown) =>
        process.send?.({
          ok: false,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        } satisfies Reply),
    );
  });
  // The harness gone (or its channel closed), nothing is left to measure.
  process.on("disconnect", () => process.exit(0));
}
