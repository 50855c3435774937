// /v1/cases: thin adapters over the case objects (writes, current state) and the tenant's
// projection (lists). The case object is addressed by the tenant id from the verified token.

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { findAlertRefs } from "../../domain/alerts/queries.ts";
import { operationForCaseCommand } from "../../domain/auth/permissions.ts";
import { actorOf, type Principal, requirePermission } from "../../domain/auth/principal.ts";
import { loadCaseConfig } from "../../domain/case/config.ts";
import { caseEnrichment } from "../../domain/case/enrichment.ts";
import type { CaseSnapshot, CommandOutcome, TimelineEvent } from "../../domain/case/gateway.ts";
import { renderCaseAsIncidentFinding } from "../../domain/case/incident-finding.ts";
import {
  CASE_SEVERITIES,
  CASE_STATUSES,
  type CasePriority,
  type CaseQueue,
  type CaseSeverity,
  type CaseStatus,
  type Resolution,
} from "../../domain/case/model.ts";
import { projectCase } from "../../domain/case/projection.ts";
import {
  type CaseRow,
  listCases,
  MAX_CASE_PAGE_SIZE,
  projectedSlaStatus,
} from "../../domain/case/queries.ts";
import { caseCommandRequestSchema, openCaseRequestSchema } from "../../domain/case/requests.ts";
import {
  type CaseServiceContext,
  commandCase,
  createCase,
  type Requester,
} from "../../domain/case/service.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { idSchema } from "../../domain/ids.ts";
import { caseSinks } from "../../domain/sinks/sync.ts";

import { slaStatus } from "../../domain/sla/clocks.ts";
import { caseGateway, caseObjectStub } from "../../durable-objects/case-gateway.ts";
import type { ApiEnv } from "../http/context.ts";
import { caseDetailSchema, caseSchema, caseSummarySchema, commandedCaseSchema } from "./case-views.ts";
import { problemResponses, queryInt } from "./http.ts";
import { incidentFindingSchema } from "./ocsf-views.ts";

const caseIdParam = z.object({ id: idSchema("case", "a case id") });
const idempotencyHeader = z
  .string()
  .min(1)
  .max(255)
  .optional()
  .describe("Replays the first response for 7 days.");

const listRoute = createRoute({
  method: "get",
  path: "/cases",
  operationId: "listCases",
  tags: ["Cases"],
  summary: "List cases",
  description: "Keyset-paginated; pass `next_cursor` back as `cursor` with the same filters and sort.",
  security: [{ bearerAuth: ["cases:read"] }],
  request: {
    query: z.object({
      limit: queryInt(1, MAX_CASE_PAGE_SIZE).default(50),
      cursor: z.string().max(512).optional(),
      state: z.enum(CASE_STATUSES).optional(),
      severity: z.enum(CASE_SEVERITIES).optional(),
      assignee: z.string().min(1).max(200).optional(),
      sla_status: z.enum(["ok", "warning", "breached"]).optional(),
      updated_since: queryInt(0).optional().describe("Epoch ms, inclusive."),
      sort: z.enum(["updated", "sla_due"]).default("updated"),
    }),
  },
  responses: {
    200: {
      description: "A page of cases.",
      content: {
        "application/json": {
          schema: z
            .object({ data: z.array(caseSummarySchema), next_cursor: z.string().nullable() })
            .openapi("CasePage"),
        },
      },
    },
    ...problemResponses(400, 401, 403),
  },
});

