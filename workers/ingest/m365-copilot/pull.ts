// The Microsoft 365 Copilot pull (docs/vendors/m365-copilot-audit.md, decision 057): the
// `Audit.General` subscription of the Office 365 Management Activity API, started once; content
// listed in windows of at most 24 hours within the last 7 days, following NextPageUri; each content
// blob fetched, received and stored through the same ingest as a push, then the cursor moved. The
// cursor is the blobs' `contentCreated`, which only grows as Microsoft makes blobs available.
import * as oauth from "oauth4webapi";
import { z } from "zod";
import {
  listM365PullConnectorIds,
  loadM365PullTarget,
  markM365Subscribed,
  readM365ClientSecret,
} from "../../../domain/connectors/m365-pull.ts";
import {
  advanceCursor,
  alreadyPulled,
  commitPullCursor,
  type PullCursor,
  sameCursor,
} from "../../../domain/connectors/pull-cursor.ts";
import { ingestDelivery } from "../../../domain/ingest/deliver.ts";
import { m365Copilot, m365PullSettingsSchema } from "../../../domain/ingest/kinds/m365-copilot/index.ts";
import { metricsFor } from "../../../domain/metrics.ts";
import { tenantDatabase } from "../../../domain/tenancy.ts";
import { correlateAlerts } from "../../../durable-objects/correlate-alerts.ts";
import { propagateTrace, startTrace, type TraceContext } from "../../telemetry/trace.ts";
import { TokenCache, tokenCacheKey } from "../cisco-xdr/oauth.ts";
import {
  backoffMs,
  MAX_ATTEMPTS,
  PullStop,
  retryAfterSeconds,
  retryPendingUntil,
  stoppedOutcome,
} from "../pull-retry.ts";
import { recordedPull } from "../pull-runs.ts";

export const MANAGE_API = "https://manage.office.com/api/v1.0";
export const LOGIN_HOST = "https://login.microsoftonline.com";
const CONTENT_TYPE = "Audit.General";
const HOUR = 3_600_000;
/** The API lists content at most 24 hours at a time, starting at most 7 days back. */
const WINDOW_MS = 24 * HOUR;
const RETENTION_MS = 7 * 24 * HOUR;
/** Kept clear of the 7-day edge, so a window computed now is still valid when it is asked. */
const RETENTION_MARGIN_MS = 10 * 60_000;
const DEFAULT_LOOKBACK_HOURS = 24;
const DEFAULT_MAX_BLOBS = 50;
const REQUEST_TIMEOUT_MS = 30_000;

export type M365PullStatus = "done" | "more" | "rate_limited" | "waiting" | "conflict" | "failed" | "skipped";

export interface M365PullOutcome {
  connectorId: string;
  status: M365PullStatus;
  /** Content blobs fetched and stored. */
  blobs: number;
  /** Blobs listed but gone before they were fetched (past their 7 days): counted, not retried. */
  expired: number;
  accepted: number;
  duplicates: number;
  ignored: number;
  quarantined: number;
  redelivered: number;
  requests: number;
  cursor: PullCursor | null;
  retryAfter?: number;
  retryAt?: number;
  error?: string;
}

export interface M365PullOptions {
  sleep?: (ms: number) => Promise<void>;
  commitCursor?: typeof commitPullCursor;
  tokens?: TokenCache;
  trace?: TraceContext;
}

const isolateTokens = new TokenCache();

const contentList = z.array(
  z.looseObject({
    contentId: z.string().min(1),
    contentUri: z.string().min(1),
    contentCreated: z.string().min(1),
    contentType: z.string().optional(),
  }),
);
type ListedContent = z.infer<typeof contentList>[number];

