// The workbench queue over CONTROL_DB's work_queue: only granted tenants, the URL's view, the
// sorts, and cursors that stay stable while cases change.
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { commandsAllowed, operationsForRole } from "../../../domain/auth/permissions.ts";
import {
  explainWorkQueue,
  listWorkQueue,
  QUEUE_SORTS,
  type QueueView,
  queuePageFreshUntil,
  queueViewFrom,
  queueViewSearch,
} from "../../../domain/case/work-queue.ts";
import { PhoenixError } from "../../../domain/errors.ts";
import { newId } from "../../../domain/ids.ts";
import { principals, workQueue } from "../../../schema/control.ts";
import { testEnv } from "../../support/test-env.ts";
import { createTenant } from "../../support/world.ts";

const NOW = Date.UTC(2026, 11, 3, 12);
const MIN = 60_000;
const view = (v: Partial<QueueView> = {}): QueueView => ({ state: "open", sort: "sla", ...v });

async function queueCase(tenantId: string, row: Partial<typeof workQueue.$inferInsert> = {}) {
  const caseId = newId("case", NOW);
  await drizzle(testEnv().CONTROL_DB)
    .insert(workQueue)
    .values({
      caseId,
      tenantId,
      title: "A case",
      severity: "medium",
      priority: "P3",
      state: "new",
      queue: "triage",
      version: 1,
      updatedAt: NOW,
      openedAt: NOW,
      ...row,
    });
  return caseId;
}

async function world() {
  const [a, b, other] = [await createTenant(), await createTenant(), await createTenant()];
  const me = newId("principal", NOW);
  await drizzle(testEnv().CONTROL_DB)
    .insert(principals)
    .values({
      id: me,
      kind: "staff",
      email: `${me}@soc.test`,
      displayName: "Me",
      createdAt: NOW,
      updatedAt: NOW,
    });
  const ids = {
    breached: await queueCase(a.id, {
      title: "Breached one",
      severity: "critical",
      priority: "P1",
      slaDueAt: NOW - 5 * MIN,
      slaBreachedAt: NOW - 5 * MIN,
    }),
    warning: await queueCase(b.id, {
      title: "Warning one",
      severity: "high",
      priority: "P2",
      slaWarnAt: NOW - MIN,
      slaDueAt: NOW + 10 * MIN,
      assigneeId: me,
    }),
    ok: await queueCase(a.id, {
      title: "Quiet 100% one",
      severity: "low",
      priority: "P4",
      slaWarnAt: NOW + HOUR,
      slaDueAt: NOW + 2 * HOUR,
      openedAt: NOW - HOUR,
    }),
    noClock: await queueCase(b.id, { title: "Resolved one", state: "resolved", updatedAt: NOW + MIN }),
    closed: await queueCase(a.id, { title: "Closed one", state: "closed" }),
    elsewhere: await queueCase(other.id, { title: "Not mine", severity: "critical", slaDueAt: NOW - HOUR }),
  };
  return { tenantIds: [a.id, b.id], a, b, other, me, ids };
}
const HOUR = 60 * MIN;

