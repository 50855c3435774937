// POST /ingest/:connectorId: size cap → connector lookup (kept per isolate for a few seconds,
// decision 051) → UTF-8, uncompressed, a short webhook-id → Standard Webhooks signature on the raw
// bytes, before any parsing → one send to the ingest queue → 202 {status: "queued", webhook_id,
// outcome}. The consumer (consume.ts) maps, stores and correlates; the outcome URL says what became
// of each item (decision 052). The tenant comes from the connector, resolved server-side.

import { type Context, Hono } from "hono";
import type { IngestTarget } from "../../domain/connectors/ingest-target-cache.ts";
import { withIngestTarget } from "../../domain/connectors/service.ts";
import { PhoenixError } from "../../domain/errors.ts";
import type { PushAuth } from "../../domain/ingest/kind.ts";
import { bringsCaseChanges, kindFor } from "../../domain/ingest/kinds/index.ts";
import { IngestLanes } from "../../domain/ingest/lanes.ts";
import {
  deliveryOutcomePath,
  fitsQueueMessage,
  queuedDeliveryOf,
} from "../../domain/ingest/queued-delivery.ts";
import { MAX_WEBHOOK_ID_LENGTH } from "../../domain/input/limits.ts";
import { parseMediaType, requireIdentityEncoding, requireUtf8 } from "../../domain/input/media-type.ts";
import { contentWebhookId, verifyPushCredential } from "../../domain/webhooks/push-credentials.ts";
import { verifyWebhook } from "../../domain/webhooks/standard-webhooks.ts";
import { capBody } from "../http/body-cap.ts";
import { toProblem } from "../http/problem.ts";
import { requestCorrelation } from "../queues/correlation.ts";
import { attributeRequest } from "../telemetry/request-log.ts";
import { receiveJiraWebhook } from "./jira.ts";
import { storeDelivery } from "./store-delivery.ts";

// Per isolate, as the kept targets are: which tenants are flooding right now (decision 053).
const lanes = new IngestLanes();

export function createIngest(): Hono<{ Bindings: Env }> {
  const ingest = new Hono<{ Bindings: Env }>();

  // Splunk HTTP Event Collector clients post to their collector's paths under the URL they are given.
  const paths = [
    "/:connectorId",
    "/:connectorId/services/collector",
    "/:connectorId/services/collector/event",
  ];
  ingest.on("POST", paths, capBody("a delivery"), async (c) => {
    const now = Date.now();
    return withIngestTarget(
      c.env.CONTROL_DB,
      c.env.SECRETS_ENCRYPTION_KEY,
      c.req.param("connectorId") ?? "",
      now,
      (target): Promise<Response> => {
        // Said plainly, before the signature check would fail on bytes it was not computed over.
        requireIdentityEncoding(c.req.header("content-encoding"));
        requireUtf8(parseMediaType(c.req.header("content-type") ?? ""));
        return bringsCaseChanges(target.connector.kind)
          ? receiveJiraWebhook(c, target, now)
          : receiveDelivery(c, target, now);
      },
    );
  });
  ingest.onError(toProblem);
  return ingest;
}

/** A Standard Webhooks delivery of findings: verified on its raw bytes, stored, correlation queued. */
async function receiveDelivery(c: Context<{ Bindings: Env }>, target: IngestTarget, now: number) {
  const connectorId = target.connector.id;
  const webhookId = c.req.header("webhook-id") ?? "";
  if (webhookId.length > MAX_WEBHOOK_ID_LENGTH) {
    throw new PhoenixError("bad_request", `webhook-id is ${webhookId.length} characters long`, [
      { field: "webhook-id", message: `must be at most ${MAX_WEBHOOK_ID_LENGTH} characters` },
    ]);
  }
  const sent = await c.req.text();
  const kind = kindFor(target.connector.kind);
  const verified = await verifyDelivery(c, kind.pushAuth ?? [], sent, target.secrets);
  // Attributed only once the signature proves the sender holds the connector's secret.
  attributeRequest(c, { tenant: target.tenant.id, principalType: "connector" });

  // Sources with an envelope, or that may carry prompt text, are reshaped here, once: nothing is
  // queued or stored as sent (decision 057).
  const { body, contentType } = kind.received?.(sent, c.req.header("content-type") ?? "") ?? {
    body: sent,
    contentType: c.req.header("content-type") ?? "",
  };
  const queued = queuedDeliveryOf({
    tenant: target.tenant,
    connector: target.connector,
    webhookId: verified.webhookId,
    contentType,
    body,
    receivedAt: now,
  });
  // A Splunk HEC client looks for HEC's own success body.
  const hec = verified.scheme === "splunk-hec" ? { text: "Success", code: 0 } : {};
  const outcomeAt = deliveryOutcomePath(connectorId, verified.webhookId);
  const lane = lanes.laneFor(target.tenant.id, body.length, now);
  if (fitsQueueMessage(queued)) {
    // Verified and durably queued: that is what the 202 promises (decision 052). A failed send
    // is a 5xx, so the sender keeps the delivery and sends it again.
    await (lane === "bulk" ? c.env.INGEST_BULK_QUEUE : c.env.INGEST_QUEUE).send(queued, {
      contentType: "json",
    });
    return verified.scheme === "splunk-hec"
      ? c.json({ ...hec, status: "queued", webhook_id: verified.webhookId, outcome: outcomeAt }, 200)
      : c.json({ status: "queued", webhook_id: verified.webhookId, outcome: outcomeAt }, 202);
  }

  // Too large for one queue message: stored before the 202, which then carries the outcome.
  // Over the tenant's daily quota: 429, and the delivery waits in quarantine (decision 021).
  const outcome = await storeDelivery(c.env, queued, { keyedCharge: false });
  await requestCorrelation(
    c.env,
    target.tenant.id,
    outcome.alerts.filter((a) => !a.duplicate).map((a) => a.id),
    { followUps: outcome.followUps, lane },
  );
  return c.json(
    {
      ...hec,
      status: "stored",
      webhook_id: verified.webhookId,
      outcome: outcomeAt,
      accepted: outcome.accepted,
      duplicates: outcome.duplicates,
      quarantined: outcome.quarantined,
      ignored: outcome.ignored,
      intel: outcome.intel,
      ...(outcome.redelivered ? { redelivered: true } : {}),
    },
    verified.scheme === "splunk-hec" ? 200 : 202,
  );
}

/**
 * A Standard Webhooks signature, or for kinds whose products cannot sign, the secret itself as a
 * Splunk HEC token or Basic password; those deliveries are identified by their content.
 */
async function verifyDelivery(
  c: Context<{ Bindings: Env }>,
  pushAuth: readonly PushAuth[],
  body: string,
  secrets: readonly string[],
): Promise<{ webhookId: string; scheme: PushAuth | "standard-webhooks" }> {
  if (pushAuth.length > 0 && c.req.header("webhook-signature") === undefined) {
    const outcome = await verifyPushCredential(c.req.header("authorization"), pushAuth, secrets);
    if (!outcome.ok)
      throw new PhoenixError("unauthenticated", `the delivery did not authenticate: ${outcome.reason}`);
    return { webhookId: await contentWebhookId(body), scheme: outcome.scheme };
  }
  const verified = await verifyWebhook(body, Object.fromEntries(c.req.raw.headers), secrets);
  if (!verified.ok)
    throw new PhoenixError("unauthenticated", `the webhook signature did not verify: ${verified.reason}`);
  return { webhookId: verified.webhookId, scheme: "standard-webhooks" };
}
