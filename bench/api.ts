// The few API calls scenarios make while seeding, outside the measured load.
import { signedHeaders } from "../cli/connectors.ts";
import type { BenchContext } from "./scenario.ts";

export async function api<T>(
  ctx: BenchContext,
  method: string,
  path: string,
  options: { token: string; body?: unknown; headers?: Record<string, string> },
): Promise<T> {
  const response = await fetch(`${ctx.origin}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.token}`,
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

export interface ConnectorSecret {
  connectorId: string;
  secret: string;
}

/** An `ocsf` connector: the signing secret is only ever returned here, on creation. */
export async function createOcsfConnector(
  ctx: BenchContext,
  name: string,
  token = ctx.tokens.admin,
): Promise<ConnectorSecret> {
  const body = await api<{ connector: { id: string }; secret: string }>(ctx, "POST", "/v1/connectors", {
    token,
    body: { kind: "ocsf", name },
  });
  return { connectorId: body.connector.id, secret: body.secret };
}

export interface CaseRef {
  id: string;
  version: number;
}

export function openCase(ctx: BenchContext, title: string, severity = "medium"): Promise<CaseRef> {
  return api<CaseRef>(ctx, "POST", "/v1/cases", { token: ctx.tokens.writer, body: { title, severity } });
}

/** Every case of the tenant's list (the read model), page by page. */
export async function allCases<T>(ctx: BenchContext): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `/v1/cases?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const page = await api<{ data: T[]; next_cursor: string | null }>(ctx, "GET", query, {
      token: ctx.tokens.reader,
    });
    out.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

/** Runs `task` for each item with at most `concurrency` in flight. */
export async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/**
 * Webhooks answer once their alerts are stored; the correlation queue groups them into cases just
 * after (decision 026). Polls the tenant's health until no alert owes a case and returns how long
 * that took, in seconds, so a scenario can report grouping along with the answers.
 */
/** Signed headers for a bench delivery, remembering its webhook-id for ingestDrainSeconds (the last 20 suffice). */
export function signedRemembered(
  secret: string,
  body: string,
  now: number,
  sentIds: string[],
): ReturnType<typeof signedHeaders> {
  const headers = signedHeaders(secret, body, now);
  sentIds.push(headers["webhook-id"]);
  if (sentIds.length > 100) sentIds.splice(0, sentIds.length - 20);
  return headers;
}

/**
 * Seconds until the ingest consumer has stored what a scenario sent (a webhook's 202 only says it
 * is queued, decision 052) and then every alert is in its case. The last ids sent are the last the
 * queue hands over, retries apart, so all of those must have an outcome.
 */
export async function ingestDrainSeconds(
  ctx: BenchContext,
  connectorId: string,
  sentIds: readonly string[],
  timeoutMs = 300_000,
): Promise<number> {
  const started = performance.now();
  const watched = new Set(sentIds.slice(-20));
  while (watched.size > 0) {
    for (const id of [...watched]) {
      const res = await fetch(`${ctx.origin}/v1/connectors/${connectorId}/deliveries/${id}`, {
        headers: { authorization: `Bearer ${ctx.tokens.admin}` },
      });
      await res.arrayBuffer();
      if (res.status === 200) watched.delete(id);
    }
    if (watched.size === 0) break;
    if (performance.now() - started > timeoutMs)
      throw new Error(`${watched.size} deliveries still not stored after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await correlationDrainSeconds(ctx, timeoutMs);
  return (performance.now() - started) / 1000;
}

export async function correlationDrainSeconds(ctx: BenchContext, timeoutMs = 300_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const health = await api<{ correlation: { owed_alerts: number } }>(ctx, "GET", "/v1/admin/health", {
      token: ctx.tokens.admin,
    });
    const owed = health.correlation.owed_alerts;
    if (owed === 0) return (performance.now() - started) / 1000;
    if (performance.now() - started > timeoutMs)
      throw new Error(`${owed} alerts still owe a case after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
