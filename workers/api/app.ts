// The versioned API: authentication, tenant resolution, routes and the OpenAPI document.
import { OpenAPIHono } from "@hono/zod-openapi";
import { PhoenixError } from "../../domain/errors.ts";
import {
  aiActivityEvent11Schema,
  aiActivityEventSchema,
} from "../../domain/ingest/kinds/ai-activity/event.ts";
import { tenantDatabase } from "../../domain/tenancy.ts";
import { authenticateRequest } from "../auth/authenticate.ts";
import { capBody } from "../http/body-cap.ts";
import type { ApiEnv } from "../http/context.ts";
import {
  type DeprecationNotice,
  deprecatedInDocument,
  deprecationHeaders,
  V1_DEPRECATIONS,
} from "../http/deprecation.ts";
import { readJsonBody } from "../http/json-body.ts";
import { toProblem, validationHook } from "../http/problem.ts";
import { methodNotAllowed, type RegisteredRoute, RouteTable } from "../http/route-table.ts";
import { limitByClient } from "../limits/rate-limit.ts";
import { registerAlertRoutes } from "./alerts.ts";
import { registerAssetRoutes } from "./assets.ts";
import { registerAuditRoutes } from "./audit.ts";
import { registerBulkRoutes } from "./bulk.ts";
import { registerCaseRoutes } from "./cases.ts";
import { registerChangeRoutes } from "./changes.ts";
import { registerClientRoutes } from "./clients.ts";
import { registerConnectorRoutes } from "./connectors.ts";
import { attachExamples } from "./examples.ts";
import { registerHealthRoutes } from "./health.ts";
import { registerDomainSchema } from "./http.ts";
import { registerOAuthTokenRoute, TOKEN_PATH } from "./oauth-token.ts";
import { registerQuarantineRoutes } from "./quarantine.ts";
import { registerReportRoutes } from "./reports.ts";
import { registerSinkRoutes } from "./sinks.ts";
import { registerUserRoutes } from "./users.ts";

/** Where the API is mounted (workers/index.ts), as the document's `servers` says. */
export const API_BASE = "/v1";

// The OAuth token endpoint authenticates clients by id and secret and takes a form body, so the
// bearer and JSON-only guards below let exactly this request through.
const isTokenRequest = (req: { method: string; path: string }) =>
  req.method === "POST" && req.path === `${API_BASE}${TOKEN_PATH}`;

/** The document's own fields; the routes add the rest (also used by tests/contracts to write it out). */
export const OPENAPI_CONFIG = {
  openapi: "3.1.0",
  info: {
    title: "Phoenix API",
    version: "1.0.0",
    description:
      "The system of record of a managed SOC. Every call except `POST /oauth/token` needs a bearer JWT whose `tid` claim names the tenant and whose `scope` claim grants the operation. Errors are RFC 9457 problem+json.",
  },
  servers: [{ url: API_BASE }],
  // In the reference's order: what the Platform reads first, administration after.
  tags: [
    { name: "Alerts", description: "OCSF Detection Findings, de-duplicated, and their review." },
    { name: "Cases", description: "Cases, their lifecycle commands, timeline, SLA clocks and audit." },
    { name: "Changes", description: "An ordered, resumable feed of case and alert changes." },
    { name: "Reports", description: "SLA compliance, MTTx, alert volume and case outcomes." },
    { name: "Connectors", description: "Sources that push signed webhooks, and their secrets." },
    { name: "Sinks", description: "Jira, Salesforce and Platform sinks, their tests and dead letters." },
    { name: "Quarantine", description: "Deliveries kept but not mapped, and their replay." },
    { name: "Assets", description: "Devices, users and resources seen in alerts, and their criticality." },
    { name: "Users", description: "People and their grants in this tenant." },
    { name: "Audit", description: "The hash-chained administration audit." },
    { name: "Clients", description: "Machine clients for OAuth 2.0 client credentials." },
    { name: "OAuth", description: "Tokens for machine clients." },
    { name: "Operations", description: "The tenant's health as Phoenix sees it." },
  ],
};

export interface ApiOptions {
  /** The deprecated operations (tests pass their own to exercise the mechanism). */
  deprecations?: readonly DeprecationNotice[];
}

export function createApi(options: ApiOptions = {}): OpenAPIHono<ApiEnv> {
  const api = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  const deprecations = options.deprecations ?? V1_DEPRECATIONS;
  api.use("*", deprecationHeaders("/v1", deprecations));

  api.doc31("/openapi.json", OPENAPI_CONFIG);
  api.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });

  const routes = new RouteTable(API_BASE, () =>
    api.openAPIRegistry.definitions.flatMap((d): RegisteredRoute[] =>
      d.type === "route"
        ? [
            {
              method: d.route.method,
              path: d.route.path,
              bodyRequired: d.route.request?.body?.required === true,
            },
          ]
        : [],
    ),
  );
  // Before authentication: a documented path asked with another method is 405, token or not.
  api.use("*", methodNotAllowed(routes));
  api.use("*", async (c, next) => {
    if (c.req.path.endsWith("/openapi.json") || isTokenRequest(c.req)) return next();
    const principal = await authenticateRequest(c.req.raw, c.env, Date.now());
    c.set("principal", principal);
    c.set("tenantDb", tenantDatabase(c.env, principal.tenant));
    return next();
  });
  api.use("*", limitByClient());
  api.use("*", capBody("the request body"));

  // Every write takes JSON, read and checked once here, before a validator can misread it.
  api.on(["POST", "PUT", "PATCH"], "*", async (c, next) => {
    if (isTokenRequest(c.req)) return next();
    const hasBody =
      Number(c.req.header("content-length") ?? "0") > 0 || c.req.header("transfer-encoding") !== undefined;
    if (hasBody) c.set("jsonBody", await readJsonBody(c.req));
    // The validators would read a missing body as {}, which an all-optional schema (a PATCH) accepts.
    else if (routes.route(c.req.method, c.req.path)?.bodyRequired) {
      throw new PhoenixError("validation_failed", "the request body is required", [
        { field: "(body)", message: "is required" },
      ]);
    }
    return next();
  });

  // Bulk first: `/cases/bulk-commands` must not be read as a case id by `/cases/{id}` routes.
  registerBulkRoutes(api);
  registerAlertRoutes(api);
  registerCaseRoutes(api);
  registerChangeRoutes(api);
  registerReportRoutes(api);
  registerConnectorRoutes(api);
  registerSinkRoutes(api);
  registerQuarantineRoutes(api);
  registerAssetRoutes(api);
  registerUserRoutes(api);
  registerAuditRoutes(api);
  registerClientRoutes(api);
  registerOAuthTokenRoute(api);
  registerHealthRoutes(api);
  // What AI-activity sources post to /ingest/{connectorId}: documented here, versioned by schema_version.
  registerDomainSchema(api, "AiActivityEvent", aiActivityEventSchema);
  registerDomainSchema(api, "AiActivityEvent11", aiActivityEvent11Schema);
  attachExamples(api);
  markDeprecated(api, deprecations);

  api.onError(toProblem);
  return api;
}

/**
 * Flags the deprecated operations in this API's document. The route objects are shared by every
 * API built from the modules, so each flagged one is replaced in this registry, never changed.
 */
function markDeprecated(api: OpenAPIHono<ApiEnv>, notices: readonly DeprecationNotice[]): void {
  for (const definition of api.openAPIRegistry.definitions) {
    if (definition.type === "route") definition.route = deprecatedInDocument(definition.route, notices);
  }
}
