// A tenant's daily ingest quota as the ingest paths use it, wired to its TenantQuota object.
import { dailyQuotaFor, type IngestQuota, utcDay } from "../domain/alerts/quota.ts";
import { findTenant, type Tenant } from "../domain/tenancy.ts";

/** For webhooks, whose tenant row was read with their connector for this very delivery. */
export function ingestQuotaFor(env: Env, tenant: Pick<Tenant, "id" | "dailyIngestQuota">): IngestQuota {
  return quotaOf(env, tenant.id, async () => tenant.dailyIngestQuota);
}

/**
 * For /v1 callers, whose tenant row may be up to 10 s old (decision 027): the quota is read from
 * CONTROL_DB when charging, so an operator's change applies at once there too.
 */
export function currentIngestQuotaFor(env: Env, tenantId: string): IngestQuota {
  return quotaOf(
    env,
    tenantId,
    async () => (await findTenant(env.CONTROL_DB, tenantId))?.dailyIngestQuota ?? null,
  );
}

function quotaOf(env: Env, tenantId: string, configured: () => Promise<number | null>): IngestQuota {
  const counter = () => env.TENANT_QUOTA.getByName(tenantId);
  return {
    async charge(count, now, key) {
      const limit = dailyQuotaFor(await configured(), env.DEFAULT_DAILY_INGEST_QUOTA);
      const day = utcDay(now);
      const decision = await counter().consume(day, count, limit, key);
      return { ...decision, day, count, limit, ...(key === undefined ? {} : { key }) };
    },
    async chargeKeyed(charges) {
      if (charges.length === 0) return [];
      const limit = dailyQuotaFor(await configured(), env.DEFAULT_DAILY_INGEST_QUOTA);
      const days = charges.map((c) => utcDay(c.now));
      const decisions = await counter().consumeKeyed(
        charges.map((c, i) => ({ day: days[i] as string, count: c.count, key: c.key })),
        limit,
      );
      return decisions.map((decision, i) => {
        const c = charges[i] as (typeof charges)[number];
        return { ...decision, day: days[i] as string, count: c.count, limit, key: c.key };
      });
    },
    async refund(charge) {
      if (!charge.allowed) return;
      await refunding(() =>
        charge.key === undefined
          ? counter().release(charge.day, charge.count)
          : counter().releaseKey(charge.key),
      );
    },
    async refundKey(key) {
      await refunding(() => counter().releaseKey(key));
    },
  };
}

async function refunding(release: () => Promise<unknown>): Promise<void> {
  try {
    await release();
  } catch (error) {
    // A lost refund only over-counts (the safe side); the request's own error matters more.
    console.error(JSON.stringify({ level: "error", msg: "quota refund failed", error: String(error) }));
  }
}
