import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, tokenFor } from "../../support/world.ts";

interface Created {
  connector: {
    id: string;
    kind: string;
    name: string;
    status: string;
    previous_secret_expires_at: number | null;
  };
  secret: string;
  ingest_url: string;
}

async function admin() {
  const tenant = await createTenant();
  return { tenant, token: await tokenFor(tenant, { scopes: ["admin"] }) };
}

async function create(token: string, body: Record<string, unknown> = { kind: "ocsf", name: "EDR findings" }) {
  const res = await call("POST", "/v1/connectors", { token, body });
  expect(res.status).toBe(201);
  return (await res.json()) as Created;
}

describe("/v1/connectors", () => {
  it("creates a connector and shows its whsec_ secret once, stored encrypted", async () => {
    const { token } = await admin();
    const created = await create(token);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.ingest_url).toBe(`http://phoenix.test/ingest/${created.connector.id}`);

    const listed = await (await call("GET", "/v1/connectors", { token })).text();
    const got = await (await call("GET", `/v1/connectors/${created.connector.id}`, { token })).text();
    for (const text of [listed, got]) {
      expect(text).toContain(created.connector.id);
      expect(text).not.toContain(created.secret.slice(6, 20));
      expect(text).not.toContain("secret_ciphertext");
    }
    const row = await testEnv()
      .CONTROL_DB.prepare("SELECT secret_ciphertext FROM connectors WHERE id = ?")
      .bind(created.connector.id)
      .first<string>("secret_ciphertext");
    expect(row).toMatch(/^v1\./);
    expect(row).not.toContain(created.secret.slice(6));
  });

  it("renames, disables and deletes", async () => {
    const { token } = await admin();
    const { connector } = await create(token, {
      kind: "ai-activity",
      name: "Copilot telemetry",
      config: { correlationWindowMs: 600000 },
    });
    const patched = await call("PATCH", `/v1/connectors/${connector.id}`, {
      token,
      body: { name: "AI feed", status: "disabled" },
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      name: "AI feed",
      status: "disabled",
      config: { correlationWindowMs: 600000 },
    });
    expect((await call("DELETE", `/v1/connectors/${connector.id}`, { token })).status).toBe(204);
    expect((await call("GET", `/v1/connectors/${connector.id}`, { token })).status).toBe(404);
  });

  it("rotates the secret and keeps the previous one valid for the grace period", async () => {
    const { token } = await admin();
    const first = await create(token);
    const res = await call("POST", `/v1/connectors/${first.connector.id}/rotate-secret`, {
      token,
      body: { grace_seconds: 3600 },
    });
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as Created;
    expect(rotated.secret).not.toBe(first.secret);
    expect(rotated.connector.previous_secret_expires_at).toBeGreaterThan(Date.now() + 3_500_000);
  });

  it("names invalid fields, including the kind's own configuration", async () => {
    const { token } = await admin();
    const res = await call("POST", "/v1/connectors", { token, body: { kind: "splunk", name: "" } });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { errors: Array<{ field: string }> };
    expect(body.errors.map((e) => e.field).sort()).toEqual(["kind", "name"]);

    const badConfig = await call("POST", "/v1/connectors", {
      token,
      body: { kind: "ai-activity", name: "AI", config: { correlationWindowMs: 10 } },
    });
    expect(badConfig.status).toBe(422);
    expect(((await badConfig.json()) as { errors: Array<{ field: string }> }).errors[0]?.field).toBe(
      "config.correlationWindowMs",
    );
    const { connector } = await create(token, { kind: "ai-activity", name: "AI" });
    const badPatch = await call("PATCH", `/v1/connectors/${connector.id}`, {
      token,
      body: { config: { correlationWindowMs: -1 } },
    });
    expect(badPatch.status).toBe(422);
  });

  it("another tenant's connector is 404, and only admin may manage connectors", async () => {
    const { token } = await admin();
    const { connector } = await create(token);
    const other = await admin();
    expect((await call("GET", `/v1/connectors/${connector.id}`, { token: other.token })).status).toBe(404);
    expect((await call("DELETE", `/v1/connectors/${connector.id}`, { token: other.token })).status).toBe(404);
    expect(
      (await call("POST", `/v1/connectors/${connector.id}/rotate-secret`, { token: other.token })).status,
    ).toBe(404);
    const analyst = await tokenFor(other.tenant, { scopes: ["alerts:read", "alerts:write", "cases:write"] });
    expect((await call("GET", "/v1/connectors", { token: analyst })).status).toBe(403);
  });
});

