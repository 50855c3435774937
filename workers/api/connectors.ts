// /v1/connectors: the tenant's source connectors. Scope `admin`. Secrets appear in a response
// exactly twice in a connector's life: when it is created and when its secret is rotated.

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { actorOf, requirePermission } from "../../domain/auth/principal.ts";
import { setAiDefensePullKey } from "../../domain/connectors/ai-defense-pull.ts";
import { setM365PullCredentials } from "../../domain/connectors/m365-pull.ts";
import {
  createConnector,
  DEFAULT_ROTATION_GRACE_MS,
  deleteConnector,
  getConnector,
  listConnectors,
  rotateConnectorSecret,
  toConnectorView,
  updateConnector,
} from "../../domain/connectors/service.ts";
import { setXdrPullCredentials, XDR_REGIONS } from "../../domain/connectors/xdr-pull.ts";
import { idSchema } from "../../domain/ids.ts";
import { deliveryOutcome } from "../../domain/ingest/delivery-outcome.ts";
import {
  AI_DEFENSE_REGIONS,
  ciscoAiDefenseConfigViewSchema,
} from "../../domain/ingest/kinds/cisco-ai-defense/index.ts";
import { ciscoXdrConfigViewSchema } from "../../domain/ingest/kinds/cisco-xdr/config.ts";
import {
  CONNECTOR_KINDS,
  connectorConfigSchemas,
  validateConnectorConfig,
} from "../../domain/ingest/kinds/index.ts";
import { m365CopilotConfigViewSchema } from "../../domain/ingest/kinds/m365-copilot/index.ts";
import { MAX_WEBHOOK_ID_LENGTH } from "../../domain/input/limits.ts";
import type { ApiEnv } from "../http/context.ts";
import { kindConfigSchemas, problemResponses } from "./http.ts";

// Entra ids are GUIDs of any version, so a pattern rather than RFC 9562's stricter uuid.
const guid = () =>
  z
    .string()
    .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "must be a GUID");

const idParam = z.object({ id: idSchema("connector", "a connector id") });
const configs = kindConfigSchemas("Connector", connectorConfigSchemas(), {
  "cisco-xdr": ciscoXdrConfigViewSchema,
  "cisco-ai-defense": ciscoAiDefenseConfigViewSchema,
  "m365-copilot": m365CopilotConfigViewSchema,
});
const config = configs.request.describe(
  "The kind's settings, and nothing else: `correlationWindowMs` (ocsf, ai-activity), `pull.pageSize` and `pull.lookbackMinutes` (cisco-xdr, cisco-ai-defense; `correlationWindowMs` too for the latter); `pull.lookbackHours` and `pull.maxBlobs` (m365-copilot, with `correlationWindowMs`); `correlationWindowMs` (cisco-secure-access); `signed`, `phoenix_account_id`, `statuses` and `default_resolution` (jira, whose deliveries are Jira webhooks signed with `x-hub-signature`). An unknown key is refused with 422; secrets go only through write-only fields (decision 028).",
);

const connectorView = z
  .object({
    id: z.string(),
    kind: z.string().openapi({ enum: [...CONNECTOR_KINDS] }),
    name: z.string(),
    config: configs.view,
    status: z.enum(["active", "disabled"]),
    previous_secret_expires_at: z.int().nullable(),
    created_at: z.int(),
    updated_at: z.int(),
  })
  .openapi("Connector");
const withSecret = z
  .object({
    connector: connectorView,
    secret: z
      .string()
      .describe("The Standard Webhooks signing secret (whsec_…). Shown only in this response."),
    ingest_url: z.string().describe("Where the source posts signed deliveries."),
  })
  .openapi("ConnectorWithSecret");