describe("listWorkQueue", () => {
  it("lists the granted tenants' open cases, most urgent SLA first, with the tenant and assignee named", async () => {
    const w = await world();
    const page = await listWorkQueue(testEnv().CONTROL_DB, {
      tenantIds: w.tenantIds,
      viewerId: w.me,
      view: view(),
      now: NOW,
    });
    expect(page.rows.map((r) => r.caseId)).toEqual([w.ids.breached, w.ids.warning, w.ids.ok, w.ids.noClock]);
    expect(page.rows[1]).toMatchObject({ tenantName: w.b.name, assigneeName: "Me" });
    expect(page.nextCursor).toBeNull();
  });

  it("never reads a tenant without a grant, even when the view names it", async () => {
    const w = await world();
    const named = await listWorkQueue(testEnv().CONTROL_DB, {
      tenantIds: w.tenantIds,
      viewerId: w.me,
      view: view({ tenant: w.other.id, state: "all" }),
      now: NOW,
    });
    expect(named.rows).toEqual([]);
  });

  it("filters by state, severity, assignee, SLA status and title text", async () => {
    const w = await world();
    const list = async (v: Partial<QueueView>) =>
      (
        await listWorkQueue(testEnv().CONTROL_DB, {
          tenantIds: w.tenantIds,
          viewerId: w.me,
          view: view(v),
          now: NOW,
        })
      ).rows.map((r) => r.caseId);
    expect(await list({ state: "all" })).toContain(w.ids.closed);
    expect(await list({ state: "resolved" })).toEqual([w.ids.noClock]);
    expect(await list({ severity: "critical" })).toEqual([w.ids.breached]);
    expect(await list({ assignee: "me" })).toEqual([w.ids.warning]);
    expect(await list({ assignee: "unassigned" })).not.toContain(w.ids.warning);
    expect(await list({ sla: "breached" })).toEqual([w.ids.breached]);
    expect(await list({ sla: "warning" })).toEqual([w.ids.warning]);
    expect(await list({ sla: "ok" })).toEqual([w.ids.ok, w.ids.noClock]);
    // LIKE's wildcards in the search are literal text.
    expect(await list({ q: "100%" })).toEqual([w.ids.ok]);
    expect(await list({ q: "%" })).toEqual([w.ids.ok]);
    expect(await list({ tenant: w.b.id })).toEqual([w.ids.warning, w.ids.noClock]);
  });

  it("sorts by severity, priority, last activity and age", async () => {
    const w = await world();
    const order = async (sort: QueueView["sort"]) =>
      (
        await listWorkQueue(testEnv().CONTROL_DB, {
          tenantIds: w.tenantIds,
          viewerId: w.me,
          view: view({ sort }),
          now: NOW,
        })
      ).rows.map((r) => r.caseId);
    expect((await order("severity")).slice(0, 3)).toEqual([w.ids.breached, w.ids.warning, w.ids.noClock]);
    expect((await order("priority")).slice(0, 2)).toEqual([w.ids.breached, w.ids.warning]);
    expect((await order("activity"))[0]).toBe(w.ids.noClock);
    expect((await order("age"))[0]).toBe(w.ids.ok);
  });

  it("walks each order's own index a page at a time, never sorting every case of the tenants", async () => {
    const w = await world();
    // A cursor from a first page, so the plan of a later page (a seek into the index) is read too.
    const cursorFor = async (sort: QueueView["sort"]) =>
      (
        await listWorkQueue(testEnv().CONTROL_DB, {
          tenantIds: w.tenantIds,
          viewerId: w.me,
          view: view({ sort }),
          limit: 1,
          now: NOW,
        })
      ).nextCursor ?? undefined;
    const plans: Record<string, string> = {};
    for (const sort of QUEUE_SORTS) {
      for (const cursor of [undefined, await cursorFor(sort)]) {
        const plan = await explainWorkQueue(testEnv().CONTROL_DB, {
          tenantIds: w.tenantIds,
          viewerId: w.me,
          view: view({ sort }),
          cursor,
          limit: 1,
          now: NOW,
        });
        plans[`${sort}${cursor ? " (next page)" : ""}`] = plan.join(" | ");
      }
    }
    for (const [sort, plan] of Object.entries(plans)) {
      expect(plan, sort).toMatch(/USING (COVERING )?INDEX work_queue_walk_/);
      expect(plan, sort).not.toMatch(/TEMP B-TREE/);
    }
    expect(Object.keys(plans)).toHaveLength(QUEUE_SORTS.length * 2);
  });

  it("pages with cursors that neither repeat nor skip a case when another case changes meanwhile", async () => {
    const t = await createTenant();
    const me = newId("principal", NOW);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++)
      ids.push(await queueCase(t.id, { slaDueAt: NOW + i * MIN, title: `Case ${i}` }));
    const db = testEnv().CONTROL_DB;
    const first = await listWorkQueue(db, {
      tenantIds: [t.id],
      viewerId: me,
      view: view(),
      limit: 3,
      now: NOW,
    });
    expect(first.rows.map((r) => r.caseId)).toEqual(ids.slice(0, 3));
    // A case already shown changes; the next page continues where the first ended.
    await drizzle(db)
      .update(workQueue)
      .set({ title: "Changed", version: 2 })
      .where(eq(workQueue.caseId, ids[0] ?? ""));
    const second = await listWorkQueue(db, {
      tenantIds: [t.id],
      viewerId: me,
      view: view(),
      limit: 3,
      cursor: first.nextCursor ?? "",
      now: NOW,
    });
    expect(second.rows.map((r) => r.caseId)).toEqual(ids.slice(3, 6));
    // A cursor belongs to its view.
    await expect(
      listWorkQueue(db, {
        tenantIds: [t.id],
        viewerId: me,
        view: view({ sort: "age" }),
        cursor: first.nextCursor ?? "",
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: "invalid_parameter" });
  });
});

