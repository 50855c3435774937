// /v1/sinks: where the tenant's cases are kept in sync. Scope `admin`. Credentials go in, never
// out; a Platform sink's signing secret appears in one response, the one that creates it.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { actorOf, requirePermission } from "../../domain/auth/principal.ts";
import { idSchema } from "../../domain/ids.ts";
import { SINK_CONFIG_SCHEMAS, SINK_KINDS, sinkCredentialsSchema } from "../../domain/sinks/config.ts";
import {
  type DeadLetter,
  listDeadLetters,
  replayDeadLetter,
  resyncCase,
} from "../../domain/sinks/dead-letters.ts";
import { outboundPolicyFor } from "../../domain/sinks/outbound-url.ts";
import {
  createSink,
  deleteSink,
  getSink,
  listSinks,
  type SinkContext,
  toSinkView,
  updateSink,
} from "../../domain/sinks/service.ts";
import { sinkReplayContext, testSinkConnection } from "../../durable-objects/sink-replay.ts";
import type { ApiEnv } from "../http/context.ts";
import { kindConfigSchemas, problemResponses, queryInt } from "./http.ts";

const idParam = z.object({ id: idSchema("sink", "a sink id") });
const configs = kindConfigSchemas("Sink", SINK_CONFIG_SCHEMAS);
const config = configs.request.describe(
  "The kind's settings. Jira: `site_url`, `auth` ({type: api_token, email} or {type: oauth2, client_id, cloud_id}), `project_key`, `issue_type`, `send`, `priorities`, `custom_fields`, `transitions`, `comments`. Salesforce: `instance_url`, `client_id`, `external_id_field`, `fields`. Platform: `url`, `event_types`. Unknown keys are refused.",
);

const sinkView = z
  .object({
    id: z.string(),
    kind: z.enum(SINK_KINDS),
    name: z.string(),
    config: configs.view,
    status: z.enum(["active", "disabled"]),
    created_at: z.int(),
    updated_at: z.int(),
  })
  .openapi("Sink");

const tag = ["Sinks"];
const security = [{ bearerAuth: ["admin"] }];

