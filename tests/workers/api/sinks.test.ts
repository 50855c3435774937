// /v1/sinks: where a tenant's cases are kept in sync. Happy paths, bad input (problem+json naming
// the field, nothing changed) and the security properties: credentials never come back out, and
// another tenant's sink is a 404.
import { describe, expect, it } from "vitest";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, tokenFor } from "../../support/world.ts";

interface SinkView {
  id: string;
  kind: string;
  name: string;
  status: string;
  config: Record<string, unknown>;
}

async function admin() {
  const tenant = await createTenant();
  return { tenant, token: await tokenFor(tenant, { scopes: ["admin"] }) };
}

const JIRA = {
  kind: "jira",
  name: "Customer Jira",
  config: {
    site_url: "https://acme.atlassian.net",
    auth: { type: "api_token", email: "phoenix-bot@acme.example" },
    project_key: "SOC",
    issue_type: "Incident",
    priorities: { P1: "Highest", P2: "High" },
    transitions: { acknowledged: "Start progress", resolved: "Resolve", closed: "Close" },
  },
  credentials: { api_token: "ATATT3xFfGF0-jira-token-do-not-leak" },
};

const SALESFORCE = {
  kind: "salesforce",
  name: "Account team",
  config: {
    instance_url: "https://acme.my.salesforce.com",
    client_id: "3MVG9-connected-app",
    external_id_field: "Phoenix_Case_Id__c",
  },
  credentials: { client_secret: "sf-secret-do-not-leak" },
};

const PLATFORM = {
  kind: "platform",
  name: "Customer platform",
  config: { url: "https://platform.example.com/hooks/phoenix", event_types: ["case.*"] },
};

