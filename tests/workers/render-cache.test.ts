// A rendered workbench page is served again only while nothing it shows has changed: every write the
// queue shows (its rows, people, grants, tenant names, saved views) renders afresh through CONTROL_DB's
// triggers, as do a revoked session, another session and time. The render here is a counter, so each
// test sees exactly when the Worker rendered and when it reused.

import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it, vi } from "vitest";
import { revokeSession } from "../../domain/auth/sessions.ts";
import { newId } from "../../domain/ids.ts";
import { RENDER_FRESH_UNTIL_HEADER } from "../../domain/render-epochs.ts";
import type { Tenant } from "../../domain/tenancy.ts";
import { grants, principals, savedViews, tenants, workQueue } from "../../schema/control.ts";
import { type Render, RenderCache, renderOrReuse } from "../../workers/render-cache.ts";
import { createPerson, signIn } from "../support/sessions.ts";
import { testEnv } from "../support/test-env.ts";
import { call, createTenant, tokenFor } from "../support/world.ts";

const HOLDS_MS = 15_000;

/** A render that counts itself and offers its page until `holdsMs` after `now`. */
function countingRender(now: number, offer: { holdsMs?: number; status?: number; setCookie?: boolean } = {}) {
  const seen: Array<"resolved" | "signed out" | "unresolved"> = [];
  const render: Render = async (signedIn) => {
    const who = signedIn === undefined ? "unresolved" : (await signedIn) ? "resolved" : "signed out";
    seen.push(who);
    const headers = new Headers({ "content-type": "text/html", "cache-control": "no-store" });
    if (who === "resolved") headers.set(RENDER_FRESH_UNTIL_HEADER, String(now + (offer.holdsMs ?? HOLDS_MS)));
    if (offer.setCookie) headers.set("set-cookie", "theme=dark; Path=/");
    return new Response(`render ${seen.length}`, { status: offer.status ?? 200, headers });
  };
  return { render, seen };
}

// Three tenants for the whole file (the test databases are few); each test has its own people.
let tenantsOnce: Promise<[Tenant, Tenant, Tenant]> | undefined;

async function world() {
  tenantsOnce ??= (async () => [await createTenant(), await createTenant(), await createTenant()])();
  const [mine, other, foreign] = await tenantsOnce;
  const me = await createPerson([
    { tenant: mine, role: "analyst" },
    { tenant: other, role: "analyst" },
  ]);
  const colleague = await createPerson([{ tenant: mine, role: "analyst" }]);
  const stranger = await createPerson([{ tenant: foreign, role: "lead" }]);
  // Holds no grant where a case of `mine` is assigned to them, yet their name shows on it.
  const outsider = await createPerson([{ tenant: foreign, role: "analyst" }]);
  const browser = await signIn(me.id);
  return { mine, other, foreign, me, colleague, stranger, outsider, browser, pages: new RenderCache() };
}

function queueRequest(cookie: string, path = "/"): Request {
  return new Request(`https://phoenix.test${path}`, { headers: { cookie } });
}

function queueRow(tenantId: string, now: number) {
  return {
    caseId: newId("case", now),
    tenantId,
    title: "Beaconing from host-7",
    severity: "high",
    priority: "P2",
    state: "new",
    queue: "default",
    version: 1,
    updatedAt: now,
  };
}

