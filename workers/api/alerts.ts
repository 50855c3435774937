// /v1/alerts: thin HTTP adapters over domain/alerts.

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { MAX_FINDINGS_PER_REQUEST } from "../../domain/alerts/intake.ts";
import { getAlert, listAlerts, MAX_PAGE_SIZE } from "../../domain/alerts/queries.ts";
import { submitAlerts } from "../../domain/alerts/submit.ts";
import { requirePermission } from "../../domain/auth/principal.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { idSchema } from "../../domain/ids.ts";
import { detectionFindingSchema } from "../../domain/ocsf/detection-finding.ts";
import { type OcsfObject, renderAlertAsDetectionFinding } from "../../domain/ocsf/render.ts";
import { currentIngestQuotaFor } from "../../durable-objects/ingest-quota.ts";
import type { ApiEnv } from "../http/context.ts";
import { readJsonBody } from "../http/json-body.ts";
import { problemResponses, queryInt, registerDomainSchema } from "./http.ts";
import { detectionFindingViewSchema } from "./ocsf-views.ts";

const alertId = idSchema("alert", "an alert id");

const ingestResult = z
  .object({
    accepted: z.int().describe("Findings in the request."),
    created: z.int().describe("Findings stored as new alerts."),
    duplicates: z.int().describe("Findings that matched an existing alert; its occurrence count was bumped."),
    alerts: z.array(z.object({ id: z.string(), duplicate: z.boolean(), occurrence_count: z.int() })),
  })
  .openapi("AlertIngestResult");

const postAlerts = createRoute({
  method: "post",
  path: "/alerts",
  operationId: "submitAlerts",
  tags: ["Alerts"],
  summary: "Submit OCSF Detection Findings",
  description: `One finding or an array of up to ${MAX_FINDINGS_PER_REQUEST}. Findings are de-duplicated on their finding_info.uid (per product); a duplicate bumps the alert's occurrence count. Every finding counts against the tenant's daily ingest quota; a request that does not fit gets 429 \`quota_exceeded\` with Retry-After (the next UTC midnight) and is kept in quarantine. Requires \`alerts:write\`.`,
  security: [{ bearerAuth: ["alerts:write"] }],
  request: {
    headers: z.object({
      "idempotency-key": z
        .string()
        .min(1)
        .max(255)
        .optional()
        .describe("Replays the first response for 7 days."),
    }),
    body: {
      required: true,
      content: {
        "application/json": {
          // Validated in the handler, so every bad item is reported with its index.
          schema: {
            oneOf: [
              { $ref: "#/components/schemas/DetectionFinding" },
              {
                type: "array",
                minItems: 1,
                maxItems: MAX_FINDINGS_PER_REQUEST,
                items: { $ref: "#/components/schemas/DetectionFinding" },
              },
            ],
          },
        },
      },
    },
  },
  responses: {
    201: {
      description: "At least one new alert was stored.",
      content: { "application/json": { schema: ingestResult } },
    },
    200: {
      description: "Every finding was a duplicate.",
      content: { "application/json": { schema: ingestResult } },
    },
    ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429),
  },
});

