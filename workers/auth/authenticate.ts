// Who is calling /v1: a bearer token (machines, or people through an outside IdP) or, without an
// Authorization header, the workbench session cookie. A session is for one tenant per request:
// the one its person holds a grant on, or the one X-Phoenix-Tenant names among several.

import { requireCsrf } from "../../domain/auth/csrf.ts";
import { operationsForRole } from "../../domain/auth/permissions.ts";
import type { Principal } from "../../domain/auth/principal.ts";
import { resolveSession, type SignedIn } from "../../domain/auth/sessions.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { findTenant } from "../../domain/tenancy.ts";
import { authenticateBearer } from "./bearer.ts";

export const TENANT_HEADER = "x-phoenix-tenant";
export const CSRF_HEADER = "x-csrf-token";
export const SESSION_ISSUER = "phoenix-session";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export async function authenticateRequest(request: Request, env: Env, now: number): Promise<Principal> {
  const authorization = request.headers.get("authorization");
  // A bearer header wins: browsers never attach one on their own, so it needs no CSRF check.
  if (authorization !== null) return authenticateBearer(authorization, env);

  const signedIn = await resolveSession(env, request, now);
  if (!signedIn) {
    throw new PhoenixError(
      "unauthenticated",
      "an Authorization: Bearer token or a signed-in workbench session is required",
    );
  }
  if (!SAFE_METHODS.has(request.method)) {
    requireCsrf(request, signedIn.session.csrfToken, request.headers.get(CSRF_HEADER));
  }
  return sessionPrincipal(signedIn, request.headers.get(TENANT_HEADER), env);
}

async function sessionPrincipal(
  signedIn: SignedIn,
  tenantHeader: string | null,
  env: Env,
): Promise<Principal> {
  const { principal, grants } = signedIn;
  let grant = grants[0];
  if (tenantHeader !== null) {
    // A tenant this person holds no grant on is indistinguishable from one that does not exist.
    grant = grants.find((g) => g.tenantId === tenantHeader);
    if (!grant) throw new PhoenixError("not_found", "no such tenant");
  } else if (grants.length > 1) {
    throw new PhoenixError(
      "validation_failed",
      "you hold grants on several tenants: name one in the X-Phoenix-Tenant header",
      [{ field: "X-Phoenix-Tenant", message: "required when you hold grants on more than one tenant" }],
    );
  }
  if (!grant) throw new PhoenixError("forbidden", "you hold no grant on any tenant");
  const tenant = await findTenant(env.CONTROL_DB, grant.tenantId);
  // activeGrants only lists active tenants; this guards the gap between the two reads.
  if (tenant?.status !== "active") throw new PhoenixError("not_found", "no such tenant");
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
