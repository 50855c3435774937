// Who a case can be assigned to: the people who work cases on its tenant. Read with the queue page
// (its bulk "assign to" and its assignee filter), so it is a query for the caller to batch.
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { grants, principals } from "../../schema/control.ts";

/** People who work cases (analysts and leads) on any of `tenantIds`, once each, by name. */
export function assignablePeopleQuery(d: DrizzleD1Database, tenantIds: readonly string[]) {
  return d
    .selectDistinct({ id: principals.id, displayName: principals.displayName })
    .from(principals)
    .innerJoin(grants, eq(grants.principalId, principals.id))
    .where(
      and(
        eq(principals.status, "active"),
        isNull(grants.revokedAt),
        inArray(grants.tenantId, [...tenantIds]),
        inArray(grants.role, ["analyst", "lead"]),
      ),
    )
    .orderBy(asc(principals.displayName))
    .limit(500);
}
