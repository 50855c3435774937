// The Jira sink against the local Jira (tests/e2e/vendors/local-jira.ts, which validates every
// request against Atlassian's OpenAPI subset and ADF schema): what an issue holds, how a lost
// answer is recovered without a second issue or comment, what is refused for good, and how one
// tenant's burst is held back without holding back another's.
import { beforeAll, describe, expect, it } from "vitest";
import type { Tenant } from "../../../domain/tenancy.ts";
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
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

interface LocalIssue {
  key: string;
  fields: Record<string, unknown> & { status: { name: string }; summary: string };
  properties: Record<string, { caseId: string; version: number }>;
  comments: Array<{ body: { content: unknown[] } }>;
  remoteLinks: Array<{ globalId: string; object: { url: string } }>;
}
type SiteState = { issues: LocalIssue[]; stats: { invalid: string[] } };

interface Actor {
  tenant: Tenant;
  admin: string;
  worker: string;
}
let a: Actor;
let b: Actor;

async function actor(): Promise<Actor> {
  const tenant = await createTenant();
  return {
    tenant,
    admin: await tokenFor(tenant, { scopes: ["admin"] }),
    worker: await tokenFor(tenant, { scopes: ["cases:read", "cases:write"] }),
  };
}

beforeAll(async () => {
  a = await actor();
  b = await actor();
});

async function freshSite(): Promise<string> {
  const site = `/site/jira-${crypto.randomUUID().slice(0, 8)}`;
  await vendorFaults(site, { rate: 0, seed: 1 }, true);
  return site;
}

async function jiraSink(who: Actor, site: string, overrides: Record<string, unknown> = {}) {
  return (
    await disabledSink(who.admin, {
      kind: "jira",
      name: `Jira ${site}`,
      config: localJiraConfig(site, overrides),
      credentials: { api_token: LOCAL_JIRA_TOKEN },
    })
  ).row;
}

async function openCase(who: Actor, severity = "high") {
  const res = await call("POST", "/v1/cases", {
    token: who.worker,
    body: {
      title: "Beacon from HR-LT-0087",
      description: "EDR saw **beaconing** to a new domain.",
      severity,
    },
  });
  expect(res.status).toBe(201);
  const opened = (await res.json()) as { id: string; version: number };
  const c = { id: opened.id, version: opened.version };
  const command = async (body: Record<string, unknown>) => {
    const r = await call("POST", `/v1/cases/${c.id}/commands`, {
      token: who.worker,
      body,
      headers: { "if-match": `"${c.version}"` },
    });
    expect(r.status, await r.clone().text()).toBe(200);
    c.version = ((await r.json()) as { version: number }).version;
  };
  return { c, command };
}

const message = (c: { id: string; version: number }, attempts = 1) => ({
  caseId: c.id,
  version: c.version,
  attempts,
});

