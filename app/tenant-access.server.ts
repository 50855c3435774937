// A signed-in person working in one tenant at a time (alert triage, administration): the tenants
// whose grant allows an operation, and the principal of the one on screen. Naming a tenant the
// person may not do it in is a 404, as in /v1, whether or not the tenant exists.
import { type Operation, operationsForRole } from "../domain/auth/permissions.ts";
import { type Principal, requirePermission } from "../domain/auth/principal.ts";
import type { SignedIn } from "../domain/auth/sessions.ts";
import { PhoenixError } from "../domain/errors.ts";
import { tenantDatabase } from "../domain/tenancy.ts";
import { envOf, principalIn, requireSignedIn, type WorkbenchArgs } from "./workbench.server.ts";

export interface TenantAccess {
  signedIn: SignedIn;
  principal: Principal;
  env: Env;
  /** The tenant's own database. */
  db: D1Database;
  /** Every tenant whose grant allows the operation, for the tenant picker. */
  tenants: { id: string; name: string }[];
}

/** The tenants where `signedIn`'s grant allows `operation`, in the order of their grants. */
export function tenantsAllowing(signedIn: SignedIn, operation: Operation): { id: string; name: string }[] {
  return signedIn.grants
    .filter((g) => operationsForRole(g.role).has(operation))
    .map((g) => ({ id: g.tenantId, name: g.tenantName }));
}

/** The person in `requested` (else the first tenant allowing `operation`), allowed to perform it. */
export async function tenantAccess(
  args: WorkbenchArgs,
  operation: Operation,
  requested: string | null,
  now: number,
): Promise<TenantAccess> {
  const signedIn = await requireSignedIn(args, now);
  const tenants = tenantsAllowing(signedIn, operation);
  const tenantId = requested || tenants[0]?.id;
  if (!tenantId || !tenants.some((t) => t.id === tenantId)) {
    throw new PhoenixError("not_found", requested ? "no such tenant" : "no tenant where you may do this");
  }
  const principal = principalIn(signedIn, tenantId);
  requirePermission(principal, operation);
  const env = envOf(args);
  return { signedIn, principal, env, db: tenantDatabase(env, principal.tenant), tenants };
}
