// GET /v1/changes: the tenant's change feed (domain/changes/feed.ts), read forward from a cursor.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { can } from "../../domain/auth/permissions.ts";
import { requirePermission } from "../../domain/auth/principal.ts";
import { type ChangeKind, cursorAt, readChanges } from "../../domain/changes/feed.ts";
import type { ApiEnv } from "../http/context.ts";
import { problemResponses, queryInt } from "./http.ts";

const change = z
  .object({
    cursor: z.string().describe("This change's position; pass it as `since` to read on from here."),
    kind: z.enum(["case", "alert"]),
    id: z.string().describe("The case or alert id."),
    version: z
      .int()
      .describe("The case version; for an alert, its occurrence count or the linking case's version."),
    type: z.enum([
      "case.opened",
      "case.changed",
      "alert.created",
      "alert.seen_again",
      "alert.linked",
      "alert.unlinked",
    ]),
    at: z.int(),
    data: z
      .object({
        state: z.string().optional(),
        severity: z.string().optional(),
        priority: z.string().optional(),
        assignee: z.string().nullable().optional(),
        case_id: z.string().nullable().optional(),
        occurrences: z.int().optional(),
      })
      .describe("A summary: enough to decide whether to fetch the case or alert."),
  })
  .openapi("Change");

const route = createRoute({
  method: "get",
  path: "/changes",
  operationId: "listChanges",
  tags: ["Changes"],
  summary: "Read what changed, in commit order, from a cursor",
  description:
    "An ordered, resumable feed of case and alert changes in the caller's tenant. Start without `since`, then pass the last `next_cursor` back: no change is skipped and none repeats, whatever the concurrency of the writes. A token with `cases:read` sees case changes, one with `alerts:read` alert changes. An empty page answers the same cursor, to poll again later.",
  security: [{ bearerAuth: ["cases:read"] }, { bearerAuth: ["alerts:read"] }],
  request: {
    query: z.object({
      since: z
        .string()
        .max(32)
        .optional()
        .describe("A `next_cursor` (or a change's `cursor`) from this feed."),
      limit: queryInt(1, 1000).default(200),
    }),
  },
  responses: {
    200: {
      description: "Changes after `since`, oldest first.",
      content: {
        "application/json": {
          schema: z.object({ data: z.array(change), next_cursor: z.string() }).openapi("ChangePage"),
        },
      },
    },
    ...problemResponses(400, 401, 403, 422),
  },
});

export function registerChangeRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(route, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "changes.read");
    const kinds: ChangeKind[] = [
      ...(can(p, "cases.read") ? (["case"] as const) : []),
      ...(can(p, "alerts.read") ? (["alert"] as const) : []),
    ];
    const q = c.req.valid("query");
    const page = await readChanges(c.get("tenantDb"), { since: q.since, limit: q.limit, kinds });
    return c.json(
      {
        data: page.items.map((row) => ({
          cursor: cursorAt(row.seq),
          kind: row.kind,
          id: row.entityId,
          version: row.version,
          type: row.type as z.infer<typeof change>["type"],
          at: row.at,
          data: row.data,
        })),
        next_cursor: page.nextCursor,
      },
      200,
    );
  });
}
