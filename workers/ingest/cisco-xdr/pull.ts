// The Cisco XDR pull path: incidents modified since the connector's cursor (IROH private-intel
// incident search, paged through X-Next), each with the sightings its member-of relationships name
// (CTIA relationship search, CTIA sighting by id). Each incident and its sightings become one CTIM
// bundle that goes through the same ingest as a push, so mapping, dedup, quarantine and correlation
// are identical. The cursor moves only after a page's items are stored.

import {
  advanceCursor,
  alreadyPulled,
  commitPullCursor,
  recordPullRun,
  sameCursor,
} from "../../../domain/connectors/pull-cursor.ts";
import { RequestBudget } from "../../../domain/connectors/xdr-budget.ts";
import {
  listXdrPullConnectorIds,
  loadXdrPullTarget,
  readXdrPullPassword,
} from "../../../domain/connectors/xdr-pull.ts";
import { ingestDelivery } from "../../../domain/ingest/deliver.ts";
import { type PullCursor, pullSettingsSchema } from "../../../domain/ingest/kinds/cisco-xdr/config.ts";
import { normaliseCtimId } from "../../../domain/ingest/kinds/cisco-xdr/ctim.ts";
import { ciscoXdr } from "../../../domain/ingest/kinds/cisco-xdr/index.ts";
import {
  arrayElementSpans,
  parseJsonLossless,
  valueSpan,
} from "../../../domain/ingest/kinds/cisco-xdr/json-text.ts";
import { metricsFor } from "../../../domain/metrics.ts";
import { tenantDatabase } from "../../../domain/tenancy.ts";
import { correlateAlerts } from "../../../durable-objects/correlate-alerts.ts";
import { startTrace, type TraceContext } from "../../telemetry/trace.ts";
import { D1BudgetStore } from "./budget-d1.ts";
import { nextPageParams, type StopReason, XdrClient, type XdrPage, XdrStop } from "./client.ts";
import { TokenCache } from "./oauth.ts";

export const INCIDENT_SEARCH_PATH = "/iroh/private-intel/incident/search";
export const RELATIONSHIP_SEARCH_PATH = "/ctia/relationship/search";
export const sightingPath = (shortId: string) => `/ctia/sighting/${encodeURIComponent(shortId)}`;

const DEFAULT_PAGE_SIZE = 50;
const DEFAULT_LOOKBACK_MINUTES = 24 * 60;
/** Incident pages per run: a scheduled run stays well inside a Worker invocation's limits. */
const DEFAULT_MAX_PAGES = 10;
const RELATIONSHIP_PAGE_SIZE = 100;

export type PullStatus =
  /** Every incident modified since the cursor is stored. */
  | "done"
  /** The run's page limit was reached; the next run carries on. */
  | "more"
  /** XDR answered 429; `retryAfter` says for how long the org must hold off. */
  | "rate_limited"
  /** The org's request budget is spent (or paused by a 429 seen by another connector) until `retryAt`. */
  | "budget_exhausted"
  /** Another run moved the cursor first; its work stands and this run stopped. */
  | "conflict"
  /** Credentials refused, XDR unavailable after retries, a response outside the contract, or bad settings. */
  | "failed"
  /** Not an active cisco-xdr connector with pull settings. */
  | "skipped";

export interface PullOutcome {
  connectorId: string;
  status: PullStatus;
  /** Incident search pages fetched and fully stored. */
  pages: number;
  incidents: number;
  accepted: number;
  duplicates: number;
  quarantined: number;
  /** Incident bundles already delivered before (a re-pull after a crash): nothing changed. */
  redelivered: number;
  /** XDR requests sent, each charged to the org's budget. */
  requests: number;
  cursor: PullCursor | null;
  /** Seconds, from XDR's Retry-After, when status is rate_limited. */
  retryAfter?: number;
  /** Epoch ms before which this org should not be asked again. */
  retryAt?: number;
  error?: string;
}

