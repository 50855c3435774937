// The development IdP: pick a seeded person and be signed in as them, no password. It exists only
// when ENVIRONMENT is "development", checked on every request; anywhere else its paths fall through
// to whatever answers unknown paths, so nothing shows it was ever there.
import type { Context, Hono, Next } from "hono";
import { getCookie } from "hono/cookie";
import { html } from "hono/html";
import { requireCsrf } from "../../domain/auth/csrf.ts";
import { activeGrants, findPrincipal, grantedPeople } from "../../domain/auth/people.ts";
import type { Role } from "../../domain/auth/permissions.ts";
import { createSession, randomToken } from "../../domain/auth/sessions.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { LOGIN_CSRF_COOKIE, loginCsrfCookie, safeRedirectPath, signedInResponse } from "./session-cookie.ts";

type AuthContext = Context<{ Bindings: Env }>;

export function devIdpEnabled(env: Pick<Env, "ENVIRONMENT">): boolean {
  return env.ENVIRONMENT === "development";
}

export function registerDevIdp(app: Hono<{ Bindings: Env }>): void {
  app.get("/dev", (c, next) => (devIdpEnabled(c.env) ? showDevIdp(c) : fallThrough(next)));
  app.post("/dev", (c, next) => (devIdpEnabled(c.env) ? signInAsDevUser(c) : fallThrough(next)));
}

// Hands the request on to the next matching handler: the Worker's answer for unknown paths.
async function fallThrough(next: Next): Promise<void> {
  await next();
}

interface DevUser {
  id: string;
  email: string;
  displayName: string;
  kind: "staff" | "customer";
  grants: Array<{ tenantName: string; role: Role }>;
}

async function showDevIdp(c: AuthContext): Promise<Response> {
  // Double-submit: the same random value in a __Host- cookie and in the form, so a page on another
  // site cannot sign the browser in as someone of its choosing (login CSRF).
  const csrf = randomToken();
  const users = await devUsers(c.env.CONTROL_DB);
  const redirectTo = safeRedirectPath(c.req.query("redirect_to"));
  c.header("cache-control", "no-store");
  c.header("set-cookie", loginCsrfCookie(csrf));
  return c.html(html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Development sign-in · Phoenix</title>
    <style>
      body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 10vh auto; padding: 0 1.5rem; }
      p { color: #5b6472; }
      ul { list-style: none; padding: 0; }
      li { display: flex; justify-content: space-between; align-items: center; gap: 1rem;
        border: 1px solid #dde1e6; border-radius: 10px; padding: .75rem 1rem; margin: .5rem 0; }
      button { font: inherit; padding: .4rem .9rem; border-radius: 8px; border: 1px solid #d9480f;
        background: #d9480f; color: #fff; cursor: pointer; }
      small { color: #5b6472; }
    </style>
  </head>
  <body>
    <h1>Development sign-in</h1>
    <p>Only in development: sign in as any seeded person, without a password.</p>
    ${
      users.length === 0
        ? html`<p>No one holds a grant yet. Run <code>npm start</code> to seed the demo users.</p>`
        : html`<ul>
            ${users.map(
              (u) => html`<li>
                <div>
                  <strong>${u.displayName}</strong> <small>${u.kind}</small><br />
                  <small>${u.email} · ${u.grants.map((g) => `${g.role} on ${g.tenantName}`).join(", ")}</small>
                </div>
                <form method="post" action="/auth/dev">
                  <input type="hidden" name="csrf" value="${csrf}" />
                  <input type="hidden" name="principal_id" value="${u.id}" />
                  <input type="hidden" name="redirect_to" value="${redirectTo}" />
                  <button type="submit">Sign in as ${u.displayName}</button>
                </form>
              </li>`,
            )}
          </ul>`
    }
  </body>
</html>`);
}

async function signInAsDevUser(c: AuthContext): Promise<Response> {
  const form = await c.req.parseBody();
  const field = (name: string) => (typeof form[name] === "string" ? (form[name] as string) : null);
  requireCsrf(c.req.raw, getCookie(c, LOGIN_CSRF_COOKIE) ?? null, field("csrf"));

  const principalId = field("principal_id");
  if (!principalId) {
    throw new PhoenixError("validation_failed", "choose whom to sign in as", [
      { field: "principal_id", message: "is required" },
    ]);
  }
  const principal = await findPrincipal(c.env.CONTROL_DB, principalId);
  const grants = principal?.status === "active" ? await activeGrants(c.env.CONTROL_DB, principalId) : [];
  if (!principal || grants.length === 0) {
    throw new PhoenixError("validation_failed", "that person cannot sign in", [
      { field: "principal_id", message: "must be an active person holding a grant" },
    ]);
  }
  const session = await createSession(c.env.CONTROL_DB, { principalId, method: "dev" }, Date.now());
  return signedInResponse(c.env, session, field("redirect_to") ?? "/");
}

/** Every active person with an active grant: in development, the seeded demo users and anyone invited. */
async function devUsers(db: D1Database): Promise<DevUser[]> {
  const results = await grantedPeople(db, 500);
  const users = new Map<string, DevUser>();
  for (const r of results) {
    const user = users.get(r.id) ?? {
      id: r.id,
      email: r.email,
      displayName: r.displayName,
      kind: r.kind,
      grants: [],
    };
    user.grants.push({ tenantName: r.tenantName, role: r.role });
    users.set(r.id, user);
  }
  return [...users.values()];
}
