// Who is calling /v1: a bearer token (machines, or people through an outside IdP) or, without an
// Authorization header, the workbench session cookie. A session is for one tenant per request:
// the one its person holds a grant on, or the one X-Phoenix-Tenant names among several.

import { requireCsrf } from "../../domain/auth/csrf.ts";
import type { Principal } from "../../domain/auth/principal.ts";
import { sessionPrincipal } from "../../domain/auth/session-principal.ts";
import { resolveSession } from "../../domain/auth/sessions.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { authenticateBearer } from "./bearer.ts";

export const TENANT_HEADER = "x-phoenix-tenant";
export const CSRF_HEADER = "x-csrf-token";

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
  return sessionPrincipal(signedIn, request.headers.get(TENANT_HEADER));
}
