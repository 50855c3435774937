// /v1/reports/*: SLA compliance, MTTx, alert volume and case outcomes, read from the aggregates the
// writes keep (domain/reports, decision 040). A person with grants on several tenants may name
// several in `tenant`; the figures are then summed over them.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { type Principal, requirePermission } from "../../domain/auth/principal.ts";
import { SESSION_ISSUER, sessionPrincipal } from "../../domain/auth/session-principal.ts";
import { resolveSession, type SignedIn } from "../../domain/auth/sessions.ts";
import { CASE_SEVERITIES, RESOLUTIONS } from "../../domain/case/model.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { GRAINS } from "../../domain/reports/buckets.ts";
import { bucketedPeriod, MAX_BUCKETS, MAX_PERIOD_DAYS, reportPeriod } from "../../domain/reports/period.ts";
import { alertVolume, caseOutcomes, mttx, slaCompliance } from "../../domain/reports/queries.ts";
import { SLA_CLOCKS } from "../../domain/sla/types.ts";
import { tenantDatabase } from "../../domain/tenancy.ts";
import type { ApiEnv } from "../http/context.ts";
import { problemResponses } from "./http.ts";

const MAX_TENANTS = 50;

// A calendar date (the document states the full calendar as its pattern), read as that UTC day.
const date = z.iso.date({ error: "must be a date such as 2026-11-01" });

const periodQuery = {
  from: date.describe("First day of the period (UTC), inclusive."),
  to: date.describe("Day after the period (UTC), exclusive."),
  tenant: z
    .string()
    .max(MAX_TENANTS * 40)
    .regex(/^[a-z0-9_]+(,[a-z0-9_]+)*$/, "must be tenant ids separated by commas")
    .optional()
    .describe(
      "Tenant ids, comma-separated, to sum over (people with grants on each); the caller's own tenant when left out.",
    ),
};
const bucketQuery = {
  bucket: z.enum(GRAINS).default("day").describe("UTC days, ISO weeks (from Monday) or calendar months."),
};

const reportHeader = {
  tenants: z.array(z.string()).describe("The tenants the figures cover."),
  from: z.string(),
  to: z.string(),
};
const iso = z.string().describe("The bucket's first day (UTC), e.g. 2026-11-02.");
const figures = z.object({
  mean_ms: z.int(),
  p50_ms: z.int().describe("Nearest-rank median, in seconds to two significant figures (as ms)."),
  p90_ms: z.int().describe("Nearest-rank 90th percentile, in seconds to two significant figures (as ms)."),
});

const slaReport = z
  .object({
    ...reportHeader,
    data: z.array(
      z.object({
        severity: z.enum(CASE_SEVERITIES),
        clock: z.enum(SLA_CLOCKS),
        met: z.int().describe("Met on time, no warning."),
        warned: z.int().describe("Met on time after the warning fired."),
        breached: z.int().describe("Breached (counted when the breach fired, or when met late)."),
        total: z.int(),
        met_pct: z.number(),
        warned_pct: z.number(),
        breached_pct: z.number(),
      }),
    ),
  })
  .openapi("SlaComplianceReport");

const mttxReport = z
  .object({
    ...reportHeader,
    bucket: z.enum(GRAINS),
    data: z.array(
      z.object({
        bucket: iso,
        severity: z.enum(CASE_SEVERITIES),
        clock: z.enum(SLA_CLOCKS),
        count: z.int().describe("Clocks met in the bucket."),
        business: figures.describe("In SLA time as the policy counts it: business hours, pauses excluded."),
        wall: figures.describe("On the wall clock from the clock's start, pauses included."),
      }),
    ),
  })
  .openapi("MttxReport");

const volumeReport = z
  .object({
    ...reportHeader,
    bucket: z.enum(GRAINS),
    data: z.array(
      z.object({
        bucket: iso,
        deliveries: z.int().describe("Findings received, duplicates included."),
        alerts: z.int().describe("New alerts after de-duplication."),
        duplicates: z.int().describe("Deliveries folded into an existing alert."),
        grouped: z.int().describe("Alerts that joined a case."),
        cases: z.int().describe("Cases opened."),
        noise_reduction: z.number().nullable().describe("Deliveries per case opened; null without cases."),
        by_source: z.array(
          z.object({
            source: z.string().describe("The finding's product name ('' when it named none)."),
            connector_id: z.string().nullable(),
            severity_id: z.int().describe("OCSF severity_id."),
            deliveries: z.int(),
            alerts: z.int(),
            duplicates: z.int(),
            grouped: z.int(),
          }),
        ),
      }),
    ),
  })
  .openapi("AlertVolumeReport");

const outcomesReport = z
  .object({
    ...reportHeader,
    resolutions: z.array(
      z.object({
        resolution: z.enum(RESOLUTIONS),
        total: z.int(),
        escalated: z.int().describe("Of them, cases escalated (a higher tier or the lead queue) first."),
        not_escalated: z.int(),
      }),
    ),
    escalations: z.array(
      z.object({
        to: z.string().describe("The tier (L2, L3) or queue (lead) escalated to."),
        auto: z.int().describe("By an SLA breach."),
        manual: z.int(),
      }),
    ),
  })
  .openapi("CaseOutcomesReport");

/** What every report operation shares in the document. */
function reportOperation(path: string, operationId: string, summary: string, description: string) {
  return {
    method: "get" as const,
    path,
    operationId,
    tags: ["Reports"],
    summary,
    description: `${description} Figures come from aggregates kept as events happen (decision 040), so a report costs a few rows per bucket whatever the history. Periods are whole UTC days, at most ${MAX_PERIOD_DAYS}.`,
    security: [{ bearerAuth: ["reports:read"] }],
  };
}

