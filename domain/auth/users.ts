// People: provider staff and customer users (CONTROL_DB principals) and their per-tenant grants.
// Sign-in resolves a verified identity to a principal here; the admin API manages them here.
import type { grants, principals } from "../../schema/control.ts";
import type { Role } from "./permissions.ts";

export type PrincipalRow = typeof principals.$inferSelect;
export type GrantRow = typeof grants.$inferSelect;

interface PrincipalSqlRow {
  id: string;
  kind: "staff" | "customer";
  email: string;
  display_name: string;
  home_tenant_id: string | null;
  status: "active" | "disabled";
  created_at: number;
  updated_at: number;
}

export interface ActiveGrant {
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  role: Role;
}

export async function findPrincipal(db: D1Database, id: string): Promise<PrincipalRow | null> {
  const row = await db.prepare("SELECT * FROM principals WHERE id = ?").bind(id).first<PrincipalSqlRow>();
  return row ? principalFromRow(row) : null;
}

/** Emails are matched case-insensitively (the unique index is on lower(email)). */
export async function findPrincipalByEmail(db: D1Database, email: string): Promise<PrincipalRow | null> {
  const row = await db
    .prepare("SELECT * FROM principals WHERE lower(email) = lower(?)")
    .bind(email)
    .first<PrincipalSqlRow>();
  return row ? principalFromRow(row) : null;
}

/** The principal's unrevoked grants in active tenants, by tenant name. */
export async function activeGrants(db: D1Database, principalId: string): Promise<ActiveGrant[]> {
  const { results } = await db
    .prepare(
      `SELECT g.tenant_id, t.slug, t.name, g.role FROM grants g JOIN tenants t ON t.id = g.tenant_id
        WHERE g.principal_id = ? AND g.revoked_at IS NULL AND t.status = 'active' ORDER BY t.name`,
    )
    .bind(principalId)
    .all<{ tenant_id: string; slug: string; name: string; role: Role }>();
  return results.map((r) => ({
    tenantId: r.tenant_id,
    tenantSlug: r.slug,
    tenantName: r.name,
    role: r.role,
  }));
}

export async function activeGrant(
  db: D1Database,
  principalId: string,
  tenantId: string,
): Promise<ActiveGrant | null> {
  return (await activeGrants(db, principalId)).find((g) => g.tenantId === tenantId) ?? null;
}

function principalFromRow(row: PrincipalSqlRow): PrincipalRow {
  return {
    id: row.id,
    kind: row.kind,
    email: row.email,
    displayName: row.display_name,
    homeTenantId: row.home_tenant_id,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
