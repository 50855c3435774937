// A source saying that two correlation keys are one matter (an XDR sighting is a member of an XDR
// incident). Kept until the cases that already exist are joined; alerts that arrive later are
// grouped under `intoKey` directly (domain/case/follow-ups.ts, correlation-store.ts).
import type { BatchItem } from "drizzle-orm/batch";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { correlationJoins } from "../../schema/tenant.ts";

export interface CorrelationJoin {
  fromKey: string;
  intoKey: string;
  /** Why, in the words the case timeline shows. */
  reason: string;
}

/** A join already known changes nothing (its first reason and applied mark stand). */
export function correlationJoinStatements(
  d: DrizzleD1Database,
  joins: readonly CorrelationJoin[],
  now: number,
): BatchItem<"sqlite">[] {
  return joins
    .filter((j) => j.fromKey !== j.intoKey)
    .map((j) =>
      d
        .insert(correlationJoins)
        .values({ fromKey: j.fromKey, intoKey: j.intoKey, reason: j.reason, createdAt: now, appliedAt: null })
        .onConflictDoNothing(),
    );
}
