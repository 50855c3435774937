// The Cisco XDR pull path against a fake XDR org that follows the published Swagger documents:
// X-Next paging, OAuth2 token reuse and re-minting, 429 with Retry-After, 5xx retries, a crash
// between storing a page and committing the cursor, and correlation of sightings into incident cases.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { commitPullCursor } from "../../../../domain/connectors/pull-cursor.ts";
import { MemoryBudgetStore, orgBudgetKey, RequestBudget } from "../../../../domain/connectors/xdr-budget.ts";
import { setXdrPullCredentials } from "../../../../domain/connectors/xdr-pull.ts";
import { TokenCache } from "../../../../workers/ingest/cisco-xdr/oauth.ts";
import {
  INCIDENT_SEARCH_PATH,
  type PullOptions,
  pullConnector,
  RELATIONSHIP_SEARCH_PATH,
} from "../../../../workers/ingest/cisco-xdr/pull.ts";
import { FakeXdr, uninstallFakeXdr } from "../../../support/fake-xdr.ts";
import { call } from "../../../support/world.ts";
import { BIG_PROCESS_GUID } from "../cisco-xdr/fixtures.ts";
import { alertTotals, noSleep, pullingConnector, seedIncident, storedCursor } from "./setup.ts";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  uninstallFakeXdr();
});

/** Fresh per test: a budget and a token cache nobody else charged or filled. */
function isolated(extra: Partial<PullOptions> = {}): PullOptions {
  return {
    budget: new RequestBudget(new MemoryBudgetStore()),
    tokens: new TokenCache(),
    sleep: noSleep,
    ...extra,
  };
}

const MINUTE = 60_000;
const searches = (fake: FakeXdr) => fake.apiRequests.filter((r) => r.path === INCIDENT_SEARCH_PATH);

describe("paging and mapping", () => {
  it("pages through X-Next, stores incidents and sightings as alerts, and groups each incident's sightings in its case", async () => {
    const fake = new FakeXdr().install();
    const base = Date.now() - 60 * MINUTE;
    // Five incidents, two per page: three pages. The 2nd and 3rd share a timestamp across the page boundary.
    const seeded = [
      seedIncident(fake, base, 2),
      seedIncident(fake, base + MINUTE),
      seedIncident(fake, base + MINUTE),
      seedIncident(fake, base + 2 * MINUTE),
      seedIncident(fake, base + 3 * MINUTE),
    ];
    const c = await pullingConnector(fake, { pageSize: 2 });

    const outcome = await pullConnector(env, c.id, Date.now(), isolated());
    expect(outcome).toMatchObject({ status: "done", pages: 3, incidents: 5, accepted: 11, duplicates: 0 });

    // The second and third pages were asked for with X-Next's paging parameters.
    const pages = searches(fake);
    expect(pages).toHaveLength(3);
    expect(pages[0]?.params.has("search_after")).toBe(false);
    expect(pages[1]?.params.get("offset")).toBe("2");
    expect(pages[1]?.params.getAll("search_after")).toHaveLength(2);
    expect(pages[2]?.params.get("offset")).toBe("4");
    expect(pages.every((p) => p.params.get("sort_by") === "timestamp,id" && p.status === 200)).toBe(true);
    // Each incident's member-of relationships were followed to its sightings.
    expect(fake.apiRequests.filter((r) => r.path === RELATIONSHIP_SEARCH_PATH)).toHaveLength(5);
    expect(fake.apiRequests.filter((r) => r.path.startsWith("/ctia/sighting/"))).toHaveLength(6);

    expect(await alertTotals(c.db)).toEqual({ alerts: 11, occurrences: 11 });
    for (const incident of seeded) {
      const rows = await c.db
        .prepare("SELECT finding_uid, correlation_key FROM alerts WHERE correlation_key = ?")
        .bind(`xdr-incident:${incident.id}`)
        .all<{ finding_uid: string }>();
      expect(rows.results.map((r) => r.finding_uid).sort()).toEqual(
        [incident.id, ...incident.sightingIds].sort(),
      );
      const correlation = await c.db
        .prepare("SELECT case_id FROM correlations WHERE key = ?")
        .bind(`xdr-incident:${incident.id}`)
        .first<{ case_id: string }>();
      const snapshot = await env.CASES.getByName(`${c.tenant.id}:${correlation?.case_id}`).snapshot();
      expect(snapshot.ok && Object.keys(snapshot.state.alerts)).toHaveLength(1 + incident.sightingIds.length);
    }
    expect(await c.db.prepare("SELECT count(*) AS n FROM correlations").first("n")).toBe(5);
    expect(
      await c.db.prepare("SELECT count(*) AS n FROM alerts WHERE correlated_at IS NULL").first("n"),
    ).toBe(0);

    // The sightings' raw text came through untouched: the 20-digit process_guid is exact.
    const raw = await c.db
      .prepare("SELECT raw_data FROM alerts WHERE finding_uid = ?")
      .bind(seeded[0]?.sightingIds[0])
      .first<string>("raw_data");
    expect(raw).toContain(`"process_guid":${BIG_PROCESS_GUID}`);

    // The cursor stands on the last incident; a second run finds nothing new and asks for no sightings.
    expect(await storedCursor(c.id)).toEqual({
      since: new Date(base + 3 * MINUTE).toISOString(),
      seen: [seeded[4]?.id],
    });
    const before = fake.apiRequests.length;
    const again = await pullConnector(env, c.id, Date.now(), isolated());
    expect(again).toMatchObject({ status: "done", incidents: 0, accepted: 0 });
    expect(fake.apiRequests.slice(before).map((r) => r.path)).toEqual([INCIDENT_SEARCH_PATH]);
    expect(await alertTotals(c.db)).toEqual({ alerts: 11, occurrences: 11 });
  });

  it("an incident modified after it was pulled is pulled again as an update of the same alert", async () => {
    const fake = new FakeXdr().install();
    const base = Date.now() - 30 * MINUTE;
    const incident = seedIncident(fake, base, 1);
    const c = await pullingConnector(fake);
    await pullConnector(env, c.id, Date.now(), isolated());

    const stored = fake.incidents.get(incident.id);
    const modified = new Date(base + 5 * MINUTE).toISOString();
    fake.addIncident({ ...stored?.value, status: "Closed: Confirmed Threat", modified, timestamp: modified });
    const outcome = await pullConnector(env, c.id, Date.now(), isolated());
    expect(outcome).toMatchObject({ status: "done", incidents: 1, accepted: 0, duplicates: 2 });
    expect(await alertTotals(c.db)).toEqual({ alerts: 2, occurrences: 4 });
    expect(await storedCursor(c.id)).toEqual({ since: modified, seen: [incident.id] });
  });
});

