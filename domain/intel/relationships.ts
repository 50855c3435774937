// CTIM relationships Phoenix keeps, with both ends as the stable identities Phoenix knows the
// entities by (never a bundle's transient ids), so a link shows on an alert whichever end arrived
// first. `member-of` from a sighting to an incident also joins their cases (correlation_joins).
import { eq, inArray, or } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import { intelIndicators, intelJudgements, intelRelationships } from "../../schema/tenant.ts";
import { newestVersionWins } from "./versions.ts";

export interface RelationshipInput {
  kind: "relationship";
  id: string;
  relationshipType: string;
  sourceRef: string;
  targetRef: string;
  sourceTime: number;
  data: Record<string, unknown>;
}

export function relationshipStatements(
  d: DrizzleD1Database,
  records: readonly RelationshipInput[],
  ctx: { connectorId: string | null; now: number },
): BatchItem<"sqlite">[] {
  return records.map((r) =>
    newestVersionWins(d, intelRelationships, {
      id: r.id,
      sourceConnectorId: ctx.connectorId,
      relationshipType: r.relationshipType,
      sourceRef: r.sourceRef,
      targetRef: r.targetRef,
      sourceTime: r.sourceTime,
      data: r.data,
      firstSeenAt: ctx.now,
      lastSeenAt: ctx.now,
    }),
  );
}

/** One link of an entity, seen from it: where it points (or what points at it) and what that is. */
export interface EntityLink {
  relationshipType: string;
  direction: "outgoing" | "incoming";
  ref: string;
  /** What Phoenix knows of the other end when it keeps it as intelligence. */
  title: string | null;
}

/** The relationships that name `entityRef` at either end, with the other end's title when known. */
export async function linksOf(db: D1Database, entityRef: string): Promise<EntityLink[]> {
  const d = drizzle(db);
  const rows = await d
    .select({
      relationshipType: intelRelationships.relationshipType,
      sourceRef: intelRelationships.sourceRef,
      targetRef: intelRelationships.targetRef,
    })
    .from(intelRelationships)
    .where(or(eq(intelRelationships.sourceRef, entityRef), eq(intelRelationships.targetRef, entityRef)))
    .orderBy(intelRelationships.relationshipType, intelRelationships.id)
    .limit(200);
  const links = rows.map((r): EntityLink => {
    const outgoing = r.sourceRef === entityRef;
    return {
      relationshipType: r.relationshipType,
      direction: outgoing ? "outgoing" : "incoming",
      ref: outgoing ? r.targetRef : r.sourceRef,
      title: null,
    };
  });
  // At most 200 links, so each list stays within D1's 100 bound parameters once split.
  const refs = [...new Set(links.map((l) => l.ref))];
  const indicatorRefs = refs.filter((r) => r.startsWith("indicator-")).slice(0, 90);
  const judgementRefs = refs
    .filter((r) => r.startsWith("judgement-") || r.startsWith("verdict-"))
    .slice(0, 90);
  const titles = new Map<string, string>();
  if (indicatorRefs.length > 0) {
    const found = await d
      .select({ id: intelIndicators.id, title: intelIndicators.title, producer: intelIndicators.producer })
      .from(intelIndicators)
      .where(inArray(intelIndicators.id, indicatorRefs));
    for (const row of found) titles.set(row.id, row.title ?? `Indicator by ${row.producer}`);
  }
  if (judgementRefs.length > 0) {
    const found = await d
      .select({
        id: intelJudgements.id,
        disposition: intelJudgements.dispositionName,
        type: intelJudgements.observableType,
        value: intelJudgements.observableValue,
        source: intelJudgements.source,
      })
      .from(intelJudgements)
      .where(inArray(intelJudgements.id, judgementRefs));
    for (const row of found)
      titles.set(row.id, `${row.disposition}: ${row.type} ${row.value} (${row.source})`);
  }
  return links.map((l) => ({ ...l, title: titles.get(l.ref) ?? null }));
}
