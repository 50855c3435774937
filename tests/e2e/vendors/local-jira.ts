// A local Jira Cloud for the sink tests (issue 15): a small Node server that routes and validates
// every request against Atlassian's published REST v3 OpenAPI subset and every ADF body against the
// ADF schema (both in shared/contracts/jira), and keeps issues, properties, remote links, comments
// and transitions in memory as Jira does. Each test names its own site (/site/<name>/rest/api/3/…),
// can make that site fail a share of its calls, and reads the site's state and counters back.

import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import Ajv from "ajv-draft-04";
import OpenAPIBackend, { type Context, type Document } from "openapi-backend";
import { type FaultKind, type FaultPlan, faultFor, neverAnswer, readBody, sendJson } from "./faults.ts";

const contracts = fileURLToPath(new URL("../../../../shared/contracts/jira/", import.meta.url));
const spec = JSON.parse(readFileSync(`${contracts}jira-v3-subset.openapi.json`, "utf8")) as Document;
const adfSchema = JSON.parse(readFileSync(`${contracts}adf/adf-schema-v1-full.json`, "utf8"));

/** The workflow every local site runs: global transitions, offered from every other status. */
const WORKFLOW = [
  { id: "11", name: "Acknowledge", to: "Acknowledged" },
  { id: "21", name: "Start Progress", to: "In Progress" },
  { id: "31", name: "Contain", to: "Contained" },
  { id: "41", name: "Hold", to: "Waiting" },
  { id: "51", name: "Resolve", to: "Resolved" },
  { id: "61", name: "Close", to: "Closed" },
  { id: "71", name: "Reopen", to: "Reopened" },
];
const PRIORITIES = new Set(["Highest", "High", "Medium", "Low", "Lowest"]);
const ISSUE_TYPES = [
  { id: "10001", name: "Task" },
  { id: "10002", name: "Incident" },
];
const CUSTOM_FIELDS = ["customfield_10042", "customfield_10043"];

export interface JiraIssue {
  id: string;
  key: string;
  fields: Record<string, unknown> & { status: { name: string } };
  properties: Record<string, unknown>;
  comments: Array<{ id: string; body: unknown; author: { accountId: string }; created: string }>;
  remoteLinks: Array<{ id: number; globalId?: string; object: unknown }>;
}

interface Site {
  issues: Map<string, JiraIssue>;
  nextId: number;
  faults: FaultPlan;
  account: { accountId: string; email: string; token: string };
  stats: {
    calls: number;
    faults: Record<FaultKind, number>;
    invalid: string[];
    operations: Record<string, number>;
  };
}

const sites = new Map<string, Site>();

function site(name: string): Site {
  let s = sites.get(name);
  if (!s) {
    s = {
      issues: new Map(),
      nextId: 10000,
      faults: { rate: 0, seed: 1 },
      account: { accountId: "phoenix-bot", email: "phoenix@example.com", token: "jira-api-token" },
      stats: { calls: 0, faults: { "500": 0, "429": 0, timeout: 0, lost: 0 }, invalid: [], operations: {} },
    };
    sites.set(name, s);
  }
  return s;
}

const validateAdf = new Ajv({ allErrors: true, strict: false }).compile(adfSchema);
function adfProblem(doc: unknown, where: string): string | null {
  return validateAdf(doc)
    ? null
    : `${where} is not ADF: ${(validateAdf.errors ?? [])
        .slice(0, 3)
        .map((e) => `${e.instancePath} ${e.message}`)
        .join("; ")}`;
}

class JiraError extends Error {
  readonly status: number;
  /** The request broke the published contract (not just Jira's business rules): counted as invalid. */
  readonly contract: boolean;
  constructor(status: number, message: string, contract = false) {
    super(message);
    this.status = status;
    this.contract = contract;
  }
}

function issueOf(s: Site, keyOrId: string): JiraIssue {
  const issue = s.issues.get(keyOrId) ?? [...s.issues.values()].find((i) => i.id === keyOrId);
  if (!issue) throw new JiraError(404, "Issue does not exist or you do not have permission to see it.");
  return issue;
}

function checkFields(fields: Record<string, unknown>): void {
  if (fields.description !== undefined && fields.description !== null) {
    const problem = adfProblem(fields.description, "fields.description");
    if (problem) throw new JiraError(400, problem, true);
  }
  const priority = fields.priority as { name?: string } | undefined;
  if (priority && !PRIORITIES.has(priority.name ?? "")) throw new JiraError(400, "Specify a valid priority");
  for (const key of Object.keys(fields))
    if (key.startsWith("customfield_") && !CUSTOM_FIELDS.includes(key))
      throw new JiraError(
        400,
        `Field '${key}' cannot be set. It is not on the appropriate screen, or unknown.`,
      );
}

