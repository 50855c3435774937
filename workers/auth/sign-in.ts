// /auth/login and /auth/callback: how a person proves who they are (decision 022). Cloudflare Access
// when its assertion is present, else OIDC, else the development IdP where it exists. Every path
// ends the same way: a verified email, an invited principal, a session.
import { type Context, Hono } from "hono";
import { activeGrants, findPrincipalByEmail } from "../../domain/auth/people.ts";
import { createSession, type SessionMethod } from "../../domain/auth/sessions.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { toProblem } from "../http/problem.ts";
import { ACCESS_ASSERTION_HEADER, accessConfigured, verifyAccessAssertion } from "./access.ts";
import { devIdpEnabled } from "./dev-idp.ts";
import {
  beginOidcSignIn,
  clearOidcCookie,
  completeOidcSignIn,
  type OidcEnv,
  oidcConfigured,
} from "./oidc.ts";
import { safeRedirectPath, signedInResponse } from "./session-cookie.ts";

type SignInContext = Context<{ Bindings: Env }>;

export function createSignInRoutes(): Hono<{ Bindings: Env }> {
  const app = new Hono<{ Bindings: Env }>();

  app.get("/login", async (c) => {
    const now = Date.now();
    const returnTo = safeRedirectPath(c.req.query("return_to"));
    const assertion = c.req.header(ACCESS_ASSERTION_HEADER);
    // Without Access configured the header proves nothing (anyone can send it), so it is ignored.
    if (accessConfigured(c.env) && assertion) {
      const email = await verifyAccessAssertion(c.env, assertion, now);
      return signInAs(c.env, email, "access", returnTo, now);
    }
    if (oidcConfigured(c.env)) return beginOidcSignIn(oidcEnv(c), callbackUrl(c), returnTo, now);
    if (devIdpEnabled(c.env)) {
      return c.redirect(`/auth/dev?${new URLSearchParams({ redirect_to: returnTo })}`, 302);
    }
    throw new PhoenixError("not_found", "no sign-in method is configured");
  });

  app.get("/callback", async (c) => {
    const now = Date.now();
    let response: Response;
    try {
      if (!oidcConfigured(c.env)) throw new PhoenixError("not_found", "OIDC sign-in is not configured");
      const identity = await completeOidcSignIn(oidcEnv(c), c.req.raw, callbackUrl(c), now);
      response = await signInAs(c.env, identity.email, "oidc", identity.returnTo, now);
    } catch (error) {
      response = toProblem(error, c);
    }
    // Used or refused, a pending sign-in is never good twice.
    response.headers.append("set-cookie", clearOidcCookie());
    return response;
  });

  return app;
}

/** The identity is proven; only an active, invited principal with a live grant gets a session. */
async function signInAs(
  env: Env,
  email: string,
  method: SessionMethod,
  returnTo: string,
  now: number,
): Promise<Response> {
  const principal = await findPrincipalByEmail(env.CONTROL_DB, email);
  const grants = principal?.status === "active" ? await activeGrants(env.CONTROL_DB, principal.id) : [];
  if (!principal || grants.length === 0) {
    throw new PhoenixError(
      "forbidden",
      "you have not been invited to Phoenix: ask an administrator for access",
    );
  }
  const session = await createSession(env.CONTROL_DB, { principalId: principal.id, method }, now);
  console.log(JSON.stringify({ level: "info", msg: "signed in", method, principal: principal.id }));
  return signedInResponse(env, session, returnTo);
}

// The redirect URI registered at the provider: this origin's callback.
function callbackUrl(c: SignInContext): string {
  return new URL("/auth/callback", c.req.url).href;
}

function oidcEnv(c: SignInContext): OidcEnv {
  return c.env as OidcEnv;
}
