// Sources for ingest tests: a connector of the tenant's, and signed deliveries to it.
import type { Tenant } from "../../domain/tenancy.ts";
import { signWebhook } from "../../domain/webhooks/standard-webhooks.ts";
import { call, createTenant, tenantDb, tokenFor } from "./world.ts";

export interface Connector {
  id: string;
  secret: string;
  tenant: Tenant;
  admin: string;
}

export async function ocsfConnector(tenant?: Tenant): Promise<Connector> {
  return connectorOf("ocsf", tenant);
}

export async function connectorOf(
  kind: "ocsf" | "ai-activity" | "cisco-xdr" | "cisco-secure-access",
  tenant?: Tenant,
): Promise<Connector> {
  const t = tenant ?? (await createTenant());
  const admin = await tokenFor(t, { scopes: ["admin", "alerts:read", "cases:read"] });
  const res = await call("POST", "/v1/connectors", { token: admin, body: { kind, name: `${kind} source` } });
  const body = (await res.json()) as { connector: { id: string }; secret: string };
  return { id: body.connector.id, secret: body.secret, tenant: t, admin };
}

/**
 * Waits until the tenant owes no alert a case: the webhook answers before its alerts are grouped
 * (decision 026), and the correlation queue's consumer does that a moment later.
 */
export async function correlationSettled(tenant: Tenant, timeoutMs = 20_000): Promise<void> {
  const db = tenantDb(tenant);
  const pollMs = 20;
  // Counted, not timed by Date.now(), and waited with scheduler.wait(): tests that fake the clock
  // must not stop this loop.
  for (let waited = 0; ; waited += pollMs) {
    const owed = await db
      .prepare("SELECT count(*) AS n FROM alerts WHERE correlated_at IS NULL AND correlation_key IS NOT NULL")
      .first<number>("n");
    if (owed === 0) return;
    if (waited >= timeoutMs)
      throw new Error(`${owed} alerts of ${tenant.id} still owe a case after ${timeoutMs} ms`);
    await scheduler.wait(pollMs);
  }
}

/**
 * Waits until the tenant's cases owe nothing to what sources said after them: joins of correlation
 * keys, new judgement versions and source updates of alerts already in a case (follow-ups.ts).
 */
export async function followUpsSettled(tenant: Tenant, timeoutMs = 20_000): Promise<void> {
  await correlationSettled(tenant, timeoutMs);
  const db = tenantDb(tenant);
  const pollMs = 20;
  for (let waited = 0; ; waited += pollMs) {
    const owed = await db
      .prepare(
        `SELECT (SELECT count(*) FROM correlation_joins WHERE applied_at IS NULL)
              + (SELECT count(*) FROM intel_judgements WHERE applied_at IS NULL)
              + (SELECT count(*) FROM alert_source_versions v JOIN alerts a ON a.id = v.alert_id
                 WHERE v.applied_at IS NULL AND a.correlated_at IS NOT NULL) AS n`,
      )
      .first<number>("n");
    if (owed === 0) return;
    if (waited >= timeoutMs)
      throw new Error(`${owed} follow-ups of ${tenant.id} still owed after ${timeoutMs} ms`);
    await scheduler.wait(pollMs);
  }
}

let deliveries = 0;

/** The headers of a signed delivery of `payload`: a fresh webhook-id unless one is given. */
export function signedHeaders(
  secret: string,
  payload: string,
  opts: { id?: string; timestamp?: number } = {},
): Record<string, string> {
  const id = opts.id ?? `msg_${++deliveries}_${crypto.randomUUID()}`;
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signWebhook(secret, id, timestamp, payload),
  };
}

/**
 * A signed delivery. The route answers 202 once the delivery is queued (decision 052); this waits
 * until the ingest consumer has stored it and, unless `settle` is false, its alerts are in cases.
 * The response it returns is a 202 with the delivery's counts as its outcome (GET
 * …/deliveries/{webhookId}) gives them; a copy of a stored webhook-id gives zeros and
 * `redelivered: true`. Tests of the 202 itself post with `call`.
 */