type Handler = (c: Context, s: Site, siteName: string) => { status: number; body?: unknown };

const handlers: Record<string, Handler> = {
  getCurrentUser: (_c, s) => ({
    status: 200,
    body: { accountId: s.account.accountId, displayName: "Phoenix", emailAddress: s.account.email },
  }),
  getCreateIssueMetaIssueTypes: () => ({
    status: 200,
    body: { issueTypes: ISSUE_TYPES, maxResults: 50, startAt: 0, total: ISSUE_TYPES.length },
  }),
  getCreateIssueMetaIssueTypeId: () => ({
    status: 200,
    body: {
      fields: ["summary", "description", "priority", ...CUSTOM_FIELDS].map((fieldId) => ({
        fieldId,
        name: fieldId,
      })),
    },
  }),
  createIssue: (c, s, siteName) => {
    const body = c.request.requestBody as {
      fields: Record<string, unknown>;
      properties?: Array<{ key: string; value: unknown }>;
    };
    const f = body.fields;
    const type = f.issuetype as { id?: string; name?: string } | undefined;
    if (!ISSUE_TYPES.some((t) => t.id === type?.id || t.name === type?.name))
      throw new JiraError(400, "Specify a valid issue type");
    if (typeof f.summary !== "string" || f.summary.length === 0)
      throw new JiraError(400, "You must specify a summary");
    checkFields(f);
    const id = String(s.nextId++);
    const key = `${(f.project as { key: string }).key}-${s.issues.size + 1}`;
    s.issues.set(key, {
      id,
      key,
      fields: { ...f, status: { name: "To Do" } },
      properties: Object.fromEntries((body.properties ?? []).map((p) => [p.key, p.value])),
      comments: [],
      remoteLinks: [],
    });
    return { status: 201, body: { id, key, self: `/site/${siteName}/rest/api/3/issue/${id}` } };
  },
  getIssue: (c, s) => {
    const issue = issueOf(s, String(c.request.params.issueIdOrKey));
    return { status: 200, body: { id: issue.id, key: issue.key, fields: issue.fields } };
  },
  editIssue: (c, s) => {
    const issue = issueOf(s, String(c.request.params.issueIdOrKey));
    const fields = (c.request.requestBody as { fields?: Record<string, unknown> }).fields ?? {};
    checkFields(fields);
    Object.assign(issue.fields, fields);
    return { status: 204 };
  },
  getTransitions: (c, s) => {
    const issue = issueOf(s, String(c.request.params.issueIdOrKey));
    const offered = WORKFLOW.filter((t) => t.to !== issue.fields.status.name);
    return {
      status: 200,
      body: {
        transitions: offered.map((t) => ({ id: t.id, name: t.name, to: { name: t.to }, isAvailable: true })),
      },
    };
  },
  doTransition: (c, s) => {
    const issue = issueOf(s, String(c.request.params.issueIdOrKey));
    const id = (c.request.requestBody as { transition?: { id?: string } }).transition?.id;
    const t = WORKFLOW.find((w) => w.id === id && w.to !== issue.fields.status.name);
    if (!t) throw new JiraError(400, `Transition id '${id}' is not valid for this issue.`);
    issue.fields.status = { name: t.to };
    return { status: 204 };
  },
  getComments: (c, s) => {
    const issue = issueOf(s, String(c.request.params.issueIdOrKey));
    const newestFirst = c.request.query.orderBy === "-created";
    const all = newestFirst ? [...issue.comments].reverse() : issue.comments;
    const max = Number(c.request.query.maxResults ?? 50);
    return {
      status: 200,
      body: { comments: all.slice(0, max), startAt: 0, maxResults: max, total: all.length },
    };
  },
  addComment: (c, s) => {
    const issue = issueOf(s, String(c.request.params.issueIdOrKey));
    const body = (c.request.requestBody as { body?: unknown }).body;
    const problem = adfProblem(body, "body");
    if (problem) throw new JiraError(400, problem, true);
    const comment = {
      id: String(s.nextId++),
      body,
      author: { accountId: s.account.accountId },
      created: new Date().toISOString(),
    };
    issue.comments.push(comment);
    return { status: 201, body: comment };
  },
  createOrUpdateRemoteIssueLink: (c, s) => {
    const issue = issueOf(s, String(c.request.params.issueIdOrKey));
    const link = c.request.requestBody as { globalId?: string; object: unknown };
    const existing = link.globalId ? issue.remoteLinks.find((l) => l.globalId === link.globalId) : undefined;
    if (existing) {
      existing.object = link.object;
      return { status: 200, body: { id: existing.id, self: "" } };
    }
    const id = s.nextId++;
    issue.remoteLinks.push({ id, globalId: link.globalId, object: link.object });
    return { status: 201, body: { id, self: "" } };
  },
  getRemoteIssueLinks: (c, s) => {
    const issue = issueOf(s, String(c.request.params.issueIdOrKey));
    const wanted = c.request.query.globalId;
    return { status: 200, body: issue.remoteLinks.filter((l) => !wanted || l.globalId === wanted) };
  },
  setIssueProperty: (c, s) => {
    const issue = issueOf(s, String(c.request.params.issueIdOrKey));
    const key = String(c.request.params.propertyKey);
    const existed = key in issue.properties;
    issue.properties[key] = c.request.requestBody;
    return { status: existed ? 200 : 201 };
  },
  getIssueProperty: (c, s) => {
    const issue = issueOf(s, String(c.request.params.issueIdOrKey));
    const key = String(c.request.params.propertyKey);
    if (!(key in issue.properties)) throw new JiraError(404, "The property was not found.");
    return { status: 200, body: { key, value: issue.properties[key] } };
  },
  searchAndReconsileIssuesUsingJqlPost: (c, s) => {
    const { jql, maxResults } = c.request.requestBody as { jql: string; maxResults?: number };
    // The one query Phoenix makes: an issue by its case property (indexed by Phoenix's app).
    const m = /^issue\.property\[([\w.]+)\]\.(\w+) = "([^"]+)"$/.exec(jql.trim());
    if (!m) throw new JiraError(400, `The local Jira does not understand the JQL: ${jql}`);
    const [, property, field, value] = m;
    const issues = [...s.issues.values()].filter(
      (i) =>
        (i.properties[property as string] as Record<string, unknown> | undefined)?.[field as string] ===
        value,
    );
    return {
      status: 200,
      body: {
        issues: issues.slice(0, maxResults ?? 50).map((i) => ({ id: i.id, key: i.key, fields: {} })),
        isLast: true,
      },
    };
  },
};