const deliveryParams = z.object({
  id: idSchema("connector", "a connector id"),
  webhookId: z
    .string()
    .min(1)
    .max(MAX_WEBHOOK_ID_LENGTH)
    .describe("The `webhook-id` header the delivery was sent with."),
});
const deliveryView = z
  .object({
    connector_id: z.string(),
    webhook_id: z.string(),
    received_at: z.int(),
    outcome: z
      .enum(["stored", "quarantined"])
      .nullable()
      .describe(
        "`stored`: each item was taken on its own (counted below); `quarantined`: the whole delivery waits in quarantine (over the daily quota, or it could not be stored: see the quarantine reason). Null for Jira deliveries, which change cases instead.",
      ),
    accepted: z.int().nullable().describe("Findings stored as new alerts."),
    duplicates: z.int().nullable().describe("Findings that matched an alert already stored."),
    quarantined: z.int().nullable().describe("Items kept in quarantine, each listed with its reason."),
    ignored: z.int().nullable().describe("Valid items that are not findings, acknowledged and not stored."),
    intel: z.int().nullable().describe("Threat-intelligence records stored or updated."),
    redeliveries: z
      .int()
      .describe("Copies of this webhook-id received after it was stored; each changed nothing."),
    quarantine: z.array(
      z.object({
        id: z.string(),
        reason: z.string(),
        replayed_at: z.int().nullable(),
      }),
    ),
  })
  .openapi("WebhookDelivery");

const tag = ["Connectors"];
const security = [{ bearerAuth: ["admin"] }];

