// Whether a workbench page rendered earlier is still what the person would see now (decision 043).
// CONTROL_DB's triggers move a counter per scope on every write a page shows; a page is reused only
// while the counters of its person and their tenants stand where they stood before it was rendered.

import { inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { renderEpochs } from "../schema/control.ts";

/** The header a route's loader sets to offer its page for reuse: until when (epoch ms) it holds. */
export const RENDER_FRESH_UNTIL_HEADER = "phoenix-render-fresh-until";

/** The scopes whose writes a person's pages show: the person, and every tenant they hold a grant on. */
export function renderScopes(principalId: string, tenantIds: readonly string[]): string[] {
  return [`principal:${principalId}`, ...[...tenantIds].sort().map((id) => `tenant:${id}`)];
}

/**
 * The counters of `scopes` as one comparable string ("scope=epoch;…"); a scope never written is 0.
 * Read before a page's data, so a write racing the render can only make the stamp older than the
 * page, which costs a render, never a stale page.
 */
export async function readRenderStamp(db: D1Database, scopes: readonly string[]): Promise<string> {
  const rows = await drizzle(db)
    .select()
    .from(renderEpochs)
    .where(inArray(renderEpochs.scope, [...scopes]));
  const epochs = new Map(rows.map((r) => [r.scope, r.epoch]));
  return scopes.map((scope) => `${scope}=${epochs.get(scope) ?? 0}`).join(";");
}
