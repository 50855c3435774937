// The strangler path: someone changes a Phoenix issue in Jira (the local Jira makes the change and
// answers the webhook it would send, REST v2 bodies), the webhook is delivered to the `jira`
// connector (twice, as Jira retries), the case takes it once under its own rules, and syncing the
// case back to Jira sends nothing of it again.
import { beforeAll, describe, expect, it } from "vitest";
import type { TimelineEvent } from "../../../domain/case/gateway.ts";
import type { SinkRow } from "../../../domain/sinks/service.ts";
import type { Tenant } from "../../../domain/tenancy.ts";
import { hubSignature } from "../../../domain/webhooks/hub-signature.ts";
import { caseGateway } from "../../../durable-objects/case-gateway.ts";
import {
  disabledSink,
  LOCAL_JIRA_TOKEN,
  localJiraConfig,
  syncOnce,
  VENDORS,
  vendorFaults,
  vendorState,
} from "../../support/sinks.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, tokenFor } from "../../support/world.ts";

type SiteState = {
  issues: Array<{ key: string; status: unknown; comments: unknown[] }>;
  stats: { operations: Record<string, number>; invalid: string[] };
};

let tenant: Tenant;
let admin: string;
let worker: string;
let connector: { id: string; secret: string };
const site = `/site/inbound-${crypto.randomUUID().slice(0, 8)}`;
let sink: SinkRow;

beforeAll(async () => {
  tenant = await createTenant();
  admin = await tokenFor(tenant, { scopes: ["admin"] });
  worker = await tokenFor(tenant, { scopes: ["cases:read", "cases:write"] });
  await vendorFaults(site, { rate: 0, seed: 1 }, true);
  sink = (
    await disabledSink(admin, {
      kind: "jira",
      name: "Jira",
      config: localJiraConfig(site, { comments: "all" }),
      credentials: { api_token: LOCAL_JIRA_TOKEN },
    })
  ).row;
  const created = await call("POST", "/v1/connectors", {
    token: admin,
    body: {
      kind: "jira",
      name: "Jira (strangler)",
      config: {
        phoenix_account_id: "phoenix-bot",
        statuses: {
          Acknowledged: "acknowledged",
          "In Progress": "in_progress",
          Resolved: "resolved",
          Closed: "closed",
        },
      },
    },
  });
  expect(created.status, await created.clone().text()).toBe(201);
  const body = (await created.json()) as { connector: { id: string }; secret: string };
  connector = { id: body.connector.id, secret: body.secret };
});

/** A case with its Jira issue, made by the sink. */
async function caseInJira() {
  const opened = (await (
    await call("POST", "/v1/cases", {
      token: worker,
      body: { title: "Phish reported by finance", severity: "high" },
    })
  ).json()) as { id: string; version: number };
  await syncOnce(tenant, [sink], { caseId: opened.id, version: opened.version, attempts: 1 });
  const row = await call("GET", `/v1/cases/${opened.id}`, { token: worker });
  expect(row.status).toBe(200);
  const state = await vendorState<SiteState>(site);
  const issue = state.issues.at(-1);
  if (!issue) throw new Error("no issue was made");
  return { caseId: opened.id, issueKey: issue.key };
}

async function human(act: Record<string, unknown>): Promise<unknown[]> {
  const res = await fetch(`${VENDORS}${site}/__human`, {
    method: "POST",
    body: JSON.stringify({ accountId: "5b10ac8d82e05b22cc7d4ef5", displayName: "Alana Grant", ...act }),
  });
  return ((await res.json()) as { webhooks: unknown[] }).webhooks;
}

async function deliver(webhook: unknown, options: { identifier?: string; secret?: string } = {}) {
  const body = JSON.stringify(webhook);
  return call("POST", `/ingest/${connector.id}`, {
    rawBody: body,
    headers: {
      "content-type": "application/json",
      "x-atlassian-webhook-identifier": options.identifier ?? crypto.randomUUID(),
      "x-atlassian-webhook-flow": "Primary",
      "x-hub-signature": await hubSignature(options.secret ?? connector.secret, body),
    },
  });
}

async function timeline(caseId: string) {
  return (await caseGateway(testEnv()).events(tenant.id, caseId, 0, 200)) as Array<
    TimelineEvent & { body?: string; visibility?: string }
  >;
}

async function caseState(caseId: string): Promise<{ status: string; version: number }> {
  const body = (await (await call("GET", `/v1/cases/${caseId}`, { token: worker })).json()) as {
    state: string;
    version: number;
  };
  return { status: body.state, version: body.version };
}

