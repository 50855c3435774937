// POST /ingest/:connectorId: size cap → connector lookup → Standard Webhooks signature on the raw
// bytes, before any parsing → the connector's kind maps the items → store → correlation queued →
// 202 {accepted, duplicates, quarantined}. The tenant comes from the connector, resolved server-side.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { isConnectorId, loadIngestTarget } from "../../domain/connectors/service.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { ingestDelivery } from "../../domain/ingest/deliver.ts";
import { metricsFor } from "../../domain/metrics.ts";
import { tenantDatabase } from "../../domain/tenancy.ts";
import { verifyWebhook } from "../../domain/webhooks/standard-webhooks.ts";
import { toProblem } from "../api/problem.ts";
import { ingestQuotaFor } from "../limits/ingest-quota.ts";
import { requestCorrelation } from "../queues/correlation.ts";
import { attributeRequest } from "../telemetry/request-log.ts";
import { kindFor } from "./kinds.ts";

const DEFAULT_MAX_BYTES = 1024 * 1024;

export function createIngest(): Hono<{ Bindings: Env }> {
  const ingest = new Hono<{ Bindings: Env }>();

  ingest.post(
    "/:connectorId",
    (c, next) =>
      bodyLimit({
        maxSize: Number(c.env.INGEST_MAX_BYTES) || DEFAULT_MAX_BYTES,
        onError: () => {
          throw new PhoenixError(
            "payload_too_large",
            `a delivery may be at most ${Number(c.env.INGEST_MAX_BYTES) || DEFAULT_MAX_BYTES} bytes`,
          );
        },
      })(c, next),
    async (c) => {
      const connectorId = c.req.param("connectorId");
      const now = Date.now();
      const target = isConnectorId(connectorId)
        ? await loadIngestTarget(c.env.CONTROL_DB, c.env.SECRETS_ENCRYPTION_KEY, connectorId, now)
        : null;
      if (!target) throw new PhoenixError("not_found", "no such connector");

      const body = await c.req.text();
      const verified = await verifyWebhook(body, Object.fromEntries(c.req.raw.headers), target.secrets);
      if (!verified.ok)
        throw new PhoenixError("unauthenticated", `the webhook signature did not verify: ${verified.reason}`);
      // Attributed only once the signature proves the sender holds the connector's secret.
      attributeRequest(c, { tenant: target.tenant.id, principalType: "connector" });

      const outcome = await ingestDelivery(
        tenantDatabase(c.env, target.tenant),
        kindFor(target.connector.kind),
        {
          connectorId,
          webhookId: verified.webhookId,
          body,
          contentType: c.req.header("content-type") ?? "",
          config: target.connector.config,
          now,
          metrics: { sink: metricsFor(c.env), tenant: target.tenant.id },
        },
        // Over the tenant's daily quota: 429, and the delivery waits in quarantine (decision 021).
        { quota: ingestQuotaFor(c.env, target.tenant), overQuota: "quarantine" },
      );
      // Stored, so the 202 is safe to send; new alerts are grouped into cases from the correlation
      // queue (decision 026). Until then they are owed (correlated_at null), and the sweep backs it up.
      await requestCorrelation(
        c.env,
        target.tenant.id,
        outcome.alerts.filter((a) => !a.duplicate).map((a) => a.id),
      );
      return c.json(
        {
          accepted: outcome.accepted,
          duplicates: outcome.duplicates,
          quarantined: outcome.quarantined,
          ...(outcome.redelivered ? { redelivered: true } : {}),
        },
        202,
      );
    },
  );
  ingest.onError(toProblem);
  return ingest;
}
