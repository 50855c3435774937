// The Cisco AI Defense pull: runtime events from its Management API (`POST /events`, offset and limit
// within a time window, oldest first), each page received and stored through the same ingest as a
// push, then the cursor moved (docs/vendors/cisco-ai-defense.md, decision 057). Phoenix never asks
// for an event's conversation, the one endpoint that carries prompt text.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { z } from "zod";
import {
  type AiDefenseRegion,
  listAiDefensePullConnectorIds,
  loadAiDefensePullTarget,
  readAiDefenseApiKey,
} from "../../../domain/connectors/ai-defense-pull.ts";
import {
  advanceCursor,
  alreadyPulled,
  commitPullCursor,
  type PullCursor,
  sameCursor,
} from "../../../domain/connectors/pull-cursor.ts";
import { ingestDelivery } from "../../../domain/ingest/deliver.ts";
import {
  aiDefensePullSettingsSchema,
  ciscoAiDefense,
} from "../../../domain/ingest/kinds/cisco-ai-defense/index.ts";
import { metricsFor } from "../../../domain/metrics.ts";
import { tenantDatabase } from "../../../domain/tenancy.ts";
import { correlateAlerts } from "../../../durable-objects/correlate-alerts.ts";
import { propagateTrace, startTrace, type TraceContext } from "../../telemetry/trace.ts";
import {
  backoffMs,
  MAX_ATTEMPTS,
  PullStop,
  retryAfterSeconds,
  retryPendingUntil,
  stoppedOutcome,
} from "../pull-retry.ts";
import { recordedPull } from "../pull-runs.ts";

/** The Management API per region, as Cisco's SDK names them. */
export const AI_DEFENSE_HOSTS: Record<AiDefenseRegion, string> = {
  us: "https://us.api.aidefense.security.cisco.com",
  eu: "https://eu.api.aidefense.security.cisco.com",
  ap: "https://ap.api.aidefense.security.cisco.com",
};
export const EVENTS_PATH = "/api/ai-defense/v1/events";
export const API_KEY_HEADER = "x-cisco-ai-defense-tenant-api-key";

const DEFAULT_PAGE_SIZE = 100;
const DEFAULT_LOOKBACK_MINUTES = 24 * 60;
const DEFAULT_MAX_PAGES = 10;
const REQUEST_TIMEOUT_MS = 15_000;
/**
 * How far behind now a run's window ends. The cursor resumes after the newest event stored, so an
 * event listed later with an earlier time would fall behind it for good; events younger than this
 * wait for the next run instead, by when AI Defense has listed their neighbours too.
 */
export const INDEXING_DELAY_MS = 2 * 60_000;

export type AiDefensePullStatus =
  | "done"
  | "more"
  | "rate_limited"
  /** A 429's Retry-After from an earlier run has not passed: nothing was asked. */
  | "waiting"
  | "conflict"
  | "failed"
  | "skipped";

export interface AiDefensePullOutcome {
  connectorId: string;
  status: AiDefensePullStatus;
  pages: number;
  events: number;
  accepted: number;
  duplicates: number;
  quarantined: number;
  redelivered: number;
  requests: number;
  cursor: PullCursor | null;
  retryAfter?: number;
  retryAt?: number;
  error?: string;
}

export interface AiDefensePullOptions {
  sleep?: (ms: number) => Promise<void>;
  /** The cursor compare-and-set; tests inject failures here. */
  commitCursor?: typeof commitPullCursor;
  maxPages?: number;
  trace?: TraceContext;
}

/** `{"events": {"items": […], "paging": {offset, count, total}}}`, the list's envelope. */
const eventsPage = z.object({
  events: z.object({
    items: z.array(z.looseObject({ event_id: z.string().optional(), event_date: z.string().optional() })),
    paging: z.looseObject({ total: z.int().optional() }).optional(),
  }),
});

