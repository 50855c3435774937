// The Jira sink (REST v3, shared/contracts/jira): makes the case's issue match the case. Every step
// is safe to repeat, because any call may succeed with its answer lost:
// - the issue is created with the `phoenix.case` property in the same request, and found by that
//   property before any create, so a lost answer never makes a second issue;
// - the remote link's globalId is the case id, so posting it again replaces it;
// - fields are set whole (state-based), and a transition is applied only when the issue is not
//   already at the status it leads to;
// - a comment is marked pending before it is posted, and a pending comment already on the issue
//   (same body, by Phoenix's account) is not posted again.

import type { TimelineEvent } from "../case/gateway.ts";
import type { CaseState } from "../case/model.ts";
import { CASE_SEVERITIES } from "../case-vocabulary.ts";
import { slaDueAt } from "../sla/clocks.ts";
import { SinkCallFailed } from "./delivery-errors.ts";
import { adfText, markdownAsAdf } from "./jira/adf.ts";
import {
  ATLASSIAN_TOKEN_URL,
  apiTokenSession,
  issueUrl,
  type JiraConfig,
  type JiraSession,
  oauthRefresh,
  oauthSession,
} from "./jira-client.ts";
import { jsonOf } from "./outbound-call.ts";
import { caseEventsAfter, type SinkRun } from "./sink-run.ts";

/** The issue property that ties an issue to its case: `{ caseId, version }`. */
export const CASE_PROPERTY = "phoenix.case";
/** The remote link's globalId: stable per case, so re-posting the link replaces it. */
export const remoteLinkGlobalId = (caseId: string) => `phoenix-case=${caseId}`;

interface JiraDetail {
  /** The remote link back to the case is on the issue. */
  linked?: boolean;
  /** The case version whose fields the issue holds. */
  fieldsVersion?: number;
  /** The case version whose status the issue was last brought to. */
  statusVersion?: number;
  /** Transition name → the status it leads to, as Jira listed them. */
  targets?: Record<string, string>;
  /** The comment event posted but not yet acknowledged. */
  pendingComment?: number;
}

export async function syncJira(run: SinkRun): Promise<void> {
  const config = run.sink.config as unknown as JiraConfig;
  const { state, version } = await run.ctx.gateway.snapshot(run.ctx.tenantId, run.caseId);
  let detail = { ...(run.row?.detail ?? {}) } as JiraDetail;
  const saveDetail = async (next: JiraDetail) => {
    detail = next;
    await run.save({ detail: { ...next } });
  };
  let session: JiraSession | null = null;
  const jira = async (path: string, init: RequestInit = {}, expected?: readonly number[]) => {
    session ??= await signIn(run, config);
    return run.call(
      `${session.base}${path}`,
      {
        ...init,
        headers: {
          authorization: session.authorization,
          accept: "application/json",
          ...(init.body ? { "content-type": "application/json" } : {}),
        },
      },
      expected,
    );
  };

  let key = run.row?.externalId ?? null;
  // A duplicate or an older message: the issue already shows this version.
  if (key !== null && version <= (run.row?.syncedVersion ?? 0)) return;
  if (key === null) {
    if (!(await sendable(run, config, state))) {
      await run.save({ version });
      return;
    }
    const found = await findIssue(jira, run.caseId);
    key = found ?? (await createIssue(jira, run, config, state, version));
    await run.save({ externalId: key, externalUrl: issueUrl(config, key) });
    // Found, not created: an earlier create whose answer was lost, with the fields of its day.
    if (found) await updateFields(jira, run, config, state, found);
    await saveDetail({ ...detail, fieldsVersion: version });
  } else if (version > (detail.fieldsVersion ?? 0)) {
    await updateFields(jira, run, config, state, key);
    await saveDetail({ ...detail, fieldsVersion: version });
  }
  if (!detail.linked) {
    await jira(`/rest/api/3/issue/${key}/remotelink`, {
      method: "POST",
      body: JSON.stringify({
        globalId: remoteLinkGlobalId(run.caseId),
        application: { type: "com.phoenix.soc", name: "Phoenix" },
        relationship: "tracked in",
        object: { url: run.caseUrl, title: `Phoenix ${run.caseId}`, summary: state.title },
      }),
    }).then(drain);
    await saveDetail({ ...detail, linked: true });
  }

  const transition = config.transitions[state.status];
  // Checked against the issue on every new version: someone may have moved it in Jira meanwhile,
  // and a case can leave a state and come back to it between two syncs.
  if (transition && version > (detail.statusVersion ?? 0)) {
    await applyTransition(jira, key, transition, detail, saveDetail);
    await saveDetail({ ...detail, statusVersion: version });
  }

  if (config.comments !== "none") {
    for await (const event of caseEventsAfter(run, run.row?.syncedSeq ?? 0)) {
      if (commentToSend(config, event)) await postComment(jira, key, event, detail, saveDetail);
      await run.save({ seq: event.seq });
    }
  }

  await jira(`/rest/api/3/issue/${key}/properties/${CASE_PROPERTY}`, {
    method: "PUT",
    body: JSON.stringify({ caseId: run.caseId, version }),
  }).then(drain);
  await run.save({ version });
}

