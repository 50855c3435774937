// POST /ingest/:connectorId for a `jira` connector (the strangler path): Jira's own webhook headers
// instead of Standard Webhooks. The identifier Jira keeps across retries is the de-duplication key;
// `x-hub-signature` is checked on the raw bytes before anything is read, unless the connector says
// its Jira webhook cannot be registered with a secret.
import type { Context } from "hono";
import type { IngestTarget } from "../../domain/connectors/ingest-target-cache.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { receiveJiraDelivery } from "../../domain/ingest/jira-changes.ts";
import { jiraInboundConfigSchema } from "../../domain/ingest/kinds/jira/config.ts";
import { MAX_WEBHOOK_ID_LENGTH } from "../../domain/input/limits.ts";
import { tenantDatabase } from "../../domain/tenancy.ts";
import { verifyHubSignature } from "../../domain/webhooks/hub-signature.ts";
import { caseGateway } from "../../durable-objects/case-gateway.ts";
import { attributeRequest } from "../telemetry/request-log.ts";

export async function receiveJiraWebhook(c: Context<{ Bindings: Env }>, target: IngestTarget, now: number) {
  const identifier = c.req.header("x-atlassian-webhook-identifier") ?? "";
  if (identifier.length === 0 || identifier.length > MAX_WEBHOOK_ID_LENGTH)
    throw new PhoenixError("bad_request", "a Jira delivery needs its x-atlassian-webhook-identifier", [
      {
        field: "x-atlassian-webhook-identifier",
        message: `must be 1 to ${MAX_WEBHOOK_ID_LENGTH} characters`,
      },
    ]);
  const config = jiraInboundConfigSchema.parse(target.connector.config);
  const body = await c.req.text();
  if (config.signed) {
    const verified = await verifyHubSignature(body, c.req.header("x-hub-signature"), target.secrets);
    if (!verified.ok)
      throw new PhoenixError(
        "unauthenticated",
        `the Jira webhook signature did not verify: ${verified.reason}`,
      );
  }
  attributeRequest(c, { tenant: target.tenant.id, principalType: "connector" });
  const outcome = await receiveJiraDelivery(
    {
      db: tenantDatabase(c.env, target.tenant),
      gateway: caseGateway(c.env),
      tenantId: target.tenant.id,
      connectorId: target.connector.id,
      config,
      now,
    },
    { identifier, body },
  );
  return c.json(outcome, 200);
}
