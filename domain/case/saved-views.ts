// A person's named queue views, kept server-side so they follow the person to any browser. A view
// is stored as the queue's URL query (queueViewSearch), so opening one is following a link, and a
// stored view is re-read through the same schema as any address before it is shown.
import { and, asc, count, eq } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { savedViews } from "../../schema/control.ts";
import { PhoenixError } from "../errors.ts";
import { newId } from "../ids.ts";
import { type QueueView, queueViewSearch } from "./queue-view.ts";

/** Enough for every way a person slices their work, few enough to show them all at once. */
export const SAVED_VIEW_LIMIT = 20;

export const savedViewNameSchema = z
  .string()
  .trim()
  .min(1, "give the view a name")
  .max(60, "at most 60 characters");

export interface SavedView {
  id: string;
  name: string;
  /** The queue's query string, without "?" ("" is the default view). */
  search: string;
}

export async function listSavedViews(controlDb: D1Database, principalId: string): Promise<SavedView[]> {
  return savedViewsQuery(drizzle(controlDb), principalId);
}

/** The person's views, by name, for a caller that batches the query. */
export function savedViewsQuery(d: DrizzleD1Database, principalId: string) {
  return d
    .select({ id: savedViews.id, name: savedViews.name, search: savedViews.search })
    .from(savedViews)
    .where(eq(savedViews.principalId, principalId))
    .orderBy(asc(savedViews.name));
}

/** Saves `view` under `name`; a name the person already uses is updated to the new view. */
export async function saveView(
  controlDb: D1Database,
  principalId: string,
  name: string,
  view: QueueView,
  now: number,
): Promise<SavedView> {
  const parsed = savedViewNameSchema.safeParse(name);
  if (!parsed.success) {
    throw new PhoenixError("validation_failed", "the view needs a name", [
      { field: "name", message: parsed.error.issues[0]?.message ?? "is not valid" },
    ]);
  }
  const d = drizzle(controlDb);
  const search = queueViewSearch(view).replace(/^\?/, "");
  const [existing] = await d
    .select({ id: savedViews.id })
    .from(savedViews)
    .where(and(eq(savedViews.principalId, principalId), eq(savedViews.name, parsed.data)));
  if (!existing) {
    const [held] = await d
      .select({ n: count() })
      .from(savedViews)
      .where(eq(savedViews.principalId, principalId));
    if ((held?.n ?? 0) >= SAVED_VIEW_LIMIT) {
      throw new PhoenixError("conflict", `you already keep ${SAVED_VIEW_LIMIT} views: delete one first`);
    }
  }
  const id = existing?.id ?? newId("savedView", now);
  // The unique (person, name) index settles two saves racing for one name: the later one wins.
  await d
    .insert(savedViews)
    .values({ id, principalId, name: parsed.data, search, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [savedViews.principalId, savedViews.name],
      set: { search, updatedAt: now },
    });
  return { id, name: parsed.data, search };
}

/** Deletes one of the person's views; someone else's view is as absent as a missing one (404). */
export async function deleteSavedView(controlDb: D1Database, principalId: string, id: string): Promise<void> {
  const deleted = await drizzle(controlDb)
    .delete(savedViews)
    .where(and(eq(savedViews.id, id), eq(savedViews.principalId, principalId)))
    .returning({ id: savedViews.id });
  if (deleted.length === 0) throw new PhoenixError("not_found", "no such saved view");
}
