// What an analyst is told about their own work: a case someone else assigned to them, a case of
// theirs past its SLA warning point and not yet breached, and a customer's comment on a case they
// hold. Read from the cross-tenant work queue and each tenant's case timeline, so nothing is
// written when work happens; only when the person last looked is kept (principals).
import { and, desc, eq, gt, inArray, lte, notInArray, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { principals, workQueue } from "../../schema/control.ts";
import { caseTimeline } from "../../schema/tenant.ts";
import type { SlaClockName } from "../sla/types.ts";

export type NotificationKind = "assigned" | "breach_soon" | "customer_comment";

export interface WorkNotification {
  /** Stable across reads, for list keys. */
  id: string;
  kind: NotificationKind;
  tenantId: string;
  caseId: string;
  title: string;
  /** When it happened: the assignment, the comment, or the SLA warning point. */
  at: number;
  /** Newer than the person's last look. */
  unread: boolean;
  /** Who assigned it, or whose comment it is (a display name, or the machine's id). */
  by?: string | undefined;
  /** The comment's opening words. */
  excerpt?: string | undefined;
  /** For breach_soon: the clock about to run out and when. */
  clock?: SlaClockName | undefined;
  dueAt?: number | undefined;
}

/** How far back assignments and comments are looked for. */
export const NOTIFICATION_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
/** Held cases looked at, most urgent first: more than anyone holds at once. */
const HELD_LIMIT = 200;
const DONE_STATES = ["resolved", "closed"];
const EXCERPT_CHARS = 160;

export interface NotificationSources {
  controlDb: D1Database;
  /** The tenant's database, when the person may still read its cases; null otherwise. */
  tenantDb: (tenantId: string) => Promise<D1Database | null>;
}

/** The person's notifications, newest first, and how many are unread. */
export async function notificationsFor(
  sources: NotificationSources,
  person: { id: string; seenAt: number | null },
  tenantIds: readonly string[],
  now: number,
): Promise<{ items: WorkNotification[]; unread: number }> {
  if (tenantIds.length === 0) return { items: [], unread: 0 };
  const held = await drizzle(sources.controlDb)
    .select({
      caseId: workQueue.caseId,
      tenantId: workQueue.tenantId,
      title: workQueue.title,
      slaWarnAt: workQueue.slaWarnAt,
      slaDueAt: workQueue.slaDueAt,
      slaDueClock: workQueue.slaDueClock,
      slaBreachedAt: workQueue.slaBreachedAt,
    })
    .from(workQueue)
    .where(
      and(
        eq(workQueue.assigneeId, person.id),
        inArray(workQueue.tenantId, [...tenantIds]),
        notInArray(workQueue.state, DONE_STATES),
      ),
    )
    .orderBy(sql`coalesce(${workQueue.slaDueAt}, 8640000000000000)`)
    .limit(HELD_LIMIT);
  const seenAfter = person.seenAt ?? 0;
  const items: WorkNotification[] = [];

  for (const c of held) {
    if (c.slaBreachedAt === null && c.slaWarnAt !== null && c.slaWarnAt <= now && (c.slaDueAt ?? 0) > now) {
      items.push({
        id: `breach_soon:${c.caseId}:${c.slaDueAt}`,
        kind: "breach_soon",
        tenantId: c.tenantId,
        caseId: c.caseId,
        title: c.title,
        at: c.slaWarnAt,
        unread: c.slaWarnAt > seenAfter,
        clock: (c.slaDueClock ?? undefined) as SlaClockName | undefined,
        dueAt: c.slaDueAt ?? undefined,
      });
    }
  }

  const byTenant = new Map<string, typeof held>();
  for (const c of held) byTenant.set(c.tenantId, [...(byTenant.get(c.tenantId) ?? []), c]);
  const me = `user:${person.id}`;
  const people = new Set<string>();
  for (const [tenantId, cases] of byTenant) {
    const db = await sources.tenantDb(tenantId);
    if (!db) continue;
    const titles = new Map(cases.map((c) => [c.caseId, c.title]));
    // The timeline's primary key starts with the case, so this reads only the held cases' events.
    const events = await drizzle(db)
      .select()
      .from(caseTimeline)
      .where(
        and(
          inArray(caseTimeline.caseId, [...titles.keys()]),
          inArray(caseTimeline.type, ["case.assigned", "case.commented"]),
          gt(caseTimeline.at, now - NOTIFICATION_WINDOW_MS),
          lte(caseTimeline.at, now),
        ),
      )
      .orderBy(desc(caseTimeline.at));
    for (const e of events) {
      const data = e.data as Record<string, unknown>;
      const base = {
        id: `${e.type}:${e.caseId}:${e.seq}`,
        tenantId,
        caseId: e.caseId,
        title: titles.get(e.caseId) ?? e.caseId,
        at: e.at,
        unread: e.at > seenAfter,
        by: e.actor,
      };
      if (e.type === "case.assigned" && data.assignee === person.id && e.actor !== me) {
        items.push({ ...base, kind: "assigned" });
        if (e.actor.startsWith("user:")) people.add(e.actor.slice("user:".length));
      } else if (e.type === "case.commented" && data.visibility === "customer" && isCustomerSide(e.actor)) {
        const body = String(data.body ?? "");
        items.push({
          ...base,
          kind: "customer_comment",
          excerpt: body.length > EXCERPT_CHARS ? `${body.slice(0, EXCERPT_CHARS)}…` : body,
        });
      }
    }
  }

  const names = await displayNames(sources.controlDb, [...people]);
  for (const item of items) {
    if (item.by?.startsWith("user:")) item.by = names.get(item.by.slice("user:".length)) ?? "someone";
  }
  items.sort((a, b) => b.at - a.at || a.id.localeCompare(b.id));
  return { items, unread: items.filter((i) => i.unread).length };
}

/**
 * A comment from the customer's side: the Platform (a machine client acting for the customer) or
 * Jira, where the customer's service desk answers. Phoenix's own people comment as `user:`.
 */
function isCustomerSide(actor: string): boolean {
  return actor.startsWith("client:") || actor.startsWith("jira:");
}

async function displayNames(controlDb: D1Database, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await drizzle(controlDb)
    .select({ id: principals.id, name: principals.displayName })
    .from(principals)
    .where(inArray(principals.id, ids));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The person has looked at their notifications up to `at`; never moves backwards. */
export async function markNotificationsSeen(controlDb: D1Database, personId: string, at: number) {
  await drizzle(controlDb)
    .update(principals)
    .set({ notificationsSeenAt: sql`max(coalesce(${principals.notificationsSeenAt}, 0), ${at})` })
    .where(eq(principals.id, personId));
}
