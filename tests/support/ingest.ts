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
  kind: "ocsf" | "ai-activity" | "cisco-xdr",
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

/** A signed delivery; by default it returns once the delivery's alerts are in their cases. */
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
  const res = await call("POST", `/ingest/${c.id}`, {
    rawBody: opts.tamper ? payload.replace("}", " }") : payload,
    headers: { ...signedHeaders(opts.secret ?? c.secret, payload, opts), ...opts.headers },
  });
  if (res.status === 202 && opts.settle !== false) await correlationSettled(c.tenant);
  return res;
}
