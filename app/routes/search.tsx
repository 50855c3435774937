// GET /search?q=[&tenant=]: the command palette's and the merge picker's case lookup, by title text or exact case id, across the
// signed-in person's granted tenants only (the same work-queue read as the queue page).
import { data } from "react-router";
import { findQueuedCase, listWorkQueue } from "../../domain/case/work-queue.ts";
import { isIdOf } from "../../domain/ids.ts";
import { envOf, signedInOrNull } from "../workbench.server.ts";
import type { Route } from "./+types/search";

const RESULTS = 8;

export interface SearchHit {
  caseId: string;
  title: string;
  tenantName: string;
  state: string;
  severity: string;
}

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  const signedIn = await signedInOrNull(args, now);
  if (!signedIn) throw data({ code: "unauthenticated", message: "sign in to search" }, { status: 401 });
  const url = new URL(args.request.url);
  const q = (url.searchParams.get("q") ?? "").trim().slice(0, 200);
  // `tenant` keeps the lookup to one of the person's tenants (the case page's merge picker).
  const tenant = url.searchParams.get("tenant") || undefined;
  const tenantIds = signedIn.grants.map((g) => g.tenantId);
  const db = envOf(args).CONTROL_DB;
  const hits: SearchHit[] = [];
  // An exact case id jumps straight to it; anything else searches titles.
  const byId = isIdOf("case", q) ? await findQueuedCase(db, q, tenantIds) : null;
  if (byId && (tenant === undefined || byId.tenantId === tenant)) hits.push(hitOf(byId));
  if (q !== "" && hits.length === 0) {
    const page = await listWorkQueue(db, {
      tenantIds,
      viewerId: signedIn.principal.id,
      view: { state: "all", sort: "activity", q, tenant },
      now,
      limit: RESULTS,
    });
    hits.push(...page.rows.map(hitOf));
  }
  return data({ hits }, { headers: { "Cache-Control": "no-store" } });
}

function hitOf(row: SearchHit): SearchHit {
  return {
    caseId: row.caseId,
    title: row.title,
    tenantName: row.tenantName,
    state: row.state,
    severity: row.severity,
  };
}