const api = new OpenAPIBackend({
  definition: spec,
  strict: false,
  validate: true,
  ajvOpts: { strict: false, validateFormats: false },
});
api.register({
  ...Object.fromEntries(
    Object.entries(handlers).map(([operationId, handler]) => [
      operationId,
      (c: Context, s: Site, siteName: string) => {
        s.stats.operations[operationId] = (s.stats.operations[operationId] ?? 0) + 1;
        return handler(c, s, siteName);
      },
    ]),
  ),
  validationFail: (c: Context, s: Site) => {
    const problem = `${c.operation.operationId}: ${(c.validation.errors ?? [])
      .slice(0, 3)
      .map((e) => `${e.instancePath} ${e.message}`)
      .join("; ")}`;
    s.stats.invalid.push(problem);
    return { status: 400, body: { errorMessages: [problem], errors: {} } };
  },
  notFound: (c: Context, s: Site) => {
    const problem = `${c.request.method} ${c.request.path} is not in the Jira v3 subset`;
    s.stats.invalid.push(problem);
    return { status: 404, body: { errorMessages: [problem] } };
  },
  notImplemented: (c: Context, s: Site) => {
    const problem = `${c.operation.operationId} is in the subset but the local Jira does not serve it`;
    s.stats.invalid.push(problem);
    return { status: 501, body: { errorMessages: [problem] } };
  },
});
// Each site checks credentials itself and answers with Jira's own 401 body; these handlers only
// tell openapi-backend the schemes are handled, so it does not warn on every request.
for (const scheme of ["basicAuth", "OAuth2"]) api.registerSecurityHandler(scheme, () => true);
const ready = api.init();

