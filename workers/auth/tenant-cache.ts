// Active tenants by id, kept per isolate for a few seconds. Every bearer-authenticated request
// needs its tenant's row, and deployed that read crosses to CONTROL_DB's region each time.
// A suspension (or a new quota) therefore reaches every isolate within TENANT_CACHE_TTL_MS;
// unknown and inactive tenants are never cached, so a new or reactivated tenant works at once.
import { findTenant, type Tenant } from "../../domain/tenancy.ts";

export const TENANT_CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 1_000;

const cache = new Map<string, { tenant: Tenant; until: number }>();

/** The tenant if it exists and is active, read at most every TENANT_CACHE_TTL_MS per isolate. */
export async function activeTenant(
  controlDb: D1Database,
  tenantId: string,
  now: number,
): Promise<Tenant | null> {
  const hit = cache.get(tenantId);
  if (hit && hit.until > now) return hit.tenant;
  cache.delete(tenantId);
  const tenant = await findTenant(controlDb, tenantId);
  if (tenant?.status !== "active") return null;
  // Insertion order is age order: the first key is the oldest entry.
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(tenantId, { tenant, until: now + TENANT_CACHE_TTL_MS });
  return tenant;
}
