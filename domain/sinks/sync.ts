// Bringing one case up to date in one sink. State-based and resumable: the sink's position in the
// case's event log is kept in the tenant's `sink_sync` after each step, so a retry, a duplicate
// message or messages out of order converge on the case's current state and repeat nothing that
// was acknowledged (a step whose acknowledgement was lost is re-sent under the same event id).
import { and, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { sinkDeadLetters, sinkSync } from "../../schema/tenant.ts";
import type { CaseGateway } from "../case/gateway.ts";
import { newId } from "../ids.ts";
import { signWebhook } from "../webhooks/standard-webhooks.ts";
import { failedCall, failedResponse, retryDelaySeconds, SinkCallFailed } from "./delivery-errors.ts";
import { guardedFetch, type HostResolver, type OutboundPolicy } from "./outbound-url.ts";
import { platformEvent, subscribed } from "./platform/events.ts";
import { activeSinks, type SinkRow, type StoredCredentials, sinkCredentials } from "./service.ts";

export interface SinkSyncContext {
  /** The tenant's database. */
  db: D1Database;
  gateway: CaseGateway;
  tenantId: string;
  outbound: { policy: OutboundPolicy; resolve: HostResolver; fetch?: typeof fetch };
  now: number;
  /** Per outbound call. */
  timeoutMs?: number;
}

/** Events read from the case per round. */
const EVENTS_PER_READ = 100;

export type SyncRow = typeof sinkSync.$inferSelect;

export async function syncState(db: D1Database, caseId: string, sinkId: string): Promise<SyncRow | null> {
  const [row] = await drizzle(db)
    .select()
    .from(sinkSync)
    .where(and(eq(sinkSync.caseId, caseId), eq(sinkSync.sinkId, sinkId)));
  return row ?? null;
}

/** Brings `caseId` up to date in `sink`; throws SinkCallFailed when the sink cannot be reached or refuses. */
export async function syncCaseToSink(
  ctx: SinkSyncContext,
  sink: SinkRow,
  credentials: StoredCredentials,
  caseId: string,
): Promise<{ delivered: number }> {
  if (sink.kind !== "platform") {
    // Jira and Salesforce sync are the next step of issue 15; their sinks are configured and
    // tested today, and wait here without an error.
    return { delivered: 0 };
  }
  const types = (sink.config.event_types as string[] | undefined) ?? ["case.*"];
  const url = String(sink.config.url);
  const secret = credentials.signing_secret ?? "";
  let seq = (await syncState(ctx.db, caseId, sink.id))?.syncedSeq ?? 0;
  let delivered = 0;
  for (;;) {
    const events = await ctx.gateway.events(ctx.tenantId, caseId, seq, EVENTS_PER_READ);
    for (const event of events) {
      const out = platformEvent(caseId, event);
      if (out && subscribed(types, out.type)) {
        const body = JSON.stringify({ ...out, tenant_id: ctx.tenantId });
        const timestamp = Math.floor(ctx.now / 1000);
        let response: Response;
        try {
          response = await guardedFetch(
            url,
            {
              method: "POST",
              headers: {
                "content-type": "application/json",
                "webhook-id": out.id,
                "webhook-timestamp": String(timestamp),
                "webhook-signature": signWebhook(secret, out.id, timestamp, body),
              },
              body,
              timeoutMs: ctx.timeoutMs ?? 10_000,
            },
            ctx.outbound,
          );
        } catch (error) {
          throw failedCall(url, error);
        }
        await response.body?.cancel();
        if (!response.ok) throw failedResponse(url, response, ctx.now);
        delivered++;
      }
      seq = event.seq;
      await saveProgress(ctx.db, caseId, sink.id, { seq, version: event.version }, ctx.now);
    }
    if (events.length < EVENTS_PER_READ) break;
  }
  return { delivered };
}

async function saveProgress(
  db: D1Database,
  caseId: string,
  sinkId: string,
  at: { seq: number; version: number },
  now: number,
): Promise<void> {
  await drizzle(db)
    .insert(sinkSync)
    .values({ caseId, sinkId, syncedSeq: at.seq, syncedVersion: at.version, updatedAt: now })
    .onConflictDoUpdate({
      target: [sinkSync.caseId, sinkSync.sinkId],
      // Never backwards: a slower retry finishing late must not rewind the position.
      set: {
        syncedSeq: sql`max(${sinkSync.syncedSeq}, excluded.synced_seq)`,
        syncedVersion: sql`max(${sinkSync.syncedVersion}, excluded.synced_version)`,
        lastError: null,
        lastErrorAt: null,
        updatedAt: now,
      },
    });
}

/** The last error a sink gave for a case, shown with its sync status. */
export async function recordSyncError(
  db: D1Database,
  caseId: string,
  sinkId: string,
  error: string,
  now: number,
) {
  await drizzle(db)
    .insert(sinkSync)
    .values({ caseId, sinkId, lastError: error, lastErrorAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [sinkSync.caseId, sinkSync.sinkId],
      set: { lastError: error, lastErrorAt: now, updatedAt: now },
    });
}

/** Keeps sync work that will not be retried, with why, until an operator replays it. */
export async function storeDeadLetter(
  db: D1Database,
  letter: { sinkId: string; caseId: string; version: number; error: string; attempts: number },
  now: number,
): Promise<string> {
  const id = newId("deadLetter", now);
  await drizzle(db)
    .insert(sinkDeadLetters)
    .values({ id, ...letter, createdAt: now, replayedAt: null });
  return id;
}

/** Tries per sink message before it goes to the dead-letter queue (wrangler.toml max_retries + 1). */
export const SINK_ATTEMPTS = 8;

/**
 * Brings the case up to date in every active sink of the tenant. A permanent failure, or one on
 * the last try, is kept as a dead letter; answers when to retry the rest, or null when nothing is
 * left to retry (the other sinks are state-based, so retrying them with it repeats nothing).
 */
export async function syncCaseEverywhere(
  ctx: SinkSyncContext & { controlDb: D1Database; encryptionKey: string | undefined },
  message: { caseId: string; version: number; attempts: number },
): Promise<number | null> {
  let retryIn: number | null = null;
  for (const sink of await activeSinks(ctx.controlDb, ctx.tenantId)) {
    try {
      await syncCaseToSink(ctx, sink, await sinkCredentials(sink, ctx.encryptionKey), message.caseId);
    } catch (error) {
      const failure =
        error instanceof SinkCallFailed ? error : new SinkCallFailed(String(error), { permanent: false });
      await recordSyncError(ctx.db, message.caseId, sink.id, failure.message, ctx.now);
      if (failure.permanent || message.attempts >= SINK_ATTEMPTS) {
        await storeDeadLetter(
          ctx.db,
          {
            sinkId: sink.id,
            caseId: message.caseId,
            version: message.version,
            error: failure.message,
            attempts: message.attempts,
          },
          ctx.now,
        );
        console.error(
          JSON.stringify({
            level: "error",
            msg: "sink sync dead-lettered",
            tenant: ctx.tenantId,
            sink: sink.id,
            case: message.caseId,
            error: failure.message,
          }),
        );
        continue;
      }
      retryIn = Math.max(retryIn ?? 0, retryDelaySeconds(message.attempts, failure));
    }
  }
  return retryIn;
}

/** What ran out of queue retries: a dead letter per active sink the case has not reached. */
export async function deadLetterUnsynced(
  controlDb: D1Database,
  db: D1Database,
  tenantId: string,
  message: { caseId: string; version: number; attempts: number },
  now: number,
): Promise<void> {
  for (const sink of await activeSinks(controlDb, tenantId)) {
    const state = await syncState(db, message.caseId, sink.id);
    if ((state?.syncedVersion ?? 0) >= message.version) continue;
    await storeDeadLetter(
      db,
      {
        sinkId: sink.id,
        caseId: message.caseId,
        version: message.version,
        error: state?.lastError ?? "ran out of retries",
        attempts: message.attempts,
      },
      now,
    );
  }
}

/** Where the case stands in each of the tenant's active sinks (the case page and the API). */
export async function caseSinks(
  controlDb: D1Database,
  db: D1Database,
  tenantId: string,
  caseId: string,
): Promise<CaseSinkStatus[]> {
  return caseSinkStatus(await activeSinks(controlDb, tenantId), db, caseId);
}

export { SinkCallFailed };

export interface CaseSinkStatus {
  sink_id: string;
  kind: SinkRow["kind"];
  name: string;
  synced_version: number;
  external_id: string | null;
  external_url: string | null;
  last_error: string | null;
  last_error_at: number | null;
}

/** Where the case stands in each of the tenant's active sinks, for the case page and the API. */
export async function caseSinkStatus(
  sinks: readonly SinkRow[],
  db: D1Database,
  caseId: string,
): Promise<CaseSinkStatus[]> {
  if (sinks.length === 0) return [];
  const rows = await drizzle(db).select().from(sinkSync).where(eq(sinkSync.caseId, caseId));
  return sinks.map((sink) => {
    const row = rows.find((r) => r.sinkId === sink.id);
    return {
      sink_id: sink.id,
      kind: sink.kind,
      name: sink.name,
      synced_version: row?.syncedVersion ?? 0,
      external_id: row?.externalId ?? null,
      external_url: row?.externalUrl ?? null,
      last_error: row?.lastError ?? null,
      last_error_at: row?.lastErrorAt ?? null,
    };
  });
}
