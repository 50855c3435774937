// GET /live/:tenantId: a workbench browser's WebSocket for one tenant's case changes. The session
// and the grant are checked here, with the same rules as /v1 (an ungranted tenant is a 404), and
// the Origin must be Phoenix's own, so another site cannot open a socket with the person's cookie.
import { Hono } from "hono";
import { requirePermission } from "../../domain/auth/principal.ts";
import { sessionPrincipal } from "../../domain/auth/session-principal.ts";
import { resolveSession } from "../../domain/auth/sessions.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { isIdOf } from "../../domain/ids.ts";
import { LIVE_PRINCIPAL_HEADER } from "../../durable-objects/tenant-live.ts";

export function createLiveRoutes(): Hono<{ Bindings: Env }> {
  const live = new Hono<{ Bindings: Env }>();
  live.get("/:tenantId", async (c) => {
    const origin = c.req.header("origin");
    if (origin !== undefined && origin !== new URL(c.req.url).origin) {
      throw new PhoenixError("csrf_rejected", "the socket is opened from another origin");
    }
    const signedIn = await resolveSession(c.env, c.req.raw, Date.now());
    if (!signedIn) throw new PhoenixError("unauthenticated", "sign in to follow cases live");
    const tenantId = c.req.param("tenantId");
    if (!isIdOf("tenant", tenantId)) throw new PhoenixError("not_found", "no such tenant");
    requirePermission(sessionPrincipal(signedIn, tenantId), "cases.read");
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new PhoenixError("bad_request", "this is a WebSocket endpoint: send Upgrade: websocket");
    }
    // The hub tags the socket with its person; set here, so a browser can never name someone else.
    const upgrade = new Request(c.req.raw);
    upgrade.headers.set(LIVE_PRINCIPAL_HEADER, signedIn.principal.id);
    return c.env.LIVE.getByName(tenantId).fetch(upgrade);
  });
  return live;
}
