// Operator replay (issue 15): dead letters are listed, and a replay, like a resync of a case,
// sends the case to the sink queue again. Sync is state-based, so a replay brings the sink to the
// case as it is now; replaying twice, or alongside a live change, repeats nothing.
import { and, desc, eq, isNull, lt, or, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { sinkDeadLetters } from "../../schema/tenant.ts";
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
  q: { limit: number; cursor?: string | undefined; includeReplayed: boolean },
): Promise<{ items: DeadLetter[]; nextCursor: string | null }> {
  const fingerprint = JSON.stringify(["dead-letters", q.includeReplayed]);
  const conditions: SQL[] = [];
  if (!q.includeReplayed) conditions.push(isNull(sinkDeadLetters.replayedAt));
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
