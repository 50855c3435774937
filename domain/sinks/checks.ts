// `POST /v1/sinks/{id}/test`: signs in to the sink's real endpoint and checks the configuration
// against what the endpoint says, reporting each check in words an admin can act on. Nothing is
// written to Jira or Salesforce; the Platform receives one signed `sink.test` event.
import { signWebhook } from "../webhooks/standard-webhooks.ts";
import type { SinkCredentials } from "./config.ts";
import {
  ATLASSIAN_TOKEN_URL,
  apiTokenSession,
  type JiraConfig,
  type JiraSession,
  oauthRefresh,
  oauthSession,
} from "./jira-client.ts";
import { guardedFetch, type HostResolver, type OutboundPolicy, OutboundRefused } from "./outbound-url.ts";
import type { SinkRow, StoredCredentials } from "./service.ts";

export interface SinkCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SinkCheckContext {
  policy: OutboundPolicy;
  resolve: HostResolver;
  fetch?: typeof fetch;
  now: number;
  /** Per call; the check as a whole makes a handful. */
  timeoutMs?: number;
}

type Json = Record<string, unknown>;

/** Jira's and Salesforce's REST version pins (see shared/contracts). */
export const SALESFORCE_API_VERSION = "v62.0";

class CheckFailed extends Error {}

export async function checkSink(
  row: SinkRow,
  credentials: StoredCredentials,
  ctx: SinkCheckContext,
): Promise<{ ok: boolean; checks: SinkCheck[] }> {
  const checks: SinkCheck[] = [];
  const pass = (name: string, detail: string) => checks.push({ name, ok: true, detail });
  const fail = (name: string, detail: string): never => {
    checks.push({ name, ok: false, detail });
    throw new CheckFailed(detail);
  };
  const call = async (name: string, url: string, init: RequestInit): Promise<Response> => {
    try {
      return await guardedFetch(
        url,
        { ...init, timeoutMs: ctx.timeoutMs ?? 10_000 },
        { policy: ctx.policy, resolve: ctx.resolve, ...(ctx.fetch ? { fetch: ctx.fetch } : {}) },
      );
    } catch (error) {
      if (error instanceof OutboundRefused)
        return fail(name, `Phoenix will not call ${error.url}: ${error.why}`);
      const timedOut =
        error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      return fail(
        name,
        timedOut ? `${url} did not answer in time` : `${url} could not be reached: ${String(error)}`,
      );
    }
  };
  try {
    if (row.kind === "platform") await checkPlatform(row, credentials, ctx, call, pass, fail);
    else if (row.kind === "jira") await checkJira(row, credentials, call, pass, fail);
    else await checkSalesforce(row, credentials, call, pass, fail);
  } catch (error) {
    if (!(error instanceof CheckFailed)) throw error;
  }
  return { ok: checks.every((c) => c.ok), checks };
}

type Call = (name: string, url: string, init: RequestInit) => Promise<Response>;
type Pass = (name: string, detail: string) => void;
type Fail = (name: string, detail: string) => never;

async function checkPlatform(
  row: SinkRow,
  credentials: StoredCredentials,
  ctx: SinkCheckContext,
  call: Call,
  pass: Pass,
  fail: Fail,
): Promise<void> {
  const url = String(row.config.url);
  const id = `test_${row.id}_${ctx.now}`;
  const body = JSON.stringify({ type: "sink.test", id, sink_id: row.id, at: ctx.now });
  const timestamp = Math.floor(ctx.now / 1000);
  const response = await call("delivery", url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signWebhook(credentials.signing_secret ?? "", id, timestamp, body),
    },
    body,
  });
  if (!response.ok) fail("delivery", `${url} answered ${response.status} to a signed test event`);
  pass("delivery", `${url} accepted a signed test event (${response.status})`);
}