/** Pulls one connector once: windows and blobs as far as the run allows, stopping on 429 or failure. */
export async function pullM365Connector(
  env: Env,
  connectorId: string,
  now: number,
  options: M365PullOptions = {},
): Promise<M365PullOutcome> {
  const outcome = emptyOutcome(connectorId);
  const target = await loadM365PullTarget(env.CONTROL_DB, connectorId);
  if (!target) return { ...outcome, status: "skipped" };
  const settings = m365PullSettingsSchema.safeParse(target.connector.config.pull);
  if (!settings.success) {
    const fields = settings.error.issues.map((i) => ["config", "pull", ...i.path].join("."));
    return { ...outcome, status: "failed", error: `invalid pull settings: ${fields.join(", ")}` };
  }
  const pull = settings.data;
  const rawPull = target.connector.config.pull as Record<string, unknown>;
  const retryAt = retryPendingUntil(rawPull, now);
  if (retryAt !== undefined) return { ...outcome, status: "waiting", retryAt };
  const secret = await readM365ClientSecret(env.SECRETS_ENCRYPTION_KEY, target.connector);
  if (secret === null) return { ...outcome, status: "skipped" };

  const api = new ManagementApi({
    tenantId: pull.tenantId,
    clientId: pull.clientId,
    clientSecret: secret,
    publisherId: pull.publisherId,
    tokens: options.tokens ?? isolateTokens,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    trace: options.trace ?? startTrace(),
    counted: () => {
      outcome.requests++;
    },
  });
  const commit = options.commitCursor ?? commitPullCursor;
  const db = tenantDatabase(env, target.tenant);
  const metrics = { sink: metricsFor(env), tenant: target.tenant.id };
  const oldest = now - RETENTION_MS + RETENTION_MARGIN_MS;

  let stored: unknown = rawPull.cursor ?? null;
  let cursor: PullCursor = pull.cursor ?? {
    since: new Date(
      Math.max(oldest, now - (pull.lookbackHours ?? DEFAULT_LOOKBACK_HOURS) * HOUR),
    ).toISOString(),
    seen: [],
  };
  outcome.cursor = cursor;
  const moveTo = async (next: PullCursor): Promise<boolean> => {
    if (stored !== null && sameCursor(next, cursor)) return true;
    if (!(await commit(env.CONTROL_DB, connectorId, stored, next, now))) return false;
    stored = next;
    cursor = next;
    outcome.cursor = next;
    return true;
  };
  let budget = pull.maxBlobs ?? DEFAULT_MAX_BLOBS;

  try {
    if (rawPull.subscribed !== true) {
      await api.startSubscription();
      await markM365Subscribed(env.CONTROL_DB, connectorId);
    }
    // A cursor older than the API keeps (a connector paused for a week) resumes at the oldest it has.
    if (Date.parse(cursor.since) < oldest) {
      if (!(await moveTo({ since: new Date(oldest).toISOString(), seen: [] }))) return conflict(outcome);
    }
    windows: while (true) {
      const start = Date.parse(cursor.since);
      // The API takes whole seconds; a window ending between two would lose what lies past its end.
      const end = Math.floor(Math.min(start + WINDOW_MS, now) / 1000) * 1000;
      if (end <= start) break;
      const listed = (await api.listContent(start, end))
        // The API takes whole seconds: what it lists from before the cursor was stored already.
        .filter((c) => Date.parse(c.contentCreated) >= start && !alreadyPulled(cursor, pulledOf(c)))
        .sort(
          (a, b) =>
            Date.parse(a.contentCreated) - Date.parse(b.contentCreated) ||
            a.contentId.localeCompare(b.contentId),
        );
      for (const content of listed) {
        if (budget-- <= 0) {
          outcome.status = "more";
          break windows;
        }
        const blob = await api.fetchBlob(content.contentUri);
        if (blob === null) outcome.expired++;
        else {
          const received = m365Copilot.received?.(blob, "application/json") ?? {
            body: blob,
            contentType: "application/json",
          };
          const delivered = await ingestDelivery(db, m365Copilot, {
            connectorId,
            // A blob is immutable and named: fetched again after a crash, it is a re-delivery.
            webhookId: `blob:${content.contentId}`.slice(0, 256),
            body: received.body,
            contentType: received.contentType,
            config: target.connector.config,
            now,
            metrics,
          });
          outcome.blobs++;
          outcome.accepted += delivered.accepted;
          outcome.duplicates += delivered.duplicates;
          outcome.ignored += delivered.ignored;
          outcome.quarantined += delivered.quarantined;
          if (delivered.redelivered) outcome.redelivered++;
          const alertIds = delivered.alerts.filter((a) => !a.duplicate).map((a) => a.id);
          if (alertIds.length > 0) await correlateAlerts(env, target.tenant, alertIds);
        }
        // Stored first, cursor second: a crash in between fetches the blob again, which changes nothing.
        if (!(await moveTo(advanceCursor(cursor, [pulledOf(content)])))) return conflict(outcome);
      }
      // The window reaching now stays open: blobs Microsoft lists late still fall after the cursor.
      if (end >= Math.floor(now / 1000) * 1000) break;
      // The whole window is stored: the next starts where it ended.
      if (!(await moveTo({ since: new Date(end).toISOString(), seen: [] }))) return conflict(outcome);
    }
  } catch (error) {
    if (!(error instanceof PullStop)) throw error;
    Object.assign(outcome, stoppedOutcome(error.reason));
  }
  console.log(
    JSON.stringify({
      level: outcome.status === "failed" ? "error" : "info",
      msg: "m365 pull",
      tenant: target.tenant.id,
      connector: connectorId,
      status: outcome.status,
      blobs: outcome.blobs,
      accepted: outcome.accepted,
      requests: outcome.requests,
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    }),
  );
  return outcome;
}

