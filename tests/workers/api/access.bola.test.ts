// BOLA matrix: a caller of tenant B, with every permission B can hold, aims every route at tenant A's
// ids (in the path, the query or the body). Each probe must answer 404 (or, for a list filter, an
// empty answer) without a trace of A's data, and A must be byte-for-byte unchanged afterwards.
import { describe, expect, it } from "vitest";
import { type Caller, sessionCaller, tokenCaller } from "../../support/callers.ts";
import {
  documentedRoutes,
  ROUTES,
  SHARED_FIXTURES,
  TenantFixtures,
  UNGUARDED_ROUTES,
} from "../../support/route-catalog.ts";
import { tenantStateDigest } from "../../support/tenant-state.ts";
import { createTenant } from "../../support/world.ts";

/** A bulk answer in which every item was refused as not found. */
function everyItemNotFound(text: string): boolean {
  const { results } = JSON.parse(text) as { results: Array<{ status: number }> };
  return results.length > 0 && results.every((r) => r.status === 404);
}

describe("BOLA matrix", () => {
  it("every documented /v1 route is in the route catalog", async () => {
    const catalogued = new Set([...ROUTES.map((r) => r.route), ...UNGUARDED_ROUTES]);
    const missing = (await documentedRoutes()).filter((r) => !catalogued.has(r));
    expect(missing).toEqual([]);
  });

  it("tenant B's token and session aimed at tenant A's ids get 404 and change nothing", async () => {
    const victim = await TenantFixtures.create(await createTenant());
    const attacker = await TenantFixtures.create(await createTenant());
    const victimIds: string[] = [victim.tenant.id];
    for (const kind of SHARED_FIXTURES) victimIds.push(await victim.shared(kind));
    const victimCase = victimIds[SHARED_FIXTURES.indexOf("case") + 1] ?? "";
    const etagBefore = await victim.caseVersion(victimCase);
    const before = await tenantStateDigest(victim.tenant);

    const callers: Caller[] = [
      await tokenCaller(attacker.tenant),
      await sessionCaller(attacker.tenant, "admin"),
    ];
    const counts = { path: 0, query: 0, body: 0 };
    const leaks: string[] = [];
    for (const caller of callers) {
      for (const route of ROUTES) {
        if (!route.foreign) continue;
        for (const probe of await route.foreign(attacker, victim)) {
          const where = probe.where ?? "path";
          counts[where]++;
          const res = await caller.send(probe);
          const text = await res.text();
          const label = `${caller.name} ${route.route}${route.variant ? ` (${route.variant})` : ""} [${where}]`;
          const leaked = victimIds.filter(
            (id) =>
              text.includes(id) && !probe.path.includes(id) && !JSON.stringify(probe.body ?? "").includes(id),
          );
          if (leaked.length > 0) leaks.push(`${label}: answer contains tenant A ids`);
          const acceptable = probe.perItem
            ? res.status === 200 && everyItemNotFound(text)
            : where === "query"
              ? res.status === 200 || res.status === 404
              : res.status === 404;
          if (!acceptable) leaks.push(`${label}: ${res.status}`);
        }
      }
    }
    // A session naming a tenant it holds no grant in is refused as if the tenant did not exist.
    const session = callers[1];
    if (session) {
      counts.path++;
      const res = await session.send({
        method: "GET",
        path: "/v1/alerts",
        headers: { "x-phoenix-tenant": victim.tenant.id },
      });
      if (res.status !== 404) leaks.push(`session with X-Phoenix-Tenant of tenant A: ${res.status}`);
      await res.body?.cancel();
    }

    const probes = counts.path + counts.query + counts.body;
    console.log(
      `BOLA probes: ${probes} (path ${counts.path}, query ${counts.query}, body ${counts.body}) from ${callers.length} callers, leaks: ${leaks.length}`,
    );
    expect(leaks).toEqual([]);
    expect(probes).toBeGreaterThan(40);
    expect(await victim.caseVersion(victimCase)).toBe(etagBefore);
    expect(await tenantStateDigest(victim.tenant)).toBe(before);
  });
});
