// The versioned API: authentication, tenant resolution, routes and the OpenAPI document.
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { aiActivityEventSchema } from "../../domain/ai-activity/event.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { tenantDatabase } from "../../domain/tenancy.ts";
import { authenticateBearer } from "../auth/bearer.ts";
import { registerAlertRoutes } from "./alerts.ts";
import { registerAssetRoutes } from "./assets.ts";
import { registerCaseRoutes } from "./cases.ts";
import { registerConnectorRoutes } from "./connectors.ts";
import type { ApiEnv } from "./context.ts";
import { toProblem, validationHook } from "./problem.ts";
import { registerQuarantineRoutes } from "./quarantine.ts";

// 1,000 findings of a few KB each fit comfortably; anything larger is refused before parsing.
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export function createApi(): OpenAPIHono<ApiEnv> {
  const api = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  api.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Phoenix API",
      version: "1.0.0",
      description:
        "The system of record of a managed SOC. Every call needs a bearer JWT whose `tid` claim names the tenant and whose `scope` claim grants the operation. Errors are RFC 9457 problem+json.",
    },
    servers: [{ url: "/v1" }],
  });
  api.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });

  api.use("*", async (c, next) => {
    if (c.req.path.endsWith("/openapi.json")) return next();
    const principal = await authenticateBearer(c.req.header("authorization"), c.env);
    c.set("principal", principal);
    c.set("tenantDb", tenantDatabase(c.env, principal.tenant));
    return next();
  });
  api.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new PhoenixError("payload_too_large", `the request body exceeds ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );

  // Every write takes JSON; anything else is refused before a validator can misread it.
  api.on(["POST", "PUT", "PATCH"], "*", async (c, next) => {
    const hasBody =
      Number(c.req.header("content-length") ?? "0") > 0 || c.req.header("transfer-encoding") !== undefined;
    if (hasBody && !/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(c.req.header("content-type") ?? "")) {
      throw new PhoenixError("unsupported_media_type", "the request body must be application/json");
    }
    return next();
  });

  registerAlertRoutes(api);
  registerCaseRoutes(api);
  registerConnectorRoutes(api);
  registerQuarantineRoutes(api);
  registerAssetRoutes(api);
  // What AI-activity sources post to /ingest/{connectorId}: documented here, versioned by schema_version.
  api.openAPIRegistry.register("AiActivityEvent", aiActivityEventSchema);

  api.onError(toProblem);
  return api;
}