describe("tokens", () => {
  it("mints one token, reuses it while valid, and mints a new one (never a refresh) near expiry", async () => {
    const start = Date.now();
    vi.useFakeTimers({ now: start, toFake: ["Date"] });
    const fake = new FakeXdr().install();
    seedIncident(fake, start - 10 * MINUTE);
    const client = fake.addClient();
    const c = await pullingConnector(fake, { client });
    // The isolate's own token cache, as the cron uses it: this client id is new to it.
    const options = { budget: new RequestBudget(new MemoryBudgetStore()), sleep: noSleep };

    await pullConnector(env, c.id, Date.now(), options);
    vi.setSystemTime(start + 5 * MINUTE);
    await pullConnector(env, c.id, Date.now(), options);
    expect(fake.mints.get(client.clientId)).toBe(1);

    // 600 s tokens are re-minted within 30 s of expiry, before XDR would refuse them.
    vi.setSystemTime(start + 9.6 * MINUTE);
    await pullConnector(env, c.id, Date.now(), options);
    expect(fake.mints.get(client.clientId)).toBe(2);
    vi.setSystemTime(start + 30 * MINUTE);
    await pullConnector(env, c.id, Date.now(), options);
    expect(fake.mints.get(client.clientId)).toBe(3);

    const tokenRequests = fake.requests.filter((r) => r.path === "/iroh/oauth2/token");
    expect(tokenRequests.every((r) => r.method === "POST" && r.status === 200)).toBe(true);
    expect(fake.requests.filter((r) => r.status === 401)).toHaveLength(0);
  });

  it("refused credentials fail the run without touching the cursor", async () => {
    const fake = new FakeXdr().install();
    seedIncident(fake, Date.now() - MINUTE);
    const c = await pullingConnector(fake, {
      client: { ...fake.addClient(), clientPassword: "not-the-password" },
    });
    const outcome = await pullConnector(env, c.id, Date.now(), isolated());
    expect(outcome.status).toBe("failed");
    expect(outcome.error).toContain("refused");
    expect(fake.apiRequests).toHaveLength(0);
    expect(await storedCursor(c.id)).toBeNull();
  });
});