/** Pulls one connector once: as many pages as the run allows, stopping early on a 429 or a failure. */
export async function pullAiDefenseConnector(
  env: Env,
  connectorId: string,
  now: number,
  options: AiDefensePullOptions = {},
): Promise<AiDefensePullOutcome> {
  const outcome = emptyOutcome(connectorId);
  const target = await loadAiDefensePullTarget(env.CONTROL_DB, connectorId);
  if (!target) return { ...outcome, status: "skipped" };
  const settings = aiDefensePullSettingsSchema.safeParse(target.connector.config.pull);
  if (!settings.success) {
    const fields = settings.error.issues.map((i) => ["config", "pull", ...i.path].join("."));
    return { ...outcome, status: "failed", error: `invalid pull settings: ${fields.join(", ")}` };
  }
  const pull = settings.data;
  const retryAt = retryPendingUntil(pull, now);
  if (retryAt !== undefined) return { ...outcome, status: "waiting", retryAt };
  const apiKey = await readAiDefenseApiKey(env.SECRETS_ENCRYPTION_KEY, target.connector);
  if (apiKey === null) return { ...outcome, status: "skipped" };

  const trace = options.trace ?? startTrace();
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const commit = options.commitCursor ?? commitPullCursor;
  const db = tenantDatabase(env, target.tenant);
  const metrics = { sink: metricsFor(env), tenant: target.tenant.id };
  const pageSize = pull.pageSize ?? DEFAULT_PAGE_SIZE;

  let stored: unknown = (target.connector.config.pull as Record<string, unknown>).cursor ?? null;
  let cursor: PullCursor = pull.cursor ?? {
    since: new Date(now - (pull.lookbackMinutes ?? DEFAULT_LOOKBACK_MINUTES) * 60_000).toISOString(),
    seen: [],
  };
  outcome.cursor = cursor;
  // One window for the whole run, so offsets keep meaning the same list while it pages.
  const end = now - INDEXING_DELAY_MS;
  if (Date.parse(cursor.since) >= end) return outcome;
  const window = { start_date: cursor.since, end_date: new Date(end).toISOString() };
  const send = async (body: unknown): Promise<string> => {
    const text = await requestEvents(AI_DEFENSE_HOSTS[pull.region], apiKey, body, sleep, trace, () => {
      outcome.requests++;
    });
    return text;
  };

  try {
    for (let offset = 0, page = 0; ; page++) {
      if (page >= (options.maxPages ?? DEFAULT_MAX_PAGES)) {
        outcome.status = "more";
        break;
      }
      const text = await send({
        ...window,
        limit: pageSize,
        offset,
        sort_by: "event_timestamp",
        order: "asc",
        expanded: true,
      });
      const parsed = eventsPage.safeParse(parseJson(text));
      if (!parsed.success)
        throw new PullStop({ kind: "failed", detail: "the events list is not a page of events" });
      const items = parsed.data.events.items;
      const pulled = items.map((e) => ({ key: e.event_id, timestamp: e.event_date }));
      const fresh = items.filter((_, i) => !alreadyPulled(cursor, pulled[i] as (typeof pulled)[number]));

      if (fresh.length > 0) {
        const received = ciscoAiDefense.received?.(JSON.stringify(fresh), "application/json") ?? {
          body: JSON.stringify(fresh),
          contentType: "application/json",
        };
        const delivered = await ingestDelivery(db, ciscoAiDefense, {
          connectorId,
          // The page's content: a re-pull of the same events after a crash is a re-delivery.
          webhookId: `pull:${bytesToHex(sha256(utf8ToBytes(received.body))).slice(0, 32)}`,
          body: received.body,
          contentType: received.contentType,
          config: target.connector.config,
          now,
          metrics,
        });
        outcome.events += fresh.length;
        outcome.accepted += delivered.accepted;
        outcome.duplicates += delivered.duplicates;
        outcome.quarantined += delivered.quarantined;
        if (delivered.redelivered) outcome.redelivered++;
        const alertIds = delivered.alerts.filter((a) => !a.duplicate).map((a) => a.id);
        // Alerts whose correlation fails here stay owed for the scheduled sweep.
        if (alertIds.length > 0) await correlateAlerts(env, target.tenant, alertIds);
      }

      // Stored first, cursor second: a crash in between re-pulls this page, which changes nothing.
      const next = advanceCursor(cursor, pulled);
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
      offset += items.length;
      const total = parsed.data.events.paging?.total;
      if (items.length === 0 || (total !== undefined && offset >= total)) break;
    }
  } catch (error) {
    if (!(error instanceof PullStop)) throw error;
    Object.assign(outcome, stoppedOutcome(error.reason));
  }
  console.log(
    JSON.stringify({
      level: outcome.status === "failed" ? "error" : "info",
      msg: "ai defense pull",
      trace_id: trace.traceId,
      tenant: target.tenant.id,
      connector: connectorId,
      status: outcome.status,
      pages: outcome.pages,
      events: outcome.events,
      accepted: outcome.accepted,
      requests: outcome.requests,
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    }),
  );
  return outcome;
}