/** Every m365-copilot connector with credentials, one after another; for the cron trigger. */
export async function pullAllM365Connectors(env: Env, now: number, options: M365PullOptions = {}) {
  const outcomes: M365PullOutcome[] = [];
  for (const connectorId of await listM365PullConnectorIds(env.CONTROL_DB)) {
    outcomes.push(await pullM365AndRecord(env, connectorId, now, options));
  }
  return outcomes;
}

/** One connector's scheduled run, kept on the connector as its last run (with any Retry-After). */
export function pullM365AndRecord(
  env: Env,
  connectorId: string,
  now: number,
  options: M365PullOptions = {},
): Promise<M365PullOutcome> {
  return recordedPull(
    env,
    connectorId,
    now,
    () => pullM365Connector(env, connectorId, now, options),
    (error) => ({ ...emptyOutcome(connectorId), status: "failed", error }),
  );
}

interface ManagementApiOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  publisherId: string | undefined;
  tokens: TokenCache;
  sleep: (ms: number) => Promise<void>;
  trace: TraceContext;
  counted: () => void;
}

/** One customer tenant's Management Activity API, as the pull uses it. */
class ManagementApi {
  private readonly options: ManagementApiOptions;
  private readonly root: string;

  constructor(options: ManagementApiOptions) {
    this.options = options;
    this.root = `${MANAGE_API}/${encodeURIComponent(options.tenantId)}/activity/feed`;
  }

  /** Starts the Audit.General subscription; one already enabled is as good. */
  async startSubscription(): Promise<void> {
    const response = await this.send(
      "POST",
      `${this.root}/subscriptions/start?${this.query({ contentType: CONTENT_TYPE })}`,
    );
    if (response.ok) return;
    const code = await errorCode(response);
    // AF20024: the subscription is already enabled.
    if (code === "AF20024") return;
    throw new PullStop({
      kind: "failed",
      detail: `the subscription could not be started (${response.status} ${code ?? ""})`.trim(),
    });
  }

  /** Every content blob created in [start, end), following NextPageUri. */
  async listContent(start: number, end: number): Promise<ListedContent[]> {
    let url: string | null =
      `${this.root}/subscriptions/content?${this.query({ contentType: CONTENT_TYPE, startTime: apiTime(start), endTime: apiTime(end) })}`;
    const all: ListedContent[] = [];
    while (url !== null) {
      const response = await this.send("GET", url);
      if (!response.ok) {
        const code = await errorCode(response);
        throw new PullStop({
          kind: "failed",
          detail: `listing content failed (${response.status} ${code ?? ""})`.trim(),
        });
      }
      const page = contentList.safeParse(await response.json().catch(() => null));
      if (!page.success)
        throw new PullStop({ kind: "failed", detail: "the content list is not a list of content blobs" });
      all.push(...page.data);
      const next = response.headers.get("NextPageUri");
      // Ending early would mark the window done with pages unread: a link elsewhere stops the run.
      if (next && !this.isOurs(next))
        throw new PullStop({ kind: "failed", detail: "a NextPageUri is not on the Management API" });
      url = next || null;
    }
    return all;
  }