describe("serving a rendered queue page again", () => {
  it("reuses the page while nothing it shows changed, and renders again after each write it shows", async () => {
    const { mine, other, foreign, me, colleague, stranger, outsider, browser, pages } = await world();
    const env = testEnv();
    const d = drizzle(env.CONTROL_DB);
    const now = Date.now();
    const { render, seen } = countingRender(now);
    const load = async () => {
      const response = await renderOrReuse(queueRequest(browser.cookie), env, now, render, pages);
      expect(response.headers.has(RENDER_FRESH_UNTIL_HEADER)).toBe(false);
      return response.text();
    };

    expect(await load()).toBe("render 1");
    expect(await load()).toBe("render 1");

    const row = queueRow(mine.id, now);
    const writes: Array<[string, () => Promise<unknown>]> = [
      ["a case enters the queue", () => d.insert(workQueue).values(row)],
      [
        "a case changes",
        () => d.update(workQueue).set({ state: "acknowledged" }).where(eq(workQueue.caseId, row.caseId)),
      ],
      ["a case leaves the queue", () => d.delete(workQueue).where(eq(workQueue.caseId, row.caseId))],
      ["a case of the other granted tenant", () => d.insert(workQueue).values(queueRow(other.id, now))],
      [
        "a tenant is renamed",
        () => d.update(tenants).set({ name: "Renamed Corp" }).where(eq(tenants.id, mine.id)),
      ],
      [
        "a colleague is renamed",
        () => d.update(principals).set({ displayName: "Dana" }).where(eq(principals.id, colleague.id)),
      ],
      ["a colleague loses their grant", () => d.delete(grants).where(eq(grants.principalId, colleague.id))],
      [
        "a case is assigned to someone without a grant here",
        () => d.insert(workQueue).values({ ...queueRow(mine.id, now), assigneeId: outsider.id }),
      ],
      [
        "that assignee is renamed",
        () => d.update(principals).set({ displayName: "Renamed" }).where(eq(principals.id, outsider.id)),
      ],
      [
        "a view is saved",
        () =>
          d.insert(savedViews).values({
            id: newId("savedView", now),
            principalId: me.id,
            name: "Mine",
            search: "?assignee=me",
            createdAt: now,
            updatedAt: now,
          }),
      ],
      [
        "the person switches shortcuts off",
        () => d.update(principals).set({ singleKeyShortcuts: false }).where(eq(principals.id, me.id)),
      ],
    ];
    for (const [write, run] of writes) {
      const before = seen.length;
      await run();
      expect(await load(), write).toBe(`render ${before + 1}`);
      expect(await load(), `${write}, then again`).toBe(`render ${before + 1}`);
    }

    // What the page cannot show moves nothing.
    const rendersBefore = seen.length;
    await d.insert(workQueue).values(queueRow(foreign.id, now));
    await d.update(principals).set({ displayName: "Someone else" }).where(eq(principals.id, stranger.id));
    expect(await load()).toBe(`render ${rendersBefore}`);
    expect(seen.every((who) => who === "resolved")).toBe(true);
  });

  it("renders again once the page's time is up, and for another session, address or a revoked session", async () => {
    const { me, browser, pages } = await world();
    const env = testEnv();
    const now = Date.now();
    const { render, seen } = countingRender(now);
    const load = async (at: number, cookie = browser.cookie, path = "/") =>
      (await renderOrReuse(queueRequest(cookie, path), env, at, render, pages)).text();

    expect(await load(now)).toBe("render 1");
    expect(await load(now + HOLDS_MS - 1)).toBe("render 1");
    expect(await load(now + HOLDS_MS)).toBe("render 2");

    const second = await signIn(me.id);
    expect(await load(now, second.cookie)).toBe("render 3");
    expect(await load(now, browser.cookie, "/?severity=high")).toBe("render 4");
    expect(await load(now, browser.cookie, "/?severity=high")).toBe("render 4");

    await revokeSession(env.CONTROL_DB, browser.session.id, now);
    expect(await load(now)).toBe("render 5");
    expect(seen.at(-1)).toBe("signed out");
    expect(pages.size).toBe(2);
  });

  it("keeps the queue's data request, which React Router's client sends to go back to the queue", async () => {
    const { browser, pages } = await world();
    const now = Date.now();
    const { render, seen } = countingRender(now);
    for (let i = 0; i < 2; i++) {
      await renderOrReuse(queueRequest(browser.cookie, "/_.data"), testEnv(), now, render, pages);
    }
    expect(seen).toEqual(["resolved"]);
  });

  it("keeps the dashboard per period, as a document and as data, until a case of its tenants changes", async () => {
    const { mine, browser, pages } = await world();
    const env = testEnv();
    const now = Date.now();
    const { render, seen } = countingRender(now);
    const load = async (path: string) =>
      (await renderOrReuse(queueRequest(browser.cookie, path), env, now, render, pages)).text();

    expect(await load("/dashboard?period=365d")).toBe("render 1");
    expect(await load("/dashboard?period=365d")).toBe("render 1");
    expect(await load("/dashboard.data?period=365d")).toBe("render 2");
    expect(await load("/dashboard.data?period=365d")).toBe("render 2");
    expect(await load("/dashboard?period=7d")).toBe("render 3");

    await drizzle(env.CONTROL_DB).insert(workQueue).values(queueRow(mine.id, now));
    expect(await load("/dashboard?period=365d")).toBe("render 4");
    expect(await load("/dashboard.data?period=365d")).toBe("render 5");
    expect(seen.every((who) => who === "resolved")).toBe(true);
  });

  it("keeps a case page until the case's own version moves, which a command does before it replies", async () => {
    const { mine, foreign, browser, pages } = await world();
    const env = testEnv();
    const now = Date.now();
    const { render, seen } = countingRender(now);
    const load = async (path: string) =>
      (await renderOrReuse(queueRequest(browser.cookie, path), env, now, render, pages)).text();
    const open = async (tenant: Tenant) => {
      const opened = await call("POST", "/v1/cases", {
        body: { title: "Kept case", severity: "high" },
        headers: { authorization: `Bearer ${await tokenFor(tenant)}` },
      });
      const { id } = (await opened.json()) as { id: string };
      // The page is found through the work queue, whose row the case's outbox writes after the reply.
      await vi.waitFor(async () => {
        const [row] = await drizzle(env.CONTROL_DB).select().from(workQueue).where(eq(workQueue.caseId, id));
        expect(row).toBeDefined();
      });
      return id;
    };

    const id = await open(mine);
    expect(await load(`/cases/${id}`)).toBe("render 1");
    expect(await load(`/cases/${id}`)).toBe("render 1");
    expect(await load(`/cases/${id}.data`)).toBe("render 2");
    expect(await load(`/cases/${id}.data`)).toBe("render 2");

    const commented = await call("POST", `/v1/cases/${id}/commands`, {
      body: { type: "comment", body: "Checked the host." },
      headers: { authorization: `Bearer ${await tokenFor(mine)}`, "if-match": '"1"' },
    });
    expect(commented.status).toBe(200);
    expect(await load(`/cases/${id}`)).toBe("render 3");
    expect(await load(`/cases/${id}.data`)).toBe("render 4");

    // A case of a tenant without a grant has no version to key on: rendered (as the 404) every time.
    const elsewhere = await open(foreign);
    expect(await load(`/cases/${elsewhere}`)).toBe("render 5");
    expect(await load(`/cases/${elsewhere}`)).toBe("render 6");
    expect(seen.every((who) => who === "resolved")).toBe(true);
  });

  it("renders without keeping when the session or the counters cannot be read", async () => {
    const { browser, pages } = await world();
    const now = Date.now();
    const broken = new Proxy(testEnv().CONTROL_DB, {
      get: () => () => {
        throw new Error("D1 is unavailable");
      },
    });
    const env = { ...testEnv(), CONTROL_DB: broken };
    const { render, seen } = countingRender(now);
    const response = await renderOrReuse(queueRequest(browser.cookie), env, now, render, pages);
    expect(await response.text()).toBe("render 1");
    expect(seen).toEqual(["unresolved"]);
    expect(pages.size).toBe(0);
  });

  it("keeps only a plain 200 its route offered, on the queue's addresses, for a GET", async () => {
    const { browser, pages } = await world();
    const env = testEnv();
    const now = Date.now();
    const twice = async (render: Render, request = () => queueRequest(browser.cookie)) => {
      await renderOrReuse(request(), env, now, render, pages);
      await renderOrReuse(request(), env, now, render, pages);
    };
    const cases: Array<[string, ReturnType<typeof countingRender>, (() => Request)?]> = [
      ["an error page", countingRender(now, { status: 404 })],
      ["a page that sets a cookie", countingRender(now, { setCookie: true })],
      ["a page offered for no time", countingRender(now, { holdsMs: 0 })],
      ["a case page", countingRender(now), () => queueRequest(browser.cookie, "/cases/case_x")],
      [
        "a form post",
        countingRender(now),
        () => new Request("https://phoenix.test/", { method: "POST", headers: { cookie: browser.cookie } }),
      ],
    ];
    for (const [what, { render, seen }, request] of cases) {
      await twice(render, request);
      expect(seen.length, what).toBe(2);
    }
    expect(pages.size).toBe(0);
  });

  it("holds a bounded number of pages, dropping the least recently used", async () => {
    const { browser } = await world();
    const env = testEnv();
    const now = Date.now();
    const pages = new RenderCache(2);
    const { render, seen } = countingRender(now);
    const load = (path: string) => renderOrReuse(queueRequest(browser.cookie, path), env, now, render, pages);
    await load("/?sort=age");
    await load("/?sort=activity");
    await load("/?sort=age"); // used again: /?sort=activity is now the oldest
    await load("/?sort=severity");
    expect(seen.length).toBe(3);
    await load("/?sort=age");
    expect(seen.length).toBe(3);
    await load("/?sort=activity");
    expect(seen.length).toBe(4);
    expect(pages.size).toBe(2);
  });
});
