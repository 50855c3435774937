// A tenant's administration of its people: invite, grant, change and revoke roles, and list them.
import { and, desc, eq, isNotNull, isNull, lt, ne, or, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { grants, principals } from "../../schema/control.ts";
import type { Actor } from "../actor.ts";
import { commitAdminChange } from "../admin-audit.ts";
import { failedWith, PhoenixError } from "../errors.ts";
import { newId } from "../ids.ts";
import { decodeCursor, keysetPage } from "../pagination.ts";
import { findPrincipalByEmail, type GrantRow, type PrincipalRow } from "./people.ts";
import { ROLES, type Role } from "./permissions.ts";

// A tenant sees a person only through a grant row in that tenant (active or revoked); anyone else,
// including staff granted only elsewhere, is not found. Every change is one audited batch.

export type GrantStatus = "active" | "revoked";
export type PrincipalKind = PrincipalRow["kind"];

/** A person as one tenant sees them: the principal and its grant in that tenant. */
export interface TenantUser {
  principal: PrincipalRow;
  grant: GrantRow;
}

export interface InviteInput {
  email: string;
  displayName: string;
  kind: PrincipalKind;
  role: Role;
}

export function grantStatus(grant: Pick<GrantRow, "revokedAt">): GrantStatus {
  return grant.revokedAt === null ? "active" : "revoked";
}

/** A person with a grant (active or revoked) in this tenant; anyone else is 404. */
export async function getTenantUser(
  db: D1Database,
  tenantId: string,
  principalId: string,
): Promise<TenantUser> {
  const [user] = await tenantUsers(db)
    .where(and(eq(grants.tenantId, tenantId), eq(grants.principalId, principalId)))
    .limit(1);
  if (!user) throw new PhoenixError("not_found", "no such user");
  return user;
}

/** The tenant's people, most recently granted first, a keyset page at a time. */
export async function listTenantUsers(
  db: D1Database,
  tenantId: string,
  q: { limit: number; cursor?: string | undefined; status?: GrantStatus | undefined },
): Promise<{ items: TenantUser[]; nextCursor: string | null }> {
  const fingerprint = JSON.stringify([q.status ?? null]);
  const conditions: SQL[] = [eq(grants.tenantId, tenantId)];
  if (q.status)
    conditions.push(q.status === "active" ? isNull(grants.revokedAt) : isNotNull(grants.revokedAt));
  if (q.cursor) {
    const after = decodeCursor(q.cursor, fingerprint);
    const older = or(
      lt(grants.createdAt, after.k),
      and(eq(grants.createdAt, after.k), lt(grants.principalId, after.id)),
    );
    if (older) conditions.push(older);
  }
  const rows = await tenantUsers(db)
    .where(and(...conditions))
    .orderBy(desc(grants.createdAt), desc(grants.principalId))
    .limit(q.limit + 1);
  return keysetPage(rows, q.limit, (u) => ({ k: u.grant.createdAt, id: u.principal.id }), fingerprint);
}

/** What an admin sends to invite someone, through /v1 or the workbench. */
export const inviteRequestSchema = z
  .strictObject({
    email: z.email().max(320),
    display_name: z.string().trim().min(1).max(200),
    kind: z.enum(["staff", "customer"]),
    role: z.enum(ROLES),
  })
  // What inviteUser enforces, stated for the document: a customer user is a viewer (staff, or a viewer).
  .meta({
    anyOf: [
      { properties: { kind: { type: "string", enum: ["staff"] } } },
      { properties: { role: { type: "string", enum: ["viewer"] } } },
    ],
  });

/**
 * Invites a person into a tenant. A new email becomes a principal with a grant; an existing staff
 * member (or a returning customer of this tenant) gets a grant. Anyone else's email is a 409 that
 * does not say whose it is.
 */
export async function inviteUser(
  db: D1Database,
  tenantId: string,
  input: InviteInput,
  actor: Actor,
  now: number,
): Promise<TenantUser> {
  requireRoleFits(input.kind, input.role);
  return withFreshState(async () => {
    const existing = await findPrincipalByEmail(db, input.email);
    if (!existing) return createUser(db, tenantId, input, actor, now);
    const belongsHere =
      existing.kind === input.kind && (existing.kind === "staff" || existing.homeTenantId === tenantId);
    if (!belongsHere) {
      throw new PhoenixError(
        "conflict",
        `this email belongs to an existing person who cannot be invited to this tenant as ${input.kind}`,
      );
    }
    const grant = await grantRow(db, tenantId, existing.id);
    if (grant && grant.revokedAt === null) {
      throw new PhoenixError("conflict", `this person already has access to this tenant as ${grant.role}`);
    }
    return writeGrant(db, tenantId, existing, grant, input.role, actor, now);
  });
}

/** Grants a role to a person this tenant already knows, or changes it; the same role is a no-op. */
export async function grantRole(
  db: D1Database,
  tenantId: string,
  principalId: string,
  role: Role,
  actor: Actor,
  now: number,
): Promise<TenantUser> {
  return withFreshState(async () => {
    const user = await getTenantUser(db, tenantId, principalId);
    requireRoleFits(user.principal.kind, role);
    if (grantStatus(user.grant) === "active" && user.grant.role === role) return user;
    if (role !== "admin") await requireAnotherAdmin(db, user.grant);
    return writeGrant(db, tenantId, user.principal, user.grant, role, actor, now);
  });
}

/** Revokes a person's grant, keeping the row as history. Sign-in and sessions stop honouring it at once. */
export async function revokeGrant(
  db: D1Database,
  tenantId: string,
  principalId: string,
  actor: Actor,
  now: number,
): Promise<TenantUser> {
  return withFreshState(async () => {
    const user = await getTenantUser(db, tenantId, principalId);
    if (user.grant.revokedAt !== null) {
      throw new PhoenixError("conflict", "this person's access to this tenant is already revoked");
    }
    await requireAnotherAdmin(db, user.grant);
    const revoked: GrantRow = { ...user.grant, revokedAt: now, updatedAt: now };
    await commitAdminChange(
      db,
      {
        tenantId,
        actor,
        action: "grant.revoked",
        targetType: "grant",
        targetId: principalId,
        before: grantSnapshot(user.grant),
        after: grantSnapshot(revoked),
      },
      () => [guardedGrantUpdate(db, user.grant, revoked)],
      now,
    );
    return { principal: user.principal, grant: revoked };
  });
}

/**
 * Refuses to take the admin role away from a tenant's last active admin: nobody could grant it back
 * from the workbench or /v1 with a person's session. The write re-checks it (guardedGrantUpdate).
 */
async function requireAnotherAdmin(db: D1Database, grant: GrantRow): Promise<void> {
  if (!isActiveAdmin(grant)) return;
  const [other] = await drizzle(db)
    .select({ id: grants.principalId })
    .from(grants)
    .innerJoin(principals, eq(principals.id, grants.principalId))
    .where(otherActiveAdmins(grant))
    .limit(1);
  if (!other) {
    throw new PhoenixError(
      "conflict",
      "this person is the tenant's last admin: make someone else admin before removing them",
    );
  }
}

const isActiveAdmin = (grant: Pick<GrantRow, "role" | "revokedAt">) =>
  grant.role === "admin" && grant.revokedAt === null;

/** Another admin of the tenant who can still sign in: a disabled person's grant does not count. */
function otherActiveAdmins(grant: Pick<GrantRow, "tenantId" | "principalId">) {
  return and(
    eq(grants.tenantId, grant.tenantId),
    eq(grants.role, "admin"),
    isNull(grants.revokedAt),
    ne(grants.principalId, grant.principalId),
    eq(principals.status, "active"),
  );
}

function requireRoleFits(kind: PrincipalKind, role: Role): void {
  if (kind === "customer" && role !== "viewer") {
    throw new PhoenixError("validation_failed", "customer users are always viewers", [
      { field: "role", message: `customer users can only be viewer, not ${role}` },
    ]);
  }
}

async function createUser(
  db: D1Database,
  tenantId: string,
  input: InviteInput,
  actor: Actor,
  now: number,
): Promise<TenantUser> {
  const principal: PrincipalRow = {
    id: newId("principal", now),
    kind: input.kind,
    email: input.email,
    displayName: input.displayName,
    homeTenantId: input.kind === "customer" ? tenantId : null,
    status: "active",
    singleKeyShortcuts: true,
    notificationsSeenAt: null,
    createdAt: now,
    updatedAt: now,
  };
  const grant = newGrant(principal.id, tenantId, input.role, actor, now);
  await commitAdminChange(
    db,
    {
      tenantId,
      actor,
      action: "user.invited",
      targetType: "user",
      targetId: principal.id,
      before: null,
      after: {
        id: principal.id,
        email: principal.email,
        display_name: principal.displayName,
        kind: principal.kind,
        grant: grantSnapshot(grant),
      },
    },
    () => [drizzle(db).insert(principals).values(principal), insertGrant(db, grant)],
    now,
  );
  return { principal, grant };
}

/** Creates the grant row, or re-grants / changes the role of the existing one. */
async function writeGrant(
  db: D1Database,
  tenantId: string,
  principal: PrincipalRow,
  current: GrantRow | null,
  role: Role,
  actor: Actor,
  now: number,
): Promise<TenantUser> {
  const next: GrantRow = current
    ? { ...current, role, grantedBy: actor.id, updatedAt: now, revokedAt: null }
    : newGrant(principal.id, tenantId, role, actor, now);
  await commitAdminChange(
    db,
    {
      tenantId,
      actor,
      action: current && current.revokedAt === null ? "grant.changed" : "grant.created",
      targetType: "grant",
      targetId: principal.id,
      before: current ? grantSnapshot(current) : null,
      after: grantSnapshot(next),
    },
    () => [current ? guardedGrantUpdate(db, current, next) : insertGrant(db, next)],
    now,
  );
  return { principal, grant: next };
}

function newGrant(principalId: string, tenantId: string, role: Role, actor: Actor, now: number): GrantRow {
  return {
    principalId,
    tenantId,
    role,
    grantedBy: actor.id,
    createdAt: now,
    updatedAt: now,
    revokedAt: null,
  };
}

/** What the audit keeps of a grant. */
function grantSnapshot(grant: GrantRow) {
  return {
    principal_id: grant.principalId,
    role: grant.role,
    status: grantStatus(grant),
    granted_by: grant.grantedBy,
    revoked_at: grant.revokedAt,
  };
}

async function grantRow(db: D1Database, tenantId: string, principalId: string): Promise<GrantRow | null> {
  const [row] = await drizzle(db)
    .select()
    .from(grants)
    .where(and(eq(grants.tenantId, tenantId), eq(grants.principalId, principalId)))
    .limit(1);
  return row ?? null;
}

function insertGrant(db: D1Database, g: GrantRow) {
  // The primary key makes a concurrent first grant abort this batch (audit record included).
  return drizzle(db).insert(grants).values(g);
}

/**
 * A compare-and-set on the grant as it was read: if another change got there first, the role is
 * set to NULL, which the NOT NULL constraint refuses, aborting the batch with its audit record so
 * the caller re-reads. The audit's `before` is therefore always what was really replaced.
 */
function guardedGrantUpdate(db: D1Database, expected: GrantRow, next: GrantRow) {
  // Taking admin away also needs another active admin at the moment of writing, so two admins
  // removing each other at once cannot leave the tenant with none: the loser retries and is refused.
  const removesAdmin = isActiveAdmin(expected) && !isActiveAdmin(next);
  const anotherAdmin = removesAdmin
    ? sql` AND EXISTS (SELECT 1 FROM grants AS other JOIN principals AS person ON person.id = other.principal_id WHERE other.tenant_id = ${expected.tenantId} AND other.role = 'admin' AND other.revoked_at IS NULL AND other.principal_id <> ${expected.principalId} AND person.status = 'active')`
    : sql``;
  return drizzle(db)
    .update(grants)
    .set({
      role: sql`CASE WHEN ${grants.role} = ${expected.role} AND ${grants.revokedAt} IS ${expected.revokedAt}${anotherAdmin} THEN ${next.role} END`,
      grantedBy: next.grantedBy,
      updatedAt: next.updatedAt,
      revokedAt: next.revokedAt,
    })
    .where(and(eq(grants.principalId, next.principalId), eq(grants.tenantId, next.tenantId)));
}

const STALE_ATTEMPTS = 5;

/** Runs a read-decide-write again when its write lost a race (see guardedGrantUpdate and insertGrant). */
async function withFreshState<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isStaleWrite(error)) throw error;
      if (i >= STALE_ATTEMPTS) {
        throw new PhoenixError("conflict", "this person's access was changed concurrently; try again");
      }
    }
  }
}

function isStaleWrite(error: unknown): boolean {
  return failedWith(
    error,
    /NOT NULL constraint failed: grants\.role|UNIQUE constraint failed: (grants\.|principals\.|index 'principals_email_unique')/,
  );
}

/** A tenant's people: each grant row with its principal. */
function tenantUsers(db: D1Database) {
  return drizzle(db)
    .select({ principal: principals, grant: grants })
    .from(grants)
    .innerJoin(principals, eq(principals.id, grants.principalId))
    .$dynamic();
}
