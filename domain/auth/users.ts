// People: provider staff and customer users (CONTROL_DB principals) and their per-tenant grants.
// Sign-in resolves a verified identity to a principal here; the admin API manages them here.
import type { grants, principals } from "../../schema/control.ts";
import type { Actor } from "../actor.ts";
import { commitAdminChange } from "../admin-audit.ts";
import { PhoenixError } from "../errors.ts";
import { newId } from "../ids.ts";
import { decodeCursor, keysetPage } from "../pagination.ts";
import type { Role } from "./permissions.ts";

export type PrincipalRow = typeof principals.$inferSelect;
export type GrantRow = typeof grants.$inferSelect;

interface PrincipalSqlRow {
  id: string;
  kind: "staff" | "customer";
  email: string;
  display_name: string;
  home_tenant_id: string | null;
  status: "active" | "disabled";
  created_at: number;
  updated_at: number;
}

export interface ActiveGrant {
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  role: Role;
}

export async function findPrincipal(db: D1Database, id: string): Promise<PrincipalRow | null> {
  const row = await db.prepare("SELECT * FROM principals WHERE id = ?").bind(id).first<PrincipalSqlRow>();
  return row ? principalFromRow(row) : null;
}

/** Emails are matched case-insensitively (the unique index is on lower(email)). */
export async function findPrincipalByEmail(db: D1Database, email: string): Promise<PrincipalRow | null> {
  const row = await db
    .prepare("SELECT * FROM principals WHERE lower(email) = lower(?)")
    .bind(email)
    .first<PrincipalSqlRow>();
  return row ? principalFromRow(row) : null;
}

/** The principal's unrevoked grants in active tenants, by tenant name. */
export async function activeGrants(db: D1Database, principalId: string): Promise<ActiveGrant[]> {
  const { results } = await db
    .prepare(
      `SELECT g.tenant_id, t.slug, t.name, g.role FROM grants g JOIN tenants t ON t.id = g.tenant_id
        WHERE g.principal_id = ? AND g.revoked_at IS NULL AND t.status = 'active' ORDER BY t.name`,
    )
    .bind(principalId)
    .all<{ tenant_id: string; slug: string; name: string; role: Role }>();
  return results.map((r) => ({
    tenantId: r.tenant_id,
    tenantSlug: r.slug,
    tenantName: r.name,
    role: r.role,
  }));
}

export async function activeGrant(
  db: D1Database,
  principalId: string,
  tenantId: string,
): Promise<ActiveGrant | null> {
  return (await activeGrants(db, principalId)).find((g) => g.tenantId === tenantId) ?? null;
}

