// Quarantine: items a connector could not map, kept verbatim with the reason, listable, and
// replayable once the mapping or the connector's configuration is fixed. A replay is claimed like a
// delivery (webhook id "replay:<quarantine id>"), so it ingests its alerts exactly once. A replay
// charges the daily ingest quota like a fresh delivery; over quota it is refused and stays here.
import { and, count, desc, eq, isNull, lt, or, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { quarantine } from "../../schema/tenant.ts";
import { type IngestQuota, QUOTA_EXCEEDED_REASON } from "../alerts/quota.ts";
import { submitAlerts } from "../alerts/submit.ts";
import { PhoenixError } from "../errors.ts";
import { MAX_PAGE_BYTES, utf8Length } from "../input/limits.ts";
import { decodeCursor, keysetPage } from "../pagination.ts";
import { type DeliveryOutcome, INGEST_FAILED_REASON, ingestDelivery } from "./deliver.ts";
import type { ConnectorKindDefinition } from "./kind.ts";
import { mapItem } from "./map-item.ts";

export type QuarantinedItem = typeof quarantine.$inferSelect;

export async function listQuarantine(
  db: D1Database,
  q: {
    limit: number;
    cursor?: string | undefined;
    includeReplayed: boolean;
    connectorId?: string | undefined;
  },
): Promise<{ items: QuarantinedItem[]; nextCursor: string | null }> {
  // The connector is in the fingerprint only when set, so cursors of the unfiltered list stay valid.
  const fingerprint = JSON.stringify([q.includeReplayed, ...(q.connectorId ? [q.connectorId] : [])]);
  const conditions: SQL[] = [];
  if (!q.includeReplayed) conditions.push(isNull(quarantine.replayedAt));
  if (q.connectorId) conditions.push(eq(quarantine.sourceConnectorId, q.connectorId));
  if (q.cursor) {
    const after = decodeCursor(q.cursor, fingerprint);
    const older = or(
      lt(quarantine.receivedAt, after.k),
      and(eq(quarantine.receivedAt, after.k), lt(quarantine.id, after.id)),
    );
    if (older) conditions.push(older);
  }
  const rows = await drizzle(db)
    .select()
    .from(quarantine)
    .where(and(...conditions))
    .orderBy(desc(quarantine.receivedAt), desc(quarantine.id))
    .limit(q.limit + 1);
  // A payload may be up to 1 MiB, so a page is also cut by size (decision 028).
  return keysetPage(rows, q.limit, (r) => ({ k: r.receivedAt, id: r.id }), fingerprint, {
    maxBytes: MAX_PAGE_BYTES,
    sizeOf: (r) => utf8Length(r.payload) + utf8Length(JSON.stringify(r.details ?? null)) + 256,
  });
}

/** Items awaiting replay, by the connector they came through (null: a /v1 submission). */
export async function openQuarantineCounts(db: D1Database): Promise<Map<string | null, number>> {
  const rows = await drizzle(db)
    .select({ connectorId: quarantine.sourceConnectorId, n: count() })
    .from(quarantine)
    .where(isNull(quarantine.replayedAt))
    .groupBy(quarantine.sourceConnectorId);
  return new Map(rows.map((r) => [r.connectorId, r.n]));
}

export async function getQuarantined(db: D1Database, id: string): Promise<QuarantinedItem> {
  const [row] = await drizzle(db).select().from(quarantine).where(eq(quarantine.id, id)).limit(1);
  if (!row) throw new PhoenixError("not_found", "no such quarantined item");
  return row;
}

/** Runs a quarantined item through its connector's kind again. */
export async function replayQuarantined(
  db: D1Database,
  kind: ConnectorKindDefinition,
  item: QuarantinedItem,
  config: Record<string, unknown>,
  now: number,
  quota?: IngestQuota,
): Promise<DeliveryOutcome> {
  assertReplayable(item);
  if (!item.sourceConnectorId)
    throw new PhoenixError("conflict", "this item has no connector to replay it through");
  // A whole delivery (kept for quota, or given up on by the ingest consumer) is read as it
  // arrived; its unmappable items, if any, are quarantined on their own by the replay, just as
  // the first delivery would have done.
  const wholeDelivery = item.reason === QUOTA_EXCEEDED_REASON || item.reason === INGEST_FAILED_REASON;
  const detail = item.details as { content_type?: unknown } | null;
  const contentType =
    wholeDelivery && typeof detail?.content_type === "string" ? detail.content_type : "application/json";
  if (!wholeDelivery) {
    // Map first without writing: an item that still fails stays quarantined and replayable.
    const parsed = kind.parse(item.payload, contentType);
    if (!parsed.ok) throw new PhoenixError("validation_failed", `still cannot be parsed: ${parsed.reason}`);
    for (const raw of parsed.items) {
      const mapped = mapItem(kind, raw, { now, connectorId: item.sourceConnectorId, config });
      if (!mapped.ok)
        throw new PhoenixError(
          "validation_failed",
          `still cannot be mapped: ${mapped.reason}`,
          mapped.errors,
        );
    }
  }
  const outcome = await ingestDelivery(
    db,
    kind,
    {
      connectorId: item.sourceConnectorId,
      webhookId: `replay:${item.id}`,
      body: item.payload,
      contentType,
      config,
      now,
    },
    quota ? { quota, overQuota: "refuse" } : undefined,
  );
  if (outcome.redelivered) throw new PhoenixError("conflict", "this item is being or was already replayed");
  await drizzle(db).update(quarantine).set({ replayedAt: now }).where(eq(quarantine.id, item.id));
  return outcome;
}

/**
 * Replays a POST /v1/alerts submission that was kept for quota. It is claimed under its quarantine id
 * as an Idempotency-Key, so it too is ingested exactly once.
 */
export async function replayQuarantinedSubmission(
  db: D1Database,
  item: QuarantinedItem,
  now: number,
  quota?: IngestQuota,
): Promise<DeliveryOutcome> {
  assertReplayable(item);
  if (item.sourceConnectorId !== null || item.reason !== QUOTA_EXCEEDED_REASON)
    throw new PhoenixError("conflict", "this item has no connector to replay it through");
  let json: unknown;
  try {
    json = JSON.parse(item.payload);
  } catch {
    throw new PhoenixError("validation_failed", "the kept submission is no longer valid JSON");
  }
  const result = await submitAlerts(
    db,
    { raw: item.payload, json, submitter: REPLAY_SUBMITTER, idempotencyKey: item.id, now },
    quota ? { quota, overQuota: "refuse" } : undefined,
  );
  if (result.replayed) throw new PhoenixError("conflict", "this item is being or was already replayed");
  await drizzle(db).update(quarantine).set({ replayedAt: now }).where(eq(quarantine.id, item.id));
  return {
    accepted: result.body.created,
    duplicates: result.body.duplicates,
    quarantined: 0,
    ignored: 0,
    intel: 0,
    followUps: false,
    redelivered: false,
    // API submissions carry no correlation keys: like the original request, they open no cases.
    alerts: [],
  };
}

// The Idempotency-Key scope of submission replays; no principal id looks like this (issuers are URLs).
const REPLAY_SUBMITTER = "phoenix|quarantine-replay";

function assertReplayable(item: QuarantinedItem): void {
  if ((item.details as { truncated?: unknown } | null)?.truncated) {
    throw new PhoenixError(
      "conflict",
      "only the start of this payload was kept (it was too large to store whole): ask the source to send it again",
    );
  }
  if (item.replayedAt !== null) {
    throw new PhoenixError(
      "conflict",
      `this item was already replayed at ${new Date(item.replayedAt).toISOString()}`,
    );
  }
}

export interface ReplayContext {
  db: D1Database;
  /** The tenant's connector by id (404 when it is not the tenant's). */
  loadConnector: (id: string) => Promise<{ kind: string; config: Record<string, unknown> }>;
  /** The connector kinds Phoenix runs, by the kind stored on each connector. */
  kindFor: (kind: string) => ConnectorKindDefinition;
  quota?: IngestQuota;
  /** Groups freshly stored alerts into cases, as a delivery's alerts are, and does its follow-ups. */
  correlate: (alertIds: readonly string[], followUps: boolean) => Promise<unknown>;
  now: number;
}

/**
 * Replays one quarantined item: a kept /v1 submission as a submission, anything else through its
 * connector's kind, and its new alerts into cases. The one entry point for every edge.
 */
export async function replayQuarantineItem(
  ctx: ReplayContext,
  id: string,
): Promise<Pick<DeliveryOutcome, "accepted" | "duplicates" | "quarantined">> {
  const item = await getQuarantined(ctx.db, id);
  // A POST /v1/alerts submission kept for quota came through no connector.
  if (item.sourceConnectorId === null) {
    return counts(await replayQuarantinedSubmission(ctx.db, item, ctx.now, ctx.quota));
  }
  const connector = await ctx.loadConnector(item.sourceConnectorId);
  const outcome = await replayQuarantined(
    ctx.db,
    ctx.kindFor(connector.kind),
    item,
    connector.config,
    ctx.now,
    ctx.quota,
  );
  const fresh = outcome.alerts.filter((a) => !a.duplicate).map((a) => a.id);
  if (fresh.length > 0 || outcome.followUps) await ctx.correlate(fresh, outcome.followUps);
  return counts(outcome);
}

function counts(outcome: DeliveryOutcome) {
  return { accepted: outcome.accepted, duplicates: outcome.duplicates, quarantined: outcome.quarantined };
}