function reportResponses<T extends z.ZodType>(schema: T) {
  return {
    200: { description: "The report.", content: { "application/json": { schema } } },
    ...problemResponses(400, 401, 403, 404),
  };
}

const routes = {
  sla: createRoute({
    ...reportOperation(
      "/reports/sla-compliance",
      "getSlaComplianceReport",
      "SLA compliance per severity and clock",
      "Met, warned and breached clock periods per severity and clock (acknowledge, contain, resolve) over the period, with percentages. A reopened case's new resolve period counts on its own.",
    ),
    request: { query: z.object(periodQuery) },
    responses: reportResponses(slaReport),
  }),
  mttx: createRoute({
    ...reportOperation(
      "/reports/mttx",
      "getMttxReport",
      "Mean and percentile time to acknowledge, contain and resolve",
      `Per bucket, severity and clock: mean, p50 and p90, in business time as the SLA policy counts it and in wall time. At most ${MAX_BUCKETS} buckets.`,
    ),
    request: { query: z.object({ ...periodQuery, ...bucketQuery }) },
    responses: reportResponses(mttxReport),
  }),
  volume: createRoute({
    ...reportOperation(
      "/reports/alert-volume",
      "getAlertVolumeReport",
      "Alert volume and noise reduction",
      `Per bucket: raw deliveries, alerts after de-duplication, alerts grouped into cases and cases opened, by source, connector and severity; noise reduction is deliveries per case. Alerts count when Phoenix received them. At most ${MAX_BUCKETS} buckets.`,
    ),
    request: { query: z.object({ ...periodQuery, ...bucketQuery }) },
    responses: reportResponses(volumeReport),
  }),
  outcomes: createRoute({
    ...reportOperation(
      "/reports/case-outcomes",
      "getCaseOutcomesReport",
      "Case outcomes by resolution and escalation",
      "Cases resolved in the period by resolution (a merge is a duplicate), split by whether they were escalated first, and escalations by target. A reopened case's outcome leaves the period it was counted in.",
    ),
    request: { query: z.object(periodQuery) },
    responses: reportResponses(outcomesReport),
  }),
};

export function registerReportRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(routes.sla, async (c) => {
    const q = c.req.valid("query");
    const period = reportPeriod(q);
    const scope = await reportScope(c, q.tenant);
    const data = await slaCompliance(scope.dbs, period);
    return c.json({ ...header(scope.tenants, q), data: data as z.infer<typeof slaReport>["data"] }, 200);
  });

  app.openapi(routes.mttx, async (c) => {
    const q = c.req.valid("query");
    const period = bucketedPeriod(q, q.bucket);
    const scope = await reportScope(c, q.tenant);
    const rows = await mttx(scope.dbs, period, q.bucket);
    const data = rows.map((r) => ({ ...r, bucket: dayOf(r.bucket) })) as z.infer<typeof mttxReport>["data"];
    return c.json({ ...header(scope.tenants, q), bucket: q.bucket, data }, 200);
  });

  app.openapi(routes.volume, async (c) => {
    const q = c.req.valid("query");
    const period = bucketedPeriod(q, q.bucket);
    const scope = await reportScope(c, q.tenant);
    const rows = await alertVolume(scope.dbs, period, q.bucket);
    const data = rows.map((r) => ({ ...r, bucket: dayOf(r.bucket) }));
    return c.json({ ...header(scope.tenants, q), bucket: q.bucket, data }, 200);
  });

  app.openapi(routes.outcomes, async (c) => {
    const q = c.req.valid("query");
    const period = reportPeriod(q);
    const scope = await reportScope(c, q.tenant);
    const outcomes = await caseOutcomes(scope.dbs, period);
    return c.json(
      {
        ...header(scope.tenants, q),
        ...(outcomes as Pick<z.infer<typeof outcomesReport>, "resolutions" | "escalations">),
      },
      200,
    );
  });
}

function header(tenants: string[], q: { from: string; to: string }) {
  return { tenants, from: q.from, to: q.to };
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The tenants a report covers: the caller's own, or those named in `tenant`. Another tenant needs a
 * signed-in person's grant on it with the report permission; for anyone else it does not exist (404).
 */
async function reportScope(
  c: Context<ApiEnv>,
  requested: string | undefined,
): Promise<{ tenants: string[]; dbs: D1Database[] }> {
  const principal = c.get("principal");
  requirePermission(principal, "reports.read");
  const ids = requested ? [...new Set(requested.split(","))] : [principal.tenant.id];
  if (ids.length > MAX_TENANTS) {
    throw new PhoenixError("invalid_parameter", `a report covers at most ${MAX_TENANTS} tenants`, [
      { field: "tenant", message: `names more than ${MAX_TENANTS} tenants` },
    ]);
  }
  const principals: Principal[] = [];
  // Read once, and only when another tenant is named: a person's grants come with the session.
  let signedIn: Promise<SignedIn | null> | undefined;
  for (const id of ids) {
    if (id === principal.tenant.id) {
      principals.push(principal);
      continue;
    }
    signedIn ??=
      principal.issuer === SESSION_ISSUER
        ? resolveSession(c.env, c.req.raw, Date.now())
        : Promise.resolve(null);
    principals.push(grantedIn(await signedIn, id));
  }
  return {
    tenants: principals.map((p) => p.tenant.id),
    dbs: principals.map((p) => (p === principal ? c.get("tenantDb") : tenantDatabase(c.env, p.tenant))),
  };
}

function grantedIn(signedIn: SignedIn | null, tenantId: string): Principal {
  if (!signedIn) {
    throw new PhoenixError("not_found", "no such tenant", [
      { field: "tenant", message: `${tenantId} is not a tenant you hold a grant on` },
    ]);
  }
  const other = sessionPrincipal(signedIn, tenantId);
  requirePermission(other, "reports.read");
  return other;
}