async function checkJira(
  row: SinkRow,
  credentials: SinkCredentials,
  call: Call,
  pass: Pass,
  fail: Fail,
): Promise<void> {
  const config = row.config as unknown as JiraConfig;
  let session: JiraSession;
  const refresh = oauthRefresh(config, credentials);
  if (refresh === null) session = apiTokenSession(config, credentials);
  else {
    const token = await call("sign-in", ATLASSIAN_TOKEN_URL, refresh);
    if (!token.ok) fail("sign-in", `Atlassian refused the OAuth client or refresh token (${token.status})`);
    const { access_token } = (await token.json()) as { access_token?: string };
    session = oauthSession(config, access_token ?? "");
  }
  const { base, authorization } = session;
  const get = (name: string, path: string) =>
    call(name, `${base}${path}`, { method: "GET", headers: { authorization, accept: "application/json" } });

  const me = await get("sign-in", "/rest/api/3/myself");
  if (me.status === 401) fail("sign-in", "Jira refused the credentials: check the email and API token");
  if (!me.ok) fail("sign-in", `Jira answered ${me.status} to /rest/api/3/myself`);
  const who = (await me.json()) as { displayName?: string; accountId?: string };
  pass("sign-in", `signed in to Jira as ${who.displayName ?? who.accountId ?? "an unnamed account"}`);

  const project = encodeURIComponent(config.project_key);
  const types = await get("project", `/rest/api/3/issue/createmeta/${project}/issuetypes?maxResults=200`);
  if (types.status === 404 || types.status === 403)
    fail(
      "project",
      `project ${config.project_key} does not exist or this account cannot create issues in it`,
    );
  if (!types.ok)
    fail("project", `Jira answered ${types.status} listing the issue types of ${config.project_key}`);
  const listed =
    ((await types.json()) as { issueTypes?: Array<{ id: string; name: string }> }).issueTypes ?? [];
  const issueType = listed.find((t) => t.name.toLowerCase() === config.issue_type.toLowerCase());
  if (!issueType) {
    fail(
      "issue type",
      `project ${config.project_key} has no issue type "${config.issue_type}" (it has: ${listed.map((t) => t.name).join(", ") || "none"})`,
    );
    return;
  }
  pass("project", `project ${config.project_key} takes ${issueType.name} issues`);

  const wanted = Object.entries(config.custom_fields ?? {});
  if (wanted.length === 0) return;
  const fields = await get(
    "fields",
    `/rest/api/3/issue/createmeta/${project}/issuetypes/${encodeURIComponent(issueType.id)}?maxResults=200`,
  );
  if (!fields.ok) fail("fields", `Jira answered ${fields.status} listing the fields of ${issueType.name}`);
  const known = new Set(
    (((await fields.json()) as { fields?: Array<{ fieldId: string }> }).fields ?? []).map((f) => f.fieldId),
  );
  const missing = wanted.filter(([, id]) => !known.has(id));
  if (missing.length > 0)
    fail(
      "fields",
      `not on the ${issueType.name} create screen: ${missing.map(([what, id]) => `${id} (for ${what})`).join(", ")}`,
    );
  pass("fields", `every mapped custom field is on the ${issueType.name} create screen`);
}

async function checkSalesforce(
  row: SinkRow,
  credentials: SinkCredentials,
  call: Call,
  pass: Pass,
  fail: Fail,
): Promise<void> {
  const config = row.config as {
    instance_url: string;
    client_id: string;
    external_id_field: string;
    fields: Record<string, string>;
  };
  const token = await call("sign-in", `${config.instance_url.replace(/\/$/, "")}/services/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: config.client_id,
      client_secret: credentials.client_secret ?? "",
    }).toString(),
  });
  if (!token.ok)
    fail(
      "sign-in",
      `Salesforce refused the client credentials (${token.status}); check the External Client App`,
    );
  const minted = (await token.json()) as { access_token?: string; instance_url?: string };
  pass("sign-in", "signed in to Salesforce with the client credentials");
  const instance = (minted.instance_url ?? config.instance_url).replace(/\/$/, "");
  const describe = await call(
    "case fields",
    `${instance}/services/data/${SALESFORCE_API_VERSION}/sobjects/Case/describe`,
    {
      method: "GET",
      headers: { authorization: `Bearer ${minted.access_token ?? ""}`, accept: "application/json" },
    },
  );
  if (!describe.ok) fail("case fields", `Salesforce answered ${describe.status} describing Case`);
  const fields = ((await describe.json()) as { fields?: Array<Json & { name: string }> }).fields ?? [];
  const byName = new Map(fields.map((f) => [f.name, f]));
  const external = byName.get(config.external_id_field);
  if (!external) fail("external id", `Case has no field ${config.external_id_field}`);
  if (external && external.externalId !== true)
    fail("external id", `${config.external_id_field} is not flagged External ID on Case`);
  pass("external id", `${config.external_id_field} is an External ID on Case`);
  const missing = Object.values(config.fields ?? {}).filter((name) => !byName.has(name));
  if (missing.length > 0) fail("case fields", `Case has no field ${missing.join(", ")}`);
  pass("case fields", "every mapped field is on Case");
}
