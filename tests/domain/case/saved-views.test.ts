// A person's saved queue views in CONTROL_DB: kept per person, updated by name, capped, and never
// reachable by anyone else.
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import {
  deleteSavedView,
  listSavedViews,
  SAVED_VIEW_LIMIT,
  saveView,
} from "../../../domain/case/saved-views.ts";
import { PhoenixError } from "../../../domain/errors.ts";
import { newId } from "../../../domain/ids.ts";
import { principals } from "../../../schema/control.ts";
import { testEnv } from "../../support/test-env.ts";

const NOW = Date.UTC(2026, 11, 3, 12);

async function person(): Promise<string> {
  const id = newId("principal", NOW);
  await drizzle(testEnv().CONTROL_DB)
    .insert(principals)
    .values({ id, kind: "staff", email: `${id}@soc.test`, displayName: "P", createdAt: NOW, updatedAt: NOW });
  return id;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PhoenixError) return error.code;
    throw error;
  }
  return "none";
}

describe("saved queue views", () => {
  it("keeps a view as the queue's query, one per name, listed by name", async () => {
    const db = testEnv().CONTROL_DB;
    const me = await person();
    await saveView(
      db,
      me,
      "  Breached, mine ",
      { state: "open", sort: "sla", sla: "breached", assignee: "me" },
      NOW,
    );
    await saveView(db, me, "Everything", { state: "all", sort: "activity" }, NOW);
    // The same name again replaces the view instead of adding a second one.
    await saveView(db, me, "Everything", { state: "all", sort: "age" }, NOW + 1);
    expect(await listSavedViews(db, me)).toEqual([
      expect.objectContaining({ name: "Breached, mine", search: "assignee=me&sla=breached" }),
      expect.objectContaining({ name: "Everything", search: "state=all&sort=age" }),
    ]);
  });

  it("refuses a nameless view and a view beyond the limit, changing nothing", async () => {
    const db = testEnv().CONTROL_DB;
    const me = await person();
    expect(await refusal(saveView(db, me, "   ", { state: "open", sort: "sla" }, NOW))).toBe(
      "validation_failed",
    );
    for (let i = 0; i < SAVED_VIEW_LIMIT; i++) {
      await saveView(db, me, `View ${String(i).padStart(2, "0")}`, { state: "open", sort: "sla" }, NOW);
    }
    expect(await refusal(saveView(db, me, "One too many", { state: "open", sort: "sla" }, NOW))).toBe(
      "conflict",
    );
    // Updating a view the person already has is still allowed at the limit.
    await saveView(db, me, "View 00", { state: "all", sort: "sla" }, NOW);
    const views = await listSavedViews(db, me);
    expect(views).toHaveLength(SAVED_VIEW_LIMIT);
    expect(views[0]).toMatchObject({ name: "View 00", search: "state=all" });
  });

  it("lets only its owner see or delete a view", async () => {
    const db = testEnv().CONTROL_DB;
    const [me, other] = [await person(), await person()];
    const mine = await saveView(db, me, "Mine", { state: "open", sort: "sla" }, NOW);
    expect(await listSavedViews(db, other)).toEqual([]);
    expect(await refusal(deleteSavedView(db, other, mine.id))).toBe("not_found");
    expect(await listSavedViews(db, me)).toHaveLength(1);
    await deleteSavedView(db, me, mine.id);
    expect(await listSavedViews(db, me)).toEqual([]);
  });
});