/** Every cisco-ai-defense connector with a key, one after another; for the cron trigger. */
export async function pullAllAiDefenseConnectors(
  env: Env,
  now: number,
  options: AiDefensePullOptions = {},
): Promise<AiDefensePullOutcome[]> {
  const outcomes: AiDefensePullOutcome[] = [];
  for (const connectorId of await listAiDefensePullConnectorIds(env.CONTROL_DB)) {
    outcomes.push(await pullAndRecord(env, connectorId, now, options));
  }
  return outcomes;
}

/** One connector's scheduled run, kept on the connector as its last run (with any Retry-After). */
export function pullAndRecord(
  env: Env,
  connectorId: string,
  now: number,
  options: AiDefensePullOptions = {},
): Promise<AiDefensePullOutcome> {
  return recordedPull(
    env,
    connectorId,
    now,
    () => pullAiDefenseConnector(env, connectorId, now, options),
    (error) => ({ ...emptyOutcome(connectorId), status: "failed", error }),
  );
}

/** One events request: tried again on a 5xx or a dropped connection; a 429 or a refusal ends the run. */
async function requestEvents(
  host: string,
  apiKey: string,
  body: unknown,
  sleep: (ms: number) => Promise<void>,
  trace: TraceContext,
  counted: () => void,
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const request = new Request(`${host}${EVENTS_PATH}`, {
      method: "POST",
      headers: { [API_KEY_HEADER]: apiKey, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
    propagateTrace(request.headers, trace);
    counted();
    let response: Response;
    try {
      response = await fetch(request, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS)
        throw new PullStop({ kind: "failed", detail: `AI Defense unreachable: ${String(error)}` });
      await sleep(backoffMs(attempt));
      continue;
    }
    if (response.status === 429) {
      const retryAfter = retryAfterSeconds(response.headers.get("retry-after"), Date.now());
      await response.body?.cancel();
      throw new PullStop({ kind: "rate_limited", retryAfter, retryAt: Date.now() + retryAfter * 1000 });
    }
    if (response.status >= 500) {
      if (attempt >= MAX_ATTEMPTS) {
        throw new PullStop({
          kind: "failed",
          detail: `AI Defense unavailable after retries (${await excerpt(response)})`,
        });
      }
      await response.body?.cancel();
      await sleep(backoffMs(attempt));
      continue;
    }
    if (response.status === 401 || response.status === 403) {
      throw new PullStop({
        kind: "failed",
        detail: `AI Defense refused the API key (${await excerpt(response)})`,
      });
    }
    if (!response.ok) {
      throw new PullStop({
        kind: "failed",
        detail: `unexpected AI Defense response (${await excerpt(response)})`,
      });
    }
    return response.text();
  }
}

function emptyOutcome(connectorId: string): AiDefensePullOutcome {
  return {
    connectorId,
    status: "done",
    pages: 0,
    events: 0,
    accepted: 0,
    duplicates: 0,
    quarantined: 0,
    redelivered: 0,
    requests: 0,
    cursor: null,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function excerpt(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  return `${response.status} ${text.slice(0, 200)}`.trim();
}
