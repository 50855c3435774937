// Cron entry point: the Cisco XDR pull, and safety nets (SLA re-arming, owed correlations,
// retention). Normal SLA handling is each case object's own alarm, and normal correlation happens
// while a delivery is received.

import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { rotateSigningKeys } from "../domain/auth/signing-keys.ts";
import { casesWithOverdueTimers } from "../domain/case/sweep.ts";
import { purgeExpiredControlRecords, purgeExpiredTenantRecords } from "../domain/retention.ts";
import { type Tenant, tenantDatabase } from "../domain/tenancy.ts";
import { caseObjectStub } from "../durable-objects/case-gateway.ts";
import { correlateAlerts } from "../durable-objects/correlate-alerts.ts";
import { tenants } from "../schema/control.ts";
import { pullAllAiDefenseConnectors } from "./ingest/cisco-ai-defense/pull.ts";
import { pullAllXdrConnectors } from "./ingest/cisco-xdr/pull.ts";
import { pullAllM365Connectors } from "./ingest/m365-copilot/pull.ts";

export async function runScheduled(
  env: Env,
  now: number,
): Promise<{ rearmed: number; failed: number; correlated: number; purged: number }> {
  const sla = await rearmOverdueCases(env, now);
  const active = await drizzle(env.CONTROL_DB).select().from(tenants).where(eq(tenants.status, "active"));
  const correlated = await finishOwedCorrelations(env, active);
  const purged = await purgeExpired(env, active, now);
  await rotateKeys(env, now);
  // Not safety nets: the pulls (Cisco XDR, Cisco AI Defense, Microsoft 365) run on the clock by design.
  try {
    await pullAllXdrConnectors(env, now);
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "xdr pull failed", error: String(error) }));
  }
  try {
    await pullAllAiDefenseConnectors(env, now);
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "ai defense pull failed", error: String(error) }));
  }
  try {
    await pullAllM365Connectors(env, now);
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "m365 pull failed", error: String(error) }));
  }
  return { ...sla, correlated, purged };
}

/** Phoenix's token-signing keyring: publish a next key, hand over when due, retire (decision 019). */
async function rotateKeys(env: Env, now: number): Promise<void> {
  try {
    const outcome = await rotateSigningKeys(env, now);
    if (outcome.bootstrapped || outcome.created || outcome.promoted || outcome.retired.length > 0) {
      console.log(JSON.stringify({ level: "info", msg: "signing keys rotated", ...outcome }));
    }
  } catch (error) {
    console.error(
      JSON.stringify({ level: "error", msg: "signing key rotation failed", error: String(error) }),
    );
  }
}

/** Idempotency records and webhook ids past their 7 days, and spent XDR budget windows. */
async function purgeExpired(env: Env, active: Tenant[], now: number): Promise<number> {
  let purged = 0;
  for (const tenant of active) {
    try {
      const done = await purgeExpiredTenantRecords(tenantDatabase(env, tenant), now);
      purged += done.idempotencyRecords + done.webhookDeliveries;
    } catch (error) {
      console.error(
        JSON.stringify({
          level: "error",
          msg: "retention sweep failed",
          tenant: tenant.id,
          error: String(error),
        }),
      );
    }
  }
  return purged + (await purgeExpiredControlRecords(env.CONTROL_DB, now));
}

/** Alerts stored but not yet grouped into a case (their correlation was interrupted). */
async function finishOwedCorrelations(env: Env, active: Tenant[]): Promise<number> {
  let correlated = 0;
  for (const tenant of active) {
    try {
      const outcome = await correlateAlerts(env, tenant);
      correlated += outcome.opened + outcome.linked;
    } catch (error) {
      console.error(
        JSON.stringify({
          level: "error",
          msg: "correlation sweep failed",
          tenant: tenant.id,
          error: String(error),
        }),
      );
    }
  }
  return correlated;
}

async function rearmOverdueCases(env: Env, now: number): Promise<{ rearmed: number; failed: number }> {
  const overdue = await casesWithOverdueTimers(env.CONTROL_DB, now);
  const results = await Promise.allSettled(
    overdue.map(({ tenantId, caseId }) => caseObjectStub(env, tenantId, caseId).ensureAlarm()),
  );
  const failed = results.filter((r) => r.status === "rejected").length;
  console.log(JSON.stringify({ level: "info", msg: "sla sweep", overdue: overdue.length, failed }));
  return { rearmed: overdue.length - failed, failed };
}
