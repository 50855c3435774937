// Each test builds its own world: a fresh tenant bound to one of the test databases, tokens
// minted for it, and requests sent through the real Worker entry point.
import type { D1Migration } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { importJWK, type JWK, SignJWT } from "jose";
import { SCOPES, type Scope } from "../../domain/auth/scopes.ts";
import { API_AUDIENCE, mintAccessToken, parseSigningKey } from "../../domain/auth/tokens.ts";
import { newId } from "../../domain/ids.ts";
import type { Tenant } from "../../domain/tenancy.ts";
import { applyMigrationsAtOnce } from "./migrate-at-once.ts";
import { testEnv } from "./test-env.ts";

/** Every scope but admin: what a token gets unless a test asks for something else. */
export const ALL_SCOPES: Scope[] = SCOPES.filter((s) => s !== "admin");

/**
 * Provisions a tenant as `phoenix tenant create` does: a database of its own (the next unused test
 * binding), migrated, and a row in CONTROL_DB naming it.
 */
export async function createTenant(): Promise<Tenant> {
  const env = testEnv();
  const used = await env.CONTROL_DB.prepare("SELECT d1_binding FROM tenants").all<{ d1_binding: string }>();
  const taken = new Set(used.results.map((r) => r.d1_binding));
  const binding = env.TEST_TENANT_BINDINGS.find((b) => !taken.has(b));
  if (!binding) throw new Error("every test tenant database is taken: mint fewer tenants per test file");
  await applyMigrationsAtOnce(env[binding] as D1Database, env.TEST_TENANT_MIGRATIONS as D1Migration[]);

  const now = Date.now();
  const id = newId("tenant", now);
  const tenant: Tenant = {
    id,
    slug: `t-${id.slice(-10)}`,
    name: `Test tenant ${id.slice(-6)}`,
    status: "active",
    d1Binding: binding,
    dailyIngestQuota: null,
    createdAt: now,
    updatedAt: now,
  };
  await env.CONTROL_DB.prepare(
    "INSERT INTO tenants (id, slug, name, status, d1_binding, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  )
    .bind(tenant.id, tenant.slug, tenant.name, tenant.status, tenant.d1Binding, now, now)
    .run();
  return tenant;
}

export function tenantDb(tenant: Tenant): D1Database {
  return testEnv()[tenant.d1Binding] as D1Database;
}

export interface TokenOptions {
  scopes?: Scope[];
  ttlSeconds?: number;
  subject?: string;
}

/** A token Phoenix itself issued, as `npm run phoenix -- token` prints. */
export async function tokenFor(tenant: Pick<Tenant, "id">, options: TokenOptions = {}): Promise<string> {
  const env = testEnv();
  return mintAccessToken({
    key: parseSigningKey(env.PHOENIX_SIGNING_JWK),
    issuer: env.PHOENIX_ISSUER,
    subject: options.subject ?? "test-client",
    tenantId: tenant.id,
    scopes: options.scopes ?? ALL_SCOPES,
    ttlSeconds: options.ttlSeconds ?? 600,
    now: Date.now(),
  });
}

/** Signs arbitrary claims and header with Phoenix's key (or another), for token-abuse tests. */
export async function signRaw(
  claims: Record<string, unknown>,
  header: { alg?: string; kid?: string } = {},
  key?: JWK & { kid: string; alg: string },
): Promise<string> {
  const jwk = key ?? parseSigningKey(testEnv().PHOENIX_SIGNING_JWK).jwk;
  const alg = header.alg ?? jwk.alg;
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid: header.kid ?? jwk.kid })
    .sign(await importJWK(jwk, alg));
}

export function standardClaims(
  tenantId: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: testEnv().PHOENIX_ISSUER,
    aud: API_AUDIENCE,
    sub: "test-client",
    tid: tenantId,
    scope: ALL_SCOPES.join(" "),
    iat: now,
    nbf: now,
    exp: now + 600,
    ...overrides,
  };
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** Sends a request through the Worker's own fetch handler. */
export async function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return exports.default.fetch(new Request(`http://phoenix.test${path}`, { method, headers, body }));
}
