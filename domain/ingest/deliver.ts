// One signed webhook delivery, after its signature checked out: split it into items, map each with
// the connector's kind, and store alerts, quarantined items and the delivery's webhook-id in one
// D1 batch. A re-delivered webhook-id hits its primary key, aborts the batch and changes nothing.
// With a quota, the mapped findings are charged first; a delivery over quota is kept whole in
// quarantine (claiming its webhook-id, so the sender's retries change nothing) and answered 429.

import { and, eq, sql } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import { alerts, quarantine, webhookDeliveries } from "../../schema/tenant.ts";
import { type CorrelationJoin, correlationJoinStatements } from "../alerts/correlation-joins.ts";
import {
  deliveryChargeKey,
  type IngestQuota,
  QUOTA_EXCEEDED_REASON,
  type QuotaCharge,
  quotaExceeded,
} from "../alerts/quota.ts";
import { storeFindings } from "../alerts/store.ts";
import type { FieldError } from "../errors.ts";
import { newId } from "../ids.ts";
import { MAX_QUARANTINE_PAYLOAD_BYTES, utf8Length } from "../input/limits.ts";
import { type IntelRecord, intelStatements } from "../intel/records.ts";
import { ingestMetrics, type Metrics } from "../metrics.ts";
import type { ConnectorKindDefinition, MappedFinding } from "./kind.ts";
import { mapItem } from "./map-item.ts";
import { quarantinePayload } from "./quarantine-payload.ts";

export const DELIVERY_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** The quarantine reason of a delivery the ingest consumer gave up on; its details hold the error. */
export const INGEST_FAILED_REASON = "ingest_failed";

export interface Delivery {
  connectorId: string;
  webhookId: string;
  body: string;
  contentType: string;
  config: Record<string, unknown>;
  now: number;
  /** Where the delivery's counts are recorded, and the tenant they belong to. */
  metrics?: { sink: Metrics; tenant: string };
}

export interface DeliveryOutcome {
  /** Findings stored as new alerts. */
  accepted: number;
  /** Findings that matched an existing alert (its occurrence count was bumped). */
  duplicates: number;
  /** Items kept in quarantine with the reason they could not be mapped. */
  quarantined: number;
  /** Valid items that are not findings (e.g. an XDR note), acknowledged without storing anything. */
  ignored: number;
  /** Threat intelligence records (judgements, verdicts, indicators, relationships) stored or updated. */
  intel: number;
  /**
   * True when the delivery left work for cases that already exist: a source update of a known
   * finding, a verdict, or a join of two keys (domain/case/follow-ups.ts).
   */
  followUps: boolean;
  /** True when this webhook-id was already delivered: nothing was changed. */
  redelivered: boolean;
  /** The stored alerts with their correlation keys, for grouping into cases. */
  alerts: Array<{ id: string; correlationKey: string; duplicate: boolean }>;
}

export interface DeliveryLimits {
  quota: IngestQuota;
  /** A fresh delivery over quota is kept in quarantine; a replay is refused and stays where it is. */
  overQuota: "quarantine" | "refuse";
  /**
   * The charge is made under the delivery's key and kept when storing fails, for the retry to
   * reuse: the ingest consumer's deliveries, which are retried until stored or given up on.
   */
  keyedCharge?: boolean;
}

/** A delivery split into items and mapped by its connector's kind: what storing it writes. */
export interface MappedDelivery {
  mapped: MappedFinding[];
  intel: IntelRecord[];
  joins: CorrelationJoin[];
  ignored: number;
  /** Items that could not be mapped, as the quarantine rows that keep them. */
  held: Array<typeof quarantine.$inferInsert & { id: string }>;
}

export function mapDelivery(kind: ConnectorKindDefinition, delivery: Delivery): MappedDelivery {
  const out: MappedDelivery = { mapped: [], intel: [], joins: [], ignored: 0, held: [] };
  const hold = (payload: string, reason: string, errors?: FieldError[]) => {
    const kept = quarantinePayload(payload);
    out.held.push({
      id: newId("quarantine", delivery.now),
      sourceConnectorId: delivery.connectorId,
      reason,
      details: { webhook_id: delivery.webhookId, ...(errors ? { errors } : {}), ...kept.details },
      payload: kept.payload,
      receivedAt: delivery.now,
    });
  };
  const parsed = kind.parse(delivery.body, delivery.contentType);
  if (!parsed.ok) hold(delivery.body, parsed.reason);
  else {
    const ctx = { now: delivery.now, connectorId: delivery.connectorId, config: delivery.config };
    for (const item of parsed.items) {
      const result = mapItem(kind, item, ctx);
      if (!result.ok) hold(item.raw, result.reason, result.errors);
      else if (result.ignored !== undefined) out.ignored++;
      else {
        out.mapped.push(...result.findings);
        out.intel.push(...(result.intel ?? []));
        out.joins.push(...(result.joins ?? []));
      }
    }
  }
  return out;
}

