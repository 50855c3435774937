// The correlation queue (decision 026): the webhook route sends the ids of the alerts it stored,
// and this consumer groups them into cases. Many deliveries arrive in one batch, so a storm's
// alerts of one key are linked in one case-object call. Alerts stay owed (correlated_at null)
// until their case holds them, so a lost or dead-lettered message only delays them: the cron
// sweep finishes whatever is still owed.
import { z } from "zod";
import type { IngestLane } from "../../domain/ingest/lanes.ts";
import { metricsFor } from "../../domain/metrics.ts";
import { correlateAlerts } from "../../durable-objects/correlate-alerts.ts";
import { activeTenant } from "../auth/tenant-cache.ts";

/** Alert ids per message: well under a queue message's 128 KB. */
const IDS_PER_MESSAGE = 1000;
const MESSAGES_PER_SEND = 5;

const correlationMessage = z.object({
  tenantId: z.string().min(1),
  alertIds: z.array(z.string().min(1)).max(IDS_PER_MESSAGE),
  /** The delivery left follow-ups for existing cases (a source update, a verdict, a join). */
  followUps: z.boolean().optional(),
});
export type CorrelationMessage = z.infer<typeof correlationMessage>;

/**
 * Asks for `alertIds` to be correlated. Never throws: the alerts are already stored, so a failed
 * send is logged and left to the sweep rather than failing a delivery the sender would re-send.
 */
export async function requestCorrelation(
  env: Pick<Env, "CORRELATION_QUEUE" | "CORRELATION_BULK_QUEUE">,
  tenantId: string,
  alertIds: readonly string[],
  /** `lane`: a flooding tenant's alerts wait in the bulk lane, behind each other only (decision 053). */
  options: { followUps?: boolean; lane?: IngestLane } = {},
): Promise<boolean> {
  if (alertIds.length === 0 && !options.followUps) return true;
  const messages: Array<{ body: CorrelationMessage; contentType: "json" }> = [];
  for (let i = 0; i === 0 || i < alertIds.length; i += IDS_PER_MESSAGE) {
    messages.push({
      body: {
        tenantId,
        alertIds: alertIds.slice(i, i + IDS_PER_MESSAGE),
        ...(options.followUps && i === 0 ? { followUps: true } : {}),
      },
      contentType: "json",
    });
  }
  try {
    const queue = options.lane === "bulk" ? env.CORRELATION_BULK_QUEUE : env.CORRELATION_QUEUE;
    // A sendBatch carries at most 256 KB: a few messages of 1,000 ids (about 33 KB each) at a time.
    for (let i = 0; i < messages.length; i += MESSAGES_PER_SEND)
      await queue.sendBatch(messages.slice(i, i + MESSAGES_PER_SEND));
    return true;
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "error",
        msg: "correlation request failed; the sweep will correlate these alerts",
        tenant: tenantId,
        alerts: alertIds.length,
        error: String(error),
      }),
    );
    return false;
  }
}

/** One batch from the correlation queue: per tenant, one correlation pass over all its alerts. */
export async function consumeCorrelation(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const [tenantId, messages] of byTenant(batch)) {
    const tenant = await activeTenant(env.CONTROL_DB, tenantId, Date.now());
    if (!tenant) {
      // Gone or suspended: nothing can be grouped now, and retrying would not change that.
      for (const m of messages) m.message.ack();
      continue;
    }
    try {
      const outcome = await correlateAlerts(
        env,
        tenant,
        messages.flatMap((m) => m.body.alertIds),
        { followUps: messages.some((m) => m.body.followUps === true) },
      );
      // correlateAlerts only takes alerts still owed, so a retried message redoes just the failures.
      for (const m of messages) {
        if (outcome.failed > 0) m.message.retry();
        else m.message.ack();
      }
    } catch (error) {
      console.error(
        JSON.stringify({
          level: "error",
          msg: "correlation batch failed",
          tenant: tenantId,
          error: String(error),
        }),
      );
      for (const m of messages) m.message.retry();
    }
  }
}

/** The dead-letter queue: counts what ran out of retries, for the operator, and leaves it to the sweep. */
export async function consumeCorrelationDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const metrics = metricsFor(env);
  for (const [tenantId, messages] of byTenant(batch)) {
    const count = messages.reduce((n, m) => n + m.body.alertIds.length, 0);
    metrics.record({ name: "correlation.dead_letter", tenant: tenantId, count });
    console.error(
      JSON.stringify({
        level: "error",
        msg: "correlation dead-lettered; the cron sweep will correlate these alerts",
        tenant: tenantId,
        alerts: count,
      }),
    );
    for (const m of messages) m.message.ack();
  }
}

type Parsed = { message: Message<unknown>; body: CorrelationMessage };

function byTenant(batch: MessageBatch<unknown>): Map<string, Parsed[]> {
  const groups = new Map<string, Parsed[]>();
  for (const message of batch.messages) {
    const parsed = correlationMessage.safeParse(message.body);
    if (!parsed.success) {
      // Only Phoenix writes here; a body it cannot read would fail every retry, so it is dropped loudly.
      console.error(
        JSON.stringify({
          level: "error",
          msg: "unreadable correlation message dropped",
          id: message.id,
          problem: parsed.error.issues[0]?.message,
        }),
      );
      message.ack();
      continue;
    }
    const group = groups.get(parsed.data.tenantId);
    const entry = { message, body: parsed.data };
    if (group) group.push(entry);
    else groups.set(parsed.data.tenantId, [entry]);
  }
  return groups;
}
