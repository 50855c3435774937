// /v1/cases: thin adapters over the case objects (writes, current state) and the tenant's
// projection (lists). The case object is addressed by the tenant id from the verified token.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { drizzle } from "drizzle-orm/d1";
import { existingAlertIds, findAlertRefs } from "../../domain/alerts/queries.ts";
import { operationForCaseCommand } from "../../domain/auth/permissions.ts";
import { actorOf, requirePermission } from "../../domain/auth/principal.ts";
import { loadCaseConfig } from "../../domain/case/config.ts";
import { CASE_SEVERITIES, CASE_STATUSES } from "../../domain/case/model.ts";
import { projectCase } from "../../domain/case/projection.ts";
import { listCases, MAX_CASE_PAGE_SIZE, projectedSlaStatus } from "../../domain/case/queries.ts";
import {
  caseCommandRequestSchema,
  openCaseRequestSchema,
  toCaseCommand,
} from "../../domain/case/requests.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { releaseIdempotencyKey, requestHash, runIdempotent } from "../../domain/idempotency.ts";
import { newId } from "../../domain/ids.ts";
import { renderCaseAsIncidentFinding } from "../../domain/ocsf/render.ts";
import { slaStatus } from "../../domain/sla/clocks.ts";
import type { CaseResult, CaseSnapshot } from "../../durable-objects/case-object.ts";
import type { ApiEnv } from "./context.ts";
import { problemResponses, queryInt } from "./http.ts";

const caseIdParam = z.object({ id: z.string().regex(/^case_[0-9a-z]{26}$/, "must be a case id (case_…)") });
const idempotencyHeader = z
  .string()
  .min(1)
  .max(255)
  .optional()
  .describe("Replays the first response for 7 days.");

const caseView = z.record(z.string(), z.unknown()).openapi("Case", {
  description:
    "A case: its state, SLA clocks, linked alerts and (on GET) its timeline. `version` is also the ETag.",
});