describe("/v1/connectors/{id}/m365-pull", () => {
  const settings = {
    tenant_id: "408e31c8-8f05-410a-9221-84335f0ce512",
    client_id: "5f0c2a1e-3b7d-4c55-9e21-0d8a4f7b1c01",
    client_secret: "m365-very-secret-value",
  };

  it("stores the app registration with its secret encrypted, and another tenant restarts the pull", async () => {
    const { token } = await admin();
    const { connector } = await create(token, { kind: "m365-copilot", name: "Copilot audit" });
    const res = await call("PUT", `/v1/connectors/${connector.id}/m365-pull`, { token, body: settings });
    expect(res.status).toBe(200);
    const text = await (await call("GET", `/v1/connectors/${connector.id}`, { token })).text();
    expect(text).not.toContain("m365-very-secret-value");
    expect(text).not.toContain("Ciphertext");
    expect(JSON.parse(text)).toMatchObject({
      config: {
        pull: { tenantId: settings.tenant_id, clientId: settings.client_id, has_client_secret: true },
      },
    });
    await env.CONTROL_DB.prepare(
      "UPDATE connectors SET config = json_set(config, '$.pull.cursor', json('{\"since\":\"2026-12-01T00:00:00.000Z\",\"seen\":[]}'), '$.pull.subscribed', json('true')) WHERE id = ?",
    )
      .bind(connector.id)
      .run();
    const moved = await call("PUT", `/v1/connectors/${connector.id}/m365-pull`, {
      token,
      body: { ...settings, tenant_id: "11111111-2222-4333-8444-555555555555" },
    });
    const pull = ((await moved.json()) as { config: { pull: Record<string, unknown> } }).config.pull;
    expect(pull.cursor).toBeUndefined();
    expect(pull.subscribed).toBeUndefined();
  });

  it("names bad fields, refuses other kinds (422) and other tenants (404)", async () => {
    const { token } = await admin();
    const { connector } = await create(token, { kind: "m365-copilot", name: "Copilot audit" });
    const bad = await call("PUT", `/v1/connectors/${connector.id}/m365-pull`, {
      token,
      body: { ...settings, tenant_id: "contoso.onmicrosoft.com" },
    });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: Array<{ field: string }> }).errors[0]?.field).toBe("tenant_id");
    const ocsf = await create(token);
    expect(
      (await call("PUT", `/v1/connectors/${ocsf.connector.id}/m365-pull`, { token, body: settings })).status,
    ).toBe(422);
    const other = await admin();
    expect(
      (await call("PUT", `/v1/connectors/${connector.id}/m365-pull`, { token: other.token, body: settings }))
        .status,
    ).toBe(404);
  });
});

