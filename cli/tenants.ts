// The tenant registry in CONTROL_DB, as the operator tools see it: naming rules, lookup, registration.
import { newId } from "../domain/ids.ts";
import { execute, sqlText, type Target } from "./d1.ts";
import { CONTROL_DB_BINDING } from "./wrangler-config.ts";

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$/;

export interface TenantRow {
  id: string;
  slug: string;
  name: string;
  status: string;
  d1_binding: string;
  created_at: number;
}

/** Returns an error message, or null when the slug is acceptable. */
export function slugProblem(slug: string): string | null {
  if (SLUG.test(slug) && !slug.includes("--")) return null;
  return `invalid tenant slug "${slug}": use 2–40 characters of a–z, 0–9 and single hyphens, starting and ending with a letter or digit`;
}

/** `acme-eu` → `TENANT_ACME_EU`: the Worker binding of the tenant's own database. */
export function tenantBinding(slug: string): string {
  return `TENANT_${slug.toUpperCase().replaceAll("-", "_")}`;
}

export function tenantDatabaseName(slug: string): string {
  return `phoenix-tenant-${slug}`;
}

export async function listTenants(target: Target): Promise<TenantRow[]> {
  const [result] = await execute<TenantRow>(
    CONTROL_DB_BINDING,
    "SELECT id, slug, name, status, d1_binding, created_at FROM tenants ORDER BY slug",
    target,
  );
  return result?.results ?? [];
}

export async function findTenantBySlug(slug: string, target: Target): Promise<TenantRow | null> {
  const [result] = await execute<TenantRow>(
    CONTROL_DB_BINDING,
    `SELECT id, slug, name, status, d1_binding, created_at FROM tenants WHERE slug = ${sqlText(slug)}`,
    target,
  );
  return result?.results[0] ?? null;
}

/**
 * Registers the tenant unless one with this slug (or binding) exists, and returns the row now
 * stored: the new one, or the one that was already there. One wrangler call does both.
 */
export async function ensureTenant(
  tenant: { slug: string; name: string; binding: string },
  target: Target,
  now: number = Date.now(),
): Promise<{ row: TenantRow; created: boolean }> {
  const id = newId("tenant", now);
  const results = await execute<TenantRow>(
    CONTROL_DB_BINDING,
    `INSERT INTO tenants (id, slug, name, status, d1_binding, created_at, updated_at)
       VALUES (${sqlText(id)}, ${sqlText(tenant.slug)}, ${sqlText(tenant.name)}, 'active', ${sqlText(tenant.binding)}, ${now}, ${now})
       ON CONFLICT DO NOTHING;
     SELECT id, slug, name, status, d1_binding, created_at FROM tenants WHERE slug = ${sqlText(tenant.slug)};`,
    target,
  );
  const row = results.at(-1)?.results[0];
  if (!row) {
    throw new Error(
      `tenant "${tenant.slug}" was not registered: binding ${tenant.binding} already belongs to another tenant`,
    );
  }
  return { row, created: row.id === id };
}
