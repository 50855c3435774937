// Bulk commands on cases and bulk alert review: many ordinary commands in one request, each with
// its own outcome (domain/case/bulk.ts). The request is 200 whenever it was read; items say how they went.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { operationForCaseCommand } from "../../domain/auth/permissions.ts";
import { requirePermission } from "../../domain/auth/principal.ts";
import {
  type BulkItemOutcome,
  bulkAlertReviewRequestSchema,
  bulkCaseCommandsRequestSchema,
  commandCasesInBulk,
  MAX_BULK_ITEMS,
  reviewAlertsInBulk,
} from "../../domain/case/bulk.ts";
import { CASE_PRIORITIES, CASE_SEVERITIES, CASE_STATUSES } from "../../domain/case/model.ts";
import type { ApiEnv } from "../http/context.ts";
import { problemOf } from "../http/problem.ts";
import { caseContext, requesterOf } from "./cases.ts";
import { problemResponses, problemSchema } from "./http.ts";

const idempotencyHeader = z
  .string()
  .min(1)
  .max(255)
  .optional()
  .describe(
    "Makes a retry safe: each item that already happened is answered as it was (`replayed: true`), each that did not runs now.",
  );

const itemOutcome = {
  index: z.int().describe("The item's position in the request."),
  status: z.int().describe("What this item alone would have answered: 200, or its problem's status."),
  replayed: z
    .boolean()
    .optional()
    .describe("True when the item was answered from an earlier try with the same key."),
  case: z
    .object({
      id: z.string(),
      version: z.int().describe("The case version after the item; the next item's If-Match."),
      state: z.enum(CASE_STATUSES),
      severity: z.enum(CASE_SEVERITIES),
      priority: z.enum(CASE_PRIORITIES),
      assignee: z.string().nullable(),
    })
    .optional()
    .describe("On success: the case after the item."),
  // On failure: the problem the single command would have answered.
  problem: problemSchema.optional(),
};

const bulkCommandsResult = z
  .object({
    succeeded: z.int(),
    failed: z.int(),
    results: z.array(z.object({ case_id: z.string(), ...itemOutcome })),
  })
  .openapi("BulkCaseCommandsResult");

const bulkReviewResult = z
  .object({
    succeeded: z.int(),
    failed: z.int(),
    results: z.array(
      z.object({
        alert_id: z.string(),
        case_id: z.string().nullable().describe("The case the alert is in, when it is in one."),
        ...itemOutcome,
      }),
    ),
  })
  .openapi("BulkAlertReviewResult");

const bulkCommandsRoute = createRoute({
  method: "post",
  path: "/cases/bulk-commands",
  operationId: "commandCasesInBulk",
  tags: ["Cases"],
  summary: "Change many cases in one request",
  description: `Up to ${MAX_BULK_ITEMS} commands, each on one case with its own \`if_match\` version and permission check, exactly as \`POST /cases/{id}/commands\` would run it. Commands on one case run in request order, so a second command's \`if_match\` is the version the first produced. Each item answers on its own: a refused item (stale version 412, state 409, unknown case 404) changes nothing and stops no other. The request answers 200 whenever it was read; \`results\` holds one outcome per item, in request order.`,
  security: [{ bearerAuth: ["cases:write"] }],
  request: {
    headers: z.object({ "idempotency-key": idempotencyHeader }),
    body: {
      required: true,
      content: { "application/json": { schema: bulkCaseCommandsRequestSchema } },
    },
  },
  responses: {
    200: {
      description: "One outcome per command, in request order.",
      content: { "application/json": { schema: bulkCommandsResult } },
    },
    ...problemResponses(400, 401, 403, 413, 415, 422),
  },
});

const bulkReviewRoute = createRoute({
  method: "post",
  path: "/alerts/bulk-review",
  operationId: "reviewAlertsInBulk",
  tags: ["Alerts"],
  summary: "Mark many alerts reviewed on their cases",
  description: `Up to ${MAX_BULK_ITEMS} alert ids. Each alert is marked reviewed on the case that holds it (a review needs no If-Match: it holds whatever the case's version). Each item answers on its own: an unknown alert is 404, one not yet grouped into a case is 409.`,
  security: [{ bearerAuth: ["cases:write"] }],
  request: {
    headers: z.object({ "idempotency-key": idempotencyHeader }),
    body: {
      required: true,
      content: { "application/json": { schema: bulkAlertReviewRequestSchema } },
    },
  },
  responses: {
    200: {
      description: "One outcome per alert, in request order.",
      content: { "application/json": { schema: bulkReviewResult } },
    },
    ...problemResponses(400, 401, 403, 413, 415, 422),
  },
});

export function registerBulkRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(bulkCommandsRoute, async (c) => {
    const principal = c.get("principal");
    requirePermission(principal, "cases.work");
    const request = c.req.valid("json");
    const outcomes = await commandCasesInBulk(caseContext(c, Date.now()), requesterOf(principal), request, {
      idempotencyKey: c.req.valid("header")["idempotency-key"],
      authorize: (command) => requirePermission(principal, operationForCaseCommand(command)),
    });
    const results = outcomes.map((outcome, index) => ({
      case_id: request.commands[index]?.case_id ?? "",
      ...itemOf(outcome, index),
    }));
    return c.json(summarised(results), 200);
  });

  app.openapi(bulkReviewRoute, async (c) => {
    const principal = c.get("principal");
    requirePermission(principal, "cases.work");
    const request = c.req.valid("json");
    const outcomes = await reviewAlertsInBulk(caseContext(c, Date.now()), requesterOf(principal), request, {
      idempotencyKey: c.req.valid("header")["idempotency-key"],
      authorize: (command) => requirePermission(principal, operationForCaseCommand(command)),
    });
    const results = outcomes.map((outcome, index) => ({
      alert_id: request.alert_ids[index] ?? "",
      case_id: outcome.caseId,
      ...itemOf(outcome, index),
    }));
    return c.json(summarised(results), 200);
  });
}

function itemOf(outcome: BulkItemOutcome, index: number) {
  if (!outcome.ok) {
    const problem = problemOf(outcome.error);
    return { index, status: problem.status, problem };
  }
  const { state, version, replayed } = outcome.outcome;
  return {
    index,
    status: 200,
    replayed,
    case: {
      id: state.id,
      version,
      state: state.status,
      severity: state.severity,
      priority: state.priority,
      assignee: state.assignee,
    },
  };
}

function summarised<T extends { status: number }>(results: T[]) {
  const succeeded = results.filter((r) => r.status === 200).length;
  return { succeeded, failed: results.length - succeeded, results };
}
