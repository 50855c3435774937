// CTIM indicators Phoenix keeps: a source's description of what to watch for, with its validity.
// Sightings and judgements point at them through relationships (sighting-of, based-on).
import type { BatchItem } from "drizzle-orm/batch";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { intelIndicators } from "../../schema/tenant.ts";
import { newestVersionWins } from "./versions.ts";

export interface IndicatorInput {
  kind: "indicator";
  id: string;
  source: string;
  title: string | null;
  producer: string;
  types: string[];
  /** "kill chain: phase", as CTIM names them. */
  killChainPhases: string[];
  confidence: string | null;
  severity: string | null;
  validFrom: number | null;
  validUntil: number | null;
  sourceTime: number;
  data: Record<string, unknown>;
}

export function indicatorStatements(
  d: DrizzleD1Database,
  records: readonly IndicatorInput[],
  ctx: { connectorId: string | null; now: number },
): BatchItem<"sqlite">[] {
  return records.map((r) =>
    newestVersionWins(d, intelIndicators, {
      id: r.id,
      sourceConnectorId: ctx.connectorId,
      source: r.source,
      title: r.title,
      producer: r.producer,
      indicatorTypes: r.types,
      killChainPhases: r.killChainPhases,
      confidence: r.confidence,
      severity: r.severity,
      validFrom: r.validFrom,
      validUntil: r.validUntil,
      sourceTime: r.sourceTime,
      data: r.data,
      firstSeenAt: ctx.now,
      lastSeenAt: ctx.now,
    }),
  );
}
