// Setting and clearing the workbench session cookie. The value is signed in domain/auth/sessions.ts
// (one HMAC implementation for writing and verifying); here it only gets its attributes.
import { generateCookie } from "hono/cookie";
import {
  SESSION_ABSOLUTE_TIMEOUT_MS,
  SESSION_COOKIE,
  type Session,
  signSessionCookie,
} from "../../domain/auth/sessions.ts";

/** The pre-session double-submit cookie that protects sign-in forms against login CSRF. */
export const LOGIN_CSRF_COOKIE = "__Host-phoenix_csrf";

const COOKIE_ATTRIBUTES = { httpOnly: true, secure: true, sameSite: "Lax", path: "/" } as const;

/** 303 to `redirectTo` (same-origin paths only, anything else goes to "/") with the session cookie set. */
export async function signedInResponse(env: Env, session: Session, redirectTo: string): Promise<Response> {
  const value = await signSessionCookie(env.SECRETS_ENCRYPTION_KEY, session.id);
  const headers = new Headers({ location: safeRedirectPath(redirectTo), "cache-control": "no-store" });
  headers.append(
    "set-cookie",
    generateCookie(SESSION_COOKIE, value, {
      ...COOKIE_ATTRIBUTES,
      maxAge: Math.floor(SESSION_ABSOLUTE_TIMEOUT_MS / 1000),
    }),
  );
  // The login CSRF cookie has done its job once a session exists.
  headers.append("set-cookie", clearCookie(LOGIN_CSRF_COOKIE));
  return new Response(null, { status: 303, headers });
}

/** 303 to `redirectTo` with the session cookie cleared (the session row is revoked by the caller). */
export function signedOutResponse(redirectTo = "/"): Response {
  const headers = new Headers({ location: safeRedirectPath(redirectTo), "cache-control": "no-store" });
  headers.append("set-cookie", clearSessionCookie());
  return new Response(null, { status: 303, headers });
}

/** The login CSRF cookie, for the sign-in form that carries the same value; short-lived. */
export function loginCsrfCookie(value: string): string {
  return generateCookie(LOGIN_CSRF_COOKIE, value, { ...COOKIE_ATTRIBUTES, maxAge: 15 * 60 });
}

export function clearSessionCookie(): string {
  return clearCookie(SESSION_COOKIE);
}

export function clearCookie(name: string): string {
  return generateCookie(name, "", { ...COOKIE_ATTRIBUTES, maxAge: 0 });
}

/**
 * A path on this origin, or "/". Refuses absolute URLs, protocol-relative "//host" and "/\host"
 * (browsers treat a backslash as a slash), so a redirect parameter can never leave the site.
 */
export function safeRedirectPath(redirectTo: string | null | undefined): string {
  if (!redirectTo?.startsWith("/")) return "/";
  if (redirectTo.startsWith("//") || redirectTo.startsWith("/\\")) return "/";
  // Control characters (tabs, newlines) are stripped by URL parsers and could rebuild "//".
  for (let i = 0; i < redirectTo.length; i++) if (redirectTo.charCodeAt(i) < 0x20) return "/";
  const base = "https://phoenix.invalid";
  const url = new URL(redirectTo, base);
  return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : "/";
}
