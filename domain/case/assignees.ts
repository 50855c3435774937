// Who a case can be assigned to: the people who work cases on its tenant. Read with the queue page
// (its bulk "assign to" and its assignee filter), so it is a query for the caller to batch.
import { and, asc, eq, inArray, isNull, type SQL } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { grants, principals } from "../../schema/control.ts";

/** The roles that work cases, and so can be assigned them. */
export const ASSIGNABLE_ROLES = ["analyst", "lead"] as const;

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
        inArray(grants.role, [...ASSIGNABLE_ROLES]),
      ),
    )
    .orderBy(asc(principals.displayName))
    .limit(500);
}

/**
 * Everyone ever granted on the tenant (which may be a subquery), by name: the case page names who
 * acted from it and offers those `isAssignable` to assign to, in one read.
 */
export function tenantPeopleQuery(d: DrizzleD1Database, tenantId: string | SQL) {
  return d
    .select({
      id: principals.id,
      displayName: principals.displayName,
      status: principals.status,
      role: grants.role,
      revokedAt: grants.revokedAt,
    })
    .from(grants)
    .innerJoin(principals, eq(principals.id, grants.principalId))
    .where(eq(grants.tenantId, tenantId))
    .orderBy(asc(principals.displayName));
}

/** The same rule as assignablePeopleQuery, for one person of tenantPeopleQuery. */
export function isAssignable(person: { status: string; role: string; revokedAt: number | null }): boolean {
  return (
    person.status === "active" &&
    person.revokedAt === null &&
    (ASSIGNABLE_ROLES as readonly string[]).includes(person.role)
  );
}