describe("queuePageFreshUntil", () => {
  const row = (warn: number | null, due: number | null, breached: number | null = null) => ({
    slaWarnAt: warn,
    slaDueAt: due,
    slaBreachedAt: breached,
  });

  it("holds a rendered page until the next SLA badge on it turns, at most the given time", () => {
    const rows = [row(NOW + 9 * MIN, NOW + 10 * MIN), row(NOW - MIN, NOW + 30_000), row(null, null)];
    expect(queuePageFreshUntil(view(), rows, NOW, MIN)).toBe(NOW + 30_000);
    expect(queuePageFreshUntil(view(), [row(NOW + 5_000, NOW + MIN)], NOW, MIN)).toBe(NOW + 5_000);
    expect(queuePageFreshUntil(view(), [row(NOW + 9 * MIN, NOW + 10 * MIN)], NOW, MIN)).toBe(NOW + MIN);
  });

  it("ignores deadlines already past or breached, and holds an SLA-filtered view for no time", () => {
    expect(queuePageFreshUntil(view(), [row(NOW - 2 * MIN, NOW - MIN, NOW - MIN)], NOW, MIN)).toBe(NOW + MIN);
    expect(queuePageFreshUntil(view(), [row(NOW + 1_000, NOW + 2_000, NOW - 1)], NOW, MIN)).toBe(NOW + MIN);
    expect(queuePageFreshUntil(view({ sla: "warning" }), [], NOW, MIN)).toBe(NOW);
  });
});

describe("the queue view in the URL", () => {
  it("reads every field, defaults what is missing, and writes equal views as equal addresses", () => {
    const { view: v, cursor } = queueViewFrom(
      new URLSearchParams("severity=high&assignee=me&sort=age&cursor=abc&x=1"),
    );
    expect(v).toEqual({ state: "open", sort: "age", severity: "high", assignee: "me" });
    expect(cursor).toBe("abc");
    expect(queueViewSearch(v)).toBe("?severity=high&assignee=me&sort=age");
    expect(queueViewSearch(queueViewFrom(new URLSearchParams("")).view)).toBe("");
  });

  it("refuses a value that is not one of the choices, naming the field", () => {
    for (const bad of ["severity=urgent", "sort=random", "state=done", "tenant=acme", "assignee=bob"]) {
      let error: unknown;
      try {
        queueViewFrom(new URLSearchParams(bad));
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(PhoenixError);
      expect((error as PhoenixError).errors?.[0]?.field).toBe(bad.split("=")[0]);
    }
  });
});

describe("commandsAllowed", () => {
  it("is the lifecycle table intersected with the role's permissions", () => {
    const analyst = { operations: operationsForRole("analyst") };
    const lead = { operations: operationsForRole("lead") };
    const viewer = { operations: operationsForRole("viewer") };
    expect(commandsAllowed(analyst, "new")).toContain("acknowledge");
    expect(commandsAllowed(analyst, "resolved")).not.toContain("close");
    expect(commandsAllowed(lead, "resolved")).toContain("close");
    expect(commandsAllowed(analyst, "closed").size).toBe(0);
    expect(commandsAllowed(lead, "closed")).toEqual(new Set(["reopen"]));
    expect(commandsAllowed(viewer, "new").size).toBe(0);
  });
});
