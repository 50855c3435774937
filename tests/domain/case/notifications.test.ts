// An analyst's notifications: given cases they hold (and some they do not) in the work queue and
// their tenants' timelines, when notifications are read, then only their own work shows: what
// someone else assigned them, what nears its deadline, and what the customer's side said.
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { beforeAll, describe, expect, it } from "vitest";
import {
  markNotificationsSeen,
  NOTIFICATION_WINDOW_MS,
  notificationsFor,
} from "../../../domain/case/notifications.ts";
import { newId } from "../../../domain/ids.ts";
import type { Tenant } from "../../../domain/tenancy.ts";
import { principals, workQueue } from "../../../schema/control.ts";
import { caseTimeline } from "../../../schema/tenant.ts";
import { testEnv } from "../../support/test-env.ts";
import { createTenant, tenantDb } from "../../support/world.ts";

const NOW = Date.UTC(2026, 11, 4, 12);
const MIN = 60_000;

let granted: Tenant;
let notGranted: Tenant;
let me: string;
let lee: string;
const ids: Record<string, string> = {};

async function person(name: string): Promise<string> {
  const id = newId("principal", NOW);
  await drizzle(testEnv().CONTROL_DB)
    .insert(principals)
    .values({
      id,
      kind: "staff",
      email: `${id}@soc.test`,
      displayName: name,
      createdAt: NOW,
      updatedAt: NOW,
    });
  return id;
}

async function held(tenant: Tenant, title: string, row: Partial<typeof workQueue.$inferInsert>) {
  const caseId = newId("case", NOW);
  await drizzle(testEnv().CONTROL_DB)
    .insert(workQueue)
    .values({
      caseId,
      tenantId: tenant.id,
      title,
      severity: "high",
      priority: "P2",
      state: "in_progress",
      queue: "triage",
      version: 3,
      updatedAt: NOW,
      openedAt: NOW - 60 * MIN,
      ...row,
    });
  return caseId;
}

let seq = 0;
async function happened(
  tenant: Tenant,
  caseId: string,
  actor: string,
  at: number,
  data: Record<string, unknown>,
) {
  await drizzle(tenantDb(tenant))
    .insert(caseTimeline)
    .values({ caseId, seq: ++seq, type: String(data.type), actor, at, data: data as never });
}

const sources = () => ({
  controlDb: testEnv().CONTROL_DB,
  tenantDb: async (tenantId: string) => (tenantId === granted.id ? tenantDb(granted) : null),
});

beforeAll(async () => {
  [granted, notGranted] = [await createTenant(), await createTenant()];
  me = await person("Ana Analyst");
  lee = await person("Lee Lead");
  ids.nearing = await held(granted, "Nearing its deadline", {
    assigneeId: me,
    slaWarnAt: NOW - 5 * MIN,
    slaDueAt: NOW + 10 * MIN,
    slaDueClock: "acknowledge",
  });
  ids.breached = await held(granted, "Already breached", {
    assigneeId: me,
    slaWarnAt: NOW - 30 * MIN,
    slaDueAt: NOW - 10 * MIN,
    slaBreachedAt: NOW - 10 * MIN,
  });
  ids.resolved = await held(granted, "Resolved", { assigneeId: me, state: "resolved", slaWarnAt: NOW - MIN });
  ids.theirs = await held(granted, "Someone else's", {
    assigneeId: lee,
    slaWarnAt: NOW - MIN,
    slaDueAt: NOW + MIN,
  });
  ids.elsewhere = await held(notGranted, "Another tenant's", {
    assigneeId: me,
    slaWarnAt: NOW - MIN,
    slaDueAt: NOW + MIN,
  });

  const assigned = (to: string) => ({ type: "case.assigned", assignee: to, previous: null });
  const commented = (visibility: string, body: string) => ({
    type: "case.commented",
    commentId: `cmt_${++seq}`,
    body,
    visibility,
  });
  await happened(granted, ids.nearing as string, `user:${lee}`, NOW - 10 * MIN, assigned(me));
  await happened(
    granted,
    ids.nearing as string,
    `user:${lee}`,
    NOW - NOTIFICATION_WINDOW_MS - MIN,
    assigned(me),
  );
  await happened(granted, ids.breached as string, `user:${me}`, NOW - 20 * MIN, assigned(me));
  await happened(
    granted,
    ids.breached as string,
    "client:platform",
    NOW - 3 * MIN,
    commented("customer", "Is the host isolated yet?"),
  );
  await happened(
    granted,
    ids.breached as string,
    "client:platform",
    NOW - 2 * MIN,
    commented("internal", "not for the customer"),
  );
  await happened(
    granted,
    ids.breached as string,
    `user:${lee}`,
    NOW - MIN,
    commented("customer", "Our own answer"),
  );
  await happened(
    granted,
    ids.theirs as string,
    "jira:acct-1",
    NOW - MIN,
    commented("customer", "On a case I do not hold"),
  );
  await happened(granted, ids.resolved as string, `user:${lee}`, NOW - MIN, assigned(me));
});

describe("notificationsFor", () => {
  it("tells the analyst of their own work only, newest first, all unread before they first look", async () => {
    const { items, unread } = await notificationsFor(sources(), { id: me, seenAt: null }, [granted.id], NOW);
    expect(items.map((n) => [n.kind, n.title])).toEqual([
      ["customer_comment", "Already breached"],
      ["breach_soon", "Nearing its deadline"],
      ["assigned", "Nearing its deadline"],
    ]);
    expect(items[0]).toMatchObject({ excerpt: "Is the host isolated yet?", by: "client:platform" });
    expect(items[1]).toMatchObject({ clock: "acknowledge", dueAt: NOW + 10 * MIN, at: NOW - 5 * MIN });
    expect(items[2]).toMatchObject({ by: "Lee Lead", at: NOW - 10 * MIN });
    expect(unread).toBe(3);
  });

  it("counts only what came after the person last looked, and the mark never moves back", async () => {
    await markNotificationsSeen(testEnv().CONTROL_DB, me, NOW - 4 * MIN);
    await markNotificationsSeen(testEnv().CONTROL_DB, me, NOW - 30 * MIN);
    const [row] = await drizzle(testEnv().CONTROL_DB).select().from(principals).where(eq(principals.id, me));
    expect(row?.notificationsSeenAt).toBe(NOW - 4 * MIN);
    const { items, unread } = await notificationsFor(
      sources(),
      { id: me, seenAt: row?.notificationsSeenAt ?? null },
      [granted.id],
      NOW,
    );
    expect(unread).toBe(1);
    expect(items.filter((n) => n.unread).map((n) => n.kind)).toEqual(["customer_comment"]);
  });

  it("says nothing to a person without a grant that reads cases", async () => {
    expect(await notificationsFor(sources(), { id: me, seenAt: null }, [], NOW)).toEqual({
      items: [],
      unread: 0,
    });
  });
});