const createCaseRoute = createRoute({
  method: "post",
  path: "/cases",
  operationId: "openCase",
  tags: ["Cases"],
  summary: "Open a case by hand",
  description:
    "Opens a case in `new`, with the tenant's SLA policy for its severity, optionally with alerts of this tenant linked from the start. With an Idempotency-Key a retry answers the first response instead of opening a second case.",
  security: [{ bearerAuth: ["cases:write"] }],
  request: {
    headers: z.object({ "idempotency-key": idempotencyHeader }),
    body: { required: true, content: { "application/json": { schema: openCaseRequestSchema } } },
  },
  responses: {
    201: { description: "The new case.", content: { "application/json": { schema: caseSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 415, 422),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/cases/{id}",
  operationId: "getCase",
  tags: ["Cases"],
  summary: "Get a case with its alerts, timeline and SLA clocks",
  description:
    "The case with its linked alerts, SLA clocks, first 500 timeline events, observables with each source's verdict and where it stands in each sink. The ETag is the version to send back in If-Match. `format=ocsf` answers an OCSF Incident Finding instead.",
  security: [{ bearerAuth: ["cases:read"] }],
  request: {
    params: caseIdParam,
    query: z.object({ format: z.enum(["phoenix", "ocsf"]).default("phoenix") }),
  },
  responses: {
    200: {
      description: "The case, or with `format=ocsf` an OCSF 1.8 Incident Finding.",
      headers: z.object({ etag: z.string() }),
      content: { "application/json": { schema: z.union([caseDetailSchema, incidentFindingSchema]) } },
    },
    ...problemResponses(400, 401, 403, 404, 422),
  },
});

// If-Match names a case version: "N", W/"N" or N. Documented as this pattern, checked by parseIfMatch.
const IF_MATCH_PATTERN = '^(?:W/)?"?(\\d{1,12})"?$';

const commandRoute = createRoute({
  method: "post",
  path: "/cases/{id}/commands",
  operationId: "commandCase",
  tags: ["Cases"],
  summary: "Change a case",
  description:
    "One command per request. `If-Match` must carry the case's current version (its ETag); a stale one gets 412. A command the case's state does not allow gets 409 naming the state and the command.",
  security: [{ bearerAuth: ["cases:write"] }],
  request: {
    params: caseIdParam,
    headers: z.object({
      "if-match": z.string().optional().openapi({
        pattern: IF_MATCH_PATTERN,
        description: "The case version you acted on, as returned in ETag.",
      }),
      "idempotency-key": idempotencyHeader,
    }),
    body: { required: true, content: { "application/json": { schema: caseCommandRequestSchema } } },
  },
  responses: {
    200: {
      description: "The case after the command, with the events it produced.",
      content: { "application/json": { schema: commandedCaseSchema } },
    },
    ...problemResponses(400, 401, 403, 404, 409, 412, 415, 422, 428),
  },
});

const auditRoute = createRoute({
  method: "get",
  path: "/cases/{id}/audit",
  operationId: "getCaseAudit",
  tags: ["Cases"],
  summary: "The case's hash-chained audit log and its verification",
  description:
    "Every record of the case's audit log, in order, each hashed over the one before, and whether the chain verifies from the first record to the head.",
  security: [{ bearerAuth: ["cases:read"] }],
  request: { params: caseIdParam },
  responses: {
    200: {
      description: "Every audit record, and whether the chain verifies.",
      content: {
        "application/json": {
          schema: z
            .object({
              records: z.array(
                z.object({ seq: z.int(), record: z.unknown(), prev_hash: z.string(), hash: z.string() }),
              ),
              verification: z.object({
                ok: z.boolean(),
                length: z.int(),
                head: z.string().optional(),
                broken_at: z.int().optional(),
                reason: z.string().optional(),
              }),
            })
            .openapi("CaseAudit"),
        },
      },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

const liveRoute = createRoute({
  method: "get",
  path: "/cases/{id}/live",
  operationId: "watchCase",
  tags: ["Cases"],
  summary: "Live case events over a WebSocket",
  description: "Upgrade to a WebSocket; every committed event of the case is pushed as JSON.",
  security: [{ bearerAuth: ["cases:read"] }],
  request: {
    params: caseIdParam,
    // Part of the contract: without it this is not a WebSocket handshake (RFC 6455 §4.1).
    headers: z.object({
      // Header values are compared without case (RFC 9110 §7.8); the document names the usual one.
      upgrade: z
        .string()
        .refine((v) => v.toLowerCase() === "websocket", "must be websocket")
        .openapi({ enum: ["websocket"], description: "`websocket`: the request is a WebSocket handshake." }),
    }),
  },
  responses: {
    101: { description: "Switching protocols." },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerCaseRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(listRoute, async (c) => {
    requirePermission(c.get("principal"), "cases.read");
    const q = c.req.valid("query");
    const now = Date.now();
    const page = await listCases(c.get("tenantDb"), {
      limit: q.limit,
      cursor: q.cursor,
      state: q.state,
      severity: q.severity,
      assignee: q.assignee,
      slaStatus: q.sla_status,
      updatedSince: q.updated_since,
      sort: q.sort,
      now,
    });
    return c.json(
      {
        data: page.items.map((row) => caseSummaryOf(row, now)),
        next_cursor: page.nextCursor,
      },
      200,
    );
  });

  app.openapi(createCaseRoute, async (c) => {
    const principal = c.get("principal");
    requirePermission(principal, "cases.create");
    const now = Date.now();
    const db = c.get("tenantDb");
    const result = await createCase(
      caseContext(c, now),
      requesterOf(principal),
      c.req.valid("json"),
      { key: c.req.valid("header")["idempotency-key"], raw: await c.req.text() },
      () => loadCaseConfig(c.env.CONTROL_DB, principal.tenant.id),
      (opened) => caseBody(db, opened, now),
    );
    if (result.replayed) c.header("idempotent-replayed", "true");
    c.header("etag", etagOf(result.body.version));
    return c.json(result.body, 201);
  });

  app.openapi(getRoute, async (c) => {
    const principal = c.get("principal");
    requirePermission(principal, "cases.read");
    const { id } = c.req.valid("param");
    const gateway = caseGateway(c.env);
    const snapshot = await gateway.snapshot(principal.tenant.id, id);
    c.header("etag", etagOf(snapshot.version));
    const now = Date.now();
    const db = c.get("tenantDb");
    if (c.req.valid("query").format === "ocsf") {
      const refs = await findAlertRefs(db, Object.keys(snapshot.state.alerts));
      const finding = renderCaseAsIncidentFinding(projectCase(snapshot.state, snapshot.version), refs, now);
      // The renderer builds open OCSF objects; the contract tests validate real ones against the schema.
      return c.json(finding as z.infer<typeof incidentFindingSchema>, 200);
    }
    const [timeline, enrichment, sinks] = await Promise.all([
      gateway.events(principal.tenant.id, id, 0, 500),
      caseEnrichment(db, id, { now }),
      caseSinks(c.env.CONTROL_DB, db, principal.tenant.id, id),
    ]);
    const observables = enrichment.observables.map((o) => ({
      type: o.type,
      value: o.value,
      sightings: o.sightings,
      verdicts: o.verdicts.map((v) => ({
        source: v.provider,
        verdict: v.verdict,
        reason: v.reason,
        valid_until: v.expiresAt,
      })),
    }));
    return c.json({ ...(await caseBody(db, snapshot, now)), timeline, observables, sinks }, 200);
  });

  app.openapi(commandRoute, async (c) => {
    const principal = c.get("principal");
    const { id } = c.req.valid("param");
    const headers = c.req.valid("header");
    const body = c.req.valid("json");
    requirePermission(principal, operationForCaseCommand(body.type));
    const now = Date.now();
    const result = await commandCase(
      caseContext(c, now),
      requesterOf(principal),
      id,
      body,
      parseIfMatch(headers["if-match"]),
      { key: headers["idempotency-key"], raw: await c.req.text() },
    );
    if (result.replayed) c.header("idempotent-replayed", "true");
    c.header("etag", etagOf(result.version));
    return c.json({ ...(await caseBody(c.get("tenantDb"), result, now)), events: positioned(result) }, 200);
  });

  app.openapi(auditRoute, async (c) => {
    const principal = c.get("principal");
    requirePermission(principal, "cases.read");
    const audit = await caseGateway(c.env).audit(principal.tenant.id, c.req.valid("param").id);
    const v = audit.verification;
    return c.json(
      {
        records: audit.records.map((r) => ({
          seq: r.seq,
          record: JSON.parse(r.record) as unknown,
          prev_hash: r.prevHash,
          hash: r.hash,
        })),
        verification: v.ok
          ? { ok: true, length: v.length, head: v.head }
          : { ok: false, length: v.length, broken_at: v.brokenAt, reason: v.reason },
      },
      200,
    );
  });

  app.openapi(liveRoute, async (c) => {
    const principal = c.get("principal");
    requirePermission(principal, "cases.read");
    const stub = caseObjectStub(c.env, principal.tenant.id, c.req.valid("param").id);
    const response = await stub.fetch(c.req.raw);
    if (response.status === 404) throw new PhoenixError("not_found", "no such case");
    return response as unknown as Response;
  });
}

// --- mapping ---------------------------------------------------------------------------------

export function caseContext(c: Context<ApiEnv>, now: number): CaseServiceContext {
  return { gateway: caseGateway(c.env), db: c.get("tenantDb"), tenant: c.get("principal").tenant, now };
}

export function requesterOf(principal: Principal): Requester {
  return { actor: actorOf(principal), idempotencyScope: principal.id };
}

function etagOf(version: number): string {
  return `"${version}"`;
}

/** If-Match is required on commands: "N", W/"N" or N. */
function parseIfMatch(header: string | undefined): number {
  if (!header) {
    throw new PhoenixError(
      "precondition_required",
      "If-Match is required: send the case version you acted on",
      [{ field: "If-Match", message: "is required" }],
    );
  }
  const match = new RegExp(IF_MATCH_PATTERN).exec(header.trim());
  if (!match?.[1]) {
    throw new PhoenixError("validation_failed", 'If-Match must be a case version such as "3"', [
      { field: "If-Match", message: 'must be a case version such as "3"' },
    ]);
  }
  return Number(match[1]);
}

/** A command's events with their place in the log, like the timeline's: they are its last ones. */
function positioned(outcome: CommandOutcome): TimelineEvent[] {
  const first = outcome.state.eventCount - outcome.events.length + 1;
  return outcome.events.map((event, i) => ({ ...event, seq: first + i, version: outcome.version }));
}

function caseSummaryOf(row: CaseRow, now: number): z.infer<typeof caseSummarySchema> {
  return {
    id: row.id,
    version: row.version,
    title: row.title,
    state: row.state as CaseStatus,
    severity: row.severity as CaseSeverity,
    priority: row.priority as CasePriority,
    assignee: row.assigneeId,
    queue: row.queue as CaseQueue,
    resolution: row.resolution as Resolution | null,
    merged_into: row.mergedInto,
    alert_count: row.alertCount,
    sla_status: projectedSlaStatus(row, now),
    sla_warn_at: row.slaWarnAt,
    sla_due_at: row.slaDueAt,
    sla_breached_at: row.slaBreachedAt,
    opened_at: row.openedAt,
    updated_at: row.updatedAt,
    closed_at: row.closedAt,
  };
}

async function caseBody(db: D1Database, snapshot: CaseSnapshot, now: number) {
  const { state } = snapshot;
  const linked = await findAlertRefs(db, Object.keys(state.alerts));
  return {
    id: state.id,
    version: snapshot.version,
    title: state.title,
    description: state.description,
    state: state.status,
    severity: state.severity,
    priority: state.priority,
    assignee: state.assignee,
    queue: state.queue,
    tier: state.tier,
    team: state.team,
    resolution: state.resolution,
    merged_into: state.mergedInto,
    // A source closed its own record of this matter: a suggestion for the analyst, never a close.
    source_closed:
      state.sourceClosed === null
        ? null
        : {
            alert_id: state.sourceClosed.alertId,
            source: state.sourceClosed.source,
            closed_as: state.sourceClosed.closedAs,
            at: state.sourceClosed.at,
          },
    opened_at: state.openedAt,
    updated_at: state.updatedAt,
    resolved_at: state.resolvedAt,
    closed_at: state.closedAt,
    sla: {
      status: slaStatus(state.sla, now),
      clocks: Object.values(state.sla.clocks).map((clock) => ({
        name: clock.name,
        due_at: clock.dueAt,
        warn_at: clock.warnAt,
        met_at: clock.metAt,
        elapsed_ms: clock.elapsedMs,
        paused: clock.pausedSince !== null,
        warned_at: clock.warnedAt,
        breached_at: clock.breachedAt,
      })),
    },
    alerts: Object.entries(state.alerts).map(([alertId, link]) => {
      const ref = linked.find((r) => r.id === alertId);
      return {
        id: alertId,
        reviewed: link.reviewed,
        title: ref?.title ?? null,
        finding_uid: ref?.findingUid ?? null,
      };
    }),
  };
}
