// The pieces of the pull path that need no XDR: the per-org request budget, Retry-After, and X-Next.
import { describe, expect, it } from "vitest";
import {
  MemoryBudgetStore,
  RequestBudget,
  rollingHourLimits,
  XDR_REQUESTS_PER_HOUR,
} from "../../../../domain/connectors/xdr-budget.ts";
import { nextPageParams } from "../../../../workers/ingest/cisco-xdr/client.ts";
import { retryAfterSeconds } from "../../../../workers/ingest/pull-retry.ts";

const HOUR = 60 * 60 * 1000;

describe("RequestBudget", () => {
  it("sizes fixed windows so that no rolling hour can pass Cisco's 8,000 requests", () => {
    const limits = rollingHourLimits();
    expect(limits).toEqual({ windowMs: 5 * 60 * 1000, perWindow: 615 });
    // A rolling hour overlaps at most 13 five-minute windows.
    expect((HOUR / limits.windowMs + 1) * limits.perWindow).toBeLessThanOrEqual(XDR_REQUESTS_PER_HOUR);
  });

  it("grants requests up to the window's limit, then names the next window", async () => {
    const budget = new RequestBudget(new MemoryBudgetStore(), { windowMs: 1000, perWindow: 3 });
    const at = 10_500;
    for (const used of [1, 2, 3]) expect(await budget.charge("org", at)).toEqual({ ok: true, used });
    expect(await budget.charge("org", at)).toEqual({ ok: false, retryAt: 11_000, reason: "budget" });
    // Another org has its own budget; the next window starts afresh.
    expect(await budget.charge("other-org", at)).toEqual({ ok: true, used: 1 });
    expect(await budget.charge("org", 11_000)).toEqual({ ok: true, used: 1 });
  });

  it("refuses every request of a paused org until the pause ends", async () => {
    const budget = new RequestBudget(new MemoryBudgetStore(), { windowMs: 1000, perWindow: 100 });
    await budget.pause("org", 5_000);
    expect(await budget.charge("org", 4_999)).toEqual({ ok: false, retryAt: 5_000, reason: "paused" });
    expect(await budget.charge("org", 5_000)).toEqual({ ok: true, used: 1 });
  });
});

describe("Retry-After and X-Next", () => {
  it("reads Retry-After as seconds or an HTTP date, with a default when it is unusable", () => {
    const now = Date.UTC(2026, 10, 22, 12, 0, 0);
    expect(retryAfterSeconds("120", now)).toBe(120);
    expect(retryAfterSeconds("Sun, 22 Nov 2026 12:01:30 GMT", now)).toBe(90);
    expect(retryAfterSeconds("soon", now)).toBe(60);
    expect(retryAfterSeconds(null, now)).toBe(60);
    // One odd header must not park a connector for days.
    expect(retryAfterSeconds("99999999", now)).toBe(3600);
  });

  it("replaces the paging parameters of the query with X-Next's and keeps the rest", () => {
    const base = new URLSearchParams({ query: 'timestamp:["2026-11-22T10:00:00.000Z" TO *]', limit: "2" });
    const next = nextPageParams(base, "limit=2&offset=2&search_after=1795348800000&search_after=incident-1");
    expect(next?.get("query")).toBe(base.get("query"));
    expect(next?.get("offset")).toBe("2");
    expect(next?.getAll("search_after")).toEqual(["1795348800000", "incident-1"]);
    expect(nextPageParams(base, null)).toBeNull();
    expect(nextPageParams(base, "")).toBeNull();
  });
});