const getAlertRoute = createRoute({
  method: "get",
  path: "/alerts/{id}",
  operationId: "getAlert",
  tags: ["Alerts"],
  summary: "Get one alert as OCSF",
  description:
    "The alert as the OCSF 1.8 Detection Finding it arrived as, with its occurrences and, once grouped, its case in `unmapped.phoenix`. Another tenant's alert is 404.",
  security: [{ bearerAuth: ["alerts:read"] }],
  request: { params: z.object({ id: alertId }) },
  responses: {
    200: {
      description: "The alert.",
      content: { "application/json": { schema: detectionFindingViewSchema } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

const listAlertsRoute = createRoute({
  method: "get",
  path: "/alerts",
  operationId: "listAlerts",
  tags: ["Alerts"],
  summary: "List alerts, newest first",
  description:
    "Keyset-paginated: pass `next_cursor` back as `cursor` with the same filters. A page holds at most `limit` alerts and stops early rather than pass 1 MiB of JSON; `raw_data` is left out unless `include=raw_data`.",
  security: [{ bearerAuth: ["alerts:read"] }],
  request: {
    query: z.object({
      limit: queryInt(1, MAX_PAGE_SIZE).default(50),
      cursor: z.string().max(512).optional(),
      severity_id: queryInt(0, 99).optional(),
      status_id: queryInt(0, 99).optional(),
      time_from: queryInt(0).optional().describe("Inclusive lower bound on `time`, epoch ms."),
      time_to: queryInt(0).optional().describe("Exclusive upper bound on `time`, epoch ms."),
      product_name: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe("Only alerts whose `metadata.product.name` is exactly this."),
      in_case: z
        .enum(["true", "false"])
        .optional()
        .describe("`true`: only alerts linked to a case; `false`: only alerts in none yet."),
      include: z
        .enum(["raw_data"])
        .optional()
        .describe("`raw_data` adds each alert's raw payload, which lists leave out to stay small."),
    }),
  },
  responses: {
    200: {
      description: "A page of alerts.",
      content: {
        "application/json": {
          schema: z
            .object({ data: z.array(detectionFindingViewSchema), next_cursor: z.string().nullable() })
            .openapi("AlertPage"),
        },
      },
    },
    ...problemResponses(400, 401, 403),
  },
});

export function registerAlertRoutes(app: OpenAPIHono<ApiEnv>): void {
  registerDomainSchema(app, "DetectionFinding", detectionFindingSchema);

  app.openapi(postAlerts, async (c) => {
    const principal = c.get("principal");
    requirePermission(principal, "alerts.submit");
    const { raw, json } = c.get("jsonBody") ?? (await readJsonBody(c.req));
    const result = await submitAlerts(
      c.get("tenantDb"),
      {
        raw,
        json,
        submitter: principal.id,
        idempotencyKey: c.req.valid("header")["idempotency-key"],
        now: Date.now(),
      },
      // Over the tenant's daily quota: 429, and the submission waits in quarantine (decision 021).
      { quota: currentIngestQuotaFor(c.env, principal.tenant.id), overQuota: "quarantine" },
    );
    if (result.replayed) c.header("idempotent-replayed", "true");
    return c.json(result.body, result.status);
  });

  app.openapi(getAlertRoute, async (c) => {
    requirePermission(c.get("principal"), "alerts.read");
    const alert = await getAlert(c.get("tenantDb"), c.req.valid("param").id);
    if (!alert) throw new PhoenixError("not_found", "no such alert");
    return c.json(findingView(renderAlertAsDetectionFinding(alert)), 200);
  });

  app.openapi(listAlertsRoute, async (c) => {
    requirePermission(c.get("principal"), "alerts.read");
    const q = c.req.valid("query");
    const page = await listAlerts(c.get("tenantDb"), {
      limit: q.limit,
      cursor: q.cursor,
      severityId: q.severity_id,
      statusId: q.status_id,
      timeFrom: q.time_from,
      timeTo: q.time_to,
      productName: q.product_name,
      inCase: q.in_case === undefined ? undefined : q.in_case === "true",
      includeRawData: q.include === "raw_data",
    });
    const data = page.items.map((alert) => {
      const { raw_data, ...rest } = renderAlertAsDetectionFinding(alert);
      return findingView(q.include === "raw_data" ? { ...rest, raw_data } : rest);
    });
    return c.json({ data, next_cursor: page.nextCursor }, 200);
  });
}

// The renderer builds OCSF as open objects; the schema states what it sets, and the contract tests
// validate real responses against the document, so this cast is checked where it matters.
function findingView(finding: OcsfObject): z.infer<typeof detectionFindingViewSchema> {
  return finding as z.infer<typeof detectionFindingViewSchema>;
}