describe("/v1/connectors/{id}/ai-defense-pull", () => {
  const settings = { api_key: "aid-7f1c-management-key", region: "eu" };

  it("stores the key encrypted, shows only that there is one, and keeps it across a config change", async () => {
    const { token } = await admin();
    const { connector } = await create(token, { kind: "cisco-ai-defense", name: "AI Defense" });
    const res = await call("PUT", `/v1/connectors/${connector.id}/ai-defense-pull`, {
      token,
      body: settings,
    });
    expect(res.status).toBe(200);
    const text = await (await call("GET", `/v1/connectors/${connector.id}`, { token })).text();
    expect(text).not.toContain("aid-7f1c-management-key");
    expect(text).not.toContain("Ciphertext");
    expect(JSON.parse(text)).toMatchObject({ config: { pull: { region: "eu", has_api_key: true } } });

    const patched = await call("PATCH", `/v1/connectors/${connector.id}`, {
      token,
      body: { config: { correlationWindowMs: 600_000, pull: { pageSize: 50 } } },
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { config: unknown }).config).toMatchObject({
      correlationWindowMs: 600_000,
      pull: { region: "eu", pageSize: 50, has_api_key: true },
    });
    const smuggled = await call("PATCH", `/v1/connectors/${connector.id}`, {
      token,
      body: { config: { pull: { apiKeyCiphertext: "x" } } },
    });
    expect(smuggled.status).toBe(422);
  });

  it("names bad fields, refuses other kinds (422) and other tenants (404)", async () => {
    const { token } = await admin();
    const { connector } = await create(token, { kind: "cisco-ai-defense", name: "AI Defense" });
    const bad = await call("PUT", `/v1/connectors/${connector.id}/ai-defense-pull`, {
      token,
      body: { ...settings, region: "mars" },
    });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: Array<{ field: string }> }).errors[0]?.field).toBe("region");
    const xdr = await create(token, { kind: "cisco-xdr", name: "XDR" });
    const wrongKind = await call("PUT", `/v1/connectors/${xdr.connector.id}/ai-defense-pull`, {
      token,
      body: settings,
    });
    expect(wrongKind.status).toBe(422);
    expect(((await wrongKind.json()) as { errors: Array<{ field: string }> }).errors[0]?.field).toBe("kind");
    const other = await admin();
    const foreign = await call("PUT", `/v1/connectors/${connector.id}/ai-defense-pull`, {
      token: other.token,
      body: settings,
    });
    expect(foreign.status).toBe(404);
    const unchanged = await (await call("GET", `/v1/connectors/${connector.id}`, { token })).json();
    expect((unchanged as { config: { pull?: unknown } }).config.pull).toBeUndefined();
  });
});

describe("/v1/connectors/{id}/xdr-pull", () => {
  const credentials = {
    client_id: "client-7f1c",
    client_password: "s3cret-pass-word",
    region: "eu",
    org_id: "org-1",
  };

  it("stores the pull client encrypted, shows who Phoenix signs in as, and survives a config change", async () => {
    const { token } = await admin();
    const { connector } = await create(token, { kind: "cisco-xdr", name: "XDR" });
    const res = await call("PUT", `/v1/connectors/${connector.id}/xdr-pull`, { token, body: credentials });
    expect(res.status).toBe(200);
    const text = await (await call("GET", `/v1/connectors/${connector.id}`, { token })).text();
    expect(text).not.toContain("s3cret-pass-word");
    expect(text).not.toContain("Ciphertext");
    expect(JSON.parse(text)).toMatchObject({
      config: { pull: { clientId: "client-7f1c", region: "eu", orgId: "org-1", has_client_password: true } },
    });

    const patched = await call("PATCH", `/v1/connectors/${connector.id}`, { token, body: { config: {} } });
    expect(
      ((await patched.json()) as { config: { pull?: { clientId: string } } }).config.pull?.clientId,
    ).toBe("client-7f1c");
    const smuggled = await call("PATCH", `/v1/connectors/${connector.id}`, {
      token,
      body: { config: { pull: { clientId: "x" } } },
    });
    expect(smuggled.status).toBe(422);
  });

  it("names bad fields, refuses other kinds and other tenants", async () => {
    const { token } = await admin();
    const { connector } = await create(token, { kind: "cisco-xdr", name: "XDR" });
    const bad = await call("PUT", `/v1/connectors/${connector.id}/xdr-pull`, {
      token,
      body: { ...credentials, region: "mars" },
    });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: Array<{ field: string }> }).errors[0]?.field).toBe("region");
    const ocsf = await create(token);
    expect(
      (await call("PUT", `/v1/connectors/${ocsf.connector.id}/xdr-pull`, { token, body: credentials }))
        .status,
    ).toBe(422);
    const other = await admin();
    expect(
      (
        await call("PUT", `/v1/connectors/${connector.id}/xdr-pull`, {
          token: other.token,
          body: credentials,
        })
      ).status,
    ).toBe(404);
  });
});