  /** A blob's records as sent; null when it is gone (past its 7 days, or not found). */
  async fetchBlob(contentUri: string): Promise<string | null> {
    // Only the API's own host gets the bearer token, whatever a listing names.
    if (!this.isOurs(contentUri))
      throw new PullStop({ kind: "failed", detail: "a content URI is not on the Management API" });
    const response = await this.send("GET", contentUri);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) {
      const code = await errorCode(response);
      if (code === "AF20051" || code === "AF20050") return null;
      throw new PullStop({
        kind: "failed",
        detail: `fetching a content blob failed (${response.status} ${code ?? ""})`.trim(),
      });
    }
    return response.text();
  }

  /** On the API's host and under this tenant's feed; the tenant id's case is the API's to choose. */
  private isOurs(url: string): boolean {
    if (!URL.canParse(url)) return false;
    const parsed = new URL(url);
    const root = new URL(this.root);
    return (
      parsed.protocol === "https:" &&
      parsed.origin === root.origin &&
      parsed.pathname.toLowerCase().startsWith(`${root.pathname.toLowerCase()}/`)
    );
  }

  private query(params: Record<string, string>): string {
    const publisher = this.options.publisherId;
    return new URLSearchParams({
      ...params,
      ...(publisher ? { PublisherIdentifier: publisher } : {}),
    }).toString();
  }

  private async send(method: "GET" | "POST", url: string): Promise<Response> {
    let reminted = false;
    for (let attempt = 1; ; attempt++) {
      const token = await this.token();
      const request = new Request(url, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      });
      propagateTrace(request.headers, this.options.trace);
      this.options.counted();
      let response: Response;
      try {
        // No redirects: the bearer token goes to the API's host and nowhere else.
        response = await fetch(request, {
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          redirect: "manual",
        });
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS)
          throw new PullStop({
            kind: "failed",
            detail: `the Management API is unreachable: ${String(error)}`,
          });
        await this.options.sleep(backoffMs(attempt));
        continue;
      }
      if (response.status === 429) {
        // AF429: Microsoft documents no Retry-After; one given is honoured, else the default wait.
        const retryAfter = retryAfterSeconds(response.headers.get("retry-after"), Date.now());
        await response.body?.cancel();
        throw new PullStop({ kind: "rate_limited", retryAfter, retryAt: Date.now() + retryAfter * 1000 });
      }
      if (response.status === 401 && !reminted) {
        reminted = true;
        await response.body?.cancel();
        this.options.tokens.evict(await this.tokenKey());
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        throw new PullStop({
          kind: "failed",
          detail:
            `the Management API refused the app registration (${response.status} ${(await errorCode(response)) ?? ""})`.trim(),
        });
      }
      if (response.status >= 500) {
        if (attempt >= MAX_ATTEMPTS) {
          throw new PullStop({
            kind: "failed",
            detail: `the Management API is unavailable after retries (${response.status})`,
          });
        }
        await response.body?.cancel();
        await this.options.sleep(backoffMs(attempt));
        continue;
      }
      return response;
    }
  }

  private tokenKey(): Promise<string> {
    const { tenantId, clientId, clientSecret } = this.options;
    return tokenCacheKey("us", `${tenantId}/${clientId}`, clientSecret);
  }

  /** An app-only token for the Management API (client credentials, Microsoft identity platform v2). */
  private async token(): Promise<string> {
    const key = await this.tokenKey();
    const cached = this.options.tokens.get(key, Date.now());
    if (cached !== null) return cached;
    const { tenantId, clientId, clientSecret } = this.options;
    const as: oauth.AuthorizationServer = {
      issuer: `${LOGIN_HOST}/${tenantId}/v2.0`,
      token_endpoint: `${LOGIN_HOST}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`,
    };
    const client: oauth.Client = { client_id: clientId };
    this.options.counted();
    try {
      const response = await oauth.clientCredentialsGrantRequest(
        as,
        client,
        oauth.ClientSecretPost(clientSecret),
        {
          scope: "https://manage.office.com/.default",
        },
      );
      const token = await oauth.processClientCredentialsResponse(as, client, response);
      this.options.tokens.set(key, token.access_token, Date.now() + (token.expires_in ?? 3600) * 1000);
      return token.access_token;
    } catch (error) {
      throw new PullStop({
        kind: "failed",
        detail: `Microsoft Entra refused the app registration (${String(error)})`,
      });
    }
  }
}

/** `YYYY-MM-DDTHH:MM:SS`, UTC, as the API takes start and end times. */
function apiTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

function pulledOf(content: ListedContent) {
  return { key: content.contentId, timestamp: content.contentCreated };
}

/** The API's error code (`{"error": {"code": "AF…"}}`), if the body names one. */
async function errorCode(response: Response): Promise<string | undefined> {
  const body = (await response.json().catch(() => null)) as { error?: { code?: unknown } } | null;
  return typeof body?.error?.code === "string" ? body.error.code : undefined;
}

function conflict(outcome: M365PullOutcome): M365PullOutcome {
  return { ...outcome, status: "conflict" };
}

function emptyOutcome(connectorId: string): M365PullOutcome {
  return {
    connectorId,
    status: "done",
    blobs: 0,
    expired: 0,
    accepted: 0,
    duplicates: 0,
    ignored: 0,
    quarantined: 0,
    redelivered: 0,
    requests: 0,
    cursor: null,
  };
}
