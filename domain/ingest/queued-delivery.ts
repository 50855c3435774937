// A verified webhook delivery on its way from the route to the ingest consumer (issue 18, decision
// 052): the raw body and what the route resolved for it, so the consumer reads nothing from
// CONTROL_DB. Only deliveries whose message fits the queue's limit travel this way.
import { z } from "zod";
import type { Tenant } from "../tenancy.ts";

/** A queue message may be 128 KB; what is left for the envelope and JSON escaping is kept spare. */
export const MAX_QUEUED_MESSAGE_BYTES = 120 * 1024;

export const queuedDelivery = z.object({
  v: z.literal(1),
  tenant: z.object({
    id: z.string().min(1),
    d1Binding: z.string().min(1),
    dailyIngestQuota: z.number().int().nonnegative().nullable(),
  }),
  connector: z.object({
    id: z.string().min(1),
    kind: z.string().min(1),
    config: z.record(z.string(), z.unknown()),
  }),
  webhookId: z.string().min(1),
  contentType: z.string(),
  body: z.string(),
  /** When the route verified it: the delivery's received time, whenever it is stored. */
  receivedAt: z.number().int(),
});
export type QueuedDelivery = z.infer<typeof queuedDelivery>;

export function queuedDeliveryOf(input: {
  tenant: Pick<Tenant, "id" | "d1Binding" | "dailyIngestQuota">;
  connector: { id: string; kind: string; config: Record<string, unknown> };
  webhookId: string;
  contentType: string;
  body: string;
  receivedAt: number;
}): QueuedDelivery {
  return {
    v: 1,
    tenant: {
      id: input.tenant.id,
      d1Binding: input.tenant.d1Binding,
      dailyIngestQuota: input.tenant.dailyIngestQuota,
    },
    connector: { id: input.connector.id, kind: input.connector.kind, config: input.connector.config },
    webhookId: input.webhookId,
    contentType: input.contentType,
    body: input.body,
    receivedAt: input.receivedAt,
  };
}

/** Whether the message fits one queue message; a larger delivery is stored before the 202 instead. */
export function fitsQueueMessage(message: QueuedDelivery): boolean {
  return new TextEncoder().encode(JSON.stringify(message)).byteLength <= MAX_QUEUED_MESSAGE_BYTES;
}

/** Where the source reads what became of a delivery once the consumer has stored it. */
export function deliveryOutcomePath(connectorId: string, webhookId: string): string {
  return `/v1/connectors/${encodeURIComponent(connectorId)}/deliveries/${encodeURIComponent(webhookId)}`;
}
