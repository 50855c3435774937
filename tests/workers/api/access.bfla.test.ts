// BFLA matrix: every route, called by every role (through a session) and every scope subset (through
// a token) of the same tenant, with a valid request. The answer must be exactly what the permission
// table says: the route's success status when the operation is allowed, 403 when it is not.
import { describe, expect, it } from "vitest";
import type { Operation } from "../../../domain/auth/permissions.ts";
import { operationsForRole, operationsForScopes, ROLES } from "../../../domain/auth/permissions.ts";
import { type Caller, EVERY_SCOPE, sessionCaller, tokenCaller } from "../../support/callers.ts";
import { ROUTES, TenantFixtures } from "../../support/route-catalog.ts";
import { createTenant } from "../../support/world.ts";

interface Subject {
  caller: Caller;
  operations: ReadonlySet<Operation>;
}

describe("BFLA matrix", () => {
  it("every route answers every role and scope subset exactly as the permission table says", async () => {
    const tenant = await createTenant();
    const world = await TenantFixtures.create(tenant);
    const subjects: Subject[] = [
      { caller: await tokenCaller(tenant, []), operations: operationsForScopes([]) },
      ...(await Promise.all(
        EVERY_SCOPE.map(async (scope) => ({
          caller: await tokenCaller(tenant, [scope]),
          operations: operationsForScopes([scope]),
        })),
      )),
      { caller: await tokenCaller(tenant, EVERY_SCOPE), operations: operationsForScopes(EVERY_SCOPE) },
      ...(await Promise.all(
        ROLES.map(async (role) => ({
          caller: await sessionCaller(tenant, role),
          operations: operationsForRole(role),
        })),
      )),
    ];

    const mismatches: string[] = [];
    let checks = 0;
    let allowed = 0;
    for (const route of ROUTES) {
      for (const { caller, operations } of subjects) {
        const probe = await route.own(world);
        const res = await caller.send(probe);
        checks++;
        const permitted = operations.has(route.operation);
        if (permitted) allowed++;
        const expected = permitted ? route.success : 403;
        if (res.status !== expected) {
          const detail = res.status >= 400 ? ` ${(await res.text()).slice(0, 160)}` : "";
          mismatches.push(
            `${caller.name} ${route.route}${route.variant ? ` (${route.variant})` : ""}: ${res.status}, expected ${expected}${detail}`,
          );
        }
        if (res.webSocket) {
          res.webSocket.accept();
          res.webSocket.close(1000, "matrix done");
        } else if (!res.bodyUsed) {
          await res.body?.cancel();
        }
      }
    }
    console.log(
      `BFLA checks: ${checks} (${ROUTES.length} routes × ${subjects.length} roles and scope sets; ${allowed} allowed, ${checks - allowed} forbidden), mismatches: ${mismatches.length}`,
    );
    expect(mismatches).toEqual([]);
    // Both outcomes must actually occur, or the matrix would prove nothing.
    expect(allowed).toBeGreaterThan(0);
    expect(checks - allowed).toBeGreaterThan(0);
  });
});
