// Correlation as the edges run it (the queue consumer, the cron sweep, quarantine replay and the
// XDR pull): the domain's correlation service over the tenant's D1 store and the case gateway.
// The rules themselves live in domain/case/correlation.ts.
import { loadCaseConfig } from "../../domain/case/config.ts";
import { type CorrelationOutcome, correlateAlerts as correlate } from "../../domain/case/correlation.ts";
import { d1CorrelationStore } from "../../domain/case/correlation-store.ts";
import { type Tenant, tenantDatabase } from "../../domain/tenancy.ts";
import { caseGateway } from "../../durable-objects/case-gateway.ts";

/** Correlates the given alerts, or every alert still owed correlation when `alertIds` is omitted. */
export async function correlateAlerts(
  env: Env,
  tenant: Tenant,
  alertIds?: readonly string[],
): Promise<CorrelationOutcome> {
  const outcome = await correlate(
    {
      store: d1CorrelationStore(tenantDatabase(env, tenant)),
      gateway: caseGateway(env),
      tenant,
      loadConfig: () => loadCaseConfig(env.CONTROL_DB, tenant.id),
      now: Date.now(),
    },
    alertIds,
  );
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
  return outcome;
}
