// POST /v1/sinks/{id}/test against each vendor as it answers (Jira REST v3 /myself and createmeta,
// Salesforce client credentials and Case describe, a Platform receiver verifying the Standard
// Webhooks signature), played by the test isolate's fetch on loopback addresses, which only local
// configurations allow. Each failure is reported as a check an admin can act on, never a 5xx.
import { afterEach, describe, expect, it, vi } from "vitest";
import { verifyWebhook } from "../../../domain/webhooks/standard-webhooks.ts";
import { call, createTenant, tokenFor } from "../../support/world.ts";

const JIRA = "http://127.0.0.1:4101";
const SALESFORCE = "http://127.0.0.1:4102";
const PLATFORM = "http://127.0.0.1:4103/hooks";

interface Vendors {
  jiraToken: string;
  platformSecret: string | null;
  platformStatus: number;
  received: string[];
  sfExternalId: boolean;
}

function installVendors(v: Vendors) {
  const real = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const json = (body: unknown, status = 200) => Response.json(body, { status });
    if (url.origin === JIRA) {
      if (request.headers.get("authorization") !== `Basic ${btoa(`bot@acme.example:${v.jiraToken}`)}`)
        return json({ errorMessages: ["Client must be authenticated to access this resource."] }, 401);
      if (url.pathname === "/rest/api/3/myself")
        return json({ accountId: "5b10ac8d82e05b22cc7d4ef5", displayName: "Phoenix bot" });
      if (url.pathname === "/rest/api/3/issue/createmeta/SOC/issuetypes")
        return json({
          issueTypes: [
            { id: "10001", name: "Incident" },
            { id: "10002", name: "Task" },
          ],
          maxResults: 200,
          startAt: 0,
          total: 2,
        });
      if (url.pathname === "/rest/api/3/issue/createmeta/SOC/issuetypes/10001")
        return json({
          fields: [
            { fieldId: "customfield_10042", key: "customfield_10042", name: "Severity", required: false },
          ],
          maxResults: 200,
          startAt: 0,
          total: 1,
        });
      return json({ errorMessages: ["No project could be found with key."] }, 404);
    }
    if (url.origin === SALESFORCE) {
      if (url.pathname === "/services/oauth2/token") {
        const form = new URLSearchParams(await request.text());
        if (form.get("grant_type") !== "client_credentials" || form.get("client_secret") !== "sf-secret")
          return json({ error: "invalid_client", error_description: "invalid client credentials" }, 400);
        return json({
          access_token: "00Dxx!token",
          instance_url: SALESFORCE,
          token_type: "Bearer",
          issued_at: "1796330000000",
        });
      }
      if (
        url.pathname === "/services/data/v62.0/sobjects/Case/describe" &&
        request.headers.get("authorization") === "Bearer 00Dxx!token"
      )
        return json({
          name: "Case",
          fields: [
            { name: "Subject" },
            { name: "Description" },
            { name: "Status" },
            { name: "Priority" },
            { name: "Phoenix_Case_Id__c", externalId: v.sfExternalId },
          ],
        });
      return json([{ errorCode: "NOT_FOUND", message: "The requested resource does not exist" }], 404);
    }
    if (url.origin === new URL(PLATFORM).origin) {
      const body = await request.text();
      const verified = await verifyWebhook(body, Object.fromEntries(request.headers), [
        v.platformSecret ?? "",
      ]);
      if (!verified.ok) return new Response("bad signature", { status: 401 });
      v.received.push(verified.webhookId);
      return new Response(null, { status: v.platformStatus });
    }
    return real(input, init);
  });
}

afterEach(() => vi.restoreAllMocks());

async function admin() {
  const tenant = await createTenant();
  return tokenFor(tenant, { scopes: ["admin"] });
}

async function sinkTest(token: string, body: Record<string, unknown>) {
  const created = await call("POST", "/v1/sinks", { token, body });
  expect(created.status, await created.clone().text()).toBe(201);
  const { sink, secret } = (await created.json()) as { sink: { id: string }; secret?: string };
  return {
    secret: secret ?? null,
    run: async () => {
      const res = await call("POST", `/v1/sinks/${sink.id}/test`, { token });
      expect(res.status).toBe(200);
      return (await res.json()) as {
        ok: boolean;
        checks: Array<{ name: string; ok: boolean; detail: string }>;
      };
    },
  };
}

