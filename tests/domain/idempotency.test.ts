// runIdempotent against a real local D1: the claim and the guarded write commit together.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { beforeAll, describe, expect, it } from "vitest";
import { isPhoenixError } from "../../domain/errors.ts";
import { type IdempotencyClaim, type IdempotentRequest, runIdempotent } from "../../domain/idempotency.ts";
import { createTenant, tenantDb } from "../support/world.ts";

let db: D1Database;
beforeAll(async () => {
  db = tenantDb(await createTenant());
});

/** A fresh counter table; `bump` increments it in the same batch as the claim. */
async function counter() {
  const table = `c_${crypto.randomUUID().replaceAll("-", "")}`;
  await db.prepare(`CREATE TABLE ${table} (n INTEGER NOT NULL)`).run();
  await db.prepare(`INSERT INTO ${table} (n) VALUES (0)`).run();
  const read = async () => (await db.prepare(`SELECT n FROM ${table}`).first<number>("n")) ?? -1;
  const bump = async (claim: IdempotencyClaim) => {
    const d = drizzle(db);
    const update = d.run(sql.raw(`UPDATE ${table} SET n = n + 1`));
    await d.batch(claim ? [claim, update] : [update]);
    return { status: 201, body: { n: await read() } };
  };
  return { bump, read };
}

const request = (key: string, requestHash = "h1", now = Date.now()): IdempotentRequest => ({
  principal: "p",
  key,
  requestHash,
  now,
});

describe("runIdempotent", () => {
  it("applies the work once per key and replays the recorded response", async () => {
    const c = await counter();
    const key = crypto.randomUUID();
    const first = await runIdempotent(db, request(key), c.bump);
    const second = await runIdempotent(db, request(key), c.bump);
    expect(first).toEqual({ status: 201, body: { n: 1 }, replayed: false });
    expect(second).toEqual({ status: 201, body: { n: 1 }, replayed: true });
    expect(await c.read()).toBe(1);
  });

  it("without a key, every call applies", async () => {
    const c = await counter();
    await runIdempotent(db, null, c.bump);
    await runIdempotent(db, null, c.bump);
    expect(await c.read()).toBe(2);
  });

  it("refuses the same key with a different request, applying nothing", async () => {
    const c = await counter();
    const key = crypto.randomUUID();
    await runIdempotent(db, request(key, "h1"), c.bump);
    const error = await runIdempotent(db, request(key, "h2"), c.bump).catch((e: unknown) => e);
    expect(isPhoenixError(error) && error.code).toBe("idempotency_key_reused");
    expect(await c.read()).toBe(1);
  });

  it("concurrent requests with one key apply once; the loser is told it is in flight or gets the replay", async () => {
    const c = await counter();
    const key = crypto.randomUUID();
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => runIdempotent(db, request(key), c.bump)),
    );
    expect(await c.read()).toBe(1);
    for (const r of results) {
      if (r.status === "fulfilled") expect(r.value.body).toEqual({ n: 1 });
      else expect(isPhoenixError(r.reason) && r.reason.code).toBe("idempotency_in_progress");
    }
    expect(results.filter((r) => r.status === "fulfilled" && !r.value.replayed)).toHaveLength(1);
  });

  it("a key past its retention is free again", async () => {
    const c = await counter();
    const key = crypto.randomUUID();
    const long_ago = Date.now() - 8 * 24 * 60 * 60 * 1000;
    await runIdempotent(db, request(key, "h1", long_ago), c.bump);
    const later = await runIdempotent(db, request(key, "h2"), c.bump);
    expect(later).toEqual({ status: 201, body: { n: 2 }, replayed: false });
  });
});