describe("the local Jira", () => {
  it("refuses, and counts, a request the OpenAPI subset or the ADF schema does not allow", async () => {
    const site = await freshSite();
    const auth = { authorization: `Basic ${btoa(`phoenix@example.com:${LOCAL_JIRA_TOKEN}`)}` };
    const post = (path: string, body: unknown) =>
      fetch(`${VENDORS}${site}${path}`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    // `fields` must be an object (IssueUpdateDetails).
    expect((await post("/rest/api/3/issue", { fields: "summary" })).status).toBe(400);
    // The search body allows no unknown property (SearchAndReconcileRequestBean).
    expect((await post("/rest/api/3/search/jql", { jql: "project = SOC", startAt: 0 })).status).toBe(400);
    const created = await post("/rest/api/3/issue", {
      fields: { project: { key: "SOC" }, issuetype: { name: "Task" }, summary: "ok" },
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    // A v3 comment body must be an ADF document, not text.
    expect((await post(`/rest/api/3/issue/${key}/comment`, { body: "plain text" })).status).toBe(400);
    const state = await vendorState<SiteState>(site);
    expect(state.stats.invalid).toEqual([
      expect.stringContaining("createIssue"),
      expect.stringContaining("searchAndReconsileIssuesUsingJqlPost"),
      expect.stringContaining("body is not ADF"),
    ]);
    expect(state.issues[0]?.comments).toEqual([]);
  });
});

describe("Jira sink", () => {
  it("creates one issue with the case's fields, property and link, moves it through the workflow and posts customer comments once", async () => {
    const site = await freshSite();
    const sink = await jiraSink(a, site);
    const { c, command } = await openCase(a);
    await command({ type: "comment", body: "We are on it: *isolating* the host.", visibility: "customer" });
    await command({ type: "comment", body: "Internal: VIP user", visibility: "internal" });
    await command({ type: "acknowledge" });
    await command({ type: "change_priority", priority: "P1" });
    expect(await syncOnce(a.tenant, [sink], message(c))).toEqual({ retryIn: null, heldBack: false });
    // A duplicate delivery changes nothing.
    await syncOnce(a.tenant, [sink], message(c));

    const state = await vendorState<SiteState>(site);
    expect(state.stats.invalid).toEqual([]);
    expect(state.issues).toHaveLength(1);
    const issue = state.issues[0] as LocalIssue;
    expect(issue.fields).toMatchObject({
      summary: "Beacon from HR-LT-0087",
      project: { key: "SOC" },
      issuetype: { name: "Incident" },
      priority: { name: "Highest" },
      status: { name: "Acknowledged" },
      labels: ["phoenix"],
      customfield_10042: "high",
      customfield_10043: `https://phoenix.example/cases/${c.id}`,
    });
    expect(JSON.stringify(issue.fields.description)).toContain('"marks":[{"type":"strong"}]');
    expect(issue.properties["phoenix.case"]).toEqual({ caseId: c.id, version: c.version });
    expect(issue.remoteLinks).toEqual([
      expect.objectContaining({
        globalId: `phoenix-case=${c.id}`,
        object: expect.objectContaining({ url: `https://phoenix.example/cases/${c.id}` }),
      }),
    ]);
    expect(issue.comments).toHaveLength(1);
    expect(JSON.stringify(issue.comments[0]?.body)).toContain('"marks":[{"type":"em"}]');
    expect(JSON.stringify(issue.comments)).not.toContain("VIP");

    // The sync status names the issue, with a link people can open.
    const got = (await (await call("GET", `/v1/cases/${c.id}`, { token: a.worker })).json()) as {
      sinks: Array<{ sink_id: string; external_id: string; external_url: string; synced_version: number }>;
    };
    expect(got.sinks.find((s) => s.sink_id === sink.id)).toBeUndefined(); // disabled sinks are not listed
    const row = await tenantDb(a.tenant)
      .prepare(
        "SELECT external_id, external_url, synced_version FROM sink_sync WHERE case_id = ? AND sink_id = ?",
      )
      .bind(c.id, sink.id)
      .first();
    expect(row).toEqual({
      external_id: issue.key,
      external_url: `${VENDORS}${site}/browse/${issue.key}`,
      synced_version: c.version,
    });
  });

  it("finds the issue by its property when the create's answer was lost, so no second issue is made", async () => {
    const site = await freshSite();
    const sink = await jiraSink(a, site, { transitions: {} });
    const { c } = await openCase(a);
    // The search goes through; the create is made in Jira and its answer never arrives.
    await vendorFaults(site, { rate: 0, seed: 1, script: [null, "lost"] });
    const first = await syncOnce(a.tenant, [sink], message(c));
    expect(first.retryIn).not.toBeNull();
    expect((await vendorState<SiteState>(site)).issues).toHaveLength(1);
    await syncOnce(a.tenant, [sink], message(c, 2));
    const state = await vendorState<SiteState>(site);
    expect(state.issues).toHaveLength(1);
    expect(state.issues[0]?.remoteLinks).toHaveLength(1);
    expect(state.issues[0]?.properties["phoenix.case"]).toEqual({ caseId: c.id, version: c.version });
  });

  it("posts a comment whose answer was lost only once", async () => {
    const site = await freshSite();
    const sink = await jiraSink(a, site, { transitions: {} });
    const { c, command } = await openCase(a);
    await syncOnce(a.tenant, [sink], message(c));
    await command({ type: "comment", body: "Contained. Root cause next.", visibility: "customer" });
    // The fields update goes through; the comment is posted and its answer lost.
    await vendorFaults(site, { rate: 0, seed: 1, script: [null, "lost"] });
    expect((await syncOnce(a.tenant, [sink], message(c))).retryIn).not.toBeNull();
    await syncOnce(a.tenant, [sink], message(c, 2));
    const [issue] = (await vendorState<SiteState>(site)).issues;
    expect(issue?.comments).toHaveLength(1);
  });

  it("keeps a dead letter, in words, when the workflow offers no transition of the mapped name", async () => {
    const site = await freshSite();
    const sink = await jiraSink(a, site, { transitions: { acknowledged: "Triage" } });
    const { c, command } = await openCase(a);
    await command({ type: "acknowledge" });
    expect(await syncOnce(a.tenant, [sink], message(c))).toEqual({ retryIn: null, heldBack: false });
    const letter = await tenantDb(a.tenant)
      .prepare("SELECT error FROM sink_dead_letters WHERE sink_id = ?")
      .bind(sink.id)
      .first<string>("error");
    expect(letter).toMatch(/^Jira offers no transition "Triage" from status "To Do" on SOC-1/);
  });

  it("sends a case only once it reaches the sink's minimum severity", async () => {
    const site = await freshSite();
    const sink = await jiraSink(a, site, { send: { min_severity: "high" }, transitions: {} });
    const { c, command } = await openCase(a, "low");
    await syncOnce(a.tenant, [sink], message(c));
    expect((await vendorState<SiteState>(site)).issues).toHaveLength(0);
    await command({ type: "change_severity", severity: "critical" });
    await syncOnce(a.tenant, [sink], message(c));
    expect((await vendorState<SiteState>(site)).issues).toHaveLength(1);
  });

  it("holds back a tenant whose calls to a site are spent, without holding back another tenant on the same site", async () => {
    const site = await freshSite();
    const sinkA = await jiraSink(a, site, { transitions: {} });
    const sinkB = await jiraSink(b, site, { transitions: {} });
    // The test's own real limiter (5 calls a minute per key), in place of SINK_SITE_LIMITER.
    const limiter = testEnv().TEST_RATE_LIMITER as RateLimit;
    const throttle = async (key: string) => (await limiter.limit({ key: `${site}:${key}` })).success;
    let heldBack = null as null | { retryIn: number | null; heldBack: boolean };
    for (let i = 0; i < 10 && heldBack === null; i++) {
      const { c } = await openCase(a);
      const outcome = await syncOnce(a.tenant, [sinkA], message(c), { throttle });
      if (outcome.heldBack) heldBack = outcome;
    }
    expect(heldBack).toEqual({ retryIn: 10, heldBack: true });
    const { c } = await openCase(b);
    expect(await syncOnce(b.tenant, [sinkB], message(c), { throttle })).toEqual({
      retryIn: null,
      heldBack: false,
    });
    // Held back is not failed: no error is shown on the case.
    const errors = await tenantDb(a.tenant)
      .prepare("SELECT count(*) AS n FROM sink_sync WHERE sink_id = ? AND last_error IS NOT NULL")
      .bind(sinkA.id)
      .first<number>("n");
    expect(errors).toBe(0);
  });
});
