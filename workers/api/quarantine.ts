// /v1/quarantine: items that could not be mapped, and their replay once the cause is fixed.

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { requirePermission } from "../../domain/auth/principal.ts";
import { idSchema } from "../../domain/ids.ts";
import { listQuarantine } from "../../domain/ingest/quarantine.ts";
import { replayQuarantinedFor } from "../../durable-objects/quarantine-replay.ts";
import type { ApiEnv } from "../http/context.ts";
import { problemResponses, queryInt } from "./http.ts";

const item = z
  .object({
    id: z.string(),
    connector_id: z.string().nullable(),
    reason: z.string(),
    details: z.record(z.string(), z.unknown()).nullable(),
    payload: z.string().describe("The item's raw bytes, exactly as received."),
    received_at: z.int(),
    replayed_at: z.int().nullable(),
  })
  .openapi("QuarantinedItem");

const listRoute = createRoute({
  method: "get",
  path: "/quarantine",
  operationId: "listQuarantine",
  tags: ["Quarantine"],
  summary: "List items that could not be mapped",
  description:
    "Deliveries Phoenix kept but could not map (or that were over the daily quota), newest first, with why. Fixing the connector and replaying brings them in.",
  security: [{ bearerAuth: ["alerts:read"] }],
  request: {
    query: z.object({
      limit: queryInt(1, 200).default(50),
      cursor: z.string().max(512).optional(),
      include_replayed: z.enum(["true", "false"]).default("false"),
    }),
  },
  responses: {
    200: {
      description: "Quarantined items, newest first.",
      content: {
        "application/json": { schema: z.object({ data: z.array(item), next_cursor: z.string().nullable() }) },
      },
    },
    ...problemResponses(400, 401, 403),
  },
});

const replayRoute = createRoute({
  method: "post",
  path: "/quarantine/{id}/replay",
  operationId: "replayQuarantined",
  tags: ["Quarantine"],
  summary: "Replay an item through its connector after the cause was fixed",
  description:
    "Ingests the item exactly once, charging the tenant's daily ingest quota. An item that still cannot be mapped gets 422 and stays quarantined; one already replayed gets 409; over quota it gets 429 and stays quarantined.",
  security: [{ bearerAuth: ["alerts:write"] }],
  request: {
    params: z.object({ id: idSchema("quarantine", "a quarantine id") }),
  },
  responses: {
    200: {
      description: "What the replay stored.",
      content: {
        "application/json": {
          schema: z
            .object({ accepted: z.int(), duplicates: z.int(), quarantined: z.int() })
            .openapi("ReplayResult"),
        },
      },
    },
    ...problemResponses(401, 403, 404, 409, 422, 429),
  },
});

export function registerQuarantineRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(listRoute, async (c) => {
    requirePermission(c.get("principal"), "quarantine.read");
    const q = c.req.valid("query");
    const page = await listQuarantine(c.get("tenantDb"), {
      limit: q.limit,
      cursor: q.cursor,
      includeReplayed: q.include_replayed === "true",
    });
    return c.json(
      {
        data: page.items.map((r) => ({
          id: r.id,
          connector_id: r.sourceConnectorId,
          reason: r.reason,
          details: r.details ?? null,
          payload: r.payload,
          received_at: r.receivedAt,
          replayed_at: r.replayedAt,
        })),
        next_cursor: page.nextCursor,
      },
      200,
    );
  });

  app.openapi(replayRoute, async (c) => {
    const principal = c.get("principal");
    requirePermission(principal, "quarantine.replay");
    const outcome = await replayQuarantinedFor(c.env, principal.tenant, c.req.valid("param").id, Date.now());
    return c.json(outcome, 200);
  });
}
