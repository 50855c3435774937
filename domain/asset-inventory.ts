// The tenant's asset inventory as analysts see it: list, and set how critical an asset is.
import { and, asc, eq, gt, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { type ASSET_CRITICALITIES, assets } from "../schema/tenant.ts";
import { PhoenixError } from "./errors.ts";

export type Asset = typeof assets.$inferSelect;

export async function listAssets(
  db: D1Database,
  q: { limit: number; after?: string | undefined; kind?: Asset["kind"] | undefined },
): Promise<{ items: Asset[]; next: string | null }> {
  const conditions: SQL[] = [];
  if (q.kind) conditions.push(eq(assets.kind, q.kind));
  // Asset ids are stable and unique, so the last id seen is a sufficient cursor.
  if (q.after) conditions.push(gt(assets.id, q.after));
  const rows = await drizzle(db)
    .select()
    .from(assets)
    .where(and(...conditions))
    .orderBy(asc(assets.id))
    .limit(q.limit + 1);
  const items = rows.slice(0, q.limit);
  return { items, next: rows.length > q.limit ? (items.at(-1)?.id ?? null) : null };
}

export async function setAssetCriticality(
  db: D1Database,
  id: string,
  criticality: (typeof ASSET_CRITICALITIES)[number] | null,
): Promise<Asset> {
  const [row] = await drizzle(db).update(assets).set({ criticality }).where(eq(assets.id, id)).returning();
  if (!row) throw new PhoenixError("not_found", "no such asset");
  return row;
}
