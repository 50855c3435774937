// The Cisco AI Defense pull against a fake tenant that follows the Management API as Cisco's SDK
// describes it: offset paging in a fixed window, a cursor moved only after a page is stored, 429
// with Retry-After, 5xx retried, a crash between storing and committing, a re-pull, and never the
// conversation endpoint.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setAiDefensePullKey } from "../../../../domain/connectors/ai-defense-pull.ts";
import type { commitPullCursor } from "../../../../domain/connectors/pull-cursor.ts";
import {
  type AiDefensePullOptions,
  INDEXING_DELAY_MS,
  pullAiDefenseConnector,
  pullAndRecord,
} from "../../../../workers/ingest/cisco-ai-defense/pull.ts";
import { FakeAiDefense } from "../../../support/fake-ai-defense.ts";
import { correlationSettled } from "../../../support/ingest.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../../support/world.ts";
import { managementEvent } from "./corpus.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

const MINUTE = 60_000;
const noSleep = async () => {};
const quick: AiDefensePullOptions = { sleep: noSleep };

async function pullingConnector(fake: FakeAiDefense, pageSize = 2) {
  const tenant = await createTenant();
  const admin = await tokenFor(tenant, { scopes: ["admin", "alerts:read", "cases:read"] });
  const res = await call("POST", "/v1/connectors", {
    token: admin,
    body: { kind: "cisco-ai-defense", name: "AI Defense pull", config: { pull: { pageSize } } },
  });
  expect(res.status).toBe(201);
  const { connector } = (await res.json()) as { connector: { id: string } };
  await setAiDefensePullKey(env.CONTROL_DB, env.SECRETS_ENCRYPTION_KEY, tenant.id, connector.id, {
    apiKey: fake.apiKey,
    region: fake.region,
  });
  return { id: connector.id, tenant, db: tenantDb(tenant), admin };
}

/** `n` events a minute apart from `base`, each with one prompt injection block. */
function seed(fake: FakeAiDefense, base: number, n: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const event = managementEvent({ event_date: new Date(base + i * MINUTE).toISOString() });
    fake.addEvent(event);
    ids.push(String(event.event_id));
  }
  return ids;
}

async function totals(db: D1Database) {
  return db
    .prepare("SELECT count(*) AS alerts, coalesce(sum(occurrence_count), 0) AS occurrences FROM alerts")
    .first<{ alerts: number; occurrences: number }>();
}

async function storedCursor(connectorId: string): Promise<{ since: string; seen: string[] } | null> {
  const row = await env.CONTROL_DB.prepare(
    "SELECT json_extract(config, '$.pull.cursor') AS c FROM connectors WHERE id = ?",
  )
    .bind(connectorId)
    .first<{ c: string | null }>();
  return row?.c ? JSON.parse(row.c) : null;
}

