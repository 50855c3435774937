// The two ways into /v1, as test callers: a bearer token with a set of scopes, and a signed-in
// person's session (cookie, tenant header and CSRF token) with a role in one tenant.
import type { Role } from "../../domain/auth/permissions.ts";
import { SCOPES, type Scope } from "../../domain/auth/scopes.ts";
import { createSession, SESSION_COOKIE, signSessionCookie } from "../../domain/auth/sessions.ts";
import { newId } from "../../domain/ids.ts";
import type { Tenant } from "../../domain/tenancy.ts";
import type { Probe } from "./route-catalog.ts";
import { testEnv } from "./test-env.ts";
import { call, tokenFor } from "./world.ts";

export interface Caller {
  name: string;
  send(probe: Probe): Promise<Response>;
}

export const EVERY_SCOPE: Scope[] = [...SCOPES];

export async function tokenCaller(
  tenant: Tenant,
  scopes: Scope[] = EVERY_SCOPE,
  name?: string,
): Promise<Caller> {
  const token = await tokenFor(tenant, { scopes, subject: `caller-${crypto.randomUUID()}` });
  return {
    name: name ?? `token[${scopes.join(" ") || "no scope"}]`,
    send: (probe) => call(probe.method, probe.path, { token, body: probe.body, headers: probe.headers }),
  };
}

/**
 * A staff member holding `role` in `tenant` (and in `alsoIn`, when given), signed in through a fresh
 * session whose requests name `tenant`.
 */
export async function sessionCaller(tenant: Tenant, role: Role, alsoIn: Tenant[] = []): Promise<Caller> {
  const env = testEnv();
  const now = Date.now();
  const principalId = newId("principal", now);
  await env.CONTROL_DB.batch([
    env.CONTROL_DB.prepare(
      "INSERT INTO principals (id, kind, email, display_name, status, created_at, updated_at) VALUES (?, 'staff', ?, ?, 'active', ?, ?)",
    ).bind(principalId, `${role}-${principalId}@staff.test`, `Staff ${role}`, now, now),
    ...[tenant, ...alsoIn].map((granted) =>
      env.CONTROL_DB.prepare(
        "INSERT INTO grants (principal_id, tenant_id, role, granted_by, created_at, updated_at) VALUES (?, ?, ?, 'test', ?, ?)",
      ).bind(principalId, granted.id, role, now, now),
    ),
  ]);
  const session = await createSession(env.CONTROL_DB, { principalId, method: "dev" }, now);
  const cookie = `${SESSION_COOKIE}=${await signSessionCookie(env.SECRETS_ENCRYPTION_KEY, session.id)}`;
  return {
    name: `session[${role}]`,
    send: (probe) =>
      call(probe.method, probe.path, {
        body: probe.body,
        headers: {
          cookie,
          origin: "http://phoenix.test",
          "x-csrf-token": session.csrfToken,
          "x-phoenix-tenant": tenant.id,
          ...probe.headers,
        },
      }),
  };
}
