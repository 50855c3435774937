// Tenant resolution. A tenant id only ever comes from a verified credential; this module turns
// it into the tenant's record and its own D1 database.
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { tenants } from "../schema/control.ts";

export type Tenant = typeof tenants.$inferSelect;

export async function findTenant(controlDb: D1Database, tenantId: string): Promise<Tenant | null> {
  const rows = await drizzle(controlDb).select().from(tenants).where(eq(tenants.id, tenantId)).limit(1);
  return rows[0] ?? null;
}

/**
 * The one place a tenant is mapped to its database. Bindings are static, so the tenant row names
 * its binding; a row naming a binding this Worker lacks is a deployment error, not a user error.
 */
export function tenantDatabase(bindings: object, tenant: Pick<Tenant, "id" | "d1Binding">): D1Database {
  const candidate = (bindings as Record<string, unknown>)[tenant.d1Binding];
  if (!isD1Database(candidate)) {
    throw new Error(
      `tenant ${tenant.id} names D1 binding ${tenant.d1Binding}, which this Worker does not have`,
    );
  }
  return candidate;
}

function isD1Database(value: unknown): value is D1Database {
  return typeof value === "object" && value !== null && typeof (value as D1Database).prepare === "function";
}