type JiraCall = (path: string, init?: RequestInit, expected?: readonly number[]) => Promise<Response>;

async function signIn(run: SinkRun, config: JiraConfig): Promise<JiraSession> {
  const refresh = oauthRefresh(config, run.credentials);
  if (refresh === null) return apiTokenSession(config, run.credentials);
  const token = await jsonOf<{ access_token?: string }>(
    await run.call(ATLASSIAN_TOKEN_URL, refresh),
    "Atlassian's token endpoint",
  );
  return oauthSession(config, token.access_token ?? "");
}

const drain = async (response: Response) => {
  await response.body?.cancel();
};

async function sendable(run: SinkRun, config: JiraConfig, state: CaseState): Promise<boolean> {
  const rank = (s: string) => CASE_SEVERITIES.indexOf(s as (typeof CASE_SEVERITIES)[number]);
  if (rank(state.severity) < rank(config.send.min_severity)) return false;
  if (!config.send.customer_visible_only) return true;
  // A case is the customer's once someone wrote to them on it.
  for await (const event of caseEventsAfter(run, 0))
    if (event.type === "case.commented" && event.visibility === "customer") return true;
  return false;
}

async function findIssue(jira: JiraCall, caseId: string): Promise<string | null> {
  const found = await jsonOf<{ issues?: Array<{ key: string }> }>(
    await jira("/rest/api/3/search/jql", {
      method: "POST",
      body: JSON.stringify({
        jql: `issue.property[${CASE_PROPERTY}].caseId = "${caseId}"`,
        fields: ["status"],
        maxResults: 2,
      }),
    }),
    "Jira search",
  );
  return found.issues?.[0]?.key ?? null;
}

async function createIssue(
  jira: JiraCall,
  run: SinkRun,
  config: JiraConfig,
  state: CaseState,
  version: number,
): Promise<string> {
  const description = `${state.description || state.title}\n\n[Open ${run.caseId} in Phoenix](${run.caseUrl})`;
  const created = await jsonOf<{ key?: string }>(
    await jira("/rest/api/3/issue", {
      method: "POST",
      body: JSON.stringify({
        fields: {
          project: { key: config.project_key },
          issuetype: { name: config.issue_type },
          ...issueFields(run, config, state),
          description: markdownAsAdf(description),
          labels: ["phoenix"],
        },
        properties: [{ key: CASE_PROPERTY, value: { caseId: run.caseId, version } }],
      }),
    }),
    "Jira issue create",
  );
  if (!created.key) throw new SinkCallFailed("Jira created an issue without a key", { permanent: false });
  return created.key;
}

