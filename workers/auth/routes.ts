// /auth: the workbench's session routes (sign-out, and the development IdP where it exists).
// OIDC and Cloudflare Access sign-in are mounted beside these (workers/auth/sign-in.ts).
import { Hono } from "hono";
import { requireCsrf } from "../../domain/auth/csrf.ts";
import { resolveSession, revokeSession } from "../../domain/auth/sessions.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { CSRF_HEADER } from "./authenticate.ts";
import { registerDevIdp } from "./dev-idp.ts";
import { signedOutResponse } from "./session-cookie.ts";

export function createSessionRoutes(): Hono<{ Bindings: Env }> {
  const app = new Hono<{ Bindings: Env }>();

  // Sign-out revokes the row, so the cookie is dead everywhere even if the browser keeps a copy.
  app.post("/logout", async (c) => {
    const now = Date.now();
    const signedIn = await resolveSession(c.env, c.req.raw, now);
    if (signedIn) {
      const form = await c.req.parseBody();
      const presented = typeof form.csrf === "string" ? form.csrf : (c.req.header(CSRF_HEADER) ?? null);
      requireCsrf(c.req.raw, signedIn.session.csrfToken, presented);
      await revokeSession(c.env.CONTROL_DB, signedIn.session.id, now);
    }
    // Without a live session there is nothing to revoke; clearing a stale cookie is harmless.
    return signedOutResponse("/");
  });

  // Who the session is, for the workbench's own scripts: the CSRF token its /v1 writes must carry.
  // A JSON GET, so another site's page cannot read it (no CORS), and never cached.
  app.get("/session", async (c) => {
    const signedIn = await resolveSession(c.env, c.req.raw, Date.now());
    if (!signedIn) throw new PhoenixError("unauthenticated", "no signed-in session");
    c.header("cache-control", "no-store");
    return c.json({
      principal: {
        id: signedIn.principal.id,
        email: signedIn.principal.email,
        display_name: signedIn.principal.displayName,
        kind: signedIn.principal.kind,
      },
      grants: signedIn.grants.map((g) => ({
        tenant_id: g.tenantId,
        tenant_name: g.tenantName,
        role: g.role,
      })),
      csrf_token: signedIn.session.csrfToken,
      expires_at: new Date(
        Math.min(signedIn.session.idleExpiresAt, signedIn.session.absoluteExpiresAt),
      ).toISOString(),
    });
  });

  registerDevIdp(app);
  // Errors leave through the Worker's root onError, as problem+json.
  return app;
}
