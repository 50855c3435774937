// /v1/audit: the tenant's administration audit chain (grants, clients, connectors, configuration),
// and a re-verification of the whole chain. Needs audit.read.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { listAdminAudit, verifyTenantAdminAudit } from "../../domain/admin-audit-log.ts";
import { requirePermission } from "../../domain/auth/principal.ts";
import type { ApiEnv } from "../http/context.ts";
import { problemResponses, queryInt } from "./http.ts";

const tag = ["Audit"];
const security = [{ bearerAuth: ["admin"] }];

const EPOCH_MS = /^\d{1,15}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
// The shape the document states; parseSince also refuses dates no calendar has.
const SINCE_PATTERN = `${EPOCH_MS.source}|${ISO_DATE_TIME.source}`;

/** `since` as epoch milliseconds or an ISO 8601 date or date-time (with a zone); null when neither. */
function parseSince(value: string): number | null {
  if (EPOCH_MS.test(value)) return Number(value);
  if (!ISO_DATE_TIME.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

const auditRecord = z
  .object({
    seq: z.int().describe("Position in the tenant's chain, from 1."),
    id: z.string(),
    at: z.int(),
    actor: z.object({ type: z.enum(["client", "user", "system", "jira"]), id: z.string() }),
    action: z.string().describe("`<target>.<verb>`, e.g. grant.revoked or connector.updated."),
    target: z.object({ type: z.string(), id: z.string() }),
    before: z.unknown().describe("The target as it was (null when it did not exist); never secrets."),
    after: z.unknown().describe("The target as it became (null when removed); never secrets."),
    prev_hash: z.string(),
    hash: z.string().describe("SHA-256 of the previous hash and this record's canonical JSON (RFC 8785)."),
  })
  .openapi("AdminAuditRecord");

const listRoute = createRoute({
  method: "get",
  path: "/audit",
  operationId: "listAdminAudit",
  tags: tag,
  summary: "List the administration audit records, in chain order",
  description:
    "Administration changes (connectors, sinks, people, clients, policies) in chain order, each with who did it, before and after. Secrets never appear.",
  security,
  request: {
    query: z.object({
      since: z
        .string()
        .max(40)
        .refine((v) => parseSince(v) !== null, "must be epoch milliseconds or an ISO 8601 date-time")
        .openapi({ pattern: SINCE_PATTERN })
        .optional()
        .describe("Only records at or after this time: epoch milliseconds or ISO 8601."),
      cursor: z.string().max(512).optional(),
      limit: queryInt(1, 500).default(100),
    }),
  },
  responses: {
    200: {
      description: "Records in seq order; pass next_cursor back as cursor for the next page.",
      content: {
        "application/json": {
          schema: z.object({ data: z.array(auditRecord), next_cursor: z.string().nullable() }),
        },
      },
    },
    ...problemResponses(400, 401, 403),
  },
});

const verifyRoute = createRoute({
  method: "get",
  path: "/audit/verify",
  operationId: "verifyAdminAudit",
  tags: tag,
  summary: "Re-verify the whole administration audit chain",
  description:
    "Recomputes every record's hash from the genesis hash. `broken_at` is the first seq that does not verify.",
  security,
  responses: {
    200: {
      description: "The verification result.",
      content: {
        "application/json": {
          schema: z
            .object({
              verified: z.boolean(),
              length: z.int().describe("Records verified (the whole chain when verified)."),
              broken_at: z.int().nullable(),
              head_hash: z.string().nullable().describe("The last record's hash."),
            })
            .openapi("AdminAuditVerification"),
        },
      },
    },
    ...problemResponses(401, 403),
  },
});

export function registerAuditRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(listRoute, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "audit.read");
    const q = c.req.valid("query");
    const page = await listAdminAudit(c.env.CONTROL_DB, p.tenant.id, {
      since: q.since === undefined ? undefined : (parseSince(q.since) ?? undefined),
      cursor: q.cursor,
      limit: q.limit,
    });
    return c.json(
      {
        data: page.items.map((r) => ({
          seq: r.seq,
          id: r.id,
          at: r.at,
          actor: r.actor,
          action: r.action,
          target: { type: r.targetType, id: r.targetId },
          before: r.before,
          after: r.after,
          prev_hash: r.prevHash,
          hash: r.hash,
        })),
        next_cursor: page.nextCursor,
      },
      200,
    );
  });

  app.openapi(verifyRoute, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "audit.read");
    const result = await verifyTenantAdminAudit(c.env.CONTROL_DB, p.tenant.id);
    return c.json(
      result.ok
        ? { verified: true, length: result.length, broken_at: null, head_hash: result.headHash }
        : {
            verified: false,
            length: result.brokenAt - 1,
            broken_at: result.brokenAt,
            head_hash: result.headHash,
          },
      200,
    );
  });
}
