// The ingest consumer's deliveries of one tenant, stored together (issue 18): one read of the
// webhook-ids already claimed, one quota call for the lot, and one D1 batch for everything they
// write. Each delivery still lands whole: its claim, alerts, quarantined items and counts commit
// together, and a copy of a stored webhook-id changes nothing.

import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import { quarantine, webhookDeliveries } from "../../schema/tenant.ts";
import { correlationJoinStatements } from "../alerts/correlation-joins.ts";
import { deliveryChargeKey, type IngestQuota, type QuotaCharge } from "../alerts/quota.ts";
import { type FindingToStore, storeFindingGroup } from "../alerts/store.ts";
import { intelStatements } from "../intel/records.ts";
import { ingestMetrics } from "../metrics.ts";
import {
  claimStatement,
  type Delivery,
  type DeliveryOutcome,
  deliveryTally,
  keepOverQuota,
  leavesFollowUps,
  type MappedDelivery,
  mapDelivery,
  REDELIVERED,
  redeliveryCount,
} from "./deliver.ts";
import type { ConnectorKindDefinition } from "./kind.ts";

export interface GroupedDelivery {
  kind: ConnectorKindDefinition;
  delivery: Delivery;
}

/**
 * Stores deliveries of one tenant, answering each one's outcome in order. Over quota, a delivery is
 * kept whole in quarantine and says so. Throws when the batch fails; its keyed charges stay for the
 * retry, which the caller makes one delivery at a time (so one bad delivery holds up no other).
 */
export async function ingestDeliveryGroup(
  db: D1Database,
  group: readonly GroupedDelivery[],
  quota: IngestQuota,
): Promise<DeliveryOutcome[]> {
  const d = drizzle(db);
  const outcomes: DeliveryOutcome[] = group.map(() => REDELIVERED);
  const mapped = group.map((g) => mapDelivery(g.kind, g.delivery));

  // Copies of a claimed webhook-id, or of one earlier in this group, change nothing but their count.
  const claimed = await claimedIds(d, group);
  const copies: number[] = [];
  const fresh: number[] = [];
  for (const [i, g] of group.entries()) {
    const id = deliveryKey(g.delivery);
    if (claimed.has(id)) copies.push(i);
    else {
      claimed.add(id);
      fresh.push(i);
    }
  }

  // What counts is the findings a delivery maps to; items that could not be mapped are not ingest.
  const charged = fresh.filter((i) => (mapped[i]?.mapped.length ?? 0) > 0);
  const charges = await quota.chargeKeyed(
    charged.map((i) => {
      const { delivery } = group[i] as GroupedDelivery;
      return {
        count: (mapped[i] as MappedDelivery).mapped.length,
        now: delivery.now,
        key: deliveryChargeKey(delivery.connectorId, delivery.webhookId),
      };
    }),
  );
  const refused = new Map<number, QuotaCharge>();
  for (const [n, charge] of charges.entries()) if (!charge.allowed) refused.set(charged[n] as number, charge);
  const storing = fresh.filter((i) => !refused.has(i));

  if (storing.length > 0) {
    const items: FindingToStore[] = [];
    const alongside: BatchItem<"sqlite">[] = [];
    for (const i of storing) {
      const { delivery } = group[i] as GroupedDelivery;
      const m = mapped[i] as MappedDelivery;
      for (const f of m.mapped)
        items.push({
          finding: f.finding,
          now: delivery.now,
          sourceConnectorId: delivery.connectorId,
          correlationKey: f.correlationKey,
          sourceVersion: f.sourceVersion ?? null,
        });
      alongside.push(
        ...m.held.map((row) => d.insert(quarantine).values(row)),
        ...(await intelStatements(d, m.intel, { connectorId: delivery.connectorId, now: delivery.now })),
        ...correlationJoinStatements(d, m.joins, delivery.now),
      );
    }
    const stored = await storeFindingGroup(db, items, {
      now: Math.max(...storing.map((i) => (group[i] as GroupedDelivery).delivery.now)),
      first: storing.map((i) =>
        claimStatement(d, (group[i] as GroupedDelivery).delivery, mapped[i] as MappedDelivery),
      ),
      alongside,
      closing: (mintedIds) => {
        let at = 0;
        return [
          ...storing.map((i) => {
            const count = (mapped[i] as MappedDelivery).mapped.length;
            const ids = mintedIds.slice(at, at + count);
            at += count;
            return deliveryTally(d, (group[i] as GroupedDelivery).delivery, ids);
          }),
          ...copies.map((i) => redeliveryCount(d, (group[i] as GroupedDelivery).delivery)),
        ];
      },
    });

    let at = 0;
    for (const i of storing) {
      const { kind, delivery } = group[i] as GroupedDelivery;
      const m = mapped[i] as MappedDelivery;
      const alerts = stored.alerts.slice(at, at + m.mapped.length);
      at += m.mapped.length;
      const duplicates = alerts.filter((a) => a.duplicate).length;
      const counts = {
        accepted: alerts.length - duplicates,
        duplicates,
        quarantined: m.held.length,
        ignored: m.ignored,
      };
      delivery.metrics?.sink.record(...ingestMetrics(delivery.metrics.tenant, kind.kind, counts));
      outcomes[i] = {
        ...counts,
        intel: m.intel.length,
        followUps: leavesFollowUps(m, alerts),
        redelivered: false,
        alerts: alerts.map((a, n) => ({
          id: a.id,
          duplicate: a.duplicate,
          correlationKey: m.mapped[n]?.correlationKey ?? "",
        })),
      };
    }
  } else if (copies.length > 0) {
    await countCopies(
      d,
      copies.map((i) => (group[i] as GroupedDelivery).delivery),
    );
  }
  // Over quota, kept whole in quarantine once the rest is stored: should the batch fail, the
  // one-by-one retry finds them as they came, not as copies of themselves.
  for (const [i, charge] of refused) {
    const { kind, delivery } = group[i] as GroupedDelivery;
    const kept = await keepOverQuota(db, kind, delivery, charge);
    if (kept !== null) outcomes[i] = { ...REDELIVERED, quarantined: 1, redelivered: false };
  }
  return outcomes;
}

function deliveryKey(delivery: Pick<Delivery, "connectorId" | "webhookId">): string {
  return deliveryChargeKey(delivery.connectorId, delivery.webhookId);
}

/** The group's webhook-ids already claimed: one read per connector (a group has one or a few). */
async function claimedIds(d: DrizzleD1Database, group: readonly GroupedDelivery[]): Promise<Set<string>> {
  const byConnector = new Map<string, string[]>();
  for (const { delivery } of group) {
    const ids = byConnector.get(delivery.connectorId) ?? [];
    ids.push(delivery.webhookId);
    byConnector.set(delivery.connectorId, ids);
  }
  const reads = [...byConnector].map(([connectorId, ids]) =>
    d
      .select({ connectorId: webhookDeliveries.connectorId, webhookId: webhookDeliveries.webhookId })
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.connectorId, connectorId),
          sql`${webhookDeliveries.webhookId} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
        ),
      ),
  );
  const [first, ...rest] = reads;
  if (!first) return new Set();
  const results = await d.batch([first, ...rest]);
  return new Set(results.flat().map(deliveryKey));
}

/** A group of copies only: counted on their deliveries, and a failure to count them is no error. */
async function countCopies(d: DrizzleD1Database, deliveries: readonly Delivery[]): Promise<void> {
  const [first, ...rest] = deliveries.map((delivery) => redeliveryCount(d, delivery));
  if (!first) return;
  try {
    await d.batch([first, ...rest]);
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "redeliveries not counted", error: String(error) }));
  }
}