/** True when a delivery left work for cases that already exist (domain/case/follow-ups.ts). */
export function leavesFollowUps(m: MappedDelivery, stored: ReadonlyArray<{ duplicate: boolean }>): boolean {
  return (
    m.joins.length > 0 ||
    m.intel.some((r) => r.kind === "judgement" || r.kind === "verdict") ||
    stored.some((a, i) => a.duplicate && m.mapped[i]?.sourceVersion !== undefined)
  );
}

export async function ingestDelivery(
  db: D1Database,
  kind: ConnectorKindDefinition,
  delivery: Delivery,
  limits?: DeliveryLimits,
): Promise<DeliveryOutcome> {
  const d = drizzle(db);
  const { mapped, intel, joins, ignored, held } = mapDelivery(kind, delivery);
  const quarantined = held.map((row) => d.insert(quarantine).values(row));

  const claim = claimStatement(d, delivery, { intel, ignored, held });
  // What counts is the findings a delivery maps to; items that could not be mapped are not ingest.
  const chargeKey = limits?.keyedCharge
    ? deliveryChargeKey(delivery.connectorId, delivery.webhookId)
    : undefined;
  const charge =
    limits && mapped.length > 0 ? await limits.quota.charge(mapped.length, delivery.now, chargeKey) : null;
  if (charge && !charge.allowed) {
    if (limits?.overQuota === "refuse")
      throw quotaExceeded(charge, delivery.now, "nothing was stored; replay it after the reset");
    // A body too large for one quarantine row is not kept: the sender still holds it and retries.
    if (utf8Length(delivery.body) > MAX_QUARANTINE_PAYLOAD_BYTES)
      throw quotaExceeded(charge, delivery.now, "nothing was stored; send it again after the reset");
    const kept = await keepOverQuota(db, kind, delivery, charge);
    if (kept === null) return REDELIVERED;
    throw quotaExceeded(charge, delivery.now, `the delivery is kept in quarantine as ${kept}`);
  }

  try {
    const outcome = await storeFindings(
      db,
      mapped.map((m) => m.finding),
      {
        now: delivery.now,
        sourceConnectorId: delivery.connectorId,
        claim,
        alongside: [
          ...quarantined,
          ...(await intelStatements(d, intel, { connectorId: delivery.connectorId, now: delivery.now })),
          ...correlationJoinStatements(d, joins, delivery.now),
        ],
        correlationKeys: mapped.map((m) => m.correlationKey),
        sourceVersions: mapped.map((m) => m.sourceVersion),
        closing: (mintedIds) => [deliveryTally(d, delivery, mintedIds)],
      },
    );
    const counts = {
      accepted: outcome.created,
      duplicates: outcome.duplicates,
      quarantined: quarantined.length,
      ignored,
    };
    delivery.metrics?.sink.record(...ingestMetrics(delivery.metrics.tenant, kind.kind, counts));
    return {
      ...counts,
      intel: intel.length,
      followUps: leavesFollowUps({ mapped, intel, joins, ignored, held }, outcome.alerts),
      redelivered: false,
      alerts: outcome.alerts.map((a, i) => ({
        id: a.id,
        duplicate: a.duplicate,
        correlationKey: mapped[i]?.correlationKey ?? "",
      })),
    };
  } catch (error) {
    if (isRedelivery(error)) {
      // A reused charge is the stored copy's own; a fresh one paid for nothing and is given back.
      if (charge && !charge.reused) await limits?.quota.refund(charge);
      await countRedelivery(db, delivery);
      return REDELIVERED;
    }
    // Not stored, or stored with its reply lost: a keyed charge waits for the retry, which reuses
    // it either way; an unkeyed one is given back.
    if (charge && charge.key === undefined) await limits?.quota.refund(charge);
    throw error;
  }
}

/** Keeps a delivery refused by the quota whole in quarantine; null when its webhook-id was taken. */
export async function keepOverQuota(
  db: D1Database,
  kind: ConnectorKindDefinition,
  delivery: Delivery,
  charge: QuotaCharge,
): Promise<string | null> {
  const kept = await keepWholeDelivery(db, delivery, QUOTA_EXCEEDED_REASON, {
    findings: charge.count,
    daily_quota: charge.limit,
    day: charge.day,
  });
  if (kept !== null)
    delivery.metrics?.sink.record(
      ...ingestMetrics(delivery.metrics.tenant, kind.kind, {
        accepted: 0,
        duplicates: 0,
        quarantined: 1,
        ignored: 0,
      }),
    );
  return kept;
}

