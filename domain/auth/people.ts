// People as sign-in sees them: provider staff and customer users (CONTROL_DB principals) and the
// tenants they are granted. Sign-in and sessions resolve a verified identity here; the tenant's
// administration of its people is tenant-users.ts.
import { and, asc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import { grants, principals, tenants } from "../../schema/control.ts";
import type { Tenant } from "../tenancy.ts";
import type { Role } from "./permissions.ts";

export type PrincipalRow = typeof principals.$inferSelect;
export type GrantRow = typeof grants.$inferSelect;

export interface ActiveGrant {
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  role: Role;
  /** The whole tenant row, so acting in the tenant needs no second read. */
  tenant: Tenant;
}

export async function findPrincipal(db: D1Database, id: string): Promise<PrincipalRow | null> {
  const [row] = await drizzle(db).select().from(principals).where(eq(principals.id, id)).limit(1);
  return row ?? null;
}

/** Emails are matched case-insensitively (the unique index is on lower(email)). */
export async function findPrincipalByEmail(db: D1Database, email: string): Promise<PrincipalRow | null> {
  const [row] = await drizzle(db)
    .select()
    .from(principals)
    .where(sql`lower(${principals.email}) = lower(${email})`)
    .limit(1);
  return row ?? null;
}

/** The principal's unrevoked grants in active tenants, by tenant name. */
export async function activeGrants(db: D1Database, principalId: string): Promise<ActiveGrant[]> {
  return (await activeGrantsQuery(drizzle(db), principalId)).map(activeGrantOf);
}

/**
 * The active grants query, for a caller that batches it (rows become grants by activeGrantOf); the
 * person may be a subquery. No two selected columns share a name: D1's batch results come back as
 * objects keyed by column name, so a repeated name would shift every value after it.
 */
export function activeGrantsQuery(d: DrizzleD1Database, principalId: string | SQL) {
  return d
    .select({ role: grants.role, tenant: tenants })
    .from(grants)
    .innerJoin(tenants, eq(tenants.id, grants.tenantId))
    .where(and(eq(grants.principalId, principalId), isNull(grants.revokedAt), eq(tenants.status, "active")))
    .orderBy(asc(tenants.name));
}

/** A row of activeGrantsQuery as the grant it is. */
export function activeGrantOf(row: { role: Role; tenant: Tenant }): ActiveGrant {
  const { tenant } = row;
  return { tenantId: tenant.id, tenantSlug: tenant.slug, tenantName: tenant.name, role: row.role, tenant };
}

export async function activeGrant(
  db: D1Database,
  principalId: string,
  tenantId: string,
): Promise<ActiveGrant | null> {
  return (await activeGrants(db, principalId)).find((g) => g.tenantId === tenantId) ?? null;
}

/** Every active person with an active grant in an active tenant, one row per grant, by name. */
export async function grantedPeople(db: D1Database, limit: number) {
  return drizzle(db)
    .select({
      id: principals.id,
      email: principals.email,
      displayName: principals.displayName,
      kind: principals.kind,
      role: grants.role,
      tenantName: tenants.name,
    })
    .from(principals)
    .innerJoin(grants, eq(grants.principalId, principals.id))
    .innerJoin(tenants, eq(tenants.id, grants.tenantId))
    .where(and(eq(principals.status, "active"), isNull(grants.revokedAt), eq(tenants.status, "active")))
    .orderBy(asc(principals.displayName), asc(tenants.name))
    .limit(limit);
}

/** Display names by principal id, for showing who acted; ids without a principal are left out. */
export async function displayNames(db: D1Database, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await drizzle(db)
    .select({ id: principals.id, displayName: principals.displayName })
    .from(principals)
    .where(inArray(principals.id, [...ids]));
  return new Map(rows.map((r) => [r.id, r.displayName]));
}

/** Switches the person's single-key shortcuts on or off (WCAG 2.1.4); chords stay on. */
export async function setSingleKeyShortcuts(
  db: D1Database,
  principalId: string,
  on: boolean,
  now: number,
): Promise<void> {
  await drizzle(db)
    .update(principals)
    .set({ singleKeyShortcuts: on, updatedAt: now })
    .where(eq(principals.id, principalId));
}
