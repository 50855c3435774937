// Who is acting, in which tenant, and what they may do there. Built from a verified bearer token
// (machines) or a signed-in session (people); handlers only ever see this.
import type { Actor } from "../actor.ts";
import { PhoenixError } from "../errors.ts";
import type { Tenant } from "../tenancy.ts";
import { can, type Operation, type Role } from "./permissions.ts";
import type { Scope } from "./scopes.ts";

export interface Principal {
  type: "client" | "user";
  /** Stable and unique across issuers: recorded as the actor, and scopes idempotency keys. */
  id: string;
  subject: string;
  issuer: string;
  tenant: Tenant;
  operations: ReadonlySet<Operation>;
  /** The token's scopes (machines). */
  scopes: readonly Scope[];
  /** The grant's role in this tenant (people). */
  role?: Role;
  displayName?: string;
}

/** Refuses with 403 unless the permission table lets this principal perform the operation. */
export function requirePermission(principal: Principal, operation: Operation): void {
  if (!can(principal, operation)) {
    throw new PhoenixError("forbidden", `this operation needs the ${operation} permission`);
  }
}

/**
 * Who a principal's changes are recorded as, in every audit: its issuer-qualified id, never a bare
 * token subject (two issuers may both have a client called "platform").
 */
export function actorOf(principal: Pick<Principal, "type" | "id">): Actor {
  return { kind: principal.type, id: principal.id };
}