export interface PullOptions {
  /** The per-org budget; defaults to one per isolate (see budget.ts for the durable one). */
  budget?: RequestBudget;
  tokens?: TokenCache;
  sleep?: (ms: number) => Promise<void>;
  /** The cursor compare-and-set; tests inject failures here. */
  commitCursor?: typeof commitPullCursor;
  maxPages?: number;
  /** The trace this run's XDR requests carry; a cron run starts its own. */
  trace?: TraceContext;
}

// Per isolate: tokens are re-minted when an isolate starts. The budget is shared through CONTROL_DB.
const isolateTokens = new TokenCache();

interface SearchedIncident {
  raw: string;
  /** As XDR sent it (the CTIA URL): relationships name their target in this form. */
  id: string | undefined;
  key: string | undefined;
  timestamp: string | undefined;
}

/** Pulls one connector once: as many pages as the run allows, stopping early on 429 or an empty budget. */
export async function pullConnector(
  env: Env,
  connectorId: string,
  now: number,
  options: PullOptions = {},
): Promise<PullOutcome> {
  const outcome: PullOutcome = {
    connectorId,
    status: "done",
    pages: 0,
    incidents: 0,
    accepted: 0,
    duplicates: 0,
    quarantined: 0,
    redelivered: 0,
    requests: 0,
    cursor: null,
  };
  const target = await loadXdrPullTarget(env.CONTROL_DB, connectorId);
  if (!target) return { ...outcome, status: "skipped" };
  const settings = pullSettingsSchema.safeParse(target.connector.config.pull);
  if (!settings.success) {
    const fields = settings.error.issues.map((i) => ["config", "pull", ...i.path].join("."));
    return { ...outcome, status: "failed", error: `invalid pull settings: ${fields.join(", ")}` };
  }
  const pull = settings.data;
  const password = await readXdrPullPassword(env.SECRETS_ENCRYPTION_KEY, target.connector);
  if (password === null) return { ...outcome, status: "skipped" };

  const trace = options.trace ?? startTrace();
  const client = new XdrClient({
    region: pull.region,
    orgId: pull.orgId,
    clientId: pull.clientId,
    clientPassword: password,
    budget: options.budget ?? new RequestBudget(new D1BudgetStore(env.CONTROL_DB)),
    tokens: options.tokens ?? isolateTokens,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    trace,
  });
  const metrics = { sink: metricsFor(env), tenant: target.tenant.id };
  const commit = options.commitCursor ?? commitPullCursor;
  const db = tenantDatabase(env, target.tenant);
  const pageSize = pull.pageSize ?? DEFAULT_PAGE_SIZE;

  // The stored value exactly as read: the compare-and-set compares against it.
  let stored: unknown = (target.connector.config.pull as Record<string, unknown>).cursor ?? null;
  let cursor: PullCursor = pull.cursor ?? {
    since: new Date(now - (pull.lookbackMinutes ?? DEFAULT_LOOKBACK_MINUTES) * 60_000).toISOString(),
    seen: [],
  };
  outcome.cursor = cursor;

  let params: URLSearchParams | null = incidentQuery(cursor, pageSize);
  try {
    for (let page = 0; params !== null; page++) {
      if (page >= (options.maxPages ?? DEFAULT_MAX_PAGES)) {
        outcome.status = "more";
        break;
      }
      const response = await client.get("iroh", INCIDENT_SEARCH_PATH, params);
      if (response === null) {
        throw new XdrStop({ kind: "bad_response", status: 404, detail: "incident search not found" });
      }
      const incidents = searchResults(response);
      const fresh: string[] = [];
      let followUps = false;
      for (const incident of incidents) {
        if (alreadyPulled(cursor, incident)) continue;
        const body = await incidentBundle(client, incident);
        const delivered = await ingestDelivery(db, ciscoXdr, {
          connectorId,
          webhookId: await pullWebhookId(incident, body),
          body,
          contentType: "application/json",
          config: target.connector.config,
          now,
          metrics,
        });
        outcome.incidents++;
        outcome.accepted += delivered.accepted;
        outcome.duplicates += delivered.duplicates;
        outcome.quarantined += delivered.quarantined;
        if (delivered.redelivered) outcome.redelivered++;
        fresh.push(...delivered.alerts.filter((a) => !a.duplicate).map((a) => a.id));
        followUps ||= delivered.followUps;
      }
      // Alerts whose correlation fails here stay owed (correlated_at null) for the scheduled sweep;
      // so do follow-ups (an incident XDR updated since the last pull).
      if (fresh.length > 0 || followUps) await correlateAlerts(env, target.tenant, fresh, { followUps });

      // Stored first, cursor second: a crash in between re-pulls this page, and every bundle of it
      // is then a re-delivery (same webhook id), which changes nothing.
      const next = advance(cursor, incidents);
      if (stored === null || !sameCursor(next, cursor)) {
        if (!(await commit(env.CONTROL_DB, connectorId, stored, next, now))) {
          outcome.status = "conflict";
          break;
        }
        stored = next;
        cursor = next;
        outcome.cursor = cursor;
      }
      outcome.pages++;
      params = incidents.length > 0 ? nextPageParams(params, response.headers.get("x-next")) : null;
    }
  } catch (error) {
    if (!(error instanceof XdrStop)) throw error;
    Object.assign(outcome, stopOutcome(error.reason));
  } finally {
    outcome.requests = client.requests;
  }
  console.log(
    JSON.stringify({
      level: outcome.status === "failed" ? "error" : "info",
      msg: "xdr pull",
      trace_id: trace.traceId,
      tenant: target.tenant.id,
      connector: connectorId,
      status: outcome.status,
      pages: outcome.pages,
      incidents: outcome.incidents,
      accepted: outcome.accepted,
      requests: outcome.requests,
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    }),
  );
  return outcome;
}

