// /v1/users: the people who may act in this tenant (provider staff and customer users) and their
// grants. Reading needs users.read, changing needs users.manage; every change is admin-audited.

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ROLES } from "../../domain/auth/permissions.ts";
import { actorOf, requirePermission } from "../../domain/auth/principal.ts";
import {
  getTenantUser,
  grantRole,
  grantStatus,
  inviteRequestSchema,
  inviteUser,
  listTenantUsers,
  revokeGrant,
  type TenantUser,
} from "../../domain/auth/tenant-users.ts";
import { idSchema } from "../../domain/ids.ts";
import type { ApiEnv } from "../http/context.ts";
import { problemResponses, queryInt } from "./http.ts";

const idParam = z.object({ id: idSchema("principal", "a user id") });

const userView = z
  .object({
    id: z.string(),
    email: z.string(),
    display_name: z.string(),
    kind: z.enum(["staff", "customer"]).describe("Provider staff, or a user of this customer tenant."),
    status: z.enum(["active", "disabled"]),
    grant: z.object({
      role: z.enum(ROLES),
      status: z.enum(["active", "revoked"]).describe("A revoked grant is kept as history."),
      granted_by: z.string().nullable(),
      created_at: z.int(),
      updated_at: z.int(),
      revoked_at: z.int().nullable(),
    }),
  })
  .openapi("User");

const tag = ["Users"];
const security = [{ bearerAuth: ["admin"] }];
const userResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: userView } },
});

const routes = {
  list: createRoute({
    method: "get",
    path: "/users",
    operationId: "listUsers",
    tags: tag,
    summary: "List the people with a grant in this tenant",
    description:
      "People (workbench staff and customer users) who hold a grant in this tenant, with their role and status.",
    security,
    request: {
      query: z.object({
        limit: queryInt(1, 200).default(50),
        cursor: z.string().max(512).optional(),
        status: z.enum(["active", "revoked"]).optional().describe("Only grants in this state."),
      }),
    },
    responses: {
      200: {
        description: "People, most recently granted first.",
        content: {
          "application/json": {
            schema: z.object({ data: z.array(userView), next_cursor: z.string().nullable() }),
          },
        },
      },
      ...problemResponses(400, 401, 403),
    },
  }),
  invite: createRoute({
    method: "post",
    path: "/users",
    operationId: "inviteUser",
    tags: tag,
    summary: "Invite a person into this tenant with a role",
    description:
      "A new email becomes a user; an existing staff member gets a grant here. Customer users are always viewers.",
    security,
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: inviteRequestSchema,
          },
        },
      },
    },
    responses: {
      201: userResponse("The person and their grant in this tenant."),
      ...problemResponses(400, 401, 403, 409, 415, 422),
    },
  }),
  get: createRoute({
    method: "get",
    path: "/users/{id}",
    operationId: "getUser",
    tags: tag,
    summary: "Get a person and their grant in this tenant",
    description: "One person and their grant in this tenant; someone without a grant here is 404.",
    security,
    request: { params: idParam },
    responses: { 200: userResponse("The person."), ...problemResponses(401, 403, 404, 422) },
  }),
  grant: createRoute({
    method: "put",
    path: "/users/{id}/grant",
    operationId: "grantUser",
    tags: tag,
    summary: "Grant a role (again) or change it",
    description:
      "Grants the person a role in this tenant, or changes it. Recorded in the administration audit. Taking the admin role from the tenant's last active admin is refused with 409.",
    security,
    request: {
      params: idParam,
      body: {
        required: true,
        content: { "application/json": { schema: z.strictObject({ role: z.enum(ROLES) }) } },
      },
    },
    responses: {
      200: userResponse("The person with their grant as it now is."),
      ...problemResponses(400, 401, 403, 404, 409, 415, 422),
    },
  }),
  revoke: createRoute({
    method: "post",
    path: "/users/{id}/revoke",
    operationId: "revokeUser",
    tags: tag,
    summary: "Revoke a person's access to this tenant (kept as history; re-granting restores it)",
    description:
      "Revokes the person's access to this tenant: their sessions stop working here at once. The grant is kept as history, and granting again restores it. Revoking the tenant's last active admin is refused with 409.",
    security,
    request: { params: idParam },
    responses: {
      200: userResponse("The person with their revoked grant."),
      ...problemResponses(401, 403, 404, 409, 422),
    },
  }),
};

function toJson(user: TenantUser): z.infer<typeof userView> {
  const { principal: p, grant: g } = user;
  return {
    id: p.id,
    email: p.email,
    display_name: p.displayName,
    kind: p.kind,
    status: p.status,
    grant: {
      role: g.role,
      status: grantStatus(g),
      granted_by: g.grantedBy,
      created_at: g.createdAt,
      updated_at: g.updatedAt,
      revoked_at: g.revokedAt,
    },
  };
}

export function registerUserRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(routes.list, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "users.read");
    const q = c.req.valid("query");
    const page = await listTenantUsers(c.env.CONTROL_DB, p.tenant.id, q);
    return c.json({ data: page.items.map(toJson), next_cursor: page.nextCursor }, 200);
  });

  app.openapi(routes.invite, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "users.manage");
    const body = c.req.valid("json");
    const user = await inviteUser(
      c.env.CONTROL_DB,
      p.tenant.id,
      { email: body.email, displayName: body.display_name, kind: body.kind, role: body.role },
      actorOf(p),
      Date.now(),
    );
    return c.json(toJson(user), 201);
  });

  app.openapi(routes.get, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "users.read");
    return c.json(toJson(await getTenantUser(c.env.CONTROL_DB, p.tenant.id, c.req.valid("param").id)), 200);
  });

  app.openapi(routes.grant, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "users.manage");
    const user = await grantRole(
      c.env.CONTROL_DB,
      p.tenant.id,
      c.req.valid("param").id,
      c.req.valid("json").role,
      actorOf(p),
      Date.now(),
    );
    return c.json(toJson(user), 200);
  });

  app.openapi(routes.revoke, async (c) => {
    const p = c.get("principal");
    requirePermission(p, "users.manage");
    const user = await revokeGrant(
      c.env.CONTROL_DB,
      p.tenant.id,
      c.req.valid("param").id,
      actorOf(p),
      Date.now(),
    );
    // The person's open workbench sockets on this tenant end now, not at their next reconnect.
    await c.env.LIVE.getByName(p.tenant.id).disconnect(user.principal.id);
    return c.json(toJson(user), 200);
  });
}
