// The sink queue (ARCHITECTURE flow 4): the case outbox sends {tenant, case, version} on every
// commit, and this consumer has the tenant's active sinks brought up to date with the case
// (domain/sinks/sync.ts). A retryable failure retries the message with back-off (Retry-After
// honoured); a permanent one, or the last retry, leaves a dead letter in the tenant's database.
import { z } from "zod";
import { dnsOverHttpsResolver } from "../../domain/sinks/dns-over-https.ts";
import { outboundPolicyFor } from "../../domain/sinks/outbound-url.ts";
import { deadLetterUnsynced, syncCaseEverywhere } from "../../domain/sinks/sync.ts";
import { tenantDatabase } from "../../domain/tenancy.ts";
import { caseGateway } from "../../durable-objects/case-gateway.ts";
import { activeTenant } from "../auth/tenant-cache.ts";

const sinkMessage = z.object({
  tenantId: z.string().min(1),
  caseId: z.string().min(1),
  version: z.int().min(1),
  // Tries already made, when a held-back message was sent afresh (Queues would count from 1 again).
  attempts: z.int().min(0).optional(),
});

export async function consumeSinkSync(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const parsed = sinkMessage.safeParse(message.body);
    if (!parsed.success) {
      // Only the case outbox writes here; a body Phoenix cannot read would fail every retry.
      console.error(
        JSON.stringify({ level: "error", msg: "unreadable sink message dropped", id: message.id }),
      );
      message.ack();
      continue;
    }
    const now = Date.now();
    const tenant = await activeTenant(env.CONTROL_DB, parsed.data.tenantId, now);
    if (!tenant) {
      message.ack();
      continue;
    }
    const attempts = (parsed.data.attempts ?? 0) + message.attempts;
    const outcome = await syncCaseEverywhere(
      {
        controlDb: env.CONTROL_DB,
        encryptionKey: env.SECRETS_ENCRYPTION_KEY,
        db: tenantDatabase(env, tenant),
        gateway: caseGateway(env),
        tenantId: tenant.id,
        outbound: {
          policy: outboundPolicyFor(env.ENVIRONMENT),
          resolve: dnsOverHttpsResolver(),
          throttle: async (key) => (await env.SINK_SITE_LIMITER.limit({ key })).success,
        },
        appUrl: env.PHOENIX_ISSUER,
        now,
      },
      { ...parsed.data, attempts },
    );
    if (outcome.retryIn === null) message.ack();
    else if (outcome.heldBack) {
      // Waiting for Phoenix's own limits is not a failed try: a fresh message carries the tries
      // made so far, neither adding one nor starting again.
      await env.SINK_QUEUE.send(
        { ...parsed.data, attempts: attempts - 1 },
        { delaySeconds: outcome.retryIn },
      );
      message.ack();
    } else message.retry({ delaySeconds: outcome.retryIn });
  }
}

/** The dead-letter queue: whatever ran out of queue retries is kept in D1 with its last error. */
export async function consumeSinkDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const parsed = sinkMessage.safeParse(message.body);
    const now = Date.now();
    const tenant = parsed.success ? await activeTenant(env.CONTROL_DB, parsed.data.tenantId, now) : null;
    if (parsed.success && tenant) {
      await deadLetterUnsynced(
        env.CONTROL_DB,
        tenantDatabase(env, tenant),
        tenant.id,
        { ...parsed.data, attempts: message.attempts },
        now,
      );
    }
    message.ack();
  }
}
