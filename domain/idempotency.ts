// Idempotency-Key for POSTs. The key is claimed by an INSERT inside the same D1 batch as the
// writes it guards: the batch is atomic, so either both land or neither does, and a concurrent
// or repeated request hits the primary key and is answered from the record instead.

import { and, eq, isNull } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { idempotencyRecords } from "../schema/tenant.ts";
import { PhoenixError } from "./errors.ts";

// Long enough for any client retry schedule, including a weekend-long outage of the caller.
const RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export interface IdempotentRequest {
  principal: string;
  key: string;
  /** Hash of method, path and body: the same key with a different request is refused. */
  requestHash: string;
  now: number;
}

export interface RecordedResponse<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/** The write the guarded batch must include, or null when the caller sent no key. */
export type IdempotencyClaim = BatchItem<"sqlite"> | null;

export async function requestHash(method: string, path: string, body: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`${method}\n${path}\n${body}`),
  );
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function runIdempotent<T>(
  db: D1Database,
  request: IdempotentRequest | null,
  work: (claim: IdempotencyClaim) => Promise<{ status: number; body: T }>,
): Promise<RecordedResponse<T>> {
  if (!request) return { ...(await work(null)), replayed: false };
  const d = drizzle(db);
  const claim = d.insert(idempotencyRecords).values({
    principal: request.principal,
    key: request.key,
    requestHash: request.requestHash,
    createdAt: request.now,
    expiresAt: request.now + RETENTION_MS,
  });

  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const result = await work(claim);
      await d
        .update(idempotencyRecords)
        .set({ statusCode: result.status, responseBody: JSON.stringify(result.body) })
        .where(keyMatches(request));
      return { ...result, replayed: false };
    } catch (error) {
      if (!isClaimConflict(error)) throw error;
    }
    const [existing] = await d.select().from(idempotencyRecords).where(keyMatches(request)).limit(1);
    if (!existing) continue;
    if (existing.expiresAt <= request.now) {
      // An expired key is free again; the retention sweep may simply not have run yet.
      await d.delete(idempotencyRecords).where(keyMatches(request));
      continue;
    }
    if (existing.requestHash !== request.requestHash) {
      throw new PhoenixError(
        "idempotency_key_reused",
        "this Idempotency-Key was already used for a different request",
        [{ field: "Idempotency-Key", message: "already used for a different request" }],
      );
    }
    if (existing.statusCode === null || existing.responseBody === null) {
      throw new PhoenixError(
        "idempotency_in_progress",
        "a request with this Idempotency-Key is still being processed",
      );
    }
    return { status: existing.statusCode, body: JSON.parse(existing.responseBody) as T, replayed: true };
  }
  throw new PhoenixError(
    "idempotency_in_progress",
    "a request with this Idempotency-Key is still being processed",
  );
}

function keyMatches(request: IdempotentRequest) {
  return and(eq(idempotencyRecords.principal, request.principal), eq(idempotencyRecords.key, request.key));
}

function isClaimConflict(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.message.includes("UNIQUE constraint failed: idempotency_records")) return true;
  }
  return false;
}

/** Frees a key whose guarded work failed after the claim had committed on its own. */
export async function releaseIdempotencyKey(db: D1Database, request: IdempotentRequest): Promise<void> {
  await drizzle(db)
    .delete(idempotencyRecords)
    .where(and(keyMatches(request), isNull(idempotencyRecords.statusCode)));
}
