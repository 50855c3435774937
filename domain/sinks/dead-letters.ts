// Operator replay (issue 15): dead letters are listed, and a replay, like a resync of a case,
// sends the case to the sink queue again. Sync is state-based, so a replay brings the sink to the
// case as it is now; replaying twice, or alongside a live change, repeats nothing.
import { and, count, desc, eq, isNull, lt, or, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { cases, sinkDeadLetters } from "../../schema/tenant.ts";
import type { CaseGateway } from "../case/gateway.ts";
import { PhoenixError } from "../errors.ts";
import { decodeCursor, keysetPage } from "../pagination.ts";
import { getSink } from "./service.ts";

export type DeadLetter = typeof sinkDeadLetters.$inferSelect;

/** What the sink queue carries: the case and the version that was committed. */
export interface SinkMessage {
  tenantId: string;
  caseId: string;
  version: number;
}

export interface ReplayContext {
  db: D1Database;
  controlDb: D1Database;
  gateway: CaseGateway;
  tenantId: string;
  enqueue: (message: SinkMessage) => Promise<void>;
  now: number;
}

export async function listDeadLetters(
  db: D1Database,
  q: { limit: number; cursor?: string | undefined; includeReplayed: boolean; sinkId?: string | undefined },
): Promise<{ items: DeadLetter[]; nextCursor: string | null }> {
  // The sink is in the fingerprint only when set, so cursors of the unfiltered list stay valid.
  const fingerprint = JSON.stringify(["dead-letters", q.includeReplayed, ...(q.sinkId ? [q.sinkId] : [])]);
  const conditions: SQL[] = [];
  if (!q.includeReplayed) conditions.push(isNull(sinkDeadLetters.replayedAt));
  if (q.sinkId) conditions.push(eq(sinkDeadLetters.sinkId, q.sinkId));
  if (q.cursor) {
    const after = decodeCursor(q.cursor, fingerprint);
    const older = or(
      lt(sinkDeadLetters.createdAt, after.k),
      and(eq(sinkDeadLetters.createdAt, after.k), lt(sinkDeadLetters.id, after.id)),
    );
    if (older) conditions.push(older);
  }
  const rows = await drizzle(db)
    .select()
    .from(sinkDeadLetters)
    .where(and(...conditions))
    .orderBy(desc(sinkDeadLetters.createdAt), desc(sinkDeadLetters.id))
    .limit(q.limit + 1);
  return keysetPage(rows, q.limit, (r) => ({ k: r.createdAt, id: r.id }), fingerprint);
}

/** A sink's open dead letters, newest first, with their case's title (the sink's page). */
export async function openDeadLettersOf(
  db: D1Database,
  sinkId: string,
  limit: number,
): Promise<Array<DeadLetter & { caseTitle: string | null }>> {
  return drizzle(db)
    .select({
      id: sinkDeadLetters.id,
      sinkId: sinkDeadLetters.sinkId,
      caseId: sinkDeadLetters.caseId,
      version: sinkDeadLetters.version,
      error: sinkDeadLetters.error,
      attempts: sinkDeadLetters.attempts,
      createdAt: sinkDeadLetters.createdAt,
      replayedAt: sinkDeadLetters.replayedAt,
      caseTitle: cases.title,
    })
    .from(sinkDeadLetters)
    .leftJoin(cases, eq(cases.id, sinkDeadLetters.caseId))
    .where(and(eq(sinkDeadLetters.sinkId, sinkId), isNull(sinkDeadLetters.replayedAt)))
    .orderBy(desc(sinkDeadLetters.createdAt), desc(sinkDeadLetters.id))
    .limit(limit);
}

/** Open dead letters by sink, for the sinks list. */
export async function openDeadLetterCounts(db: D1Database): Promise<Map<string, number>> {
  const rows = await drizzle(db)
    .select({ sinkId: sinkDeadLetters.sinkId, n: count() })
    .from(sinkDeadLetters)
    .where(isNull(sinkDeadLetters.replayedAt))
    .groupBy(sinkDeadLetters.sinkId);
  return new Map(rows.map((r) => [r.sinkId, r.n]));
}

/** Sends the letter's case to the sink queue again; 409 when already replayed or the sink cannot take it. */
export async function replayDeadLetter(ctx: ReplayContext, id: string): Promise<DeadLetter> {
  const [letter] = await drizzle(ctx.db).select().from(sinkDeadLetters).where(eq(sinkDeadLetters.id, id));
  if (!letter) throw new PhoenixError("not_found", "no such dead letter");
  if (letter.replayedAt !== null) throw new PhoenixError("conflict", "this dead letter was already replayed");
  const sink = await getSink(ctx.controlDb, ctx.tenantId, letter.sinkId).catch((error: unknown) => {
    if (error instanceof PhoenixError && error.code === "not_found")
      throw new PhoenixError("conflict", "the sink of this dead letter was deleted; nothing can replay it");
    throw error;
  });
  if (sink.status !== "active")
    throw new PhoenixError("conflict", "the sink of this dead letter is disabled; enable it, then replay");
  const { version } = await ctx.gateway.snapshot(ctx.tenantId, letter.caseId);
  // Sent before it is marked: a crash in between leaves the letter to replay again, never lost.
  await ctx.enqueue({ tenantId: ctx.tenantId, caseId: letter.caseId, version });
  const [marked] = await drizzle(ctx.db)
    .update(sinkDeadLetters)
    .set({ replayedAt: ctx.now })
    .where(and(eq(sinkDeadLetters.id, id), isNull(sinkDeadLetters.replayedAt)))
    .returning();
  if (!marked) throw new PhoenixError("conflict", "this dead letter was already replayed");
  return marked;
}

/** Sends a case to every active sink again, at its current version. */
export async function resyncCase(ctx: ReplayContext, caseId: string): Promise<SinkMessage> {
  const { version } = await ctx.gateway.snapshot(ctx.tenantId, caseId);
  const message = { tenantId: ctx.tenantId, caseId, version };
  await ctx.enqueue(message);
  return message;
}

/** Each open dead letter of a sink, replayed in turn; what each came to, by letter. */
export async function replaySinkDeadLetters(
  ctx: ReplayContext,
  sinkId: string,
): Promise<{ replayed: number; refused: { id: string; reason: string }[] }> {
  const refused: { id: string; reason: string }[] = [];
  let replayed = 0;
  let cursor: string | undefined;
  do {
    const page = await listDeadLetters(ctx.db, { limit: 100, cursor, includeReplayed: false, sinkId });
    for (const letter of page.items) {
      try {
        await replayDeadLetter(ctx, letter.id);
        replayed++;
      } catch (error) {
        if (!(error instanceof PhoenixError)) throw error;
        refused.push({ id: letter.id, reason: error.message });
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { replayed, refused };
}