describe("inbound Jira", () => {
  it("applies a status change once when Jira delivers it twice, by the Jira user, and never sends it back", async () => {
    const { caseId, issueKey } = await caseInJira();
    const [webhook] = await human({ issueKey, transition: "Acknowledge" });
    const identifier = crypto.randomUUID();
    const first = await deliver(webhook, { identifier });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ applied: 1, noted: 0, ignored: null, duplicate: false });
    const retry = await deliver(webhook, { identifier });
    expect(await retry.json()).toMatchObject({ applied: 0, duplicate: true });

    const { status, version } = await caseState(caseId);
    expect(status).toBe("acknowledged");
    const acks = (await timeline(caseId)).filter((e) => e.type === "case.acknowledged");
    expect(acks).toEqual([
      expect.objectContaining({ actor: { kind: "jira", id: "5b10ac8d82e05b22cc7d4ef5" } }),
    ]);

    // Phoenix syncs the change to Jira: the issue is already there, so no transition is sent.
    const before = (await vendorState<SiteState>(site)).stats.operations.doTransition ?? 0;
    await syncOnce(tenant, [sink], { caseId, version, attempts: 1 });
    const after = await vendorState<SiteState>(site);
    expect(after.stats.operations.doTransition ?? 0).toBe(before);
    expect(after.stats.invalid).toEqual([]);
  });

  it("takes a Jira comment once, as plain text, and does not post it back to Jira", async () => {
    const { caseId, issueKey } = await caseInJira();
    const [webhook] = await human({
      issueKey,
      comment: "h3. Update\n*Blocked* the sender at the gateway.",
      jsdPublic: true,
    });
    const identifier = crypto.randomUUID();
    expect(await (await deliver(webhook, { identifier })).json()).toMatchObject({ applied: 1 });
    expect(await (await deliver(webhook, { identifier })).json()).toMatchObject({ duplicate: true });
    const comments = (await timeline(caseId)).filter((e) => e.type === "case.commented");
    expect(comments).toEqual([
      expect.objectContaining({
        body: "h3. Update\n*Blocked* the sender at the gateway.",
        visibility: "customer",
        actor: { kind: "jira", id: "5b10ac8d82e05b22cc7d4ef5" },
      }),
    ]);
    const { version } = await caseState(caseId);
    await syncOnce(tenant, [sink], { caseId, version, attempts: 1 });
    const issue = (await vendorState<SiteState>(site)).issues.find((i) => i.key === issueKey);
    expect(issue?.comments).toHaveLength(1);
  });

  it("ignores Phoenix's own changes coming back from Jira", async () => {
    const { caseId, issueKey } = await caseInJira();
    const [webhook] = await human({
      issueKey,
      transition: "Resolve",
      accountId: "phoenix-bot",
      displayName: "Phoenix",
    });
    expect(await (await deliver(webhook)).json()).toMatchObject({
      applied: 0,
      ignored: "Phoenix's own transition",
    });
    expect((await caseState(caseId)).status).toBe("new");
  });

  it("notes on the case a transition Phoenix refuses, instead of losing it", async () => {
    const { caseId, issueKey } = await caseInJira();
    // Resolving needs the case acknowledged first.
    const [webhook] = await human({ issueKey, transition: "Resolve" });
    expect(await (await deliver(webhook)).json()).toMatchObject({ applied: 0, noted: 1 });
    expect((await caseState(caseId)).status).toBe("new");
    const notes = (await timeline(caseId)).filter((e) => e.type === "case.commented");
    expect(notes).toEqual([
      expect.objectContaining({
        visibility: "internal",
        body: expect.stringMatching(/^Jira: Alana Grant moved .* to "Resolved"; Phoenix refused it: /),
      }),
    ]);
  });

  it("refuses a delivery with a bad signature (401), without an identifier (400), or not a Jira webhook (422)", async () => {
    const { caseId, issueKey } = await caseInJira();
    const [webhook] = await human({ issueKey, transition: "Acknowledge" });
    const forged = await deliver(webhook, { secret: "not-the-connector-secret" });
    expect(forged.status).toBe(401);
    expect(forged.headers.get("content-type")).toContain("application/problem+json");
    const body = JSON.stringify(webhook);
    const anonymous = await call("POST", `/ingest/${connector.id}`, {
      rawBody: body,
      headers: {
        "content-type": "application/json",
        "x-hub-signature": await hubSignature(connector.secret, body),
      },
    });
    expect(anonymous.status).toBe(400);
    expect(JSON.stringify(await anonymous.json())).toContain("x-atlassian-webhook-identifier");
    const notJira = await deliver({ hello: "world" });
    expect(notJira.status).toBe(422);
    expect((await caseState(caseId)).status).toBe("new");
  });
});