export async function deliver(
  c: Connector,
  payload: string,
  opts: {
    id?: string;
    secret?: string;
    timestamp?: number;
    tamper?: boolean;
    settle?: boolean;
    /** Extra or replaced headers, sent as they are over the signed ones. */
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const headers = { ...signedHeaders(opts.secret ?? c.secret, payload, opts), ...opts.headers };
  const webhookId = headers["webhook-id"] ?? "";
  const before = await redeliveriesOf(c, webhookId);
  const res = await call("POST", `/ingest/${c.id}`, {
    rawBody: opts.tamper ? payload.replace("}", " }") : payload,
    headers,
  });
  if (res.status !== 202) return res;
  const accepted = (await res.json()) as { status: string; outcome: string };
  if (accepted.status === "queued") await deliveryStored(c, webhookId, before);
  if (opts.settle !== false) await correlationSettled(c.tenant);
  if (before !== null) return Response.json({ ...NOTHING, redelivered: true }, { status: 202 });
  const outcome = await call("GET", accepted.outcome, { token: c.admin });
  if (outcome.status !== 200) throw new Error(`the delivery's outcome answered ${outcome.status}`);
  const { accepted: n, duplicates, quarantined, ignored, intel } = (await outcome.json()) as typeof NOTHING;
  return Response.json({ accepted: n, duplicates, quarantined, ignored, intel }, { status: 202 });
}

const NOTHING = { accepted: 0, duplicates: 0, quarantined: 0, ignored: 0, intel: 0 };

/**
 * Waits until the ingest consumer has taken `expected` queued deliveries of the tenant's, each
 * stored once or counted as a copy of one stored before (decision 052).
 */
export async function deliveriesTaken(tenant: Tenant, expected: number, timeoutMs = 120_000): Promise<void> {
  const db = tenantDb(tenant);
  const pollMs = 50;
  for (let waited = 0; ; waited += pollMs) {
    const taken =
      (await db
        .prepare("SELECT count(*) + coalesce(sum(redeliveries), 0) AS n FROM webhook_deliveries")
        .first<number>("n")) ?? 0;
    if (taken >= expected) return;
    if (waited >= timeoutMs)
      throw new Error(`the ingest consumer took ${taken} of ${expected} deliveries in ${timeoutMs} ms`);
    await scheduler.wait(pollMs);
  }
}

/** What became of a delivery, as its source reads it (GET /v1/connectors/{id}/deliveries/{webhookId}). */
export async function deliveryOutcomeOf(
  c: Connector,
  webhookId: string,
): Promise<{
  outcome: string;
  accepted: number;
  quarantined: number;
  quarantine: Array<{ id: string; reason: string }>;
}> {
  const res = await call("GET", `/v1/connectors/${c.id}/deliveries/${encodeURIComponent(webhookId)}`, {
    token: c.admin,
  });
  if (res.status !== 200) throw new Error(`the outcome of ${webhookId} answered ${res.status}`);
  return res.json();
}

/** How many copies of a stored webhook-id came after it; null while none is stored. */
export async function redeliveriesOf(
  c: Pick<Connector, "id" | "tenant">,
  webhookId: string,
): Promise<number | null> {
  return tenantDb(c.tenant)
    .prepare("SELECT redeliveries FROM webhook_deliveries WHERE connector_id = ? AND webhook_id = ?")
    .bind(c.id, webhookId)
    .first<number>("redeliveries");
}

/**
 * Waits until the ingest consumer has taken a queued delivery: its webhook-id is stored or, for a
 * copy of one stored `before`, counted as a redelivery.
 */
export async function deliveryStored(
  c: Pick<Connector, "id" | "tenant">,
  webhookId: string,
  before: number | null = null,
  timeoutMs = 20_000,
): Promise<void> {
  const pollMs = 10;
  for (let waited = 0; ; waited += pollMs) {
    const now = await redeliveriesOf(c, webhookId);
    if (now !== null && (before === null || now > before)) return;
    if (waited >= timeoutMs)
      throw new Error(`the ingest consumer did not take ${webhookId} within ${timeoutMs} ms`);
    await scheduler.wait(pollMs);
  }
}
