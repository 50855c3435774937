// GET /v1/changes: the tenant's case and alert changes in commit order, read forward from a cursor.
// Split happy, error and security cases, and the feed under 50 cases written at once.

import { drizzle } from "drizzle-orm/d1";
import { beforeAll, describe, expect, it } from "vitest";
import { alertLinkedWrite, readChanges } from "../../../domain/changes/feed.ts";
import type { Tenant } from "../../../domain/tenancy.ts";
import { makeDetectionFinding } from "../../support/factories/findings.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

interface Change {
  cursor: string;
  kind: "case" | "alert";
  id: string;
  version: number;
  type: string;
  data: Record<string, unknown>;
}

let tenant: Tenant;
let worker: string;
let reader: string;
beforeAll(async () => {
  tenant = await createTenant();
  worker = await tokenFor(tenant, { scopes: ["alerts:read", "alerts:write", "cases:read", "cases:write"] });
  reader = await tokenFor(tenant, { scopes: ["alerts:read", "cases:read"] });
});

async function page(
  token: string,
  since?: string,
  limit = 200,
): Promise<{ data: Change[]; next_cursor: string }> {
  const query = new URLSearchParams({ limit: String(limit), ...(since ? { since } : {}) });
  const res = await call("GET", `/v1/changes?${query}`, { token });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { data: Change[]; next_cursor: string };
}

/** Everything after `since`, page by page. */
async function readAll(
  token: string,
  since?: string,
  limit = 200,
): Promise<{ changes: Change[]; cursor: string }> {
  const changes: Change[] = [];
  let cursor = since;
  for (;;) {
    const p = await page(token, cursor, limit);
    changes.push(...p.data);
    if (p.data.length === 0) return { changes, cursor: p.next_cursor };
    cursor = p.next_cursor;
  }
}

