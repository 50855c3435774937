// A quarantined item's replay as every edge runs it (/v1 and the connector page): the domain's
// replay over the tenant's D1, its connectors, its daily quota object and correlation into cases.
import { getConnector } from "../domain/connectors/service.ts";
import { kindFor } from "../domain/ingest/kinds/index.ts";
import { replayQuarantineItem } from "../domain/ingest/quarantine.ts";
import { type Tenant, tenantDatabase } from "../domain/tenancy.ts";
import { correlateAlerts } from "./correlate-alerts.ts";
import { currentIngestQuotaFor } from "./ingest-quota.ts";

export function replayQuarantinedFor(env: Env, tenant: Tenant, id: string, now: number) {
  return replayQuarantineItem(
    {
      db: tenantDatabase(env, tenant),
      loadConnector: (connectorId) => getConnector(env.CONTROL_DB, tenant.id, connectorId),
      kindFor,
      quota: currentIngestQuotaFor(env, tenant.id),
      correlate: (alertIds, followUps) => correlateAlerts(env, tenant, alertIds, { followUps }),
      now,
    },
    id,
  );
}