async function create(token: string, body: Record<string, unknown>) {
  const res = await call("POST", "/v1/sinks", { token, body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { sink: SinkView; secret?: string };
}

async function auditActions(token: string): Promise<string[]> {
  const res = await call("GET", "/v1/audit?limit=100", { token });
  const page = (await res.json()) as { data: Array<{ action: string; after: unknown; before: unknown }> };
  return page.data.map((r) => r.action);
}

describe("/v1/sinks: happy paths", () => {
  it("adds a sink of each kind; credentials are stored encrypted and never returned", async () => {
    const { token } = await admin();
    const jira = await create(token, JIRA);
    const sf = await create(token, SALESFORCE);
    const platform = await create(token, PLATFORM);
    expect(jira.sink).toMatchObject({
      kind: "jira",
      status: "active",
      config: { project_key: "SOC", comments: "customer" },
    });
    expect(jira.secret).toBeUndefined();
    // The Platform's signing secret is minted by Phoenix and shown in this one response.
    expect(platform.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const listed = await (await call("GET", "/v1/sinks", { token })).text();
    const got = await (await call("GET", `/v1/sinks/${jira.sink.id}`, { token })).text();
    const audit = await (await call("GET", "/v1/audit?limit=100", { token })).text();
    for (const text of [listed, got, audit]) {
      expect(text).not.toContain("do-not-leak");
      expect(text).not.toContain(platform.secret?.slice(6, 20));
      expect(text).not.toContain("ciphertext");
    }
    expect(JSON.parse(listed).data.map((s: SinkView) => s.id)).toEqual([
      jira.sink.id,
      sf.sink.id,
      platform.sink.id,
    ]);
    const stored = await testEnv()
      .CONTROL_DB.prepare("SELECT credentials_ciphertext FROM sinks WHERE id = ?")
      .bind(jira.sink.id)
      .first<string>("credentials_ciphertext");
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain("do-not-leak");
  });

  it("renames, reconfigures, replaces credentials, disables and deletes, each in the admin audit", async () => {
    const { token } = await admin();
    const { sink } = await create(token, JIRA);
    const patched = await call("PATCH", `/v1/sinks/${sink.id}`, {
      token,
      body: {
        name: "SOC Jira",
        config: { ...JIRA.config, project_key: "SECOPS", comments: "all" },
        credentials: { api_token: "a-new-token-do-not-leak" },
        status: "disabled",
      },
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      name: "SOC Jira",
      status: "disabled",
      config: { project_key: "SECOPS", comments: "all" },
    });
    expect((await call("DELETE", `/v1/sinks/${sink.id}`, { token })).status).toBe(204);
    expect((await call("GET", `/v1/sinks/${sink.id}`, { token })).status).toBe(404);
    expect(await auditActions(token)).toEqual(
      expect.arrayContaining(["sink.created", "sink.disabled.credentials", "sink.deleted"]),
    );
  });

  it("allows http to the loopback address outside deployment, where the vendor mocks run", async () => {
    const { token } = await admin();
    await create(token, { ...PLATFORM, config: { url: "http://127.0.0.1:9123/hooks" } });
  });
});

describe("/v1/sinks: bad input changes nothing", () => {
  const cases: Array<[what: string, body: Record<string, unknown>, field: string]> = [
    ["an unknown kind", { ...PLATFORM, kind: "servicenow" }, "kind"],
    [
      "an unknown config key (a secret in the wrong place)",
      { ...JIRA, config: { ...JIRA.config, api_token: "x" } },
      "config.api_token",
    ],
    [
      "a project key Jira would refuse",
      { ...JIRA, config: { ...JIRA.config, project_key: "soc ops" } },
      "config.project_key",
    ],
    [
      "a transition for a state Phoenix does not have",
      { ...JIRA, config: { ...JIRA.config, transitions: { done: "Done" } } },
      "config.transitions.done",
    ],
    ["a missing API token", { ...JIRA, credentials: {} }, "credentials.api_token"],
    [
      "a credential the kind does not use",
      { ...PLATFORM, credentials: { client_secret: "x" } },
      "credentials.client_secret",
    ],
    [
      "plain http to a public host",
      { ...PLATFORM, config: { url: "http://platform.example.com/hooks" } },
      "config.url",
    ],
    ["a private address", { ...PLATFORM, config: { url: "https://10.0.0.7/hooks" } }, "config.url"],
    [
      "the metadata address",
      { ...SALESFORCE, config: { ...SALESFORCE.config, instance_url: "http://169.254.169.254/" } },
      "config.instance_url",
    ],
    [
      "a Salesforce field that is not an external id",
      { ...SALESFORCE, config: { ...SALESFORCE.config, external_id_field: "Id" } },
      "config.external_id_field",
    ],
  ];

  // One tenant for the whole table: every refusal leaves it with no sink at all.
  const shared = admin();
  it.each(cases)("refuses %s with a 422 naming the field", async (_what, body, field) => {
    const { token } = await shared;
    const res = await call("POST", "/v1/sinks", { token, body });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const problem = (await res.json()) as { errors?: Array<{ field: string }> };
    expect(problem.errors?.map((e) => e.field)).toContain(field);
    expect((await (await call("GET", "/v1/sinks", { token })).json()) as { data: unknown[] }).toEqual({
      data: [],
    });
  });

  it("refuses a patch that would make a sink unusable, and keeps the sink as it was", async () => {
    const { token } = await admin();
    const { sink } = await create(token, JIRA);
    const res = await call("PATCH", `/v1/sinks/${sink.id}`, {
      token,
      body: { config: { ...JIRA.config, site_url: "https://[::1]/" } },
    });
    expect(res.status).toBe(422);
    expect(await (await call("GET", `/v1/sinks/${sink.id}`, { token })).json()).toMatchObject({
      config: { site_url: "https://acme.atlassian.net" },
    });
  });
});

describe("/v1/sinks: security", () => {
  it("answers 404 for another tenant's sink, and changes nothing there", async () => {
    const owner = await admin();
    const other = await admin();
    const { sink } = await create(owner.token, PLATFORM);
    for (const [method, body] of [["GET"], ["PATCH", { name: "mine now" }], ["DELETE"]] as const) {
      const res = await call(method, `/v1/sinks/${sink.id}`, {
        token: other.token,
        ...(body ? { body } : {}),
      });
      expect(res.status).toBe(404);
    }
    expect(await (await call("GET", `/v1/sinks/${sink.id}`, { token: owner.token })).json()).toMatchObject({
      name: "Customer platform",
    });
  });

  it("is administration: a token without the admin scope is refused", async () => {
    const { tenant } = await admin();
    const reader = await tokenFor(tenant, { scopes: ["cases:read", "cases:write"] });
    expect((await call("GET", "/v1/sinks", { token: reader })).status).toBe(403);
    expect((await call("POST", "/v1/sinks", { token: reader, body: PLATFORM })).status).toBe(403);
  });
});