const routes = {
  list: createRoute({
    method: "get",
    path: "/sinks",
    operationId: "listSinks",
    tags: tag,
    summary: "List sinks",
    description:
      "The tenant's sinks (Jira, Salesforce, Platform webhooks) with their settings; credentials are write-only and never returned.",
    security,
    responses: {
      200: {
        description: "The tenant's sinks.",
        content: { "application/json": { schema: z.object({ data: z.array(sinkView) }) } },
      },
      ...problemResponses(401, 403),
    },
  }),
  create: createRoute({
    method: "post",
    path: "/sinks",
    operationId: "createSink",
    tags: tag,
    summary: "Add a sink",
    description:
      "The sink's URL must be https to a public address (local development also allows http://127.0.0.1). A Platform sink answers with its Standard Webhooks signing secret, once.",
    security,
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.strictObject({
              kind: z.enum(SINK_KINDS),
              name: z.string().trim().min(1).max(200),
              config,
              credentials: sinkCredentialsSchema.default({}),
              status: z
                .enum(["active", "disabled"])
                .default("active")
                .describe("Create it disabled to run `/test` before any case is sent."),
            }),
          },
        },
      },
    },
    responses: {
      201: {
        description: "The sink, and for a Platform sink its signing secret.",
        content: {
          "application/json": {
            schema: z
              .object({
                sink: sinkView,
                secret: z
                  .string()
                  .optional()
                  .describe("Platform only: the whsec_ signing secret, shown once."),
              })
              .openapi("SinkCreated"),
          },
        },
      },
      ...problemResponses(400, 401, 403, 415, 422),
    },
  }),
  get: createRoute({
    method: "get",
    path: "/sinks/{id}",
    operationId: "getSink",
    tags: tag,
    summary: "Get a sink",
    description: "One sink and its settings; credentials are never returned.",
    security,
    request: { params: idParam },
    responses: {
      200: { description: "The sink.", content: { "application/json": { schema: sinkView } } },
      ...problemResponses(401, 403, 404, 422),
    },
  }),
  update: createRoute({
    method: "patch",
    path: "/sinks/{id}",
    operationId: "updateSink",
    tags: tag,
    summary: "Rename, reconfigure, change the credentials of, disable or enable a sink",
    description: "`config` replaces the whole configuration; `credentials` replace the stored ones.",
    security,
    request: {
      params: idParam,
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.strictObject({
              name: z.string().trim().min(1).max(200).optional(),
              config: config.optional(),
              credentials: sinkCredentialsSchema.optional(),
              status: z.enum(["active", "disabled"]).optional(),
            }),
          },
        },
      },
    },
    responses: {
      200: { description: "The updated sink.", content: { "application/json": { schema: sinkView } } },
      ...problemResponses(400, 401, 403, 404, 415, 422),
    },
  }),
  test: createRoute({
    method: "post",
    path: "/sinks/{id}/test",
    operationId: "testSink",
    tags: tag,
    summary: "Check a sink's credentials and configuration against its real endpoint",
    description:
      "Jira: signs in (`/myself`), finds the project and issue type and the mapped custom fields (`createmeta`). Salesforce: signs in with the client credentials and describes Case. Platform: delivers one signed `sink.test` event. Nothing else is written. Each check says what is wrong in words an admin can act on.",
    security,
    request: { params: idParam },
    responses: {
      200: {
        description: "The checks, in the order they ran; the first failure stops the rest.",
        content: {
          "application/json": {
            schema: z
              .object({
                ok: z.boolean(),
                checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
              })
              .openapi("SinkTestResult"),
          },
        },
      },
      ...problemResponses(401, 403, 404, 422),
    },
  }),
  remove: createRoute({
    method: "delete",
    path: "/sinks/{id}",
    operationId: "deleteSink",
    tags: tag,
    summary: "Delete a sink (nothing more is sent to it)",
    description: "Deletes the sink: nothing more is sent to it. What it already holds stays there.",
    security,
    request: { params: idParam },
    responses: { 204: { description: "Deleted." }, ...problemResponses(401, 403, 404, 422) },
  }),
};

const deadLetter = z
  .object({
    id: z.string(),
    sink_id: z.string(),
    case_id: z.string(),
    version: z.int().describe("The case version the failed sync was for."),
    error: z.string().describe("The sink's last answer, in words."),
    attempts: z.int(),
    created_at: z.int(),
    replayed_at: z.int().nullable(),
  })
  .openapi("SinkDeadLetter");

const toDeadLetterView = (d: DeadLetter) => ({
  id: d.id,
  sink_id: d.sinkId,
  case_id: d.caseId,
  version: d.version,
  error: d.error,
  attempts: d.attempts,
  created_at: d.createdAt,
  replayed_at: d.replayedAt,
});

const replayRoutes = {
  list: createRoute({
    method: "get",
    path: "/sinks/dead-letters",
    operationId: "listSinkDeadLetters",
    tags: tag,
    summary: "List sync work that will not be retried",
    description:
      "A dead letter is a case a sink could not be brought up to date with: refused for good, or out of retries. It stays until replayed.",
    security,
    request: {
      query: z.object({
        limit: queryInt(1, 200).default(50),
        cursor: z.string().max(512).optional(),
        include_replayed: z.enum(["true", "false"]).default("false"),
      }),
    },
    responses: {
      200: {
        description: "Dead letters, newest first.",
        content: {
          "application/json": {
            schema: z.object({ data: z.array(deadLetter), next_cursor: z.string().nullable() }),
          },
        },
      },
      ...problemResponses(400, 401, 403),
    },
  }),
  replay: createRoute({
    method: "post",
    path: "/sinks/dead-letters/{id}/replay",
    operationId: "replaySinkDeadLetter",
    tags: tag,
    summary: "Replay a dead letter once its cause is fixed",
    description:
      "Sends the case to the sink queue again; the sink is brought to the case as it is now. 409 when the letter was already replayed, or its sink is disabled or deleted.",
    security,
    request: { params: z.object({ id: idSchema("deadLetter", "a dead letter id") }) },
    responses: {
      202: {
        description: "Queued; the case's sync status shows the outcome.",
        content: { "application/json": { schema: deadLetter } },
      },
      ...problemResponses(401, 403, 404, 409, 422),
    },
  }),
  resync: createRoute({
    method: "post",
    path: "/cases/{id}/resync",
    operationId: "resyncCase",
    tags: tag,
    summary: "Send a case to every active sink again",
    description:
      "For an operator who fixed a sink's mapping or credentials: every active sink that has not reached the case's current version is brought to it. A sink already at that version is left as it is (sync is state-based, so nothing is sent twice).",
    security,
    request: { params: z.object({ id: idSchema("case", "a case id") }) },
    responses: {
      202: {
        description: "Queued at the case's current version.",
        content: {
          "application/json": { schema: z.object({ case_id: z.string(), version: z.int() }) },
        },
      },
      ...problemResponses(401, 403, 404, 422),
    },
  }),
};

