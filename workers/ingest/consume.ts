// The ingest queue (issue 18, decision 052): verified deliveries from the webhook route are mapped,
// charged to the tenant's quota, stored and sent for correlation here. A batch is taken tenant by
// tenant, the tenants side by side, and each tenant's new alerts go to correlation in one send.
// A delivery that keeps failing is kept whole in quarantine with its error, so it can be replayed.

import { z } from "zod";
import { deliveryChargeKey } from "../../domain/alerts/quota.ts";
import { PhoenixError } from "../../domain/errors.ts";
import {
  type DeliveryOutcome,
  INGEST_FAILED_REASON,
  keepWholeDelivery,
} from "../../domain/ingest/deliver.ts";
import type { IngestLane } from "../../domain/ingest/lanes.ts";
import { type QueuedDelivery, queuedDelivery } from "../../domain/ingest/queued-delivery.ts";
import { metricsFor } from "../../domain/metrics.ts";
import { tenantDatabase } from "../../domain/tenancy.ts";
import { ingestQuotaFor } from "../../durable-objects/ingest-quota.ts";
import { requestCorrelation } from "../queues/correlation.ts";
import { storeDelivery, storeDeliveryGroup } from "./store-delivery.ts";

/** As `max_retries` of the ingest consumers in wrangler.toml: the last try keeps the delivery in quarantine. */
export const INGEST_MAX_RETRIES = 5;
/** As `max_retries` of the ingest dead-letter consumers: with back-off up to an hour, about four days. */
export const INGEST_DEAD_LETTER_RETRIES = 100;

const probeMessage = z.object({ probe: z.literal(true) });

type Parsed = { message: Message<unknown>; body: QueuedDelivery };

/** One batch of a lane; the bulk lane's alerts go on to the bulk correlation lane (decision 053). */
export async function consumeIngest(
  batch: MessageBatch<unknown>,
  env: Env,
  lane: IngestLane = "main",
): Promise<void> {
  await Promise.all([...byTenant(batch).values()].map((group) => storeTenantDeliveries(env, group, lane)));
}

/**
 * The last resort: a delivery that failed every try and could not be kept in quarantine by the
 * consumer either. It is kept there now, without the error (the consumer logged each one).
 */
export async function consumeIngestDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const group of byTenant(batch).values()) {
    for (const { message, body } of group) {
      try {
        await keepFailed(env, body, `failed ${message.attempts} tries in the ingest consumer; see its logs`);
        message.ack();
      } catch (error) {
        // Tried for about four days (the tenant's database unreachable all along): the last line
        // names the delivery, so its sender can be asked to send it again.
        const last = message.attempts > INGEST_DEAD_LETTER_RETRIES;
        logFailure(
          last ? "ingest dead letter dropped after its last try" : "ingest dead letter not kept; retried",
          body,
          error,
        );
        message.retry({ delaySeconds: Math.min(60 * 2 ** (message.attempts - 1), 3600) });
      }
    }
  }
}

async function storeTenantDeliveries(env: Env, group: Parsed[], lane: IngestLane): Promise<void> {
  const first = group[0];
  if (!first) return;
  const tenant = first.body.tenant;
  const newAlerts: string[] = [];
  let followUps = false;
  const done: Array<Message<unknown>> = [];
  const taken = (outcome: DeliveryOutcome) => {
    for (const alert of outcome.alerts) if (!alert.duplicate) newAlerts.push(alert.id);
    followUps ||= outcome.followUps;
  };
  const together = await storeInHalves(env, group);
  for (const entry of group) {
    const { message, body } = entry;
    const outcome = together.get(entry);
    if (outcome) {
      taken(outcome);
      done.push(message);
      continue;
    }
    try {
      taken(await storeDelivery(env, body, { keyedCharge: true }));
      done.push(message);
    } catch (error) {
      // Over quota, the delivery is already kept whole in quarantine: a queued body is far under a
      // quarantine row's limit, so that path never refuses it (deliver.ts).
      if (error instanceof PhoenixError && error.code === "quota_exceeded") {
        done.push(message);
        continue;
      }
      if (message.attempts <= INGEST_MAX_RETRIES) {
        logFailure("ingest delivery failed; retried", body, error);
        message.retry({ delaySeconds: Math.min(2 ** (message.attempts - 1), 60) });
        continue;
      }
      try {
        await keepFailed(env, body, String(error));
        done.push(message);
      } catch (keepError) {
        // Left to the dead-letter queue, whose consumer tries once more.
        logFailure("failed ingest delivery not kept in quarantine", body, keepError);
        message.retry();
      }
    }
  }
  // Stored first, so a lost send only delays grouping: the alerts stay owed and the sweep finishes them.
  await requestCorrelation(env, tenant.id, newAlerts, { followUps, lane });
  for (const message of done) message.ack();
}

