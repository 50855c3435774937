// From raw measurements to the figures the table and results.json show.
import type { Measurement, Population } from "./scenario.ts";

export interface ScenarioResult {
  scenario: string;
  measures: string;
  population: Population | null;
  /** Requests per second, or items per second when each request carries several. */
  throughput: number;
  unit: "req/s" | "items/s";
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  ok: number;
  errors: number;
  statusCounts: Record<string, number>;
  durationSeconds: number;
  connections: number;
  /** Against the bare route of the same run; null for the bare route itself. */
  ratio: { throughput: number; p95: number } | null;
  extra: Record<string, number | string>;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function summarise(
  scenario: { name: string; measures: string },
  m: Measurement,
  population: Population | null,
  extra: Record<string, number | string> = {},
): ScenarioResult {
  const sorted = [...m.latenciesMs].sort((a, b) => a - b);
  const requestsPerSecond = m.durationSeconds > 0 ? m.ok / m.durationSeconds : 0;
  return {
    scenario: scenario.name,
    measures: scenario.measures,
    population,
    throughput: requestsPerSecond * m.itemsPerRequest,
    unit: m.itemsPerRequest > 1 ? "items/s" : "req/s",
    requestsPerSecond,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    ok: m.ok,
    errors: m.errors,
    statusCounts: m.statusCounts,
    durationSeconds: m.durationSeconds,
    connections: m.connections,
    ratio: null,
    extra,
  };
}

/** Throughput and p95 relative to the bare route: 0.5 means half its throughput, 2 twice its p95. */
export function withRatio(result: ScenarioResult, bare: ScenarioResult | undefined): ScenarioResult {
  if (!bare || result === bare) return result;
  return {
    ...result,
    ratio: {
      throughput: result.requestsPerSecond / bare.requestsPerSecond,
      p95: result.p95Ms / bare.p95Ms,
    },
  };
}

export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "-";
}

/** 10000 → "10k", 1000000 → "1M". */
export function count(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000 && n % 1_000 === 0) return `${n / 1_000}k`;
  return String(n);
}