/** Every active cisco-xdr connector with pull settings, one after another; for the cron trigger. */
export async function pullAllXdrConnectors(
  env: Env,
  now: number,
  options: PullOptions = {},
): Promise<PullOutcome[]> {
  const outcomes: PullOutcome[] = [];
  for (const connectorId of await listXdrPullConnectorIds(env.CONTROL_DB)) {
    try {
      outcomes.push(await pullConnector(env, connectorId, now, options));
    } catch (error) {
      // One connector's failure (its cursor stays where it was) must not stop the others.
      console.error(
        JSON.stringify({
          level: "error",
          msg: "xdr pull failed",
          connector: connectorId,
          error: String(error),
        }),
      );
      outcomes.push({
        connectorId,
        status: "failed",
        pages: 0,
        incidents: 0,
        accepted: 0,
        duplicates: 0,
        quarantined: 0,
        redelivered: 0,
        requests: 0,
        cursor: null,
        error: String(error),
      });
    }
    const outcome = outcomes.at(-1);
    // The connector page shows the last run; a lost record only leaves the previous one showing.
    if (outcome?.status !== "skipped" && outcome) {
      await recordPullRun(env.CONTROL_DB, connectorId, {
        at: now,
        status: outcome.status,
        pages: outcome.pages,
        incidents: outcome.incidents,
        accepted: outcome.accepted,
        duplicates: outcome.duplicates,
        quarantined: outcome.quarantined,
        requests: outcome.requests,
        error: outcome.error,
        retryAt: outcome.retryAt,
      }).catch((error: unknown) =>
        console.error(
          JSON.stringify({ level: "error", msg: "xdr pull run not recorded", error: String(error) }),
        ),
      );
    }
  }
  return outcomes;
}

/**
 * The incident search (IROH `GET /iroh/private-intel/incident/search`): modified at or after the
 * cursor, oldest first, id breaking ties, so X-Next's `search_after` pages are stable.
 */
export function incidentQuery(cursor: PullCursor, pageSize: number): URLSearchParams {
  return new URLSearchParams({
    query: `timestamp:[${JSON.stringify(cursor.since)} TO *]`,
    sort_by: "timestamp,id",
    sort_order: "asc",
    limit: String(pageSize),
  });
}

/** The cursor after a page (pull-cursor.ts), for the incidents on it. */
export const advance = (cursor: PullCursor, incidents: readonly SearchedIncident[]): PullCursor =>
  advanceCursor(cursor, incidents);

