// Bringing one case up to date in one sink. State-based and resumable: the sink's position in the
// case's event log is kept in the tenant's `sink_sync` after each step, so a retry, a duplicate
// message or messages out of order converge on the case's current state and repeat nothing that
// was acknowledged (a step whose acknowledgement was lost is re-sent under the same event id).
import { and, desc, eq, isNull, lte, or, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { cases, sinkDeadLetters, sinkSync } from "../../schema/tenant.ts";
import { newId } from "../ids.ts";
import { retryDelaySeconds, SinkCallFailed } from "./delivery-errors.ts";
import { syncJira } from "./jira-sync.ts";
import { sinkCall } from "./outbound-call.ts";
import { syncPlatform } from "./platform-sync.ts";
import { syncSalesforce } from "./salesforce-sync.ts";
import { activeSinks, type SinkRow, type StoredCredentials, sinkCredentials } from "./service.ts";
import type { SinkSyncContext, SyncProgress, SyncRow } from "./sink-run.ts";

export async function syncState(db: D1Database, caseId: string, sinkId: string): Promise<SyncRow | null> {
  const [row] = await drizzle(db)
    .select()
    .from(sinkSync)
    .where(and(eq(sinkSync.caseId, caseId), eq(sinkSync.sinkId, sinkId)));
  return row ?? null;
}

/** How long one sync may hold a case and sink before another delivery may take over. */
const LEASE_MS = 60_000;
/**
 * Seconds a delivery waits when another delivery of the same case is syncing it: 1 to 4, at
 * random, so two deliveries that keep meeting on different sinks fall out of step.
 */
const busyWaitSeconds = () => 1 + Math.floor(Math.random() * 4);

const SYNCS = { jira: syncJira, salesforce: syncSalesforce, platform: syncPlatform } as const;

/**
 * Brings `caseId` up to date in `sink` (at least to `version`, when given); throws SinkCallFailed
 * when the sink cannot be reached or refuses.
 */
export async function syncCaseToSink(
  ctx: SinkSyncContext,
  sink: SinkRow,
  credentials: StoredCredentials,
  caseId: string,
  version = 0,
): Promise<void> {
  // Another delivery already brought the sink this far: nothing to wait for.
  if (version > 0 && ((await syncState(ctx.db, caseId, sink.id))?.syncedVersion ?? 0) >= version) return;
  const held = await takeLease(ctx.db, caseId, sink.id, ctx.now);
  if (held === null)
    throw new SinkCallFailed("another delivery of this case is syncing it", {
      permanent: false,
      retryAfterSeconds: busyWaitSeconds(),
      throttled: true,
    });
  try {
    await SYNCS[sink.kind]({
      ctx,
      sink,
      credentials,
      caseId,
      caseUrl: `${ctx.appUrl.replace(/\/$/, "")}/cases/${caseId}`,
      row: held.row,
      call: (url, init, expected) =>
        sinkCall(
          {
            tenantId: ctx.tenantId,
            now: ctx.now,
            timeoutMs: ctx.timeoutMs ?? 10_000,
            outbound: ctx.outbound,
          },
          url,
          init,
          expected,
        ),
      save: (progress) => saveProgress(ctx.db, caseId, sink.id, progress, ctx.now),
    });
  } finally {
    await ctx.db
      .prepare(
        "UPDATE sink_sync SET lease_until = NULL WHERE case_id = ? AND sink_id = ? AND lease_until = ?",
      )
      .bind(caseId, sink.id, held.lease)
      .run();
  }
}

/**
 * Takes the case and sink for one sync, answering where the sink stands (read in the same
 * statement); null while another sync holds them.
 */
async function takeLease(
  db: D1Database,
  caseId: string,
  sinkId: string,
  now: number,
): Promise<{ lease: number; row: SyncRow } | null> {
  // A lease value of its own (the expiry plus a random part), so only its holder releases it.
  const lease = now + LEASE_MS + Math.floor(Math.random() * 1000);
  const [row] = await drizzle(db)
    .insert(sinkSync)
    .values({ caseId, sinkId, updatedAt: now, leaseUntil: lease })
    .onConflictDoUpdate({
      target: [sinkSync.caseId, sinkSync.sinkId],
      set: { leaseUntil: lease },
      setWhere: or(isNull(sinkSync.leaseUntil), lte(sinkSync.leaseUntil, now)),
    })
    .returning();
  return row ? { lease, row } : null;
}

async function saveProgress(
  db: D1Database,
  caseId: string,
  sinkId: string,
  progress: SyncProgress,
  now: number,
): Promise<void> {
  await drizzle(db)
    .update(sinkSync)
    .set({
      // Never backwards: a slower retry finishing late must not rewind the position.
      ...(progress.seq !== undefined ? { syncedSeq: sql`max(${sinkSync.syncedSeq}, ${progress.seq})` } : {}),
      ...(progress.version !== undefined
        ? { syncedVersion: sql`max(${sinkSync.syncedVersion}, ${progress.version})` }
        : {}),
      ...(progress.externalId !== undefined ? { externalId: progress.externalId } : {}),
      ...(progress.externalUrl !== undefined ? { externalUrl: progress.externalUrl } : {}),
      ...(progress.detail !== undefined ? { detail: progress.detail } : {}),
      lastError: null,
      lastErrorAt: null,
      updatedAt: now,
    })
    .where(and(eq(sinkSync.caseId, caseId), eq(sinkSync.sinkId, sinkId)));
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
  // One open letter per case and sink: a replay brings the sink to the case as it is then, so a
  // second letter (another retry of the message, or the dead-letter queue after it) adds nothing.
  const [open] = await drizzle(db)
    .select({ id: sinkDeadLetters.id })
    .from(sinkDeadLetters)
    .where(
      and(
        eq(sinkDeadLetters.sinkId, letter.sinkId),
        eq(sinkDeadLetters.caseId, letter.caseId),
        isNull(sinkDeadLetters.replayedAt),
      ),
    )
    .limit(1);
  if (open) return open.id;
  const id = newId("deadLetter", now);
  await drizzle(db)
    .insert(sinkDeadLetters)
    .values({ id, ...letter, createdAt: now, replayedAt: null });
  return id;
}

/** Tries per sink message before it goes to the dead-letter queue (wrangler.toml max_retries + 1). */
export const SINK_ATTEMPTS = 20;

/** What a sync round asks of the queue: nothing (ack), or another try after `retryIn` seconds. */
export interface SyncOutcome {
  retryIn: number | null;
  /**
   * Every sink that is owed still was held back by Phoenix itself (the per-site rate limit, or
   * another delivery syncing the case), not failed: the retry should not count as an attempt.
   */
  heldBack: boolean;
}

/**
 * Brings the case up to date in every active sink of the tenant. A permanent failure, or one on
 * the last try, is kept as a dead letter; answers when to retry the rest (the other sinks are
 * state-based, so retrying them with it repeats nothing).
 */
export async function syncCaseEverywhere(
  ctx: SinkSyncContext & { controlDb: D1Database; encryptionKey: string | undefined },
  message: { caseId: string; version: number; attempts: number },
): Promise<SyncOutcome> {
  return syncCaseToSinks(ctx, await activeSinks(ctx.controlDb, ctx.tenantId), ctx.encryptionKey, message);
}

export async function syncCaseToSinks(
  ctx: SinkSyncContext,
  sinks: readonly SinkRow[],
  encryptionKey: string | undefined,
  message: { caseId: string; version: number; attempts: number },
): Promise<SyncOutcome> {
  let retryIn: number | null = null;
  let heldBack = true;
  for (const sink of sinks) {
    try {
      await syncCaseToSink(
        ctx,
        sink,
        await sinkCredentials(sink, encryptionKey),
        message.caseId,
        message.version,
      );
    } catch (error) {
      const failure =
        error instanceof SinkCallFailed ? error : new SinkCallFailed(String(error), { permanent: false });
      if (failure.throttled) {
        retryIn = Math.max(retryIn ?? 0, retryDelaySeconds(message.attempts, failure));
        continue;
      }
      heldBack = false;
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
  return { retryIn, heldBack: retryIn !== null && heldBack };
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

export type { SinkSyncContext } from "./sink-run.ts";
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

export interface SinkCaseSync {
  caseId: string;
  title: string;
  state: string;
  /** The case's version now; the sink is behind while `syncedVersion` is lower. */
  caseVersion: number;
  syncedVersion: number;
  externalId: string | null;
  externalUrl: string | null;
  lastError: string | null;
  lastErrorAt: number | null;
  updatedAt: number;
}

/** Where a sink stands with the cases it was sent, most recently touched first (the sink's page). */
export async function sinkCaseSyncs(db: D1Database, sinkId: string, limit: number): Promise<SinkCaseSync[]> {
  return drizzle(db)
    .select({
      caseId: sinkSync.caseId,
      title: cases.title,
      state: cases.state,
      caseVersion: cases.version,
      syncedVersion: sinkSync.syncedVersion,
      externalId: sinkSync.externalId,
      externalUrl: sinkSync.externalUrl,
      lastError: sinkSync.lastError,
      lastErrorAt: sinkSync.lastErrorAt,
      updatedAt: sinkSync.updatedAt,
    })
    .from(sinkSync)
    .innerJoin(cases, eq(cases.id, sinkSync.caseId))
    .where(eq(sinkSync.sinkId, sinkId))
    .orderBy(desc(sinkSync.updatedAt))
    .limit(limit);
}