const routes = {
  list: createRoute({
    method: "get",
    path: "/connectors",
    operationId: "listConnectors",
    tags: tag,
    summary: "List connectors",
    description:
      "The tenant's connectors (sources that push signed webhooks), with their settings; signing secrets are never returned.",
    security,
    responses: {
      200: {
        description: "The tenant's connectors.",
        content: { "application/json": { schema: z.object({ data: z.array(connectorView) }) } },
      },
      ...problemResponses(401, 403),
    },
  }),
  create: createRoute({
    method: "post",
    path: "/connectors",
    operationId: "createConnector",
    tags: tag,
    summary: "Register a connector",
    description:
      "Registers a source: Phoenix mints its Standard Webhooks signing secret and answers it once, with the URL the source posts to. `config` is checked against the kind's schema.",
    security,
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.strictObject({
              kind: z.enum(CONNECTOR_KINDS),
              name: z.string().trim().min(1).max(200),
              config: config.default({}),
            }),
          },
        },
      },
    },
    responses: {
      201: {
        description: "The connector and its signing secret.",
        content: { "application/json": { schema: withSecret } },
      },
      ...problemResponses(400, 401, 403, 415, 422),
    },
  }),
  get: createRoute({
    method: "get",
    path: "/connectors/{id}",
    operationId: "getConnector",
    tags: tag,
    summary: "Get a connector",
    description: "One connector and its settings; its secret is never returned.",
    security,
    request: { params: idParam },
    responses: {
      200: { description: "The connector.", content: { "application/json": { schema: connectorView } } },
      ...problemResponses(401, 403, 404, 422),
    },
  }),
  delivery: createRoute({
    method: "get",
    path: "/connectors/{id}/deliveries/{webhookId}",
    operationId: "getConnectorDelivery",
    tags: tag,
    summary: "What became of one webhook delivery",
    description:
      "Per delivery, by its `webhook-id`: how many findings were stored as new alerts or matched existing ones, which items wait in quarantine and why, or that the whole delivery was quarantined. Kept for 7 days; a re-delivery of the same `webhook-id` changes nothing here.",
    security,
    request: { params: deliveryParams },
    responses: {
      200: {
        description: "The delivery's outcome.",
        content: { "application/json": { schema: deliveryView } },
      },
      ...problemResponses(401, 403, 404, 422),
    },
  }),
  update: createRoute({
    method: "patch",
    path: "/connectors/{id}",
    operationId: "updateConnector",
    tags: tag,
    summary: "Rename, reconfigure, disable or enable a connector",
    description:
      "Changes the name, the whole `config` (checked against the kind's schema) or the status. A disabled connector's deliveries are refused until it is enabled again.",
    security,
    request: {
      params: idParam,
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.strictObject({
              name: z.string().trim().min(1).max(200).optional(),
              config: config.optional(),
              status: z.enum(["active", "disabled"]).optional(),
            }),
          },
        },
      },
    },
    responses: {
      200: {
        description: "The updated connector.",
        content: { "application/json": { schema: connectorView } },
      },
      ...problemResponses(400, 401, 403, 404, 415, 422),
    },
  }),
  remove: createRoute({
    method: "delete",
    path: "/connectors/{id}",
    operationId: "deleteConnector",
    tags: tag,
    summary: "Delete a connector (its deliveries are refused from then on)",
    description: "Deletes the connector. Its deliveries are refused from then on; alerts it brought stay.",
    security,
    request: { params: idParam },
    responses: { 204: { description: "Deleted." }, ...problemResponses(401, 403, 404, 422) },
  }),
  xdrPull: createRoute({
    method: "put",
    path: "/connectors/{id}/xdr-pull",
    operationId: "setConnectorXdrPull",
    tags: tag,
    summary: "Set the Cisco XDR API client a cisco-xdr connector pulls incidents with",
    description:
      "The password is stored encrypted and never returned. A different org or region restarts the pull from scratch.",
    security,
    request: {
      params: idParam,
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.strictObject({
              client_id: z.string().trim().min(1).max(200),
              client_password: z.string().min(1).max(500),
              region: z.enum(XDR_REGIONS),
              org_id: z.string().trim().min(1).max(200),
            }),
          },
        },
      },
    },
    responses: {
      200: { description: "The connector.", content: { "application/json": { schema: connectorView } } },
      ...problemResponses(400, 401, 403, 404, 415, 422),
    },
  }),
  aiDefensePull: createRoute({
    method: "put",
    path: "/connectors/{id}/ai-defense-pull",
    operationId: "setConnectorAiDefensePull",
    tags: tag,
    summary: "Set the Cisco AI Defense Management API key a cisco-ai-defense connector pulls events with",
    description:
      "The key is stored encrypted and never returned. Phoenix lists runtime events (never their conversations). A different region restarts the pull from scratch.",
    security,
    request: {
      params: idParam,
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.strictObject({
              api_key: z.string().trim().min(1).max(500),
              region: z.enum(AI_DEFENSE_REGIONS),
            }),
          },
        },
      },
    },
    responses: {
      200: { description: "The connector.", content: { "application/json": { schema: connectorView } } },
      ...problemResponses(400, 401, 403, 404, 415, 422),
    },
  }),
  m365Pull: createRoute({
    method: "put",
    path: "/connectors/{id}/m365-pull",
    operationId: "setConnectorM365Pull",
    tags: tag,
    summary: "Set the Microsoft Entra app registration an m365-copilot connector pulls audit records with",
    description:
      "The app needs the Office 365 Management APIs' ActivityFeed.Read permission in the customer's tenant. The client secret is stored encrypted and never returned. Another tenant restarts the pull and its subscription.",
    security,
    request: {
      params: idParam,
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.strictObject({
              tenant_id: guid().describe("The customer's Microsoft Entra tenant id."),
              client_id: guid().describe("The app registration's application (client) id."),
              client_secret: z.string().min(1).max(500),
              publisher_id: guid()
                .optional()
                .describe("The tenant id Microsoft counts the requests against (PublisherIdentifier)."),
            }),
          },
        },
      },
    },
    responses: {
      200: { description: "The connector.", content: { "application/json": { schema: connectorView } } },
      ...problemResponses(400, 401, 403, 404, 415, 422),
    },
  }),
  rotate: createRoute({
    method: "post",
    path: "/connectors/{id}/rotate-secret",
    operationId: "rotateConnectorSecret",
    tags: tag,
    summary: "Rotate the signing secret; the previous one verifies during a grace period",
    description:
      "Mints a new signing secret and answers it once. The previous secret keeps verifying until `previous_secret_expires_at`, so the source can switch without losing deliveries.",
    security,
    request: {
      params: idParam,
      body: {
        required: false,
        content: {
          "application/json": {
            schema: z.strictObject({
              grace_seconds: z
                .int()
                .min(0)
                .max(7 * 24 * 3600)
                .optional()
                .describe("How long the previous secret keeps verifying (default 24 hours)."),
            }),
          },
        },
      },
    },
    responses: {
      200: {
        description: "The connector and its new secret.",
        content: { "application/json": { schema: withSecret } },
      },
      ...problemResponses(401, 403, 404, 415, 422),
    },
  }),
};

