// Machine clients: the Platform and other programs that get access tokens with client credentials
// (RFC 6749 §4.4). The secret is shown once at registration; only its SHA-256 is stored (decision 019).
import { and, asc, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { base64url } from "jose";
import { machineClients, tenants } from "../../schema/control.ts";
import type { Actor } from "../actor.ts";
import { commitAdminChange } from "../admin-audit.ts";
import { type FieldError, failedWith, PhoenixError } from "../errors.ts";
import { idPattern, newId } from "../ids.ts";
import { isScope, SCOPES, type Scope } from "./scopes.ts";
import { mintAccessToken, type SigningKey } from "./tokens.ts";

export type ClientStatus = (typeof machineClients.$inferSelect)["status"];

/** The public view of a client: never its secret, nor the secret's hash. */
export interface ClientView {
  id: string;
  name: string;
  scopes: Scope[];
  status: ClientStatus;
  created_at: number;
  created_by: string | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** A client that proved its secret, and the tenant its tokens act for. */
export interface AuthenticatedClient {
  id: string;
  tenantId: string;
  scopes: Scope[];
}

type ClientRow = typeof machineClients.$inferSelect;

/** Recognisable in logs and by secret scanners, like `whsec_` for webhook secrets. */
export const CLIENT_SECRET_PREFIX = "pcs_";
const CLIENT_ID = idPattern("client");
const HASH_PREFIX = "sha256:";

export function isClientId(value: string): boolean {
  return CLIENT_ID.test(value);
}

/** Every scope must be one Phoenix knows; the 422 names each unknown one. Duplicates collapse. */
export function requireKnownScopes(values: readonly string[], field = "scopes"): Scope[] {
  const errors: FieldError[] = values.flatMap((value, i) =>
    isScope(value)
      ? []
      : [
          {
            field: `${field}[${i}]`,
            message: `unknown scope "${value}"; known scopes: ${SCOPES.join(", ")}`,
          },
        ],
  );
  if (errors.length > 0) {
    throw new PhoenixError(
      "validation_failed",
      `unknown scope${errors.length > 1 ? "s" : ""}: ${errors.map((e) => e.field).join(", ")}`,
      errors,
    );
  }
  return SCOPES.filter((s) => values.includes(s));
}

export async function registerClient(
  db: D1Database,
  tenantId: string,
  input: { name: string; scopes: readonly string[] },
  actor: Actor,
  now: number,
): Promise<{ client: ClientView; secret: string }> {
  const scopes = requireKnownScopes(input.scopes);
  const id = newId("client", now);
  const secret = `${CLIENT_SECRET_PREFIX}${base64url.encode(crypto.getRandomValues(new Uint8Array(32)))}`;
  const client: ClientView = {
    id,
    name: input.name,
    scopes,
    status: "active",
    created_at: now,
    created_by: actor.id,
    last_used_at: null,
    revoked_at: null,
  };
  const secretHash = await hashSecret(secret);
  await commitAdminChange(
    db,
    {
      tenantId,
      actor,
      action: "client.created",
      targetType: "client",
      targetId: id,
      before: null,
      after: client,
    },
    () => [
      drizzle(db)
        .insert(machineClients)
        .values({
          id,
          tenantId,
          name: input.name,
          scopes: scopes.join(" "),
          secretHash,
          status: "active",
          createdBy: actor.id,
          createdAt: now,
        }),
    ],
    now,
  );
  return { client, secret };
}

export async function listClients(db: D1Database, tenantId: string): Promise<ClientView[]> {
  const rows = await drizzle(db)
    .select()
    .from(machineClients)
    .where(eq(machineClients.tenantId, tenantId))
    .orderBy(asc(machineClients.id));
  return rows.map(toClientView);
}

/** A tenant's client; another tenant's id is simply not found. */
export async function getClient(db: D1Database, tenantId: string, id: string): Promise<ClientView> {
  return toClientView(await findClientRow(db, tenantId, id));
}

/** Revokes a client: it gets no new tokens (tokens already issued run out within their TTL). */
export async function revokeClient(
  db: D1Database,
  tenantId: string,
  id: string,
  actor: Actor,
  now: number,
): Promise<ClientView> {
  const before = toClientView(await findClientRow(db, tenantId, id));
  if (before.status === "revoked") throw new PhoenixError("conflict", "the client is already revoked");
  const after: ClientView = { ...before, status: "revoked", revoked_at: now };
  try {
    await commitAdminChange(
      db,
      { tenantId, actor, action: "client.revoked", targetType: "client", targetId: id, before, after },
      () => {
        const d = drizzle(db);
        const client = and(eq(machineClients.id, id), eq(machineClients.tenantId, tenantId));
        return [
          // D1 batches are all or nothing, and json() of a non-JSON string is an error: a racing
          // revoke that got there first rolls this one back, audit record included.
          d
            .select({
              active: sql`CASE WHEN ${machineClients.status} = 'active' THEN 1 ELSE json('already revoked') END`,
            })
            .from(machineClients)
            .where(client),
          d
            .update(machineClients)
            .set({ status: "revoked", revokedAt: now })
            .where(and(client, eq(machineClients.status, "active"))),
        ];
      },
      now,
    );
  } catch (error) {
    if (failedWith(error, /malformed JSON/i)) {
      throw new PhoenixError("conflict", "the client is already revoked");
    }
    throw error;
  }
  return after;
}

/** Client-credentials tokens live 10 minutes; a revoked client's last token dies with it. */
export const CLIENT_TOKEN_TTL_SECONDS = 600;

export interface ClientTokenRequest {
  id: string;
  secret: string;
  /** The space-separated scopes asked for; absent means every scope the client holds. */
  scope: string | undefined;
  key: SigningKey;
  issuer: string;
  now: number;
}

/** RFC 6749 §4.4: authenticate the client, grant the scopes it asked for and holds, mint the token. */
export async function issueClientToken(
  db: D1Database,
  req: ClientTokenRequest,
): Promise<{ accessToken: string; scopes: Scope[]; expiresIn: number }> {
  const client = await authenticateClient(db, req.id, req.secret);
  const scopes = grantedScopes(req.scope, client.scopes);
  // Only a request that gets a token counts as a use.
  await recordClientUse(db, client.id, req.now);
  const accessToken = await mintAccessToken({
    key: req.key,
    issuer: req.issuer,
    subject: client.id,
    tenantId: client.tenantId,
    scopes,
    ttlSeconds: CLIENT_TOKEN_TTL_SECONDS,
    now: req.now,
  });
  return { accessToken, scopes, expiresIn: CLIENT_TOKEN_TTL_SECONDS };
}

/** The requested scopes, all of which the client must hold; none requested means all it holds. */
function grantedScopes(requested: string | undefined, held: readonly Scope[]): Scope[] {
  if (requested === undefined || requested.trim() === "") return [...held];
  const words = [...new Set(requested.split(" ").filter(Boolean))];
  const refused = words.filter((w) => !(isScope(w) && held.includes(w)));
  if (refused.length > 0) {
    throw new PhoenixError(
      "invalid_scope",
      `this client may not be issued ${refused.map((s) => JSON.stringify(s)).join(", ")}; it holds: ${held.join(" ")}`,
    );
  }
  return held.filter((s) => words.includes(s));
}

/**
 * Checks a client id and secret. Unknown, revoked and wrong-secret clients all get the same
 * invalid_client, after the same work. Writes nothing: see recordClientUse.
 */
async function authenticateClient(
  db: D1Database,
  clientId: string,
  secret: string,
): Promise<AuthenticatedClient> {
  const [row] = isClientId(clientId)
    ? await drizzle(db)
        .select({ client: machineClients, tenantStatus: tenants.status })
        .from(machineClients)
        .innerJoin(tenants, eq(tenants.id, machineClients.tenantId))
        .where(eq(machineClients.id, clientId))
        .limit(1)
    : [];
  const matches = await secretMatches(secret, row?.client.secretHash ?? UNUSABLE_HASH);
  if (!row || !matches || row.client.status !== "active" || row.tenantStatus !== "active") {
    throw new PhoenixError("invalid_client", "client authentication failed");
  }
  return { id: row.client.id, tenantId: row.client.tenantId, scopes: parseStoredScopes(row.client.scopes) };
}

/**
 * Records that an authenticated client is being issued a token. Guarded on the client still being
 * active, so a revocation that landed since authentication wins and no token is issued.
 */
async function recordClientUse(db: D1Database, clientId: string, now: number): Promise<void> {
  const used = await drizzle(db)
    .update(machineClients)
    .set({ lastUsedAt: now })
    .where(and(eq(machineClients.id, clientId), eq(machineClients.status, "active")));
  if (used.meta.changes !== 1) throw new PhoenixError("invalid_client", "client authentication failed");
}

// The secret is 256 random bits, so a fast hash is right: there is nothing to guess by brute force,
// and a slow KDF would only make every token request expensive.
async function hashSecret(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
  return `${HASH_PREFIX}${toHex(new Uint8Array(digest))}`;
}

// Compared to for unknown client ids, so they cost the same as known ones; no secret hashes to it.
const UNUSABLE_HASH = `${HASH_PREFIX}${"0".repeat(64)}`;

/** Constant time: every character is compared, whatever the first difference. */
async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const candidate = await hashSecret(secret);
  // Both are "sha256:" + 64 hex digits; the length check only guards a malformed stored value.
  if (candidate.length !== stored.length) return false;
  let difference = 0;
  for (let i = 0; i < candidate.length; i++) difference |= candidate.charCodeAt(i) ^ stored.charCodeAt(i);
  return difference === 0;
}

async function findClientRow(db: D1Database, tenantId: string, id: string): Promise<ClientRow> {
  const [row] = isClientId(id)
    ? await drizzle(db)
        .select()
        .from(machineClients)
        .where(and(eq(machineClients.id, id), eq(machineClients.tenantId, tenantId)))
        .limit(1)
    : [];
  if (!row) throw new PhoenixError("not_found", "no such client");
  return row;
}

function toClientView(row: ClientRow): ClientView {
  return {
    id: row.id,
    name: row.name,
    scopes: parseStoredScopes(row.scopes),
    status: row.status,
    created_at: row.createdAt,
    created_by: row.createdBy,
    last_used_at: row.lastUsedAt,
    revoked_at: row.revokedAt,
  };
}

function parseStoredScopes(value: string): Scope[] {
  return value.split(" ").filter(isScope);
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
