// A signed-in person as the principal of one tenant: the /v1 API (cookie requests) and the workbench
// both act through this, so a grant means the same thing at either door.
import { PhoenixError } from "../errors.ts";
import { operationsForRole } from "./permissions.ts";
import type { Principal } from "./principal.ts";
import type { SignedIn } from "./sessions.ts";

/** The issuer recorded for people who act through a workbench session. */
export const SESSION_ISSUER = "phoenix-session";

/**
 * The person acting in `tenantId`, or in their only tenant when it is null. A tenant they hold no
 * grant on is indistinguishable from one that does not exist (404).
 */
export function sessionPrincipal(signedIn: SignedIn, tenantId: string | null): Principal {
  const { principal, grants } = signedIn;
  let grant = grants[0];
  if (tenantId !== null) {
    grant = grants.find((g) => g.tenantId === tenantId);
    if (!grant) throw new PhoenixError("not_found", "no such tenant");
  } else if (grants.length > 1) {
    throw new PhoenixError(
      "validation_failed",
      "you hold grants on several tenants: name one in the X-Phoenix-Tenant header",
      [{ field: "X-Phoenix-Tenant", message: "required when you hold grants on more than one tenant" }],
    );
  }
  if (!grant) throw new PhoenixError("forbidden", "you hold no grant on any tenant");
  // The tenant row came with the grant, in the session's one read, which lists active tenants only.
  const { tenant } = grant;
  return {
    type: "user",
    id: principal.id,
    subject: principal.id,
    issuer: SESSION_ISSUER,
    tenant,
    operations: operationsForRole(grant.role),
    scopes: [],
    role: grant.role,
    displayName: principal.displayName,
  };
}
