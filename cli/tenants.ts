// The tenant registry in CONTROL_DB, as the operator tools see it: naming rules, lookup, registration.
import { eq } from "drizzle-orm";
import { newId } from "../domain/ids.ts";
import { tenants } from "../schema/control.ts";
import { d1Through, type Target } from "./d1.ts";
import { CONTROL_DB_BINDING } from "./wrangler-config.ts";

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$/;

const TENANT_ROW = {
  id: tenants.id,
  slug: tenants.slug,
  name: tenants.name,
  status: tenants.status,
  d1Binding: tenants.d1Binding,
  createdAt: tenants.createdAt,
};

export type TenantRow = Pick<typeof tenants.$inferSelect, keyof typeof TENANT_ROW>;

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
  return d1Through(CONTROL_DB_BINDING, target).select(TENANT_ROW).from(tenants).orderBy(tenants.slug);
}

export async function findTenantBySlug(slug: string, target: Target): Promise<TenantRow | null> {
  const db = d1Through(CONTROL_DB_BINDING, target);
  return (await db.select(TENANT_ROW).from(tenants).where(eq(tenants.slug, slug)).get()) ?? null;
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
  const db = d1Through(CONTROL_DB_BINDING, target);
  const [, stored] = await db.batch([
    db
      .insert(tenants)
      .values({
        id,
        slug: tenant.slug,
        name: tenant.name,
        d1Binding: tenant.binding,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing(),
    db.select(TENANT_ROW).from(tenants).where(eq(tenants.slug, tenant.slug)),
  ]);
  const row = stored[0];
  if (!row) {
    throw new Error(
      `tenant "${tenant.slug}" was not registered: binding ${tenant.binding} already belongs to another tenant`,
    );
  }
  return { row, created: row.id === id };
}

/** null returns the tenant to the deployment default (DEFAULT_DAILY_INGEST_QUOTA). */
export async function setDailyIngestQuota(
  tenantId: string,
  quota: number | null,
  target: Target,
  now: number = Date.now(),
): Promise<void> {
  await d1Through(CONTROL_DB_BINDING, target)
    .update(tenants)
    .set({ dailyIngestQuota: quota, updatedAt: now })
    .where(eq(tenants.id, tenantId));
}
