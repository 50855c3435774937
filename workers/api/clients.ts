// /v1/clients: the tenant's machine clients (the Platform and other programs). Operation
// clients.manage (scope `admin`). A client's secret appears in exactly one response: its creation.

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { getClient, listClients, registerClient, revokeClient } from "../../domain/auth/clients.ts";
import { actorOf, requirePermission } from "../../domain/auth/principal.ts";
import { SCOPES } from "../../domain/auth/scopes.ts";
import { idSchema } from "../../domain/ids.ts";
import type { ApiEnv } from "../http/context.ts";
import { problemResponses } from "./http.ts";

const idParam = z.object({ id: idSchema("client", "a client id") });

const clientView = z
  .object({
    id: z.string().describe("The OAuth client_id."),
    name: z.string(),
    scopes: z.array(z.enum(SCOPES)).describe("The scopes this client may be issued."),
    status: z.enum(["active", "revoked"]),
    created_at: z.int(),
    created_by: z.string().nullable(),
    last_used_at: z.int().nullable().describe("When the client last obtained a token."),
    revoked_at: z.int().nullable(),
  })
  .openapi("MachineClient");

const withSecret = clientView
  .extend({
    client_secret: z
      .string()
      .describe("The client secret (pcs_…). Shown only in this response; Phoenix keeps only its hash."),
  })
  .openapi("MachineClientWithSecret");

const tag = ["Clients"];
const security = [{ bearerAuth: ["admin"] }];

const routes = {
  list: createRoute({
    method: "get",
    path: "/clients",
    operationId: "listClients",
    tags: tag,
    summary: "List machine clients",
    description:
      "Machine clients (OAuth 2.0 client credentials) of this tenant with their scopes and status; secrets are never returned.",
    security,
    responses: {
      200: {
        description: "The tenant's machine clients, without secrets.",
        content: { "application/json": { schema: z.object({ data: z.array(clientView) }) } },
      },
      ...problemResponses(401, 403),
    },
  }),
  create: createRoute({
    method: "post",
    path: "/clients",
    operationId: "createClient",
    tags: tag,
    summary: "Register a machine client",
    description:
      "The client obtains tokens at `POST /v1/oauth/token` with its id and secret (client credentials grant), for this tenant and at most these scopes.",
    security,
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.strictObject({
              name: z.string().trim().min(1).max(200),
              // Checked against the scope list by the domain, whose 422 names each unknown scope.
              scopes: z
                .array(
                  z
                    .string()
                    .max(100)
                    .openapi({ enum: [...SCOPES] }),
                )
                .min(1)
                .max(50),
            }),
          },
        },
      },
    },
    responses: {
      201: {
        description: "The client and its secret.",
        content: { "application/json": { schema: withSecret } },
      },
      ...problemResponses(400, 401, 403, 415, 422),
    },
  }),
  get: createRoute({
    method: "get",
    path: "/clients/{id}",
    operationId: "getClient",
    tags: tag,
    summary: "Get a machine client",
    description: "One machine client; its secret is never returned.",
    security,
    request: { params: idParam },
    responses: {
      200: { description: "The client.", content: { "application/json": { schema: clientView } } },
      ...problemResponses(401, 403, 404, 422),
    },
  }),
  revoke: createRoute({
    method: "post",
    path: "/clients/{id}/revoke",
    operationId: "revokeClient",
    tags: tag,
    summary: "Revoke a machine client",
    description:
      "The client gets no further tokens. Tokens it already holds expire on their own, within 10 minutes.",
    security,
    request: { params: idParam },
    responses: {
      200: { description: "The revoked client.", content: { "application/json": { schema: clientView } } },
      ...problemResponses(401, 403, 404, 409, 422),
    },
  }),
};

export function registerClientRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(routes.list, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "clients.manage");
    return c.json({ data: await listClients(c.env.CONTROL_DB, p.tenant.id) }, 200);
  });

  app.openapi(routes.create, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "clients.manage");
    const { client, secret } = await registerClient(
      c.env.CONTROL_DB,
      p.tenant.id,
      c.req.valid("json"),
      actorOf(p),
      Date.now(),
    );
    c.header("cache-control", "no-store");
    return c.json({ ...client, client_secret: secret }, 201);
  });

  app.openapi(routes.get, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "clients.manage");
    return c.json(await getClient(c.env.CONTROL_DB, p.tenant.id, c.req.valid("param").id), 200);
  });

  app.openapi(routes.revoke, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "clients.manage");
    const revoked = await revokeClient(
      c.env.CONTROL_DB,
      p.tenant.id,
      c.req.valid("param").id,
      actorOf(p),
      Date.now(),
    );
    return c.json(revoked, 200);
  });
}