const jira = (over: Record<string, unknown> = {}, token = "good-token") => ({
  kind: "jira",
  name: "Jira",
  config: {
    site_url: JIRA,
    auth: { type: "api_token", email: "bot@acme.example" },
    project_key: "SOC",
    issue_type: "Incident",
    custom_fields: { severity: "customfield_10042" },
    ...over,
  },
  credentials: { api_token: token },
});

describe("POST /v1/sinks/{id}/test", () => {
  it("passes a Jira sink whose credentials, project, issue type and custom fields are right", async () => {
    const vendors: Vendors = {
      jiraToken: "good-token",
      platformSecret: null,
      platformStatus: 204,
      received: [],
      sfExternalId: true,
    };
    installVendors(vendors);
    const result = await (await sinkTest(await admin(), jira())).run();
    expect(result).toEqual({
      ok: true,
      checks: [
        { name: "sign-in", ok: true, detail: "signed in to Jira as Phoenix bot" },
        { name: "project", ok: true, detail: "project SOC takes Incident issues" },
        { name: "fields", ok: true, detail: "every mapped custom field is on the Incident create screen" },
      ],
    });
  });

  it("says what is wrong with a Jira sink, one actionable sentence per failure", async () => {
    installVendors({
      jiraToken: "good-token",
      platformSecret: null,
      platformStatus: 204,
      received: [],
      sfExternalId: true,
    });
    const token = await admin();
    const wrong = async (body: Record<string, unknown>) =>
      (await (await sinkTest(token, body)).run()).checks.at(-1);
    expect(await wrong(jira({}, "stale-token"))).toEqual({
      name: "sign-in",
      ok: false,
      detail: "Jira refused the credentials: check the email and API token",
    });
    expect(await wrong(jira({ project_key: "NOPE" }))).toMatchObject({ name: "project", ok: false });
    expect((await wrong(jira({ issue_type: "Bug" })))?.detail).toBe(
      'project SOC has no issue type "Bug" (it has: Incident, Task)',
    );
    expect((await wrong(jira({ custom_fields: { tenant: "customfield_99999" } })))?.detail).toBe(
      "not on the Incident create screen: customfield_99999 (for tenant)",
    );
  });

  it("checks a Salesforce sink's client credentials and its external id field on Case", async () => {
    const vendors: Vendors = {
      jiraToken: "",
      platformSecret: null,
      platformStatus: 204,
      received: [],
      sfExternalId: true,
    };
    installVendors(vendors);
    const token = await admin();
    const body = {
      kind: "salesforce",
      name: "SF",
      config: { instance_url: SALESFORCE, client_id: "3MVG9", external_id_field: "Phoenix_Case_Id__c" },
      credentials: { client_secret: "sf-secret" },
    };
    expect((await (await sinkTest(token, body)).run()).ok).toBe(true);
    vendors.sfExternalId = false;
    expect((await (await sinkTest(token, body)).run()).checks.at(-1)).toEqual({
      name: "external id",
      ok: false,
      detail: "Phoenix_Case_Id__c is not flagged External ID on Case",
    });
    const refused = await (await sinkTest(token, { ...body, credentials: { client_secret: "wrong" } })).run();
    expect(refused.checks).toEqual([
      expect.objectContaining({
        name: "sign-in",
        ok: false,
        detail: expect.stringMatching(/refused the client credentials \(400\)/),
      }),
    ]);
  });

  it("delivers one signed test event to a Platform sink, and reports a receiver that refuses it", async () => {
    const vendors: Vendors = {
      jiraToken: "",
      platformSecret: null,
      platformStatus: 204,
      received: [],
      sfExternalId: true,
    };
    installVendors(vendors);
    const token = await admin();
    const platform = await sinkTest(token, { kind: "platform", name: "Platform", config: { url: PLATFORM } });
    vendors.platformSecret = platform.secret;
    expect((await platform.run()).checks).toEqual([
      { name: "delivery", ok: true, detail: `${PLATFORM} accepted a signed test event (204)` },
    ]);
    expect(vendors.received).toHaveLength(1);
    vendors.platformStatus = 410;
    expect((await platform.run()).checks[0]).toMatchObject({
      ok: false,
      detail: `${PLATFORM} answered 410 to a signed test event`,
    });
  });
});
