import { describe, expect, it } from "vitest";
import { SCOPES } from "../../../domain/auth/scopes.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, tokenFor } from "../../support/world.ts";

interface ClientBody {
  id: string;
  name: string;
  scopes: string[];
  status: string;
  created_at: number;
  created_by: string | null;
  last_used_at: number | null;
  revoked_at: number | null;
  client_secret?: string;
}

interface AuditRow {
  action: string;
  actor_type: string;
  actor_id: string;
  target_id: string;
  before: string | null;
  after: string | null;
}

async function admin() {
  const tenant = await createTenant();
  return { tenant, token: await tokenFor(tenant, { scopes: ["admin"], subject: "ops-admin" }) };
}

async function register(
  token: string,
  body: Record<string, unknown> = { name: "Platform", scopes: ["alerts:read"] },
) {
  const res = await call("POST", "/v1/clients", { token, body });
  expect(res.status).toBe(201);
  return (await res.json()) as ClientBody & { client_secret: string };
}

async function auditOf(tenantId: string): Promise<AuditRow[]> {
  const { results } = await testEnv()
    .CONTROL_DB.prepare(
      "SELECT action, actor_type, actor_id, target_id, before, after FROM admin_audit WHERE tenant_id = ? ORDER BY seq",
    )
    .bind(tenantId)
    .all<AuditRow>();
  return results;
}