/** The fields Phoenix owns on the issue, set whole on every change. */
function issueFields(run: SinkRun, config: JiraConfig, state: CaseState): Record<string, unknown> {
  const fields: Record<string, unknown> = { summary: state.title.slice(0, 255) };
  const priority = config.priorities[state.priority];
  if (priority) fields.priority = { name: priority };
  const custom = config.custom_fields;
  if (custom.severity) fields[custom.severity] = state.severity;
  if (custom.tenant) fields[custom.tenant] = run.ctx.tenantId;
  if (custom.case_url) fields[custom.case_url] = run.caseUrl;
  if (custom.sla_due) {
    const due = slaDueAt(state.sla);
    fields[custom.sla_due] = due === null ? null : new Date(due).toISOString();
  }
  return fields;
}

async function updateFields(jira: JiraCall, run: SinkRun, config: JiraConfig, state: CaseState, key: string) {
  await jira(`/rest/api/3/issue/${key}`, {
    method: "PUT",
    body: JSON.stringify({ fields: issueFields(run, config, state) }),
  }).then(drain);
}

async function applyTransition(
  jira: JiraCall,
  key: string,
  name: string,
  detail: JiraDetail,
  saveDetail: (next: JiraDetail) => Promise<void>,
): Promise<void> {
  const issue = await jsonOf<{ fields?: { status?: { name?: string } } }>(
    await jira(`/rest/api/3/issue/${key}?fields=status`),
    "Jira issue read",
  );
  const current = issue.fields?.status?.name ?? "";
  const offered =
    (
      await jsonOf<{ transitions?: Array<{ id: string; name: string; to?: { name?: string } }> }>(
        await jira(`/rest/api/3/issue/${key}/transitions`),
        "Jira transitions",
      )
    ).transitions ?? [];
  // Jira offers only the transitions out of the current status, so where each one leads is
  // remembered: a transition no longer offered because the issue already took it is no error.
  const targets = { ...detail.targets };
  for (const t of offered) if (t.to?.name) targets[t.name.toLowerCase()] = t.to.name;
  await saveDetail({ ...detail, targets });
  const wanted = offered.find((t) => t.name.toLowerCase() === name.toLowerCase());
  const leadsTo = wanted?.to?.name ?? targets[name.toLowerCase()];
  if (leadsTo !== undefined && leadsTo.toLowerCase() === current.toLowerCase()) return;
  if (!wanted)
    throw new SinkCallFailed(
      `Jira offers no transition "${name}" from status "${current}" on ${key}; check the sink's transition mapping against the workflow`,
      { permanent: true },
    );
  await jira(`/rest/api/3/issue/${key}/transitions`, {
    method: "POST",
    body: JSON.stringify({ transition: { id: wanted.id } }),
  }).then(drain);
}

function commentToSend(
  config: JiraConfig,
  event: TimelineEvent,
): event is TimelineEvent & {
  type: "case.commented";
  body: string;
} {
  if (event.type !== "case.commented") return false;
  // A comment that came from Jira is already there.
  if (event.actor.kind === "jira") return false;
  return config.comments === "all" || event.visibility === "customer";
}

async function postComment(
  jira: JiraCall,
  key: string,
  event: TimelineEvent & { body: string },
  detail: JiraDetail,
  saveDetail: (next: JiraDetail) => Promise<void>,
): Promise<void> {
  const body = markdownAsAdf(event.body);
  if (detail.pendingComment === event.seq && (await alreadyPosted(jira, key, body))) {
    await saveDetail({ ...detail, pendingComment: undefined });
    return;
  }
  await saveDetail({ ...detail, pendingComment: event.seq });
  await jira(`/rest/api/3/issue/${key}/comment`, { method: "POST", body: JSON.stringify({ body }) }).then(
    drain,
  );
  await saveDetail({ ...detail, pendingComment: undefined });
}

/** Whether the newest comments hold this body: the answer to an earlier post was lost. */
async function alreadyPosted(jira: JiraCall, key: string, body: unknown): Promise<boolean> {
  const listed = await jsonOf<{ comments?: Array<{ body?: unknown }> }>(
    await jira(`/rest/api/3/issue/${key}/comment?orderBy=-created&maxResults=50`),
    "Jira comments",
  );
  // Compared as text: Jira may store the document with attributes of its own added.
  const wanted = adfText(body);
  return (listed.comments ?? []).some((c) => adfText(c.body) === wanted);
}