describe("rate limits and failures", () => {
  it("honours a 429 with Retry-After: the run stops, nothing is lost, and a later run resumes", async () => {
    const start = Date.now();
    vi.useFakeTimers({ now: start, toFake: ["Date"] });
    const fake = new FakeXdr().install();
    const base = start - 60 * MINUTE;
    for (let i = 0; i < 5; i++) seedIncident(fake, base + i * MINUTE);
    const c = await pullingConnector(fake, { pageSize: 2 });
    const options = isolated();
    // XDR refuses the second page.
    fake.rateLimitNext(
      "120",
      (url) => url.pathname === INCIDENT_SEARCH_PATH && url.searchParams.has("search_after"),
    );

    const first = await pullConnector(env, c.id, Date.now(), options);
    expect(first).toMatchObject({ status: "rate_limited", retryAfter: 120, pages: 1, incidents: 2 });
    expect(first.retryAt).toBe(start + 120_000);
    expect(await alertTotals(c.db)).toEqual({ alerts: 4, occurrences: 4 });
    expect(await storedCursor(c.id)).toEqual({
      since: new Date(base + MINUTE).toISOString(),
      seen: [expect.any(String)],
    });

    // Within Retry-After nobody asks XDR on behalf of this org.
    const sent = fake.requests.length;
    vi.setSystemTime(start + 60_000);
    expect(await pullConnector(env, c.id, Date.now(), options)).toMatchObject({
      status: "budget_exhausted",
      retryAt: start + 120_000,
      requests: 0,
    });
    expect(fake.requests.length).toBe(sent);

    vi.setSystemTime(start + 121_000);
    const resumed = await pullConnector(env, c.id, Date.now(), options);
    expect(resumed).toMatchObject({
      status: "done",
      incidents: 3,
      accepted: 6,
      duplicates: 0,
      redelivered: 0,
    });
    expect(await alertTotals(c.db)).toEqual({ alerts: 10, occurrences: 10 });
    // Every incident's relationships were fetched exactly once across the runs.
    expect(
      fake.apiRequests.filter((r) => r.path === RELATIONSHIP_SEARCH_PATH && r.status === 200),
    ).toHaveLength(5);
  });

  it("retries a 5xx with bounded backoff, and gives up after three attempts without moving the cursor", async () => {
    const fake = new FakeXdr().install();
    seedIncident(fake, Date.now() - MINUTE);
    const c = await pullingConnector(fake);
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
    };
    const isSearch = (url: URL) => url.pathname === INCIDENT_SEARCH_PATH;

    fake.failNext(503, 3, isSearch);
    const failed = await pullConnector(env, c.id, Date.now(), isolated({ sleep }));
    expect(failed.status).toBe("failed");
    expect(failed.error).toContain("503");
    expect(searches(fake).map((r) => r.status)).toEqual([503, 503, 503]);
    expect(waits).toHaveLength(2);
    expect(waits.every((ms) => ms >= 500 && ms <= 6000)).toBe(true);
    expect(await storedCursor(c.id)).toBeNull();

    fake.failNext(502, 1, isSearch);
    const recovered = await pullConnector(env, c.id, Date.now(), isolated({ sleep }));
    expect(recovered).toMatchObject({ status: "done", incidents: 1, accepted: 2 });
    // Every attempt was a request, and every request was charged.
    expect(recovered.requests).toBe(fake.requests.length - failed.requests);
  });
});

