// Correlation as the edges run it (the queue consumer, the cron sweep, quarantine replay and the
// XDR pull): the domain's correlation service over the tenant's D1 store and the case gateway.
// The rules themselves live in domain/case/correlation.ts.
import { loadCaseConfig } from "../domain/case/config.ts";
import { type CorrelationOutcome, correlateAlerts as correlate } from "../domain/case/correlation.ts";
import { d1CorrelationStore } from "../domain/case/correlation-store.ts";
import { d1FollowUpStore } from "../domain/case/follow-up-store.ts";
import { applyFollowUps, type FollowUpOutcome } from "../domain/case/follow-ups.ts";
import { type Tenant, tenantDatabase } from "../domain/tenancy.ts";
import { caseGateway } from "./case-gateway.ts";

/**
 * Correlates the given alerts, or every alert still owed correlation when `alertIds` is omitted;
 * a full pass, or one asked to, also applies the follow-ups owed to existing cases.
 */
export async function correlateAlerts(
  env: Env,
  tenant: Tenant,
  alertIds?: readonly string[],
  options: { followUps?: boolean } = {},
): Promise<CorrelationOutcome & { followUps?: FollowUpOutcome }> {
  const db = tenantDatabase(env, tenant);
  const ctx = {
    store: d1CorrelationStore(db),
    gateway: caseGateway(env),
    tenant,
    loadConfig: () => loadCaseConfig(env.CONTROL_DB, tenant.id),
    now: Date.now(),
  };
  const outcome: CorrelationOutcome & { followUps?: FollowUpOutcome } = await correlate(ctx, alertIds);
  // After grouping, so an alert that arrived with its join is already where it belongs.
  if (alertIds === undefined || options.followUps) {
    outcome.followUps = await applyFollowUps({ ...ctx, followUps: d1FollowUpStore(db) });
  }
  for (const failure of outcome.failures) {
    console.error(
      JSON.stringify({
        level: "error",
        msg: "correlation failed",
        tenant: tenant.id,
        key: failure.key,
        alerts: failure.alerts,
        error: failure.error,
      }),
    );
  }
  // Follow-ups stay owed in the tenant database: the next pass (or the cron sweep) retries them.
  for (const failure of outcome.followUps?.failures ?? []) {
    console.error(
      JSON.stringify({
        level: "error",
        msg: "follow-up failed",
        tenant: tenant.id,
        what: failure.what,
        error: failure.error,
      }),
    );
  }
  return outcome;
}
