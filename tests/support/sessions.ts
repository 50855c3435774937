// People with grants and signed-in workbench sessions, for tests of session-authenticated routes.
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { Role } from "../../domain/auth/permissions.ts";
import {
  createSession,
  SESSION_COOKIE,
  type Session,
  signSessionCookie,
} from "../../domain/auth/sessions.ts";
import { newId } from "../../domain/ids.ts";
import type { Tenant } from "../../domain/tenancy.ts";
import { testEnv } from "./test-env.ts";

export interface Person {
  id: string;
  email: string;
  displayName: string;
}

export interface PersonOptions {
  kind?: "staff" | "customer";
  status?: "active" | "disabled";
  displayName?: string;
}

/** A principal with the given grants, inserted as the admin API would leave it. */
export async function createPerson(
  grants: Array<{ tenant: Pick<Tenant, "id">; role: Role }>,
  options: PersonOptions = {},
): Promise<Person> {
  const db = testEnv().CONTROL_DB;
  const now = Date.now();
  const id = newId("principal", now);
  const person = {
    id,
    email: `${id}@people.phoenix.test`,
    displayName: options.displayName ?? `Person ${id.slice(-6)}`,
  };
  const kind = options.kind ?? "staff";
  await db.batch([
    db
      .prepare(
        `INSERT INTO principals (id, kind, email, display_name, home_tenant_id, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        id,
        kind,
        person.email,
        person.displayName,
        kind === "customer" ? (grants[0]?.tenant.id ?? null) : null,
        options.status ?? "active",
        now,
        now,
      ),
    ...grants.map((g) =>
      db
        .prepare(
          "INSERT INTO grants (principal_id, tenant_id, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id, g.tenant.id, g.role, now, now),
    ),
  ]);
  return person;
}

export interface SignedInBrowser {
  session: Session;
  /** The Cookie request header a browser holding the session cookie sends. */
  cookie: string;
}

/** Signs the person in directly (as any sign-in method ends), at `now`. */
export async function signIn(principalId: string, now = Date.now()): Promise<SignedInBrowser> {
  const env = testEnv();
  const session = await createSession(env.CONTROL_DB, { principalId, method: "dev" }, now);
  const value = await signSessionCookie(env.SECRETS_ENCRYPTION_KEY, session.id);
  return { session, cookie: `${SESSION_COOKIE}=${value}` };
}

/** Headers of a same-origin request from the signed-in workbench: cookie, CSRF token and Origin. */
export function sessionHeaders(browser: SignedInBrowser, extra: Record<string, string> = {}) {
  return {
    cookie: browser.cookie,
    "x-csrf-token": browser.session.csrfToken,
    origin: "http://phoenix.test",
    ...extra,
  };
}

export async function sessionRow(id: string) {
  return testEnv()
    .CONTROL_DB.prepare("SELECT * FROM sessions WHERE id = ?")
    .bind(id)
    .first<{ revoked_at: number | null; last_seen_at: number; idle_expires_at: number; method: string }>();
}

/** The cookie a Set-Cookie header sets, as a Cookie request header, or null. */
export function cookieFrom(setCookies: string[], name: string): string | null {
  const match = setCookies.find((c) => c.startsWith(`${name}=`));
  return match ? (match.split(";")[0] ?? null) : null;
}

/**
 * A browser-like request through the Worker's fetch handler that does not follow redirects, so the
 * test sees the 303 and its Set-Cookie headers (world.call's requests follow them).
 */
export function browserCall(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; form?: Record<string, string> } = {},
): Promise<Response> {
  const headers = new Headers(options.headers);
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  if (body !== undefined) headers.set("content-type", "application/x-www-form-urlencoded");
  return exports.default.fetch(
    new Request(`http://phoenix.test${path}`, { method, headers, body, redirect: "manual" }),
  );
}

/** Sessions that exist, for everyone: sign-in tests check that a refusal creates none. */
export async function sessionCount(): Promise<number> {
  return (await testEnv().CONTROL_DB.prepare("SELECT count(*) AS n FROM sessions").first<number>("n")) ?? 0;
}

/** A refused sign-in: problem+json whose detail says why, and no session cookie set. */
export async function expectSignInRefused(res: Response, status: number, detail: RegExp): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(((await res.json()) as { detail: string }).detail).toMatch(detail);
  expect(res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
}
