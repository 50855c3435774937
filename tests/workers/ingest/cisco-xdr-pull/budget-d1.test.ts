// The shared XDR request budget in CONTROL_DB: concurrent charges never exceed the limit, and a
// pause recorded by one client holds back every client of the org.
import { describe, expect, it } from "vitest";
import { D1BudgetStore } from "../../../../workers/ingest/cisco-xdr/budget-d1.ts";
import { testEnv } from "../../../support/test-env.ts";

describe("D1BudgetStore", () => {
  it("grants exactly the limit under concurrent charges, per window", async () => {
    const store = new D1BudgetStore(testEnv().CONTROL_DB);
    const key = `us:org-${crypto.randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 40 }, () => store.take({ key, at: 1_000, windowStart: 0, cost: 1, limit: 25 })),
    );
    const granted = results.filter((r) => r.granted).length;
    console.log(`budget: 40 concurrent charges, limit 25, granted ${granted}`);
    expect(granted).toBe(25);
    expect(await store.take({ key, at: 301_000, windowStart: 300_000, cost: 1, limit: 25 })).toEqual({
      granted: true,
      used: 1,
    });
  });

  it("a pause refuses every charge until it ends", async () => {
    const store = new D1BudgetStore(testEnv().CONTROL_DB);
    const key = `eu:org-${crypto.randomUUID()}`;
    await store.pause(key, 60_000);
    await store.pause(key, 30_000);
    expect(await store.take({ key, at: 59_999, windowStart: 0, cost: 1, limit: 10 })).toEqual({
      granted: false,
      used: 0,
      pausedUntil: 60_000,
    });
    expect((await store.take({ key, at: 60_000, windowStart: 0, cost: 1, limit: 10 })).granted).toBe(true);
  });
});
