// The versioned API: authentication, tenant resolution, routes and the OpenAPI document.
import { OpenAPIHono } from "@hono/zod-openapi";
import { PhoenixError } from "../../domain/errors.ts";
import { aiActivityEventSchema } from "../../domain/ingest/kinds/ai-activity/event.ts";
import { tenantDatabase } from "../../domain/tenancy.ts";
import { authenticateRequest } from "../auth/authenticate.ts";
import { capBody } from "../http/body-cap.ts";
import type { ApiEnv } from "../http/context.ts";
import { readJsonBody } from "../http/json-body.ts";
import { toProblem, validationHook } from "../http/problem.ts";
import { methodNotAllowed, type RegisteredRoute, RouteTable } from "../http/route-table.ts";
import { limitByClient } from "../limits/rate-limit.ts";
import { registerAlertRoutes } from "./alerts.ts";
import { registerAssetRoutes } from "./assets.ts";
import { registerAuditRoutes } from "./audit.ts";
import { registerCaseRoutes } from "./cases.ts";
import { registerChangeRoutes } from "./changes.ts";
import { registerClientRoutes } from "./clients.ts";
import { registerConnectorRoutes } from "./connectors.ts";
import { registerHealthRoutes } from "./health.ts";
import { registerOAuthTokenRoute, TOKEN_PATH } from "./oauth-token.ts";
import { registerQuarantineRoutes } from "./quarantine.ts";
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
};

export function createApi(): OpenAPIHono<ApiEnv> {
  const api = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

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

  registerAlertRoutes(api);
  registerCaseRoutes(api);
  registerChangeRoutes(api);
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
  api.openAPIRegistry.register("AiActivityEvent", aiActivityEventSchema);

  api.onError(toProblem);
  return api;
}
