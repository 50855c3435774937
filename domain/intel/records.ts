// Every kind of threat intelligence a connector may hand over with (or instead of) its findings,
// and the writes that keep it: stored in the same D1 batch as the delivery's alerts.
import type { BatchItem } from "drizzle-orm/batch";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { type IndicatorInput, indicatorStatements } from "./indicators.ts";
import { type JudgementInput, judgementStatements } from "./judgements.ts";
import { type RelationshipInput, relationshipStatements } from "./relationships.ts";

export type IntelRecord = JudgementInput | IndicatorInput | RelationshipInput;

export async function intelStatements(
  d: DrizzleD1Database,
  records: readonly IntelRecord[],
  ctx: { connectorId: string | null; now: number },
): Promise<BatchItem<"sqlite">[]> {
  const judgements = records.filter(
    (r): r is JudgementInput => r.kind === "judgement" || r.kind === "verdict",
  );
  const indicators = records.filter((r): r is IndicatorInput => r.kind === "indicator");
  const relationships = records.filter((r): r is RelationshipInput => r.kind === "relationship");
  return [
    ...(await judgementStatements(d, judgements, ctx)),
    ...indicatorStatements(d, indicators, ctx),
    ...relationshipStatements(d, relationships, ctx),
  ];
}