const listRoute = createRoute({
  method: "get",
  path: "/cases",
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
            .object({ data: z.array(caseView), next_cursor: z.string().nullable() })
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
  tags: ["Cases"],
  summary: "Open a case by hand",
  security: [{ bearerAuth: ["cases:write"] }],
  request: {
    headers: z.object({ "idempotency-key": idempotencyHeader }),
    body: { required: true, content: { "application/json": { schema: openCaseRequestSchema } } },
  },
  responses: {
    201: { description: "The new case.", content: { "application/json": { schema: caseView } } },
    ...problemResponses(400, 401, 403, 404, 409, 415, 422),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/cases/{id}",
  tags: ["Cases"],
  summary: "Get a case with its alerts, timeline and SLA clocks",
  security: [{ bearerAuth: ["cases:read"] }],
  request: {
    params: caseIdParam,
    query: z.object({ format: z.enum(["phoenix", "ocsf"]).default("phoenix") }),
  },
  responses: {
    200: {
      description: "The case, or with `format=ocsf` an OCSF 1.8 Incident Finding.",
      headers: z.object({ etag: z.string() }),
      content: { "application/json": { schema: caseView } },
    },
    ...problemResponses(400, 401, 403, 404, 422),
  },
});

const commandRoute = createRoute({
  method: "post",
  path: "/cases/{id}/commands",
  tags: ["Cases"],
  summary: "Change a case",
  description:
    "One command per request. `If-Match` must carry the case's current version (its ETag); a stale one gets 412. A command the case's state does not allow gets 409 naming the state and the command.",
  security: [{ bearerAuth: ["cases:write"] }],
  request: {
    params: caseIdParam,
    headers: z.object({
      "if-match": z.string().optional().describe("The case version you acted on, as returned in ETag."),
      "idempotency-key": idempotencyHeader,
    }),
    body: { required: true, content: { "application/json": { schema: caseCommandRequestSchema } } },
  },
  responses: {
    200: {
      description: "The case after the command.",
      content: { "application/json": { schema: caseView } },
    },
    ...problemResponses(400, 401, 403, 404, 409, 412, 415, 422, 428),
  },
});

const auditRoute = createRoute({
  method: "get",
  path: "/cases/{id}/audit",
  tags: ["Cases"],
  summary: "The case's hash-chained audit log and its verification",
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
  tags: ["Cases"],
  summary: "Live case events over a WebSocket",
  description: "Upgrade to a WebSocket; every committed event of the case is pushed as JSON.",
  security: [{ bearerAuth: ["cases:read"] }],
  request: { params: caseIdParam },
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
        data: page.items.map((row) => ({ ...row, sla_status: projectedSlaStatus(row, now) })),
        next_cursor: page.nextCursor,
      },
      200,
    );
  });

  app.openapi(createCaseRoute, async (c) => {
    const principal = c.get("principal");
    requirePermission(principal, "cases.create");
    const body = c.req.valid("json");
    const raw = await c.req.text();
    const key = c.req.valid("header")["idempotency-key"];
    const now = Date.now();
    if (body.alert_ids) await assertAlertsExist(c.get("tenantDb"), body.alert_ids, "alert_ids");
    const tenant = principal.tenant;
    const idempotency = key
      ? {
          principal: principal.id,
          key,
          requestHash: await requestHash("POST", "/v1/cases", raw),
          now,
        }
      : null;

    const result = await runIdempotent(c.get("tenantDb"), idempotency, async (claim) => {
      // The key is claimed before the case exists: a crash after this leaves it "in progress"
      // (409) rather than letting a retry open a second case.
      if (claim) await drizzle(c.get("tenantDb")).batch([claim]);
      try {
        return await openCase();
      } catch (error) {
        // Nothing was opened, so the key must not stay "in progress".
        if (idempotency) await releaseIdempotencyKey(c.get("tenantDb"), idempotency);
        throw error;
      }
    });
    if (result.replayed) c.header("idempotent-replayed", "true");
    c.header("etag", etagOf((result.body as { version: number }).version));
    return c.json(result.body, 201);

    async function openCase() {
      const caseId = newId("case", now);
      const config = await loadCaseConfig(c.env.CONTROL_DB, tenant.id);
      const opened = await caseStub(c.env, tenant.id, caseId).open({
        tenantId: tenant.id,
        caseId,
        d1Binding: tenant.d1Binding,
        config,
        command: {
          type: "open",
          caseId,
          title: body.title,
          severity: body.severity,
          ...(body.description ? { description: body.description } : {}),
          ...(body.priority ? { priority: body.priority } : {}),
          ...(body.alert_ids ? { alertIds: body.alert_ids } : {}),
        },
        actor: actorOf(principal),
        ...(body.reason ? { reason: body.reason } : {}),
      });
      const snapshot = unwrap(opened);
      return { status: 201, body: await caseBody(c.get("tenantDb"), snapshot, now) };
    }
  });

  app.openapi(getRoute, async (c) => {
    const principal = c.get("principal");
    requirePermission(principal, "cases.read");
    const { id } = c.req.valid("param");
    const stub = caseStub(c.env, principal.tenant.id, id);
    const snapshot = unwrap(await stub.snapshot());
    c.header("etag", etagOf(snapshot.version));
    const now = Date.now();
    const db = c.get("tenantDb");
    if (c.req.valid("query").format === "ocsf") {
      const refs = await findAlertRefs(db, Object.keys(snapshot.state.alerts));
      return c.json(
        renderCaseAsIncidentFinding(projectCase(snapshot.state, snapshot.version), refs, now),
        200,
      );
    }
    const timeline = unwrap(await stub.events(0, 500)).events;
    return c.json({ ...(await caseBody(db, snapshot, now)), timeline }, 200);
  });

  app.openapi(commandRoute, async (c) => {
    const principal = c.get("principal");
    const { id } = c.req.valid("param");
    const headers = c.req.valid("header");
    const body = c.req.valid("json");
    requirePermission(principal, operationForCaseCommand(body.type));
    const raw = await c.req.text();
    const expectedVersion = parseIfMatch(headers["if-match"]);
    const key = headers["idempotency-key"];
    if (body.type === "merge_into") await assertCaseExists(c.env, principal.tenant.id, body.target_case_id);
    if (body.type === "link_alert" || body.type === "unlink_alert" || body.type === "review_alert") {
      await assertAlertsExist(c.get("tenantDb"), [body.alert_id], "alert_id");
    }

    const result = unwrap(
      await caseStub(c.env, principal.tenant.id, id).command({
        expectedVersion,
        envelope: {
          command: toCaseCommand(body),
          actor: actorOf(principal),
          ...(body.reason ? { reason: body.reason } : {}),
        },
        ...(key
          ? {
              idempotencyKey: `${principal.id}|${key}`,
              requestHash: await requestHash("POST", `/v1/cases/${id}/commands`, raw),
            }
          : {}),
      }),
    );
    if (result.replayed) c.header("idempotent-replayed", "true");
    c.header("etag", etagOf(result.version));
    return c.json({ ...(await caseBody(c.get("tenantDb"), result, Date.now())), events: result.events }, 200);
  });

  app.openapi(auditRoute, async (c) => {
    const principal = c.get("principal");
    requirePermission(principal, "cases.read");
    const audit = unwrap(await caseStub(c.env, principal.tenant.id, c.req.valid("param").id).audit());
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
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new PhoenixError("bad_request", "this endpoint needs a WebSocket upgrade (Upgrade: websocket)");
    }
    const stub = caseStub(c.env, principal.tenant.id, c.req.valid("param").id);
    const response = await stub.fetch(c.req.raw);
    if (response.status === 404) throw new PhoenixError("not_found", "no such case");
    return response as unknown as Response;
  });
}

// --- mapping ---------------------------------------------------------------------------------

/**
 * Linked alerts must be this tenant's. Another tenant's id is a 404 like any unknown id, wherever it
 * appears (path or body), so ids reveal nothing across tenants.
 */
async function assertAlertsExist(db: D1Database, ids: string[], field: string): Promise<void> {
  const found = await existingAlertIds(db, ids);
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new PhoenixError("not_found", `no such alert: ${missing.slice(0, 10).join(", ")}`, [
      { field, message: `${missing.length} id(s) are not alerts of this tenant` },
    ]);
  }
}

/** A merge target must be a case of the same tenant; anything else is a 404, as in the path. */
async function assertCaseExists(env: Env, tenantId: string, caseId: string): Promise<void> {
  const target = await caseStub(env, tenantId, caseId).snapshot();
  if (!target.ok) {
    throw new PhoenixError("not_found", "the merge target is not a case of this tenant", [
      { field: "target_case_id", message: "is not a case of this tenant" },
    ]);
  }
}

function caseStub(env: Env, tenantId: string, caseId: string) {
  return env.CASES.getByName(`${tenantId}:${caseId}`);
}

/** A case object's result, or its error as the shared error vocabulary. */
function unwrap<R extends CaseResult<object>>(result: R): Extract<R, { ok: true }> {
  if (result.ok) return result as Extract<R, { ok: true }>;
  const { code, message } = (result as Extract<CaseResult<object>, { ok: false }>).error;
  throw new PhoenixError(code, message);
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
  const match = /^(?:W\/)?"?(\d{1,12})"?$/.exec(header.trim());
  if (!match?.[1]) {
    throw new PhoenixError("validation_failed", 'If-Match must be a case version such as "3"', [
      { field: "If-Match", message: 'must be a case version such as "3"' },
    ]);
  }
  return Number(match[1]);
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
