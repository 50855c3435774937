// What a benchmark scenario is. A new one is one small file in bench/scenarios/ and a line in
// bench/scenarios/index.ts; scripts/bench.ts starts the server, seeds, runs and reports it.
import type { AutocannonRequest } from "./autocannon.ts";

/** Rows in the tenant when a "populated" scenario runs (seeded straight into its D1 file). */
export interface Population {
  alerts: number;
  cases: number;
}

/** Every scenario's load is bounded twice: by time and by request count. */
export interface Bounds {
  durationSeconds: number;
  maxRequests: number;
  connections: number;
  /** Unmeasured load first, so JIT and caches are warm; 0 for scenarios whose writes must all count. */
  warmupSeconds: number;
}

/** Plain JSON: it crosses from the harness to the load process. */
export interface BenchContext {
  /** Loopback only: http://127.0.0.1:<port>. */
  origin: string;
  quick: boolean;
  tenantId: string;
  tokens: { reader: string; writer: string; admin: string };
  /** A second tenant, with its own database, and an admin token for it. */
  other: { tenantId: string; admin: string };
  population: Population | null;
  bounds: Bounds;
  /** What the scenario's setup() returned. */
  data: Record<string, unknown>;
}

/** One autocannon run; omitted fields fall back to the context's bounds. */
export interface LoadPlan {
  requests: AutocannonRequest[];
  connections?: number;
  durationSeconds?: number;
  maxRequests?: number;
  warmupSeconds?: number;
  /** Items each successful request carries (findings in a batch): throughput is then items/s. */
  itemsPerRequest?: number;
}

export interface Measurement {
  /** Responses received, any status. */
  responses: number;
  /** 2xx responses; only these count towards throughput and latency. */
  ok: number;
  /** Non-2xx responses plus connection errors and timeouts. */
  errors: number;
  statusCounts: Record<string, number>;
  durationSeconds: number;
  /** Latency of every 2xx response, milliseconds. */
  latenciesMs: number[];
  itemsPerRequest: number;
  connections: number;
}

export interface Scenario {
  name: string;
  /** One line for the table's legend and docs/performance.md. */
  measures: string;
  /**
   * "api": once, against a tenant built through the API; "populated": at every growth-check size;
   * "workbench": once, signed in as an analyst whose five tenants' queue was seeded straight into CONTROL_DB.
   */
  phase: "api" | "populated" | "workbench";
  /** In the harness, before the load: seed through the API. The result reaches `requests` as ctx.data. */
  setup?(ctx: BenchContext): Promise<Record<string, unknown>>;
  /** In the load process: what autocannon sends. */
  requests?(ctx: BenchContext): LoadPlan;
  /** In the load process, for a scenario autocannon cannot drive. */
  run?(ctx: BenchContext): Promise<Measurement>;
  /** In the harness, after the load: further figures (e.g. the cases a storm opened). */
  verify?(ctx: BenchContext, measured: Measurement): Promise<Record<string, number | string>>;
}
