// Operational metrics (docs/decisions/023): what Phoenix counts and where the counts go. Deployed,
// each event is one Workers Analytics Engine data point. Locally wrangler's binding silently drops
// writes, so in development and tests events go to an in-isolate buffer that tests read instead.

import type { CaseEvent } from "./case/model.ts";
import type { SlaClockName } from "./sla/types.ts";

export type MetricEvent =
  | {
      name: "ingest.accepted" | "ingest.duplicates" | "ingest.quarantined" | "ingest.ignored";
      tenant: string;
      connectorKind: string;
      count: number;
    }
  | { name: "case.command"; tenant: string; command: string }
  | { name: "sla.warning" | "sla.breached"; tenant: string; clock: SlaClockName }
  /** Alerts whose correlation message ran out of retries; the cron sweep still owes them a case. */
  | { name: "correlation.dead_letter"; tenant: string; count: number };

export type MetricName = MetricEvent["name"];

export interface Metrics {
  record(...events: MetricEvent[]): void;
}

/** What a writer needs from the Worker env; the DO and the Worker both have it. */
export interface MetricsEnv {
  METRICS?: AnalyticsEngineDataset;
  ENVIRONMENT?: string;
  METRICS_ECHO?: string;
}

/**
 * The dataset's columns, fixed once because Analytics Engine columns are positional:
 * index1 = tenant (the sampling key, so sampling never mixes tenants), blob1 = metric name,
 * blob2 = its dimension (connector kind, command type or SLA clock), double1 = count.
 */
export function dataPoint(event: MetricEvent): AnalyticsEngineDataPoint {
  return { indexes: [event.tenant], blobs: [event.name, dimensionOf(event)], doubles: [countOf(event)] };
}

function dimensionOf(event: MetricEvent): string {
  switch (event.name) {
    case "ingest.accepted":
    case "ingest.duplicates":
    case "ingest.quarantined":
    case "ingest.ignored":
      return event.connectorKind;
    case "case.command":
      return event.command;
    case "sla.warning":
    case "sla.breached":
      return event.clock;
    case "correlation.dead_letter":
      return "alerts";
    default: {
      const unknown: never = event;
      return String(unknown);
    }
  }
}

function countOf(event: MetricEvent): number {
  return "count" in event ? event.count : 1;
}

// Environments where wrangler runs the Worker: its Analytics Engine binding is a no-op there.
const LOCAL_ENVIRONMENTS = new Set(["development", "test"]);
const LOCAL_CAPACITY = 5_000;
const local: MetricEvent[] = [];

/** The writer for this env: Analytics Engine when deployed, the local buffer otherwise. */
export function metricsFor(env: MetricsEnv): Metrics {
  const dataset = env.METRICS;
  if (dataset && !LOCAL_ENVIRONMENTS.has(env.ENVIRONMENT ?? "")) {
    return {
      record(...events) {
        for (const event of events) {
          try {
            dataset.writeDataPoint(dataPoint(event));
          } catch (error) {
            // A metric is never worth failing the work it describes.
            console.warn(JSON.stringify({ level: "warn", msg: "metric write failed", error: String(error) }));
          }
        }
      },
    };
  }
  // `npm start` shows each metric as a log line; tests read the buffer and keep their logs quiet.
  const echo = env.ENVIRONMENT === "development" && env.METRICS_ECHO !== "false";
  return {
    record(...events) {
      for (const event of events) {
        local.push(event);
        if (echo) console.log(JSON.stringify({ level: "debug", msg: "metric", ...event }));
      }
      if (local.length > LOCAL_CAPACITY) local.splice(0, local.length - LOCAL_CAPACITY);
    },
  };
}

/** What the local buffer holds (newest last), optionally one tenant's; for tests and local debugging. */
export function localMetrics(tenant?: string): MetricEvent[] {
  return local.filter((event) => tenant === undefined || event.tenant === tenant);
}

/** One delivery's counts; zero counts are not written. */
export function ingestMetrics(
  tenant: string,
  connectorKind: string,
  counts: { accepted: number; duplicates: number; quarantined: number; ignored: number },
): MetricEvent[] {
  const events: MetricEvent[] = [];
  const add = (
    name: "ingest.accepted" | "ingest.duplicates" | "ingest.quarantined" | "ingest.ignored",
    count: number,
  ) => {
    if (count > 0) events.push({ name, tenant, connectorKind, count });
  };
  add("ingest.accepted", counts.accepted);
  add("ingest.duplicates", counts.duplicates);
  add("ingest.quarantined", counts.quarantined);
  add("ingest.ignored", counts.ignored);
  return events;
}

/** A committed case change: the command (null for the SLA alarm's own commits) and its SLA signals. */
export function caseMetrics(
  tenant: string,
  command: string | null,
  events: readonly CaseEvent[],
): MetricEvent[] {
  const metrics: MetricEvent[] = command === null ? [] : [{ name: "case.command", tenant, command }];
  for (const event of events) {
    if (event.type === "sla.warning" || event.type === "sla.breached") {
      metrics.push({ name: event.type, tenant, clock: event.clock });
    }
  }
  return metrics;
}