function searchResults(page: XdrPage): SearchedIncident[] {
  const elements = jsonArrayElements(page.text, "the incident search");
  return elements.map(({ raw, value }) => {
    const record = isRecord(value) ? value : {};
    const id = typeof record.id === "string" ? record.id : undefined;
    return {
      raw,
      id,
      key: id !== undefined ? (normaliseCtimId(id, "incident") ?? undefined) : undefined,
      timestamp: typeof record.timestamp === "string" ? record.timestamp : undefined,
    };
  });
}

/**
 * One incident as a CTIM bundle with the sightings that are members of it. Every part is the text
 * XDR sent, never re-serialised, so integers beyond 2^53 (process_guid) arrive exact.
 */
async function incidentBundle(client: XdrClient, incident: SearchedIncident): Promise<string> {
  const relationships: string[] = [];
  const sightingIds: string[] = [];
  if (incident.id !== undefined) {
    let params: URLSearchParams | null = new URLSearchParams({
      target_ref: incident.id,
      relationship_type: "member-of",
      sort_by: "id",
      sort_order: "asc",
      limit: String(RELATIONSHIP_PAGE_SIZE),
    });
    while (params !== null) {
      const page = await client.get("ctia", RELATIONSHIP_SEARCH_PATH, params);
      if (page === null) break;
      const elements = jsonArrayElements(page.text, "the relationship search");
      for (const { raw, value } of elements) {
        if (!isRecord(value) || typeof value.source_ref !== "string") continue;
        const sighting = normaliseCtimId(value.source_ref, "sighting");
        if (sighting === null) continue;
        relationships.push(raw);
        if (!sightingIds.includes(sighting)) sightingIds.push(sighting);
      }
      params = elements.length > 0 ? nextPageParams(params, page.headers.get("x-next")) : null;
    }
  }
  const sightings: string[] = [];
  for (const id of sightingIds) {
    // A sighting deleted since its relationship was listed is simply no longer there to map.
    const page = await client.get("ctia", sightingPath(id));
    if (page !== null) sightings.push(page.text.trim());
  }
  return `{"type":"bundle","incidents":[${incident.raw}],"sightings":[${sightings.join(",")}],"relationships":[${relationships.join(",")}]}`;
}

/**
 * The webhook id of a pulled incident bundle: its content, so a re-pull of the same content (after a
 * crash, or a tie on the cursor) is a re-delivery and changes nothing, while any change is new.
 */
export async function pullWebhookId(incident: SearchedIncident, body: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
  const hex = Array.from(new Uint8Array(digest).slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
  return `pull:${incident.key ?? "incident"}:${hex}`;
}

function jsonArrayElements(text: string, what: string): Array<{ raw: string; value: unknown }> {
  let value: unknown;
  try {
    value = parseJsonLossless(text);
  } catch {
    throw new XdrStop({ kind: "bad_response", status: 200, detail: `${what} did not return JSON` });
  }
  if (!Array.isArray(value)) {
    throw new XdrStop({ kind: "bad_response", status: 200, detail: `${what} did not return a JSON array` });
  }
  const spans = arrayElementSpans(text, valueSpan(text)[0]);
  return value.map((element, i) => {
    const span = spans[i];
    return { raw: span ? text.slice(span[0], span[1]) : JSON.stringify(element), value: element };
  });
}

function stopOutcome(reason: StopReason): Partial<PullOutcome> {
  switch (reason.kind) {
    case "rate_limited":
      return { status: "rate_limited", retryAfter: reason.retryAfter, retryAt: reason.retryAt };
    case "budget_exhausted":
      return { status: "budget_exhausted", retryAt: reason.retryAt };
    case "auth_failed":
      return { status: "failed", error: `XDR refused the API client credentials (${reason.detail})` };
    case "unavailable":
      return { status: "failed", error: `XDR unavailable after retries (${reason.detail})` };
    case "bad_response":
      return { status: "failed", error: `unexpected XDR response (${reason.detail})` };
    default: {
      const unreachable: never = reason;
      return unreachable;
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
