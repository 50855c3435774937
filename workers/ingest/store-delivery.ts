// One verified delivery stored, as the route (bodies too large for a queue message) and the ingest
// consumer both do it: the connector's kind maps it, the tenant's quota is charged, and over quota
// the whole delivery waits in quarantine (decisions 021, 052).
import { type Delivery, type DeliveryOutcome, ingestDelivery } from "../../domain/ingest/deliver.ts";
import { ingestDeliveryGroup } from "../../domain/ingest/deliver-group.ts";
import { kindFor } from "../../domain/ingest/kinds/index.ts";
import type { QueuedDelivery } from "../../domain/ingest/queued-delivery.ts";
import { type Metrics, metricsFor } from "../../domain/metrics.ts";
import { tenantDatabase } from "../../domain/tenancy.ts";
import { ingestQuotaFor } from "../../durable-objects/ingest-quota.ts";

/** `keyedCharge`: a retried delivery reuses its charge (the consumer, whose messages are retried). */
export function storeDelivery(
  env: Env,
  delivery: QueuedDelivery,
  options: { keyedCharge: boolean },
): Promise<DeliveryOutcome> {
  return ingestDelivery(
    tenantDatabase(env, delivery.tenant),
    kindFor(delivery.connector.kind),
    deliveryOf(delivery, metricsFor(env)),
    {
      quota: ingestQuotaFor(env, delivery.tenant),
      overQuota: "quarantine",
      keyedCharge: options.keyedCharge,
    },
  );
}

/** A tenant's queued deliveries stored together (the ingest consumer's batch); see deliver-group.ts. */
export function storeDeliveryGroup(
  env: Env,
  deliveries: readonly QueuedDelivery[],
): Promise<DeliveryOutcome[]> {
  const [first] = deliveries;
  if (!first) return Promise.resolve([]);
  const metrics = metricsFor(env);
  return ingestDeliveryGroup(
    tenantDatabase(env, first.tenant),
    deliveries.map((delivery) => ({
      kind: kindFor(delivery.connector.kind),
      delivery: deliveryOf(delivery, metrics),
    })),
    ingestQuotaFor(env, first.tenant),
  );
}

function deliveryOf(delivery: QueuedDelivery, metrics: Metrics): Delivery {
  return {
    connectorId: delivery.connector.id,
    webhookId: delivery.webhookId,
    body: delivery.body,
    contentType: delivery.contentType,
    config: delivery.connector.config,
    now: delivery.receivedAt,
    metrics: { sink: metrics, tenant: delivery.tenant.id },
  };
}
