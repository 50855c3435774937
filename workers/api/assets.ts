// /v1/assets: the devices, users and cloud resources alerts were about, and their criticality.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { listAssets, setAssetCriticality } from "../../domain/asset-inventory.ts";
import { requirePermission } from "../../domain/auth/principal.ts";
import { ASSET_CRITICALITIES } from "../../schema/tenant.ts";
import type { ApiEnv } from "../http/context.ts";
import { problemResponses, queryInt } from "./http.ts";

const asset = z
  .object({
    id: z.string(),
    kind: z.enum(["device", "user", "resource"]),
    uid: z.string(),
    name: z.string().nullable(),
    criticality: z.enum(ASSET_CRITICALITIES).nullable(),
    first_seen_at: z.int(),
    last_seen_at: z.int(),
  })
  .openapi("Asset");

const toView = (a: Awaited<ReturnType<typeof setAssetCriticality>>) => ({
  id: a.id,
  kind: a.kind,
  uid: a.uid,
  name: a.name,
  criticality: a.criticality,
  first_seen_at: a.firstSeenAt,
  last_seen_at: a.lastSeenAt,
});

export function registerAssetRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/assets",
      operationId: "listAssets",
      tags: ["Assets"],
      summary: "List the asset inventory",
      description:
        "Devices, users and resources seen in the tenant's alerts, with their criticality and how often they were seen.",
      security: [{ bearerAuth: ["alerts:read"] }],
      request: {
        query: z.object({
          limit: queryInt(1, 200).default(50),
          cursor: z
            .string()
            .regex(/^ast_[0-9a-f]{32}$/)
            .optional(),
          kind: z.enum(["device", "user", "resource"]).optional(),
        }),
      },
      responses: {
        200: {
          description: "Assets, by id.",
          content: {
            "application/json": {
              schema: z.object({ data: z.array(asset), next_cursor: z.string().nullable() }),
            },
          },
        },
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      requirePermission(c.get("principal"), "alerts.read");
      const q = c.req.valid("query");
      const page = await listAssets(c.get("tenantDb"), { limit: q.limit, after: q.cursor, kind: q.kind });
      return c.json({ data: page.items.map(toView), next_cursor: page.next }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/assets/{id}",
      operationId: "updateAsset",
      tags: ["Assets"],
      summary: "Set an asset's criticality (high and critical raise the priority of its cases)",
      description:
        "Sets an asset's criticality. High and critical assets raise the priority of the cases whose alerts name them.",
      security: [{ bearerAuth: ["alerts:write"] }],
      request: {
        params: z.object({ id: z.string().regex(/^ast_[0-9a-f]{32}$/, "must be an asset id (ast_…)") }),
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z.strictObject({ criticality: z.enum(ASSET_CRITICALITIES).nullable() }),
            },
          },
        },
      },
      responses: {
        200: { description: "The asset.", content: { "application/json": { schema: asset } } },
        ...problemResponses(400, 401, 403, 404, 415, 422),
      },
    }),
    async (c) => {
      requirePermission(c.get("principal"), "assets.update");
      const updated = await setAssetCriticality(
        c.get("tenantDb"),
        c.req.valid("param").id,
        c.req.valid("json").criticality,
      );
      return c.json(toView(updated), 200);
    },
  );
}