export function registerConnectorRoutes(app: OpenAPIHono<ApiEnv>): void {
  for (const { id, schema } of configs.requestOnly) app.openAPIRegistry.register(id, schema);
  const ingestUrl = (requestUrl: string, id: string) => new URL(`/ingest/${id}`, requestUrl).toString();

  app.openapi(routes.list, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "connectors.read");
    return c.json({ data: await listConnectors(c.env.CONTROL_DB, p.tenant.id) }, 200);
  });

  app.openapi(routes.create, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "connectors.manage");
    const body = c.req.valid("json");
    const config = validateConnectorConfig(body.kind, body.config);
    const created = await createConnector(
      c.env.CONTROL_DB,
      c.env.SECRETS_ENCRYPTION_KEY,
      p.tenant.id,
      { ...body, config },
      Date.now(),
      actorOf(p),
    );
    return c.json({ ...created, ingest_url: ingestUrl(c.req.url, created.connector.id) }, 201);
  });

  app.openapi(routes.get, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "connectors.read");
    return c.json(
      toConnectorView(await getConnector(c.env.CONTROL_DB, p.tenant.id, c.req.valid("param").id)),
      200,
    );
  });

  app.openapi(routes.delivery, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "connectors.read");
    const { id, webhookId } = c.req.valid("param");
    // Another tenant's connector is the same 404 as an unknown one.
    await getConnector(c.env.CONTROL_DB, p.tenant.id, id);
    return c.json(await deliveryOutcome(c.get("tenantDb"), id, webhookId), 200);
  });

  app.openapi(routes.update, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "connectors.manage");
    const { id } = c.req.valid("param");
    const patch = c.req.valid("json");
    if (patch.config) {
      const { kind } = await getConnector(c.env.CONTROL_DB, p.tenant.id, id);
      patch.config = validateConnectorConfig(kind, patch.config);
    }
    const view = await updateConnector(c.env.CONTROL_DB, p.tenant.id, id, patch, Date.now(), actorOf(p));
    return c.json(view, 200);
  });

  app.openapi(routes.remove, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "connectors.manage");
    await deleteConnector(c.env.CONTROL_DB, p.tenant.id, c.req.valid("param").id, Date.now(), actorOf(p));
    return c.body(null, 204);
  });

  app.openapi(routes.xdrPull, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "connectors.manage");
    const body = c.req.valid("json");
    const view = await setXdrPullCredentials(
      c.env.CONTROL_DB,
      c.env.SECRETS_ENCRYPTION_KEY,
      p.tenant.id,
      c.req.valid("param").id,
      {
        clientId: body.client_id,
        clientPassword: body.client_password,
        region: body.region,
        orgId: body.org_id,
      },
      Date.now(),
      actorOf(p),
    );
    return c.json(view, 200);
  });

  app.openapi(routes.aiDefensePull, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "connectors.manage");
    const body = c.req.valid("json");
    const view = await setAiDefensePullKey(
      c.env.CONTROL_DB,
      c.env.SECRETS_ENCRYPTION_KEY,
      p.tenant.id,
      c.req.valid("param").id,
      { apiKey: body.api_key, region: body.region },
      Date.now(),
      actorOf(p),
    );
    return c.json(view, 200);
  });

  app.openapi(routes.m365Pull, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "connectors.manage");
    const body = c.req.valid("json");
    const view = await setM365PullCredentials(
      c.env.CONTROL_DB,
      c.env.SECRETS_ENCRYPTION_KEY,
      p.tenant.id,
      c.req.valid("param").id,
      {
        tenantId: body.tenant_id,
        clientId: body.client_id,
        clientSecret: body.client_secret,
        publisherId: body.publisher_id,
      },
      Date.now(),
      actorOf(p),
    );
    return c.json(view, 200);
  });

  app.openapi(routes.rotate, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "connectors.manage");
    const { id } = c.req.valid("param");
    // The body is optional; without one the default grace applies.
    const graceSeconds = c.req.header("content-type") ? c.req.valid("json").grace_seconds : undefined;
    const rotated = await rotateConnectorSecret(
      c.env.CONTROL_DB,
      c.env.SECRETS_ENCRYPTION_KEY,
      p.tenant.id,
      id,
      graceSeconds !== undefined ? graceSeconds * 1000 : DEFAULT_ROTATION_GRACE_MS,
      Date.now(),
      actorOf(p),
    );
    return c.json({ ...rotated, ingest_url: ingestUrl(c.req.url, id) }, 200);
  });
}
