// TenantQuota against real Durable Object storage: charges are exact and all or nothing however
// many arrive at once, a day's count ends at the next UTC midnight, and old days are pruned.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { TenantQuota } from "../../durable-objects/tenant-quota.ts";

function quotaOf(name: string): DurableObjectStub<TenantQuota> {
  return env.TENANT_QUOTA.getByName(`${name}-${crypto.randomUUID()}`);
}

describe("TenantQuota.consume", () => {
  it("never lets parallel charges exceed the limit", async () => {
    const quota = quotaOf("parallel");
    const results = await Promise.all(Array.from({ length: 60 }, () => quota.consume("2026-11-20", 1, 25)));
    const allowed = results.filter((r) => r.allowed).length;
    console.log(`parallel charges: ${results.length}, allowed: ${allowed}, limit: 25`);
    expect(allowed).toBe(25);
    expect(Math.max(...results.map((r) => r.used))).toBe(25);
    expect(results.filter((r) => !r.allowed).every((r) => r.used === 25 && r.remaining === 0)).toBe(true);
    expect(await quota.usage("2026-11-20")).toEqual({ used: 25 });
  });

  it("is all or nothing: a charge that does not fit counts none of its findings", async () => {
    const quota = quotaOf("all-or-nothing");
    // Parallel charges of 3 against a limit of 10: three fit (9), the rest are refused whole.
    const results = await Promise.all(Array.from({ length: 8 }, () => quota.consume("2026-11-20", 3, 10)));
    expect(results.filter((r) => r.allowed)).toHaveLength(3);
    expect(await quota.usage("2026-11-20")).toEqual({ used: 9 });

    const tooBig = await quota.consume("2026-11-20", 2, 10);
    expect(tooBig).toMatchObject({ allowed: false, used: 9, remaining: 1 });
    expect(await quota.consume("2026-11-20", 1, 10)).toMatchObject({ allowed: true, used: 10, remaining: 0 });
  });

  it("answers when the count starts again: the next UTC midnight", async () => {
    const quota = quotaOf("reset-at");
    const result = await quota.consume("2026-12-31", 1, 5);
    expect(result).toEqual({
      allowed: true,
      used: 1,
      remaining: 4,
      resetAt: Date.parse("2027-01-01T00:00:00Z"),
      reused: false,
    });
  });

  it("counts each UTC day on its own and prunes days before yesterday", async () => {
    const quota = quotaOf("days");
    await quota.consume("2026-11-18", 5, 5);
    await quota.consume("2026-11-19", 5, 5);
    expect((await quota.consume("2026-11-19", 1, 5)).allowed).toBe(false);
    // A new day starts from zero; yesterday is kept (a late refund may still reach it), older goes.
    expect(await quota.consume("2026-11-20", 5, 5)).toMatchObject({ allowed: true, used: 5 });
    const days = await runInDurableObject(quota, (_instance, state) =>
      state.storage.sql
        .exec<{ day: string }>("SELECT day FROM daily_usage ORDER BY day")
        .toArray()
        .map((r) => r.day),
    );
    expect(days).toEqual(["2026-11-19", "2026-11-20"]);
  });

  it("charges a key once a day: a retry under it reuses the charge, and its release gives it back once", async () => {
    const quota = quotaOf("keyed");
    expect(await quota.consume("2026-11-20", 3, 10, "con_a msg_1")).toMatchObject({
      allowed: true,
      used: 3,
      reused: false,
    });
    // Parallel retries of the same delivery: none charges again.
    const retries = await Promise.all(
      Array.from({ length: 5 }, () => quota.consume("2026-11-20", 3, 10, "con_a msg_1")),
    );
    expect(retries.every((r) => r.allowed && r.reused && r.used === 3)).toBe(true);
    expect(await quota.usage("2026-11-20")).toEqual({ used: 3 });
    // Another key is another charge; a refused one leaves no key behind to reuse.
    expect(await quota.consume("2026-11-20", 7, 10, "con_a msg_2")).toMatchObject({
      allowed: true,
      used: 10,
    });
    expect(await quota.consume("2026-11-20", 1, 10, "con_a msg_3")).toMatchObject({
      allowed: false,
      reused: false,
    });
    expect(await quota.consume("2026-11-20", 1, 10, "con_a msg_3")).toMatchObject({
      allowed: false,
      reused: false,
    });

    expect(await quota.releaseKey("con_a msg_1")).toEqual({ used: 7 });
    expect(await quota.releaseKey("con_a msg_1")).toEqual({ used: null });
    expect(await quota.releaseKey("con_a never")).toEqual({ used: null });
    expect(await quota.usage("2026-11-20")).toEqual({ used: 7 });
    // Released, the key charges afresh.
    expect(await quota.consume("2026-11-20", 3, 10, "con_a msg_1")).toMatchObject({
      allowed: true,
      used: 10,
      reused: false,
    });
  });

  it("prunes keyed charges with their day", async () => {
    const quota = quotaOf("keyed-days");
    await quota.consume("2026-11-18", 1, 5, "k18");
    await quota.consume("2026-11-19", 1, 5, "k19");
    await quota.consume("2026-11-20", 1, 5, "k20");
    const keys = await runInDurableObject(quota, (_instance, state) =>
      state.storage.sql
        .exec<{ key: string }>("SELECT key FROM keyed_charges ORDER BY key")
        .toArray()
        .map((r) => r.key),
    );
    expect(keys).toEqual(["k19", "k20"]);
    // A key charged on another day is charged again on this day's count.
    expect(await quota.consume("2026-11-20", 1, 5, "k19")).toMatchObject({
      allowed: true,
      reused: false,
      used: 2,
    });
  });

  it("gives back released findings, never below zero", async () => {
    const quota = quotaOf("release");
    await quota.consume("2026-11-20", 4, 4);
    expect(await quota.release("2026-11-20", 3)).toEqual({ used: 1 });
    expect((await quota.consume("2026-11-20", 3, 4)).allowed).toBe(true);
    expect(await quota.release("2026-11-20", 10)).toEqual({ used: 0 });
  });

  it("refuses malformed arguments instead of counting them", async () => {
    const quota = quotaOf("invalid");
    // Settled inside the call: an RPC promise handed to expect().rejects is also reported unhandled.
    const failure = (call: () => Promise<unknown>) =>
      call().then(
        () => "accepted",
        (error: unknown) => String(error),
      );
    expect(await failure(() => quota.consume("20-11-2026", 1, 5))).toMatch(/YYYY-MM-DD/);
    expect(await failure(() => quota.consume("2026-02-30", 1, 5))).toMatch(/YYYY-MM-DD/);
    expect(await failure(() => quota.consume("2026-11-20", 0, 5))).toMatch(/count/);
    expect(await failure(() => quota.consume("2026-11-20", 1.5, 5))).toMatch(/count/);
    expect(await failure(() => quota.consume("2026-11-20", 1, -1))).toMatch(/limit/);
    expect(await quota.usage("2026-11-20")).toEqual({ used: 0 });
  });
});
