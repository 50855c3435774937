// A tenant's daily ingest quota as the ingest paths use it, wired to its TenantQuota object.
import { dailyQuotaFor, type IngestQuota, utcDay } from "../../domain/ingest/quota.ts";
import type { Tenant } from "../../domain/tenancy.ts";

export function ingestQuotaFor(env: Env, tenant: Pick<Tenant, "id" | "dailyIngestQuota">): IngestQuota {
  const counter = () => env.TENANT_QUOTA.getByName(tenant.id);
  return {
    async charge(count, now) {
      // Read per request from the tenant row, so an operator's change applies at once.
      const limit = dailyQuotaFor(tenant.dailyIngestQuota, env.DEFAULT_DAILY_INGEST_QUOTA);
      const day = utcDay(now);
      const decision = await counter().consume(day, count, limit);
      return { ...decision, day, count, limit };
    },
    async refund(charge) {
      if (!charge.allowed) return;
      try {
        await counter().release(charge.day, charge.count);
      } catch (error) {
        // A lost refund only over-counts (the safe side); the request's own error matters more.
        console.error(JSON.stringify({ level: "error", msg: "quota refund failed", error: String(error) }));
      }
    },
  };
}