/** Serves /site/<name>/… ; answers false for paths that are not a local Jira site's. */
export async function serveJira(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? "/", "http://local");
  const m = /^\/site\/([\w-]+)(\/.*)$/.exec(url.pathname);
  if (!m) return false;
  const [, siteName = "", path = "/"] = m;
  const s = site(siteName);
  const raw = await readBody(req);
  if (path === "/__control" && req.method === "POST") {
    const body = JSON.parse(raw) as { faults?: FaultPlan; reset?: boolean };
    if (body.reset) sites.delete(siteName);
    if (body.faults) site(siteName).faults = body.faults;
    sendJson(res, 200, { ok: true });
    return true;
  }
  if (path === "/__human" && req.method === "POST") {
    // Someone changes the issue in Jira's own UI: the change is made, and the webhook Jira would
    // send for it (REST v2 representation, plain-text bodies) is answered for the test to deliver.
    const act = JSON.parse(raw) as {
      issueKey: string;
      accountId: string;
      displayName: string;
      transition?: string;
      comment?: string;
      jsdPublic?: boolean;
    };
    const issue = s.issues.get(act.issueKey);
    if (!issue) {
      sendJson(res, 404, { errorMessages: ["no such issue"] });
      return true;
    }
    const user = {
      accountId: act.accountId,
      displayName: act.displayName,
      self: `/rest/api/2/user?accountId=${act.accountId}`,
    };
    const reduced = {
      id: issue.id,
      key: issue.key,
      self: `/rest/api/2/issue/${issue.id}`,
      fields: { summary: issue.fields.summary, status: issue.fields.status },
    };
    const webhooks: unknown[] = [];
    if (act.transition) {
      const t = WORKFLOW.find((w) => w.name === act.transition);
      if (!t) {
        sendJson(res, 400, { errorMessages: ["no such transition"] });
        return true;
      }
      const from = issue.fields.status.name;
      issue.fields.status = { name: t.to };
      webhooks.push({
        timestamp: Date.now(),
        webhookEvent: "jira:issue_updated",
        issue_event_type_name: "issue_generic",
        user,
        issue: { ...reduced, fields: { ...reduced.fields, status: { name: t.to }, resolution: null } },
        changelog: {
          id: String(s.nextId++),
          items: [
            {
              field: "status",
              fieldtype: "jira",
              fieldId: "status",
              from: "1",
              fromString: from,
              to: "2",
              toString: t.to,
            },
          ],
        },
      });
    }
    if (act.comment !== undefined) {
      const comment = {
        id: String(s.nextId++),
        self: `/rest/api/2/issue/${issue.id}/comment`,
        author: user,
        updateAuthor: user,
        body: act.comment,
        created: "2026-12-03T08:41:23.303+0530",
        updated: "2026-12-03T08:41:23.303+0530",
        ...(act.jsdPublic !== undefined ? { jsdPublic: act.jsdPublic } : {}),
      };
      issue.comments.push({
        id: comment.id,
        body: act.comment,
        author: { accountId: act.accountId },
        created: comment.created,
      });
      webhooks.push({ timestamp: Date.now(), webhookEvent: "comment_created", comment, issue: reduced });
    }
    sendJson(res, 200, { webhooks });
    return true;
  }
  if (path === "/__state") {
    sendJson(res, 200, { issues: [...s.issues.values()], stats: s.stats });
    return true;
  }
  s.stats.calls++;
  const expected = `Basic ${Buffer.from(`${s.account.email}:${s.account.token}`).toString("base64")}`;
  if (req.headers.authorization !== expected) {
    sendJson(res, 401, { errorMessages: ["Client must be authenticated to access this resource."] });
    return true;
  }
  const fault = faultFor(s.faults);
  if (fault) s.stats.faults[fault]++;
  if (fault === "500") {
    sendJson(res, 500, { errorMessages: ["Internal server error"] });
    return true;
  }
  if (fault === "429") {
    res.writeHead(429, { "retry-after": "1", "content-type": "application/json" });
    res.end(JSON.stringify({ errorMessages: ["Rate limit exceeded."] }));
    return true;
  }
  if (fault === "timeout") {
    // Does nothing, and never answers within the client's timeout.
    neverAnswer(res);
    return true;
  }
  await ready;
  let answer: { status: number; body?: unknown };
  try {
    answer = (await api.handleRequest(
      {
        method: req.method ?? "GET",
        path,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers as Record<string, string>,
        body: raw ? JSON.parse(raw) : undefined,
      },
      s,
      siteName,
    )) as { status: number; body?: unknown };
  } catch (error) {
    if (!(error instanceof JiraError)) throw error;
    if (error.contract) s.stats.invalid.push(error.message);
    answer = { status: error.status, body: { errorMessages: [error.message], errors: {} } };
  }
  // The change is made; the answer never arrives.
  if (fault === "lost") {
    neverAnswer(res);
    return true;
  }
  if (answer.body === undefined) {
    res.writeHead(answer.status);
    res.end();
  } else sendJson(res, answer.status, answer.body);
  return true;
}