export function registerSinkRoutes(app: OpenAPIHono<ApiEnv>): void {
  for (const { id, schema } of configs.requestOnly) app.openAPIRegistry.register(id, schema);
  const replayContext = (c: { env: Env; get: (key: "tenantDb") => D1Database }, tenantId: string) =>
    sinkReplayContext(c.env, c.get("tenantDb"), tenantId, Date.now());

  // Before /sinks/{id}, which would otherwise take "dead-letters" for a sink id.
  app.openapi(replayRoutes.list, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "sinks.read");
    const q = c.req.valid("query");
    const page = await listDeadLetters(c.get("tenantDb"), {
      limit: q.limit,
      cursor: q.cursor,
      includeReplayed: q.include_replayed === "true",
    });
    return c.json({ data: page.items.map(toDeadLetterView), next_cursor: page.nextCursor }, 200);
  });

  app.openapi(replayRoutes.replay, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "sinks.manage");
    const letter = await replayDeadLetter(replayContext(c, p.tenant.id), c.req.valid("param").id);
    return c.json(toDeadLetterView(letter), 202);
  });

  app.openapi(replayRoutes.resync, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "sinks.manage");
    const message = await resyncCase(replayContext(c, p.tenant.id), c.req.valid("param").id);
    return c.json({ case_id: message.caseId, version: message.version }, 202);
  });

  const context = (c: {
    env: Env;
    get: (key: "principal") => Parameters<typeof actorOf>[0];
  }): SinkContext => ({
    controlDb: c.env.CONTROL_DB,
    encryptionKey: c.env.SECRETS_ENCRYPTION_KEY,
    policy: outboundPolicyFor(c.env.ENVIRONMENT),
    now: Date.now(),
    actor: actorOf(c.get("principal")),
  });

  app.openapi(routes.list, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "sinks.read");
    return c.json({ data: await listSinks(c.env.CONTROL_DB, p.tenant.id) }, 200);
  });

  app.openapi(routes.create, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "sinks.manage");
    return c.json(await createSink(context(c), p.tenant.id, c.req.valid("json")), 201);
  });

  app.openapi(routes.get, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "sinks.read");
    return c.json(toSinkView(await getSink(c.env.CONTROL_DB, p.tenant.id, c.req.valid("param").id)), 200);
  });

  app.openapi(routes.update, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "sinks.manage");
    const view = await updateSink(context(c), p.tenant.id, c.req.valid("param").id, c.req.valid("json"));
    return c.json(view, 200);
  });

  app.openapi(routes.test, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "sinks.manage");
    const row = await getSink(c.env.CONTROL_DB, p.tenant.id, c.req.valid("param").id);
    return c.json(await testSinkConnection(c.env, row, Date.now()), 200);
  });

  app.openapi(routes.remove, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "sinks.manage");
    await deleteSink(context(c), p.tenant.id, c.req.valid("param").id);
    return c.body(null, 204);
  });
}
