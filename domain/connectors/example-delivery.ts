// A ready-to-send example delivery for a connector: one small finding of the connector's kind, fresh
// ids and times, signed now with the connector's current secret (Standard Webhooks). An admin pastes
// the curl to see the whole path work (delivery, alert, case) before pointing the real source at it.
import { signWebhook, TOLERANCE_SECONDS } from "../webhooks/standard-webhooks.ts";

/** How long a signed example stays acceptable: the ingest's timestamp tolerance. */
export const EXAMPLE_VALID_MS = TOLERANCE_SECONDS * 1000;

export interface ExampleDelivery {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The finding's title, to look for among the alerts once it is sent. */
  title: string;
  /** When the signature's timestamp falls outside the ingest's tolerance. */
  expiresAt: number;
}

/** The connector kinds whose deliveries are findings: each has an example. */
export type FindingKind = "ocsf" | "ai-activity" | "cisco-xdr";

/** The finding kinds have an example; a Jira connector takes Jira's own webhooks, which Jira signs. */
export function hasExampleDelivery(kind: string): kind is FindingKind {
  return kind === "ocsf" || kind === "ai-activity" || kind === "cisco-xdr";
}

/** The example body of `kind`, with ids derived from `nonce` so each example is a new alert. */
export function exampleBody(
  kind: FindingKind,
  connectorName: string,
  nonce: string,
  now: number,
): { body: string; contentType: string; title: string } {
  const at = new Date(now).toISOString();
  const title = `Example detection from ${connectorName}`;
  switch (kind) {
    case "ocsf":
      return {
        contentType: "application/json",
        title,
        body: JSON.stringify({
          activity_id: 1,
          category_uid: 2,
          class_uid: 2004,
          type_uid: 200401,
          time: now,
          severity_id: 3,
          status_id: 1,
          message: "An example finding sent from the connector page",
          metadata: {
            version: "1.8.0",
            uid: nonce,
            product: { name: "Phoenix example", vendor_name: "Phoenix" },
          },
          finding_info: { uid: `example-${nonce}`, title, created_time: now },
          device: { hostname: "EXAMPLE-HOST-01", type_id: 2 },
        }),
      };
    case "ai-activity":
      return {
        contentType: "application/x-ndjson",
        title: `Prompt injection detected in ${connectorName}`,
        body: JSON.stringify({
          schema_version: "1.0",
          event_id: `aiev-example-${nonce}`,
          time: at,
          actor: { type: "user", id: "example-user", email: "example.user@example.com" },
          application: { name: connectorName, vendor: "Phoenix", id: "phoenix-example" },
          model: { name: "example-model", provider: "Phoenix" },
          action: { type: "prompt" },
          verdict: "flagged",
          detections: [
            {
              type: "prompt_injection",
              score: 0.9,
              policy: "Example policy",
              details: "An example event sent from the connector page",
            },
          ],
        }),
      };
    case "cisco-xdr": {
      const incident = `https://private.intel.amp.cisco.com:443/ctia/incident/incident-example-${nonce}`;
      return {
        contentType: "application/json",
        title,
        body: JSON.stringify({
          id: `event-example-${nonce}`,
          created_at: at,
          issuer: "private-intel",
          data: {
            event_type: "private-intel/incident/created",
            incident_id: incident,
            incident: {
              id: incident,
              type: "incident",
              schema_version: "1.3.30",
              title,
              status: "New",
              severity: "Medium",
              confidence: "High",
              source: "Phoenix example",
              incident_time: { opened: at, discovered: at },
              timestamp: at,
            },
          },
        }),
      };
    }
  }
}

/** The example for a connector, signed with `secret` at `now`; `nonce` also serves as the webhook id. */
export function signedExampleDelivery(
  connector: { id: string; kind: FindingKind; name: string },
  ingestUrl: string,
  secret: string,
  nonce: string,
  now: number,
): ExampleDelivery {
  const { body, contentType, title } = exampleBody(connector.kind, connector.name, nonce, now);
  const webhookId = `msg_example_${nonce}`;
  const timestamp = Math.floor(now / 1000);
  return {
    url: ingestUrl,
    headers: {
      "content-type": contentType,
      "webhook-id": webhookId,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signWebhook(secret, webhookId, timestamp, body),
    },
    body,
    title,
    expiresAt: timestamp * 1000 + EXAMPLE_VALID_MS,
  };
}

/** The delivery as a curl command a shell runs as it is (single quotes, with embedded ones escaped). */
export function curlCommand(delivery: Pick<ExampleDelivery, "url" | "headers" | "body">): string {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  return [
    `curl -sS -X POST ${quote(delivery.url)}`,
    ...Object.entries(delivery.headers).map(([k, v]) => `  -H ${quote(`${k}: ${v}`)}`),
    `  --data-binary ${quote(delivery.body)}`,
  ].join(" \\\n");
}
