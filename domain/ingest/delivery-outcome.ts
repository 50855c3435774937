// What became of one webhook delivery, for the source that sent it: GET
// /v1/connectors/{id}/deliveries/{webhookId}. Written with the delivery itself (deliver.ts), so it
// is there exactly when the delivery's alerts are; kept as long as its webhook-id (7 days).
import { and, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { quarantine, webhookDeliveries } from "../../schema/tenant.ts";
import { PhoenixError } from "../errors.ts";

export interface DeliveryOutcomeView {
  connector_id: string;
  webhook_id: string;
  received_at: number;
  outcome: "stored" | "quarantined" | null;
  accepted: number | null;
  duplicates: number | null;
  quarantined: number | null;
  ignored: number | null;
  intel: number | null;
  redeliveries: number;
  quarantine: Array<{ id: string; reason: string; replayed_at: number | null }>;
}

/** The delivery of `webhookId` to the connector (already checked to be the tenant's); 404 if none is kept. */
export async function deliveryOutcome(
  db: D1Database,
  connectorId: string,
  webhookId: string,
): Promise<DeliveryOutcomeView> {
  const d = drizzle(db);
  const [row] = await d
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.connectorId, connectorId), eq(webhookDeliveries.webhookId, webhookId)))
    .limit(1);
  if (!row) {
    throw new PhoenixError(
      "not_found",
      "no delivery with this webhook-id is recorded for this connector (they are kept for 7 days)",
    );
  }
  const ids = row.quarantineIds ?? [];
  const held =
    ids.length === 0
      ? []
      : await d
          .select({ id: quarantine.id, reason: quarantine.reason, replayedAt: quarantine.replayedAt })
          .from(quarantine)
          // One JSON parameter for any number of ids (D1 binds at most 100).
          .where(sql`${quarantine.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`);
  // In the order the delivery's items came; an item since deleted from quarantine is left out.
  const byId = new Map(held.map((q) => [q.id, q]));
  return {
    connector_id: row.connectorId,
    webhook_id: row.webhookId,
    received_at: row.receivedAt,
    outcome: row.outcome,
    accepted: row.accepted,
    duplicates: row.duplicates,
    quarantined: row.quarantined,
    ignored: row.ignored,
    intel: row.intel,
    redeliveries: row.redeliveries,
    quarantine: ids.flatMap((id) => {
      const q = byId.get(id);
      return q ? [{ id: q.id, reason: q.reason, replayed_at: q.replayedAt }] : [];
    }),
  };
}