describe("paging", () => {
  it("pages with offset and limit in one window, oldest first, stores each event once and never asks for a conversation", async () => {
    const fake = new FakeAiDefense().install();
    const base = Date.now() - 60 * MINUTE;
    const ids = seed(fake, base, 5);
    const c = await pullingConnector(fake, 2);

    const outcome = await pullAiDefenseConnector(env, c.id, Date.now(), quick);
    expect(outcome).toMatchObject({
      status: "done",
      pages: 3,
      events: 5,
      accepted: 5,
      duplicates: 0,
      quarantined: 0,
    });
    const bodies = fake.listRequests.map((r) => r.body);
    expect(bodies.map((b) => b?.offset)).toEqual([0, 2, 4]);
    expect(new Set(bodies.map((b) => `${b?.start_date}|${b?.end_date}`)).size).toBe(1);
    expect(
      bodies.every((b) => b?.sort_by === "event_timestamp" && b?.order === "asc" && b?.limit === 2),
    ).toBe(true);
    expect(fake.requests.some((r) => r.path.endsWith("/conversation"))).toBe(false);
    expect(await totals(c.db)).toEqual({ alerts: 5, occurrences: 5 });
    expect(await storedCursor(c.id)).toEqual({
      since: new Date(base + 4 * MINUTE).toISOString(),
      seen: [ids[4]],
    });

    // The events' cases: no user, so each groups by application and policy.
    await correlationSettled(c.tenant);
    expect(
      await c.db.prepare("SELECT count(*) AS n FROM alerts WHERE correlated_at IS NULL").first("n"),
    ).toBe(0);

    // A second run finds nothing new: one request, nothing stored.
    const again = await pullAiDefenseConnector(env, c.id, Date.now(), quick);
    expect(again).toMatchObject({ status: "done", events: 0, accepted: 0, requests: 1 });
    expect(await totals(c.db)).toEqual({ alerts: 5, occurrences: 5 });
  });

  it("events that arrive later, at the cursor's time or after it, are pulled next time with no gap", async () => {
    const fake = new FakeAiDefense().install();
    const base = Date.now() - 30 * MINUTE;
    seed(fake, base, 3);
    const c = await pullingConnector(fake, 2);
    await pullAiDefenseConnector(env, c.id, Date.now(), quick);
    // One more at exactly the cursor's time (a tie), and two after.
    fake.addEvent(managementEvent({ event_date: new Date(base + 2 * MINUTE).toISOString() }));
    seed(fake, base + 10 * MINUTE, 2);
    const outcome = await pullAiDefenseConnector(env, c.id, Date.now(), quick);
    expect(outcome).toMatchObject({ status: "done", events: 3, accepted: 3, duplicates: 0 });
    expect(await totals(c.db)).toEqual({ alerts: 6, occurrences: 6 });
  });

  it("leaves the last minutes to the next run, so an event AI Defense lists late is not passed over", async () => {
    const fake = new FakeAiDefense().install();
    const now = Date.now();
    seed(fake, now - 30 * MINUTE, 1);
    // Listed already, but younger than the indexing delay: this run's window ends before it.
    fake.addEvent(managementEvent({ event_date: new Date(now - MINUTE).toISOString() }));
    const c = await pullingConnector(fake, 10);
    const first = await pullAiDefenseConnector(env, c.id, now, quick);
    expect(first).toMatchObject({ status: "done", events: 1 });
    expect(fake.listRequests.at(-1)?.body?.end_date).toBe(new Date(now - INDEXING_DELAY_MS).toISOString());

    // An event from before the one left waiting, listed by AI Defense only after that run.
    fake.addEvent(managementEvent({ event_date: new Date(now - 1.5 * MINUTE).toISOString() }));
    const next = await pullAiDefenseConnector(env, c.id, now + 5 * MINUTE, quick);
    expect(next).toMatchObject({ status: "done", events: 2, accepted: 2, duplicates: 0 });
    expect(await totals(c.db)).toEqual({ alerts: 3, occurrences: 3 });

    // A run whose window would end at or before the cursor (here a run soon after the newest
    // event's time, as when a source's clock runs ahead of Phoenix's) asks nothing.
    const requests = fake.listRequests.length;
    expect(await pullAiDefenseConnector(env, c.id, now + MINUTE / 2, quick)).toMatchObject({
      status: "done",
      requests: 0,
    });
    expect(fake.listRequests).toHaveLength(requests);
  });
});