describe("/v1/clients", () => {
  it("registers a client, shows its pcs_ secret once and stores only its SHA-256", async () => {
    const { tenant, token } = await admin();
    const created = await register(token, {
      name: "Platform",
      scopes: ["cases:read", "alerts:read", "cases:read"],
    });
    expect(created).toMatchObject({
      name: "Platform",
      // Known order, each once.
      scopes: ["alerts:read", "cases:read"],
      status: "active",
      last_used_at: null,
      revoked_at: null,
    });
    expect(created.id).toMatch(/^cli_[0-9a-z]{26}$/);
    expect(created.client_secret).toMatch(/^pcs_[A-Za-z0-9_-]{43}$/);
    expect(created.created_by).toContain("ops-admin");

    const listed = await call("GET", "/v1/clients", { token });
    const got = await call("GET", `/v1/clients/${created.id}`, { token });
    expect(listed.status).toBe(200);
    expect(got.status).toBe(200);
    const listedText = await listed.text();
    const gotText = await got.text();
    for (const text of [listedText, gotText]) {
      expect(text).toContain(created.id);
      expect(text).not.toContain(created.client_secret.slice(4));
      expect(text).not.toContain("secret");
    }
    expect((JSON.parse(listedText) as { data: ClientBody[] }).data.map((c) => c.id)).toEqual([created.id]);

    const row = await testEnv()
      .CONTROL_DB.prepare("SELECT tenant_id, secret_hash FROM machine_clients WHERE id = ?")
      .bind(created.id)
      .first<{ tenant_id: string; secret_hash: string }>();
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(created.client_secret)),
    );
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    expect(row).toEqual({ tenant_id: tenant.id, secret_hash: `sha256:${hex}` });

    const audit = await auditOf(tenant.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "client.created", actor_type: "client", target_id: created.id });
    expect(audit[0]?.before).toBeNull();
    expect(JSON.parse(audit[0]?.after ?? "null")).toMatchObject({
      id: created.id,
      scopes: ["alerts:read", "cases:read"],
    });
    for (const record of audit) {
      expect(JSON.stringify(record)).not.toContain(created.client_secret.slice(4));
      expect(JSON.stringify(record)).not.toContain(hex);
    }
  });

  it("revokes once, records it, and a second revoke is 409 that changes nothing", async () => {
    const { tenant, token } = await admin();
    const { id } = await register(token);
    const res = await call("POST", `/v1/clients/${id}/revoke`, { token });
    expect(res.status).toBe(200);
    const revoked = (await res.json()) as ClientBody;
    expect(revoked).toMatchObject({ id, status: "revoked" });
    expect(revoked.revoked_at).toEqual(expect.any(Number));

    const again = await call("POST", `/v1/clients/${id}/revoke`, { token });
    expect(again.status).toBe(409);
    expect(again.headers.get("content-type")).toBe("application/problem+json");
    expect(((await again.json()) as { code: string }).code).toBe("conflict");

    const audit = await auditOf(tenant.id);
    expect(audit.map((a) => a.action)).toEqual(["client.created", "client.revoked"]);
    expect(JSON.parse(audit[1]?.before ?? "null")).toMatchObject({ status: "active" });
    expect(JSON.parse(audit[1]?.after ?? "null")).toMatchObject({ status: "revoked" });
    const got = (await (await call("GET", `/v1/clients/${id}`, { token })).json()) as ClientBody;
    expect(got.status).toBe("revoked");
  });

  it("of two concurrent revokes one wins; the other is 409 and leaves no audit record", async () => {
    const { tenant, token } = await admin();
    const { id } = await register(token);
    const statuses = await Promise.all([
      call("POST", `/v1/clients/${id}/revoke`, { token }).then((r) => r.status),
      call("POST", `/v1/clients/${id}/revoke`, { token }).then((r) => r.status),
    ]);
    expect(statuses.sort()).toEqual([200, 409]);
    expect((await auditOf(tenant.id)).map((a) => a.action)).toEqual(["client.created", "client.revoked"]);
  });

  it("names each invalid field, an unknown scope by its value, and stores nothing", async () => {
    const { tenant, token } = await admin();
    const unknown = await call("POST", "/v1/clients", {
      token,
      body: { name: "Platform", scopes: ["alerts:read", "alerts:delete"] },
    });
    expect(unknown.status).toBe(422);
    const problem = (await unknown.json()) as { errors: Array<{ field: string; message: string }> };
    expect(problem.errors).toEqual([
      { field: "scopes[1]", message: expect.stringContaining('"alerts:delete"') },
    ]);

    const empty = await call("POST", "/v1/clients", { token, body: { name: " ", scopes: [] } });
    expect(empty.status).toBe(422);
    const fields = ((await empty.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
    expect(fields.sort()).toEqual(["name", "scopes"]);

    const extra = await call("POST", "/v1/clients", {
      token,
      body: { name: "Platform", scopes: ["alerts:read"], tenant_id: "tnt_other" },
    });
    expect(extra.status).toBe(422);
    expect((await call("GET", "/v1/clients/not-a-client", { token })).status).toBe(422);

    const stored = await testEnv()
      .CONTROL_DB.prepare("SELECT count(*) AS n FROM machine_clients WHERE tenant_id = ?")
      .bind(tenant.id)
      .first<number>("n");
    expect(stored).toBe(0);
    expect(await auditOf(tenant.id)).toEqual([]);
  });

  it("another tenant's client is 404 to read and to revoke, and stays active", async () => {
    const a = await admin();
    const { id } = await register(a.token);
    const b = await admin();
    expect((await call("GET", `/v1/clients/${id}`, { token: b.token })).status).toBe(404);
    expect((await call("POST", `/v1/clients/${id}/revoke`, { token: b.token })).status).toBe(404);
    const listed = (await (await call("GET", "/v1/clients", { token: b.token })).json()) as {
      data: unknown[];
    };
    expect(listed.data).toEqual([]);
    const got = (await (await call("GET", `/v1/clients/${id}`, { token: a.token })).json()) as ClientBody;
    expect(got.status).toBe("active");
    expect(await auditOf(b.tenant.id)).toEqual([]);
  });

  it("needs clients.manage: other scopes are 403", async () => {
    const { tenant, token } = await admin();
    const { id } = await register(token);
    const analyst = await tokenFor(tenant, {
      scopes: ["alerts:read", "alerts:write", "cases:read", "cases:write"],
    });
    expect((await call("GET", "/v1/clients", { token: analyst })).status).toBe(403);
    expect((await call("GET", `/v1/clients/${id}`, { token: analyst })).status).toBe(403);
    expect((await call("POST", `/v1/clients/${id}/revoke`, { token: analyst })).status).toBe(403);
    const res = await call("POST", "/v1/clients", { token: analyst, body: { name: "x", scopes: ["admin"] } });
    expect(res.status).toBe(403);
  });

  it("is documented in the OpenAPI document", async () => {
    const doc = (await (await call("GET", "/v1/openapi.json")).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown }>>;
    };
    expect(Object.keys(doc.paths["/clients"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(doc.paths["/clients"]?.post?.requestBody).toMatchObject({
      content: {
        "application/json": { schema: { properties: { scopes: { items: { enum: [...SCOPES] } } } } },
      },
    });
    expect(doc.paths["/clients/{id}"]?.get?.security).toEqual([{ bearerAuth: ["admin"] }]);
    expect(doc.paths["/clients/{id}/revoke"]?.post).toBeDefined();
  });
});