function principalFromRow(row: PrincipalSqlRow): PrincipalRow {
  return {
    id: row.id,
    kind: row.kind,
    email: row.email,
    displayName: row.display_name,
    homeTenantId: row.home_tenant_id,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// --- Administration: invite, grant, revoke, list --------------------------------------------------
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

const TENANT_USER_COLUMNS = `p.*, g.role AS g_role, g.granted_by AS g_granted_by, g.created_at AS g_created_at,
  g.updated_at AS g_updated_at, g.revoked_at AS g_revoked_at, g.tenant_id AS g_tenant_id`;

interface TenantUserSqlRow extends PrincipalSqlRow {
  g_tenant_id: string;
  g_role: Role;
  g_granted_by: string | null;
  g_created_at: number;
  g_updated_at: number;
  g_revoked_at: number | null;
}

/** A person with a grant (active or revoked) in this tenant; anyone else is 404. */
export async function getTenantUser(
  db: D1Database,
  tenantId: string,
  principalId: string,
): Promise<TenantUser> {
  const row = await db
    .prepare(
      `SELECT ${TENANT_USER_COLUMNS} FROM grants g JOIN principals p ON p.id = g.principal_id
        WHERE g.tenant_id = ? AND g.principal_id = ?`,
    )
    .bind(tenantId, principalId)
    .first<TenantUserSqlRow>();
  if (!row) throw new PhoenixError("not_found", "no such user");
  return tenantUserFromRow(row);
}

/** The tenant's people, most recently granted first, a keyset page at a time. */
export async function listTenantUsers(
  db: D1Database,
  tenantId: string,
  q: { limit: number; cursor?: string | undefined; status?: GrantStatus | undefined },
): Promise<{ items: TenantUser[]; nextCursor: string | null }> {
  const fingerprint = JSON.stringify([q.status ?? null]);
  const where = ["g.tenant_id = ?"];
  const params: unknown[] = [tenantId];
  if (q.status) where.push(q.status === "active" ? "g.revoked_at IS NULL" : "g.revoked_at IS NOT NULL");
  if (q.cursor) {
    const after = decodeCursor(q.cursor, fingerprint);
    where.push("(g.created_at < ? OR (g.created_at = ? AND g.principal_id < ?))");
    params.push(after.k, after.k, after.id);
  }
  const { results } = await db
    .prepare(
      `SELECT ${TENANT_USER_COLUMNS} FROM grants g JOIN principals p ON p.id = g.principal_id
        WHERE ${where.join(" AND ")} ORDER BY g.created_at DESC, g.principal_id DESC LIMIT ?`,
    )
    .bind(...params, q.limit + 1)
    .all<TenantUserSqlRow>();
  return keysetPage(
    results.map(tenantUserFromRow),
    q.limit,
    (u) => ({ k: u.grant.createdAt, id: u.principal.id }),
    fingerprint,
  );
}

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
    () => [
      db
        .prepare(
          `INSERT INTO principals (id, kind, email, display_name, home_tenant_id, status, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, 'active', ?, ?)`,
        )
        .bind(
          principal.id,
          principal.kind,
          principal.email,
          principal.displayName,
          principal.homeTenantId,
          now,
          now,
        ),
      insertGrant(db, grant),
    ],
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
  const row = await db
    .prepare("SELECT * FROM grants WHERE tenant_id = ? AND principal_id = ?")
    .bind(tenantId, principalId)
    .first<{
      principal_id: string;
      tenant_id: string;
      role: Role;
      granted_by: string | null;
      created_at: number;
      updated_at: number;
      revoked_at: number | null;
    }>();
  return row
    ? {
        principalId: row.principal_id,
        tenantId: row.tenant_id,
        role: row.role,
        grantedBy: row.granted_by,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        revokedAt: row.revoked_at,
      }
    : null;
}

function insertGrant(db: D1Database, g: GrantRow): D1PreparedStatement {
  // The primary key makes a concurrent first grant abort this batch (audit record included).
  return db
    .prepare(
      `INSERT INTO grants (principal_id, tenant_id, role, granted_by, created_at, updated_at, revoked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(g.principalId, g.tenantId, g.role, g.grantedBy, g.createdAt, g.updatedAt, g.revokedAt);
}

/**
 * A compare-and-set on the grant as it was read: if another change got there first, the role is
 * set to NULL, which the NOT NULL constraint refuses, aborting the batch with its audit record so
 * the caller re-reads. The audit's `before` is therefore always what was really replaced.
 */
function guardedGrantUpdate(db: D1Database, expected: GrantRow, next: GrantRow): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE grants SET role = CASE WHEN role = ? AND revoked_at IS ? THEN ? END,
              granted_by = ?, updated_at = ?, revoked_at = ?
        WHERE principal_id = ? AND tenant_id = ?`,
    )
    .bind(
      expected.role,
      expected.revokedAt,
      next.role,
      next.grantedBy,
      next.updatedAt,
      next.revokedAt,
      next.principalId,
      next.tenantId,
    );
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
  return (
    error instanceof Error &&
    /NOT NULL constraint failed: grants\.role|UNIQUE constraint failed: (grants\.|principals\.|index 'principals_email_unique')/.test(
      error.message,
    )
  );
}

function tenantUserFromRow(row: TenantUserSqlRow): TenantUser {
  return {
    principal: principalFromRow(row),
    grant: {
      principalId: row.id,
      tenantId: row.g_tenant_id,
      role: row.g_role,
      grantedBy: row.g_granted_by,
      createdAt: row.g_created_at,
      updatedAt: row.g_updated_at,
      revokedAt: row.g_revoked_at,
    },
  };
}
