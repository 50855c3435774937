// `npm run bench -- --quick` on a fresh copy of the working tree: the harness still builds, serves,
// seeds (through the API and directly into D1) and drives every scenario, and reports each one.
// A smoke test of the harness, not of performance: no figure here is compared with a target.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCENARIOS } from "../../bench/scenarios/index.ts";
import { freePort } from "./free-port.ts";
import { copyWorkingTree } from "./working-tree-copy.ts";

let work: string;
let bench: ChildProcess | undefined;

function runQuickBench(port: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun) => {
    // Through npm, as a developer or CI runs it: the script line in package.json is part of the test.
    bench = spawn("npm", ["run", "bench", "--", "--quick", "--port", String(port)], {
      cwd: work,
      // npm test sets INIT_CWD to the repository; the copy's results.json is the one to read.
      env: { ...process.env, INIT_CWD: work },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    bench.stdout?.on("data", (d) => {
      output += d;
    });
    bench.stderr?.on("data", (d) => {
      output += d;
    });
    bench.on("exit", (code) => resolveRun({ code, output }));
  });
}

interface Results {
  profile: string;
  machine: { cores: number; node: string };
  results: Array<{
    scenario: string;
    population: { alerts: number; cases: number } | null;
    ok: number;
    p95Ms: number;
    ratio: { throughput: number; p95: number } | null;
    extra: Record<string, number | string>;
  }>;
  growth: Array<{ scenario: string; sizes: unknown[]; p95Ratio: number | null }>;
  seeding: Array<{ alerts: number; cases: number; alertsAdded: number; casesAdded: number }>;
  targets: Array<{ target: string; met: boolean | null }>;
  failures: string[];
}

beforeAll(() => {
  work = copyWorkingTree(".phoenix-bench-smoke-");
});
afterAll(() => {
  // Whatever happened, leave no bench, wrangler or workerd behind.
  if (bench?.pid && bench.exitCode === null) process.kill(-bench.pid, "SIGKILL");
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("npm run bench -- --quick from a fresh copy", () => {
  it("runs every scenario against its own server, grows the tenant twice, and reports ratios and targets", async () => {
    const { code, output } = await runQuickBench(await freePort());
    expect(code, output).toBe(0);
    expect(output).toMatch(/^bare route\s/m);

    const results = JSON.parse(readFileSync(join(work, "bench", "results.json"), "utf8")) as Results;
    expect(results.profile).toBe("quick");
    expect(results.failures).toEqual([]);
    expect(results.machine.cores).toBeGreaterThan(0);

    for (const scenario of SCENARIOS) {
      const runs = results.results.filter((r) => r.scenario === scenario.name);
      // Scenarios of the growth check run once per population, the others once.
      expect(runs, scenario.name).toHaveLength(scenario.phase === "populated" ? 2 : 1);
      for (const run of runs) {
        expect(run.ok, scenario.name).toBeGreaterThan(0);
        expect(run.p95Ms, scenario.name).toBeGreaterThan(0);
        // Every scenario but the bare route is reported against it.
        if (scenario.name !== "bare route") expect(run.ratio?.throughput, scenario.name).toBeGreaterThan(0);
      }
    }
    // The bare route runs before and after the scenarios; the faster run is the reference (no
    // ratio), the other is reported against it.
    const bareRuns = results.results.filter((r) =>
      ["bare route", "bare route, again after the scenarios"].includes(r.scenario),
    );
    expect(bareRuns).toHaveLength(2);
    expect(bareRuns.filter((r) => r.ratio === null)).toHaveLength(1);

    // Direct seeding reached each population exactly, after its check against storeFindings passed.
    expect(results.seeding.map((s) => [s.alerts, s.cases])).toEqual([
      [1_000, 500],
      [5_000, 1_000],
    ]);
    expect(results.seeding.map((s) => s.alertsAdded)).toEqual([1_000, 4_000]);
    for (const g of results.growth) expect(g.p95Ratio, g.scenario).toBeGreaterThan(0);

    // The storm's alerts were stored and all grouped into cases, and how long that took is reported.
    const storm = results.results.find((r) => r.scenario === "correlation storm");
    expect(Number(storm?.extra.cases_opened)).toBeGreaterThan(0);
    expect(Number(storm?.extra.alerts_in_cases)).toBe(Number(storm?.extra.alerts_stored));
    expect(Number(storm?.extra.correlated_within_s)).toBeGreaterThanOrEqual(0);
    const single = results.results.find((r) => r.scenario === "signed webhook, 1 alert");
    expect(Number(single?.extra.alerts_in_cases_per_s)).toBeGreaterThan(0);

    // The quiet tenant's alerts all reached their cases beside the flood, each with its latency.
    const fair = results.results.find((r) => r.scenario === "fairness, one tenant flooding");
    expect(Number(fair?.extra.quiet_sent)).toBeGreaterThan(0);
    expect(Number(fair?.extra.quiet_in_cases)).toBe(Number(fair?.extra.quiet_sent));
    expect(Number(fair?.extra.quiet_max_s)).toBeGreaterThan(0);

    expect(results.targets).toHaveLength(18);
    for (const t of results.targets) expect(t.met, t.target).not.toBeNull();
  }, 600_000);
});
