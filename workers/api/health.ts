// GET /v1/admin/health: the caller's tenant as an on-call engineer sees it (health.read, scope
// `admin`). Backlogs and lags only; where Phoenix cannot observe a figure it says so with null.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { requirePermission } from "../../domain/auth/principal.ts";
import { tenantHealth } from "../../domain/health.ts";
import type { ApiEnv } from "../http/context.ts";
import { problemResponses } from "./http.ts";

const age = (what: string) =>
  z.int().nullable().describe(`Milliseconds since ${what}; null when there is none.`);

const healthSchema = z
  .object({
    tenant: z.string(),
    checked_at: z.int().describe("Epoch milliseconds the figures were read at."),
    outbox: z
      .object({
        lagging_cases: z
          .int()
          .describe("Cases whose case projection and work-queue row disagree: an outbox entry is waiting."),
        oldest_entry_age_ms: age("the oldest waiting entry was written, at least"),
        cases_compared: z.int().describe("The most recently changed cases the check looked at (up to 500)."),
      })
      .describe("Case-object outboxes, seen through the read models they feed."),
    sla_sweep: z
      .object({
        overdue_cases: z
          .int()
          .describe("Open cases whose SLA deadline passed with no breach recorded (their alarm is late)."),
        lag_ms: age("the most overdue deadline passed"),
      })
      .describe("What the SLA sweep exists to catch; it should stay near zero."),
    quarantine: z.object({
      pending: z.int().describe("Items waiting in quarantine, not yet replayed."),
      oldest_age_ms: age("the oldest pending item was received"),
    }),
    correlation: z
      .object({
        owed_alerts: z.int().describe("Stored alerts not yet grouped into a case; the cron finishes them."),
        oldest_age_ms: age("the oldest of them was stored"),
      })
      .describe("Ingest's own backlog."),
    queues: z
      .object({
        sink: z.object({
          depth: z
            .null()
            .describe("A Worker cannot read a queue's backlog; see the queue's dashboard metrics."),
        }),
      })
      .describe("Queue depths, as far as the Worker can observe them."),
    dead_letters: z
      .object({
        count: z.null().describe("Not tracked until the sinks and their dead-letter queues exist."),
      })
      .describe("Sink deliveries that ran out of retries."),
  })
  .openapi("TenantHealth");

const healthRoute = createRoute({
  method: "get",
  path: "/admin/health",
  operationId: "getTenantHealth",
  tags: ["Operations"],
  summary: "Backlogs and lags of the caller's tenant",
  description:
    "Outbox lag, SLA sweep lag, quarantine and correlation backlogs for the token's tenant only. Needs the `admin` scope (operation health.read).",
  security: [{ bearerAuth: ["admin"] }],
  responses: {
    200: {
      description: "The tenant's health figures.",
      content: { "application/json": { schema: healthSchema } },
    },
    ...problemResponses(401, 403),
  },
});

export function registerHealthRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(healthRoute, async (c) => {
    const principal = c.get("principal");
    requirePermission(principal, "health.read");
    const now = Date.now();
    const health = await tenantHealth(c.env.CONTROL_DB, c.get("tenantDb"), principal.tenant.id, now);
    return c.json(
      {
        tenant: principal.tenant.id,
        checked_at: now,
        outbox: {
          lagging_cases: health.outbox.laggingCases,
          oldest_entry_age_ms: health.outbox.oldestEntryAgeMs,
          cases_compared: health.outbox.casesCompared,
        },
        sla_sweep: { overdue_cases: health.slaSweep.overdueCases, lag_ms: health.slaSweep.lagMs },
        quarantine: {
          pending: health.quarantine.pending,
          oldest_age_ms: health.quarantine.oldestAgeMs,
        },
        correlation: {
          owed_alerts: health.correlation.owedAlerts,
          oldest_age_ms: health.correlation.oldestAgeMs,
        },
        queues: { sink: { depth: null } },
        dead_letters: { count: null },
      },
      200,
    );
  });
}