describe("crash between storing a page and committing the cursor", () => {
  it("re-pulls the page as re-deliveries: no duplicate alerts, occurrence counts unchanged", async () => {
    const fake = new FakeXdr().install();
    const base = Date.now() - 60 * MINUTE;
    for (let i = 0; i < 5; i++) seedIncident(fake, base + i * MINUTE, 2);
    const c = await pullingConnector(fake, { pageSize: 2 });

    let failures = 1;
    const crashingCommit: typeof commitPullCursor = async (...args) => {
      if (failures-- > 0) throw new Error("the isolate died before the cursor was committed");
      return commitPullCursor(...args);
    };
    await expect(
      pullConnector(env, c.id, Date.now(), isolated({ commitCursor: crashingCommit })),
    ).rejects.toThrow("isolate died");
    // The first page's two incidents and four sightings are stored; the cursor never moved.
    expect(await alertTotals(c.db)).toEqual({ alerts: 6, occurrences: 6 });
    expect(await storedCursor(c.id)).toBeNull();

    const resumed = await pullConnector(env, c.id, Date.now(), isolated({ commitCursor: crashingCommit }));
    expect(resumed).toMatchObject({
      status: "done",
      pages: 3,
      incidents: 5,
      redelivered: 2,
      accepted: 9,
      duplicates: 0,
    });
    expect(await alertTotals(c.db)).toEqual({ alerts: 15, occurrences: 15 });
    expect(await c.db.prepare("SELECT count(*) AS n FROM correlations").first("n")).toBe(5);
    expect(
      await c.db.prepare("SELECT count(*) AS n FROM alerts WHERE correlated_at IS NULL").first("n"),
    ).toBe(0);
  });
});

describe("budget and stored credentials", () => {
  it("charges every request to the org's budget, shared by two connectors (two API clients) of one org", async () => {
    const start = Date.now();
    vi.useFakeTimers({ now: start, toFake: ["Date"] });
    const fake = new FakeXdr().install();
    seedIncident(fake, start - 10 * MINUTE);
    seedIncident(fake, start - 5 * MINUTE);
    const a = await pullingConnector(fake, { client: fake.addClient() });
    const b = await pullingConnector(fake, { client: fake.addClient() });
    const store = new MemoryBudgetStore();
    const budget = new RequestBudget(store, { windowMs: 60 * MINUTE, perWindow: 8 });
    const options = { budget, tokens: new TokenCache(), sleep: noSleep };
    const used = () => store.used(orgBudgetKey("us", fake.orgId), budget.windowOf(Date.now()));

    // Token, search, and per incident one relationship search and one sighting: 6 requests.
    const first = await pullConnector(env, a.id, Date.now(), options);
    expect(first).toMatchObject({ status: "done", requests: 6, incidents: 2 });
    expect(used()).toBe(fake.requests.length);

    // The other connector draws on the same org budget: 2 requests left, then it stops.
    const second = await pullConnector(env, b.id, Date.now(), options);
    expect(second).toMatchObject({ status: "budget_exhausted", requests: 2, incidents: 0 });
    expect(second.retryAt).toBe(budget.windowOf(start) + 60 * MINUTE);
    expect(used()).toBe(8);
    expect(fake.requests).toHaveLength(8);
    expect(await storedCursor(b.id)).toBeNull();

    vi.setSystemTime(budget.windowOf(start) + 60 * MINUTE);
    expect(await pullConnector(env, b.id, Date.now(), options)).toMatchObject({
      status: "done",
      incidents: 2,
    });
    expect(used()).toBe(fake.requests.length - 8);
  });

  it("keeps the client password encrypted: the API never shows it, and a new org restarts the cursor", async () => {
    const fake = new FakeXdr().install();
    seedIncident(fake, Date.now() - MINUTE);
    const client = fake.addClient();
    const c = await pullingConnector(fake, { client, pageSize: 5 });
    await pullConnector(env, c.id, Date.now(), isolated());
    expect(await storedCursor(c.id)).not.toBeNull();

    const view = await call("GET", `/v1/connectors/${c.id}`, { token: c.admin });
    const text = await view.text();
    expect(text).not.toContain(client.clientPassword);
    expect(JSON.parse(text).config.pull).toMatchObject({
      clientId: client.clientId,
      region: "us",
      pageSize: 5,
    });

    // The compare-and-set refuses a stale previous value.
    expect(
      await commitPullCursor(env.CONTROL_DB, c.id, null, { since: "2026-01-01T00:00:00.000Z", seen: [] }),
    ).toBe(false);

    const other = new FakeXdr().install();
    await setXdrPullCredentials(
      env.CONTROL_DB,
      env.SECRETS_ENCRYPTION_KEY,
      c.tenant.id,
      c.id,
      other.addClient(),
    );
    expect(await storedCursor(c.id)).toBeNull();
  });
});