async function until(done: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (await done()) return;
    await scheduler.wait(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function command(caseId: string, version: number, body: Record<string, unknown>): Promise<number> {
  const res = await call("POST", `/v1/cases/${caseId}/commands`, {
    token: worker,
    body,
    headers: { "if-match": `"${version}"` },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { version: number }).version;
}

describe("change feed", () => {
  it("lists alert and case changes in commit order, and reads on from a cursor with nothing skipped or repeated", async () => {
    const { cursor: start } = await readAll(reader);
    const posted = await call("POST", "/v1/alerts", { token: worker, body: makeDetectionFinding() });
    expect(posted.status, await posted.clone().text()).toBe(201);
    const submitted = (await posted.json()) as { alerts: Array<{ id: string }> };
    const alertId = submitted.alerts[0]?.id ?? "";
    const opened = (await (
      await call("POST", "/v1/cases", {
        token: worker,
        body: { title: "Feed me", severity: "high" },
      })
    ).json()) as { id: string; version: number };
    const v2 = await command(opened.id, opened.version, { type: "acknowledge" });
    await until(
      async () => (await readAll(reader, start)).changes.some((c) => c.id === opened.id && c.version === v2),
      "the acknowledgement",
    );

    const { changes } = await readAll(reader, start);
    // The alert may also be grouped into a case of its own by correlation, which links it.
    const mine = changes.filter((c) => (c.id === alertId && c.type !== "alert.linked") || c.id === opened.id);
    expect(mine.map((c) => `${c.type} ${c.version}`)).toEqual([
      "alert.created 1",
      "case.opened 1",
      "case.changed 2",
    ]);
    expect(mine[2]?.data).toMatchObject({ state: "acknowledged", severity: "high" });
    // Cursors increase, and reading two at a time gives the same feed.
    const cursors = changes.map((c) => Number(c.cursor.slice(4)));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    expect((await readAll(reader, start, 2)).changes).toEqual(changes);
  });

  it("shows case changes to cases:read and alert changes to alerts:read", async () => {
    const casesOnly = await tokenFor(tenant, { scopes: ["cases:read"] });
    const alertsOnly = await tokenFor(tenant, { scopes: ["alerts:read"] });
    expect(new Set((await readAll(casesOnly)).changes.map((c) => c.kind))).toEqual(new Set(["case"]));
    expect(new Set((await readAll(alertsOnly)).changes.map((c) => c.kind))).toEqual(new Set(["alert"]));
    const neither = await tokenFor(tenant, { scopes: ["reports:read"] });
    expect((await call("GET", "/v1/changes", { token: neither })).status).toBe(403);
  });

  it("names a bad cursor or page size, and an empty page answers the same cursor", async () => {
    const bad = await call("GET", "/v1/changes?since=42", { token: reader });
    expect(bad.status).toBe(422);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    expect(JSON.stringify(await bad.json())).toContain("since");
    const zero = await call("GET", "/v1/changes?limit=0", { token: reader });
    expect([400, 422]).toContain(zero.status);
    expect(JSON.stringify(await zero.json())).toContain("limit");
    const { cursor } = await readAll(reader);
    expect(await page(reader, cursor)).toEqual({ data: [], next_cursor: cursor });
  });

  it("never shows another tenant's changes", async () => {
    const other = await createTenant();
    const stranger = await tokenFor(other, { scopes: ["alerts:read", "cases:read"] });
    const mine = new Set((await readAll(reader)).changes.map((c) => c.id));
    expect(mine.size).toBeGreaterThan(0);
    expect((await readAll(stranger)).changes.filter((c) => mine.has(c.id))).toEqual([]);
  });

  it("gives an interrupted reader every change once while 50 cases change at the same time", async () => {
    const { cursor: start } = await readAll(reader);
    const COMMANDS = [
      { type: "acknowledge" },
      { type: "start" },
      { type: "change_priority", priority: "P1" },
      { type: "contain" },
    ];
    const expected = new Set<string>();
    const writing = Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const res = await call("POST", "/v1/cases", {
          token: worker,
          body: { title: `Concurrent ${i}`, severity: "medium" },
        });
        const opened = (await res.json()) as { id: string; version: number };
        expected.add(`${opened.id}@${opened.version}`);
        let version = opened.version;
        for (const body of COMMANDS) {
          version = await command(opened.id, version, body);
          expected.add(`${opened.id}@${version}`);
        }
      }),
    );
    // The reader keeps its cursor only after handling a page, and now and then starts over from the
    // cursor it kept, as a consumer that crashed between the two would.
    const seen = new Map<string, number>();
    let kept = start;
    let restarts = 0;
    let done = false;
    void writing.then(() => {
      done = true;
    });
    for (let round = 0; round < 5000; round++) {
      const p = await page(reader, kept, 1 + (round % 7));
      for (const c of p.data)
        if (c.kind === "case") seen.set(`${c.id}@${c.version}`, (seen.get(`${c.id}@${c.version}`) ?? 0) + 1);
      if (round % 5 === 4 && p.data.length > 0) {
        // Crashed before keeping the cursor: the page is read again, so it is not counted twice.
        for (const c of p.data)
          if (c.kind === "case")
            seen.set(`${c.id}@${c.version}`, (seen.get(`${c.id}@${c.version}`) ?? 1) - 1);
        restarts++;
        continue;
      }
      kept = p.next_cursor;
      if (done && [...expected].every((key) => seen.has(key))) break;
      if (p.data.length === 0) await scheduler.wait(10);
    }
    await writing;
    const missing = [...expected].filter((key) => !seen.has(key));
    const duplicates = [...seen.values()].filter((n) => n > 1).length;
    console.log(
      `change feed: case versions written ${expected.size} by 50 cases at once, read ${seen.size}, missing ${missing.length}, duplicates ${duplicates}, reader restarts ${restarts}`,
    );
    expect(expected.size).toBe(250);
    expect(missing).toEqual([]);
    expect(duplicates).toBe(0);
  });
});

describe("an alert moving between cases", () => {
  it("keeps every link and unlink, even when two cases are at the same version", async () => {
    const db = tenantDb(await createTenant());
    const alert = "alrt_01jv0000000000000000000001";
    const at = Date.now();
    const writes = [
      alertLinkedWrite(db, alert, "case_01jv00000000000000000000aa", true, 3, at),
      alertLinkedWrite(db, alert, "case_01jv00000000000000000000aa", false, 4, at + 1),
      // Another case, which happens to be at version 3 too, takes the alert.
      alertLinkedWrite(db, alert, "case_01jv00000000000000000000bb", true, 3, at + 2),
    ] as const;
    await drizzle(db).batch([...writes]);
    // A replayed projection adds nothing.
    await drizzle(db).batch([writes[2]]);
    const page = await readChanges(db, { limit: 10, kinds: ["alert"] });
    expect(
      page.items.map((c) => [c.type, c.version, (c.data as { case_id: string | null }).case_id]),
    ).toEqual([
      ["alert.linked", 3, "case_01jv00000000000000000000aa"],
      ["alert.unlinked", 4, null],
      ["alert.linked", 3, "case_01jv00000000000000000000bb"],
    ]);
  });
});