/** What a copy of an already stored webhook-id answers: nothing changed. */
export const REDELIVERED: DeliveryOutcome = {
  accepted: 0,
  duplicates: 0,
  quarantined: 0,
  ignored: 0,
  intel: 0,
  followUps: false,
  redelivered: true,
  alerts: [],
};

/**
 * The delivery's webhook-id claimed, with what became of it. The counts of new alerts and
 * duplicates, known only once the alerts are upserted, follow in the batch's last statements
 * (deliveryTally). A second claim of the id hits the primary key and aborts the batch.
 */
export function claimStatement(
  d: DrizzleD1Database,
  delivery: Pick<Delivery, "connectorId" | "webhookId" | "now">,
  m: Pick<MappedDelivery, "intel" | "ignored" | "held">,
) {
  return d.insert(webhookDeliveries).values({
    connectorId: delivery.connectorId,
    webhookId: delivery.webhookId,
    receivedAt: delivery.now,
    expiresAt: delivery.now + DELIVERY_RETENTION_MS,
    outcome: "stored",
    quarantined: m.held.length,
    ignored: m.ignored,
    intel: m.intel.length,
    quarantineIds: m.held.map((row) => row.id),
  });
}

/**
 * The delivery's new alerts and duplicates, counted in its own batch after the upserts: a minted id
 * survives only on a new alert. One JSON parameter carries every id (D1 binds at most 100).
 */
export function deliveryTally(
  d: DrizzleD1Database,
  delivery: Pick<Delivery, "connectorId" | "webhookId">,
  mintedIds: readonly string[],
) {
  const created = sql`(SELECT count(*) FROM ${alerts} WHERE ${alerts.id} IN (SELECT value FROM json_each(${JSON.stringify(mintedIds)})))`;
  return d
    .update(webhookDeliveries)
    .set({ accepted: created, duplicates: sql`${mintedIds.length} - ${created}` })
    .where(
      and(
        eq(webhookDeliveries.connectorId, delivery.connectorId),
        eq(webhookDeliveries.webhookId, delivery.webhookId),
      ),
    );
}

/**
 * Keeps a whole delivery in quarantine, claiming its webhook-id with the outcome "quarantined": over
 * quota, or after the ingest consumer gave up on it. The body is kept with what a replay needs to
 * read it the same way (its content type). Null when the webhook-id was already claimed.
 */
export async function keepWholeDelivery(
  db: D1Database,
  delivery: Pick<Delivery, "connectorId" | "webhookId" | "body" | "contentType" | "now">,
  reason: string,
  details: Record<string, unknown>,
): Promise<string | null> {
  const d = drizzle(db);
  const id = newId("quarantine", delivery.now);
  try {
    await d.batch([
      d.insert(webhookDeliveries).values({
        connectorId: delivery.connectorId,
        webhookId: delivery.webhookId,
        receivedAt: delivery.now,
        expiresAt: delivery.now + DELIVERY_RETENTION_MS,
        outcome: "quarantined",
        accepted: 0,
        duplicates: 0,
        quarantined: 1,
        ignored: 0,
        intel: 0,
        quarantineIds: [id],
      }),
      d.insert(quarantine).values({
        id,
        sourceConnectorId: delivery.connectorId,
        reason,
        details: { webhook_id: delivery.webhookId, content_type: delivery.contentType, ...details },
        payload: delivery.body,
        receivedAt: delivery.now,
      }),
    ]);
    return id;
  } catch (error) {
    if (!isRedelivery(error)) throw error;
    await countRedelivery(db, delivery);
    return null;
  }
}

/**
 * A copy of a stored webhook-id changed nothing; the delivery's record says it came again (the
 * sender's copies, and the consumer's own retries after a reply was lost). Bookkeeping only: a
 * failure to count it must not turn a harmless copy into an error.
 */
export async function countRedelivery(db: D1Database, delivery: Pick<Delivery, "connectorId" | "webhookId">) {
  try {
    await redeliveryCount(drizzle(db), delivery);
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "redelivery not counted", error: String(error) }));
  }
}

/** One more copy of a stored webhook-id, counted on its delivery. */
export function redeliveryCount(d: DrizzleD1Database, delivery: Pick<Delivery, "connectorId" | "webhookId">) {
  return d
    .update(webhookDeliveries)
    .set({ redeliveries: sql`${webhookDeliveries.redeliveries} + 1` })
    .where(
      and(
        eq(webhookDeliveries.connectorId, delivery.connectorId),
        eq(webhookDeliveries.webhookId, delivery.webhookId),
      ),
    );
}

export function isRedelivery(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.message.includes("UNIQUE constraint failed: webhook_deliveries")) return true;
  }
  return false;
}
