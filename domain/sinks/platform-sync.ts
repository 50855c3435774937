// The Platform sink: one signed Standard Webhook per customer-visible case event, the event id as
// webhook-id so the receiver de-duplicates. The position in the case's event log is saved after
// each delivery, so a retry re-sends only what was not acknowledged.
import { signWebhook } from "../webhooks/standard-webhooks.ts";
import { platformEvent, subscribed } from "./platform/events.ts";
import { caseEventsAfter, type SinkRun } from "./sink-run.ts";

export async function syncPlatform(run: SinkRun): Promise<void> {
  const { ctx, sink, caseId } = run;
  const types = (sink.config.event_types as string[] | undefined) ?? ["case.*"];
  const url = String(sink.config.url);
  const secret = run.credentials.signing_secret ?? "";
  for await (const event of caseEventsAfter(run, run.row?.syncedSeq ?? 0)) {
    const out = platformEvent(caseId, event);
    if (out && subscribed(types, out.type)) {
      const body = JSON.stringify({ ...out, tenant_id: ctx.tenantId });
      const timestamp = Math.floor(ctx.now / 1000);
      const response = await run.call(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "webhook-id": out.id,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": signWebhook(secret, out.id, timestamp, body),
        },
        body,
      });
      await response.body?.cancel();
    }
    await run.save({ seq: event.seq, version: event.version });
  }
}
