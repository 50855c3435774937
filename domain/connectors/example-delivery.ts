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
export const FINDING_KINDS = [
  "ocsf",
  "ai-activity",
  "cisco-xdr",
  "cisco-ai-defense",
  "cisco-secure-access",
  "m365-copilot",
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/**
 * The finding kinds have an example, in their product's own shape and signed per Standard Webhooks
 * (which every kind accepts); a Jira connector takes Jira's own webhooks, which Jira signs.
 */
export function hasExampleDelivery(kind: string): kind is FindingKind {
  return (FINDING_KINDS as readonly string[]).includes(kind);
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
    case "cisco-ai-defense":
      // A Management API event, as the pull lists it.
      return {
        contentType: "application/json",
        title: `Prompt injection blocked in ${connectorName}`,
        body: JSON.stringify({
          event_id: `example-${nonce}`,
          event_date: at,
          event_action: "Block",
          direction: "Prompt",
          model_name: "example-model",
          rule_matches: {
            items: [
              {
                guardrail_type: "Security",
                guardrail_ruleset_type: "Prompt Injection",
                guardrail_entity: "Prompt Injection",
                guardrail_action: "Block",
              },
            ],
          },
          application: { application_id: "example-application", application_name: connectorName },
          policy: { policy_id: "example-policy", policy_name: "Example policy" },
        }),
      };
    case "cisco-secure-access":
      // One AI Guardrails event in the push envelope.
      return {
        contentType: "application/json",
        title: `Prompt injection blocked in ${connectorName}`,
        body: JSON.stringify({
          specversion: "1.0",
          type: "secureaccess.dlp.v1",
          source: "secureaccess",
          id: `example-${nonce}`,
          time: at,
          datacontenttype: "application/json",
          data: {
            events: [
              {
                eventId: `example-${nonce}`,
                detected: at,
                action: "BLOCK",
                severity: "HIGH",
                direction: "upload",
                fileName: "Form",
                application: { id: 1, name: connectorName },
                rule: {
                  id: "example-rule",
                  name: "Example AI guardrail",
                  classifications: [
                    {
                      id: "1",
                      name: "Security Guardrail",
                      classifiers: [{ id: "c1", name: "Prompt injection", totalMatches: 1 }],
                    },
                  ],
                },
              },
            ],
          },
        }),
      };
    case "m365-copilot":
      // A content blob holding one CopilotInteraction record, as the pull fetches it.
      return {
        contentType: "application/json",
        title: "Jailbreak attempt blocked in Microsoft 365 Copilot (BizChat)",
        body: JSON.stringify([
          {
            CreationTime: at.slice(0, 19),
            Id: `example-${nonce}`,
            Operation: "CopilotInteraction",
            RecordType: 261,
            UserType: 0,
            Workload: "Copilot",
            UserId: "example.user@example.com",
            CopilotEventData: {
              AppHost: "BizChat",
              ThreadId: `example-thread-${nonce}`,
              Messages: [{ Id: "1", isPrompt: true, JailbreakDetected: true }],
              AccessedResources: [],
            },
          },
        ]),
      };
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