/**
 * Stores a group together; if it fails, each half, down to a few deliveries, which are left to be
 * taken one at a time. So one delivery that cannot be stored holds up no other, and no try makes
 * more D1 queries than an invocation may. Charges made for a group stay under their keys and are reused.
 */
async function storeInHalves(env: Env, group: Parsed[]): Promise<Map<Parsed, DeliveryOutcome>> {
  try {
    const outcomes = await storeDeliveryGroup(
      env,
      group.map((g) => g.body),
    );
    return new Map(group.map((entry, i) => [entry, outcomes[i] as DeliveryOutcome]));
  } catch (error) {
    const [first] = group;
    if (first) logFailure(`ingest group of ${group.length} failed; stored in parts`, first.body, error);
    if (group.length <= ONE_BY_ONE) return new Map();
    const half = Math.ceil(group.length / 2);
    const parts = [
      await storeInHalves(env, group.slice(0, half)),
      await storeInHalves(env, group.slice(half)),
    ];
    return new Map(parts.flatMap((part) => [...part]));
  }
}

/** A failed group this small is taken one delivery at a time. */
const ONE_BY_ONE = 4;

async function keepFailed(env: Env, body: QueuedDelivery, error: string): Promise<void> {
  const kept = await keepWholeDelivery(
    tenantDatabase(env, body.tenant),
    {
      connectorId: body.connector.id,
      webhookId: body.webhookId,
      body: body.body,
      contentType: body.contentType,
      now: body.receivedAt,
    },
    INGEST_FAILED_REASON,
    { error },
  );
  // Null: another copy of the webhook-id was stored, and what was charged under its key is that copy's.
  if (kept === null) return;
  // Given up on: whatever an earlier try charged is given back; a replay charges again.
  await ingestQuotaFor(env, body.tenant).refundKey(deliveryChargeKey(body.connector.id, body.webhookId));
  metricsFor(env).record({
    name: "ingest.quarantined",
    tenant: body.tenant.id,
    connectorKind: body.connector.kind,
    count: 1,
  });
}

function byTenant(batch: MessageBatch<unknown>): Map<string, Parsed[]> {
  const groups = new Map<string, Parsed[]>();
  for (const message of batch.messages) {
    if (probeMessage.safeParse(message.body).success) {
      // The bench's queue-send probe (workers/probes/routes.ts): nothing to store.
      message.ack();
      continue;
    }
    const parsed = queuedDelivery.safeParse(message.body);
    if (!parsed.success) {
      // Only Phoenix writes here; a body it cannot read would fail every retry.
      console.error(
        JSON.stringify({
          level: "error",
          msg: "unreadable ingest message dropped",
          id: message.id,
          problem: parsed.error.issues[0]?.message,
        }),
      );
      message.ack();
      continue;
    }
    const group = groups.get(parsed.data.tenant.id);
    const entry = { message, body: parsed.data };
    if (group) group.push(entry);
    else groups.set(parsed.data.tenant.id, [entry]);
  }
  return groups;
}

function logFailure(msg: string, body: QueuedDelivery, error: unknown): void {
  console.error(
    JSON.stringify({
      level: "error",
      msg,
      tenant: body.tenant.id,
      connector: body.connector.id,
      webhook_id: body.webhookId,
      error: String(error),
    }),
  );
}