describe("faults", () => {
  it("429 with Retry-After ends the run with the cursor where it was; the next run waits, then resumes", async () => {
    const fake = new FakeAiDefense().install();
    const base = Date.now() - 30 * MINUTE;
    seed(fake, base, 4);
    const c = await pullingConnector(fake, 2);
    // The first page is stored; the second answers 429.
    const first = await pullAiDefenseConnector(env, c.id, Date.now(), { ...quick, maxPages: 1 });
    expect(first).toMatchObject({ status: "more", accepted: 2 });
    fake.failNext(429, 1, "120");
    const now = Date.now();
    const limited = await pullAndRecord(env, c.id, now, quick);
    expect(limited).toMatchObject({
      connectorId: c.id,
      status: "rate_limited",
      retryAfter: 120,
      accepted: 0,
    });
    const cursorAfter429 = await storedCursor(c.id);
    expect(cursorAfter429?.since).toBe(new Date(base + MINUTE).toISOString());

    // Before Retry-After has passed, nothing is asked.
    const asked = fake.listRequests.length;
    const waiting = await pullAndRecord(env, c.id, now + 60_000, quick);
    expect(waiting?.status).toBe("waiting");
    expect(fake.listRequests.length).toBe(asked);
    // After it, the pull carries on from the cursor: the rest, no duplicates, no gaps.
    const resumed = await pullAndRecord(env, c.id, now + 121_000, quick);
    expect(resumed).toMatchObject({ status: "done", accepted: 2, duplicates: 0 });
    expect(await totals(c.db)).toEqual({ alerts: 4, occurrences: 4 });
  });

  it("5xx is tried again (three attempts) and then the run fails with the cursor where it was", async () => {
    const fake = new FakeAiDefense().install();
    seed(fake, Date.now() - 30 * MINUTE, 2);
    const c = await pullingConnector(fake, 2);
    fake.failNext(503, 2);
    const recovered = await pullAiDefenseConnector(env, c.id, Date.now(), quick);
    expect(recovered).toMatchObject({ status: "done", accepted: 2, requests: 3 });

    seed(fake, Date.now() - 5 * MINUTE, 1);
    const before = await storedCursor(c.id);
    fake.failNext(502, 3);
    const failed = await pullAiDefenseConnector(env, c.id, Date.now(), quick);
    expect(failed.status).toBe("failed");
    expect(failed.error).toContain("unavailable after retries");
    expect(failed.requests).toBe(3);
    expect(await storedCursor(c.id)).toEqual(before);
    expect(await pullAiDefenseConnector(env, c.id, Date.now(), quick)).toMatchObject({
      status: "done",
      accepted: 1,
    });
    expect(await totals(c.db)).toEqual({ alerts: 3, occurrences: 3 });
  });

  it("a crash between storing a page and committing the cursor re-pulls the page and changes nothing", async () => {
    const fake = new FakeAiDefense().install();
    seed(fake, Date.now() - 30 * MINUTE, 3);
    const c = await pullingConnector(fake, 2);
    const crash: typeof commitPullCursor = async () => {
      throw new Error("crashed before the cursor commit");
    };
    await expect(
      pullAiDefenseConnector(env, c.id, Date.now(), { ...quick, commitCursor: crash }),
    ).rejects.toThrow("crashed before the cursor commit");
    expect(await totals(c.db)).toEqual({ alerts: 2, occurrences: 2 });
    expect(await storedCursor(c.id)).toBeNull();

    const repull = await pullAiDefenseConnector(env, c.id, Date.now(), quick);
    // The first page is the same content: a re-delivery, nothing counted twice.
    expect(repull).toMatchObject({ status: "done", events: 3, accepted: 1, redelivered: 1 });
    expect(await totals(c.db)).toEqual({ alerts: 3, occurrences: 3 });
  });

  it("a cursor moved by another run meanwhile stops this one (conflict) without losing what it stored", async () => {
    const fake = new FakeAiDefense().install();
    seed(fake, Date.now() - 30 * MINUTE, 2);
    const c = await pullingConnector(fake, 2);
    const raced: typeof commitPullCursor = async () => false;
    const outcome = await pullAiDefenseConnector(env, c.id, Date.now(), { ...quick, commitCursor: raced });
    expect(outcome).toMatchObject({ status: "conflict", accepted: 2 });
    expect(await totals(c.db)).toEqual({ alerts: 2, occurrences: 2 });
  });

  it("a refused key fails the run and says so; a connector without a key is skipped", async () => {
    const fake = new FakeAiDefense().install();
    seed(fake, Date.now() - 30 * MINUTE, 1);
    const c = await pullingConnector(fake, 2);
    await setAiDefensePullKey(env.CONTROL_DB, env.SECRETS_ENCRYPTION_KEY, c.tenant.id, c.id, {
      apiKey: "revoked",
      region: "us",
    });
    const refused = await pullAiDefenseConnector(env, c.id, Date.now(), quick);
    expect(refused.status).toBe("failed");
    expect(refused.error).toContain("refused the API key");

    const res = await call("POST", "/v1/connectors", {
      token: c.admin,
      body: { kind: "cisco-ai-defense", name: "push only" },
    });
    const { connector } = (await res.json()) as { connector: { id: string } };
    expect((await pullAiDefenseConnector(env, connector.id, Date.now(), quick)).status).toBe("skipped");
  });
});
