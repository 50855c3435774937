// The sink queue (ARCHITECTURE flow 4): the case outbox sends {tenant, case, version} on every
// commit, and this consumer brings each of the tenant's active sinks up to date with the case
// (domain/sinks/sync.ts). A retryable failure retries the message with back-off (Retry-After
// honoured); a permanent one, or the last retry, leaves a dead letter in the tenant's database.
import { z } from "zod";
import { retryDelaySeconds, SinkCallFailed } from "../../domain/sinks/delivery-errors.ts";
import { dnsOverHttpsResolver } from "../../domain/sinks/dns-over-https.ts";
import { outboundPolicyFor } from "../../domain/sinks/outbound-url.ts";
import { activeSinks, sinkCredentials } from "../../domain/sinks/service.ts";
import { recordSyncError, storeDeadLetter, syncCaseToSink, syncState } from "../../domain/sinks/sync.ts";
import { tenantDatabase } from "../../domain/tenancy.ts";
import { caseGateway } from "../../durable-objects/case-gateway.ts";
import { activeTenant } from "../auth/tenant-cache.ts";

const sinkMessage = z.object({
  tenantId: z.string().min(1),
  caseId: z.string().min(1),
  version: z.int().min(1),
});
type SinkMessage = z.infer<typeof sinkMessage>;

/** Tries per message before it goes to the dead-letter queue (wrangler.toml max_retries + 1). */
export const SINK_ATTEMPTS = 8;

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
    const retryIn = await syncAll(env, parsed.data, message.attempts);
    if (retryIn === null) message.ack();
    else message.retry({ delaySeconds: retryIn });
  }
}

/** Syncs the case to every active sink; answers when to retry, or null when nothing is left to retry. */
async function syncAll(env: Env, msg: SinkMessage, attempts: number): Promise<number | null> {
  const now = Date.now();
  const tenant = await activeTenant(env.CONTROL_DB, msg.tenantId, now);
  if (!tenant) return null;
  const db = tenantDatabase(env, tenant);
  const ctx = {
    db,
    gateway: caseGateway(env),
    tenantId: tenant.id,
    outbound: { policy: outboundPolicyFor(env.ENVIRONMENT), resolve: dnsOverHttpsResolver() },
    now,
  };
  let retryIn: number | null = null;
  for (const sink of await activeSinks(env.CONTROL_DB, tenant.id)) {
    try {
      await syncCaseToSink(ctx, sink, await sinkCredentials(sink, env.SECRETS_ENCRYPTION_KEY), msg.caseId);
    } catch (error) {
      const failure =
        error instanceof SinkCallFailed ? error : new SinkCallFailed(String(error), { permanent: false });
      await recordSyncError(db, msg.caseId, sink.id, failure.message, now);
      const lastTry = attempts >= SINK_ATTEMPTS;
      if (failure.permanent || lastTry) {
        await storeDeadLetter(
          db,
          { sinkId: sink.id, caseId: msg.caseId, version: msg.version, error: failure.message, attempts },
          now,
        );
        console.error(
          JSON.stringify({
            level: "error",
            msg: "sink sync dead-lettered",
            tenant: tenant.id,
            sink: sink.id,
            case: msg.caseId,
            error: failure.message,
          }),
        );
        continue;
      }
      // The other sinks are state-based: retrying them with this one repeats nothing.
      retryIn = Math.max(retryIn ?? 0, retryDelaySeconds(attempts, failure));
    }
  }
  return retryIn;
}

/** The dead-letter queue: whatever ran out of queue retries is kept in D1 with its last error. */
export async function consumeSinkDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const parsed = sinkMessage.safeParse(message.body);
    if (parsed.success) {
      const { tenantId, caseId, version } = parsed.data;
      const now = Date.now();
      const tenant = await activeTenant(env.CONTROL_DB, tenantId, now);
      if (tenant) {
        const db = tenantDatabase(env, tenant);
        for (const sink of await activeSinks(env.CONTROL_DB, tenant.id)) {
          const state = await syncState(db, caseId, sink.id);
          if ((state?.syncedVersion ?? 0) >= version) continue;
          await storeDeadLetter(
            db,
            {
              sinkId: sink.id,
              caseId,
              version,
              error: state?.lastError ?? "ran out of retries",
              attempts: message.attempts,
            },
            now,
          );
        }
      }
    }
    message.ack();
  }
}
