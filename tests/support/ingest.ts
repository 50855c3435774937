// Sources for ingest tests: a connector of the tenant's, and signed deliveries to it.
import type { Tenant } from "../../domain/tenancy.ts";
import { signWebhook } from "../../domain/webhooks/standard-webhooks.ts";
import { call, createTenant, tokenFor } from "./world.ts";

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

let deliveries = 0;
export function deliver(
  c: Connector,
  payload: string,
  opts: { id?: string; secret?: string; timestamp?: number; tamper?: boolean } = {},
) {
  const id = opts.id ?? `msg_${++deliveries}_${crypto.randomUUID()}`;
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = signWebhook(opts.secret ?? c.secret, id, timestamp, payload);
  return call("POST", `/ingest/${c.id}`, {
    rawBody: opts.tamper ? payload.replace("}", " }") : payload,
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signature,
    },
  });
}
