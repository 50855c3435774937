// Source connectors: a tenant's registered webhook senders (XDR pull settings: xdr-pull.ts). The signing
// secret is shown once at creation or rotation and otherwise only stored encrypted. Connectors are
// administration: every change commits with its admin audit record, which never holds secrets.
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { connectors, tenants } from "../../schema/control.ts";
import type { Actor } from "../actor.ts";
import { commitAdminChange } from "../admin-audit.ts";
import { PhoenixError } from "../errors.ts";
import { isIdOf, newId } from "../ids.ts";
import { decryptSecret, encryptSecret } from "../secrets.ts";
import { newWebhookSecret } from "../webhooks/standard-webhooks.ts";
import {
  forgetIngestTarget,
  type IngestTarget,
  keepIngestTarget,
  keptIngestTarget,
} from "./ingest-target-cache.ts";

export type ConnectorRow = typeof connectors.$inferSelect;

/** The public view of a connector: never any secret material. */
export interface ConnectorView {
  id: string;
  kind: string;
  name: string;
  config: Record<string, unknown>;
  status: ConnectorRow["status"];
  previous_secret_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export const DEFAULT_ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

export function toConnectorView(row: ConnectorRow): ConnectorView {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    config: publicConfig(row.kind, row.config),
    status: row.status,
    previous_secret_expires_at: row.previousSecretExpiresAt,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

function withPullKept(
  current: Record<string, unknown>,
  next: Record<string, unknown>,
): Record<string, unknown> {
  const kept = isRecord(current.pull) ? current.pull : undefined;
  const tuned = isRecord(next.pull) ? next.pull : undefined;
  if (!kept && !tuned) return next;
  return { ...next, pull: { ...(kept ?? {}), ...(tuned ?? {}) } };
}

/** The configuration as clients see it: pull credentials show who Phoenix signs in as, never the secret. */
function publicConfig(kind: string, config: Record<string, unknown>): Record<string, unknown> {
  const pull = config.pull;
  if (typeof pull !== "object" || pull === null) return config;
  const { clientPasswordCiphertext, apiKeyCiphertext, clientSecretCiphertext, ...visible } = pull as Record<
    string,
    unknown
  >;
  const has =
    kind === "cisco-ai-defense"
      ? { has_api_key: typeof apiKeyCiphertext === "string" }
      : kind === "m365-copilot"
        ? { has_client_secret: typeof clientSecretCiphertext === "string" }
        : { has_client_password: typeof clientPasswordCiphertext === "string" };
  return { ...config, pull: { ...visible, ...has } };
}

/** A connector as the admin audit records it: the public view, less the pull's own bookkeeping (cursor, last run). */
function auditSnapshot(row: ConnectorRow): ConnectorView {
  const view = toConnectorView(row);
  if (!isRecord(view.config.pull)) return view;
  const { cursor: _cursor, lastRun: _lastRun, ...pull } = view.config.pull;
  return { ...view, config: { ...view.config, pull } };
}

/** The one change record of a connector (the audit chain is the tenant's). */
export function connectorChange(
  tenantId: string,
  id: string,
  actor: Actor,
  action: string,
  before: ConnectorRow | null,
  after: ConnectorRow | null,
) {
  return {
    tenantId,
    actor,
    action,
    targetType: "connector",
    targetId: id,
    before: before && auditSnapshot(before),
    after: after && auditSnapshot(after),
  };
}

export async function createConnector(
  controlDb: D1Database,
  encryptionKey: string | undefined,
  tenantId: string,
  input: { kind: string; name: string; config: Record<string, unknown> },
  now: number,
  actor: Actor,
): Promise<{ connector: ConnectorView; secret: string }> {
  const id = newId("connector", now);
  const secret = newWebhookSecret();
  const row: ConnectorRow = {
    id,
    tenantId,
    kind: input.kind,
    name: input.name,
    config: input.config,
    secretCiphertext: await encryptSecret(secret, encryptionKey, id),
    previousSecretCiphertext: null,
    previousSecretExpiresAt: null,
    status: "active",
    createdAt: now,
    updatedAt: now,
  };
  await commitAdminChange(
    controlDb,
    connectorChange(tenantId, id, actor, "connector.created", null, row),
    () => [drizzle(controlDb).insert(connectors).values(row)],
    now,
  );
  return { connector: toConnectorView(row), secret };
}

export async function listConnectors(controlDb: D1Database, tenantId: string): Promise<ConnectorView[]> {
  const rows = await drizzle(controlDb)
    .select()
    .from(connectors)
    .where(eq(connectors.tenantId, tenantId))
    .orderBy(connectors.id);
  return rows.map(toConnectorView);
}

/** A tenant's connector; another tenant's id is simply not found. */
export async function getConnector(
  controlDb: D1Database,
  tenantId: string,
  id: string,
): Promise<ConnectorRow> {
  const [row] = await drizzle(controlDb)
    .select()
    .from(connectors)
    .where(and(eq(connectors.id, id), eq(connectors.tenantId, tenantId)))
    .limit(1);
  if (!row) throw new PhoenixError("not_found", "no such connector");
  return row;
}

export async function updateConnector(
  controlDb: D1Database,
  tenantId: string,
  id: string,
  patch: {
    name?: string | undefined;
    config?: Record<string, unknown> | undefined;
    status?: ConnectorRow["status"] | undefined;
  },
  now: number,
  actor: Actor,
): Promise<ConnectorView> {
  const current = await getConnector(controlDb, tenantId, id);
  const next: ConnectorRow = {
    ...current,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    // A config replacement may tune the pull but keeps its credentials and cursor, which have their
    // own endpoint and owner.
    ...(patch.config !== undefined ? { config: withPullKept(current.config, patch.config) } : {}),
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    updatedAt: now,
  };
  // Enabling and disabling are named, since they start or stop every delivery.
  const action =
    next.status === current.status
      ? "connector.updated"
      : next.status === "disabled"
        ? "connector.disabled"
        : "connector.enabled";
  await commitAdminChange(
    controlDb,
    connectorChange(tenantId, id, actor, action, current, next),
    () => [
      drizzle(controlDb)
        .update(connectors)
        .set({ name: next.name, config: next.config, status: next.status, updatedAt: now })
        .where(ownedBy(id, tenantId)),
    ],
    now,
  );
  forgetIngestTarget(id);
  return toConnectorView(next);
}

export async function deleteConnector(
  controlDb: D1Database,
  tenantId: string,
  id: string,
  now: number,
  actor: Actor,
): Promise<void> {
  const current = await getConnector(controlDb, tenantId, id);
  await commitAdminChange(
    controlDb,
    connectorChange(tenantId, id, actor, "connector.deleted", current, null),
    () => [drizzle(controlDb).delete(connectors).where(ownedBy(id, tenantId))],
    now,
  );
  forgetIngestTarget(id);
}

/** A new current secret; the old one keeps verifying until the grace period ends. */
export async function rotateConnectorSecret(
  controlDb: D1Database,
  encryptionKey: string | undefined,
  tenantId: string,
  id: string,
  graceMs: number,
  now: number,
  actor: Actor,
): Promise<{ connector: ConnectorView; secret: string }> {
  const current = await getConnector(controlDb, tenantId, id);
  const secret = newWebhookSecret();
  const next: ConnectorRow = {
    ...current,
    secretCiphertext: await encryptSecret(secret, encryptionKey, id),
    previousSecretCiphertext: current.secretCiphertext,
    previousSecretExpiresAt: now + graceMs,
    updatedAt: now,
  };
  await commitAdminChange(
    controlDb,
    connectorChange(tenantId, id, actor, "connector.secret_rotated", current, next),
    () => [
      drizzle(controlDb)
        .update(connectors)
        .set({
          secretCiphertext: next.secretCiphertext,
          previousSecretCiphertext: next.previousSecretCiphertext,
          previousSecretExpiresAt: next.previousSecretExpiresAt,
          updatedAt: now,
        })
        .where(ownedBy(id, tenantId)),
    ],
    now,
  );
  forgetIngestTarget(id);
  return { connector: toConnectorView(next), secret };
}

/** Resolves a connector id from a webhook URL to its tenant and usable secrets (server-side only). */
export async function loadIngestTarget(
  controlDb: D1Database,
  encryptionKey: string | undefined,
  connectorId: string,
  now: number,
): Promise<IngestTarget | null> {
  const found = await connectorWithTenant(controlDb, connectorId);
  if (found?.connector.status !== "active" || found.tenant.status !== "active") return null;
  const secrets = [await decryptSecret(found.connector.secretCiphertext, encryptionKey, connectorId)];
  const { previousSecretCiphertext, previousSecretExpiresAt } = found.connector;
  if (previousSecretCiphertext && previousSecretExpiresAt !== null && previousSecretExpiresAt > now) {
    secrets.push(await decryptSecret(previousSecretCiphertext, encryptionKey, connectorId));
  }
  return { connector: found.connector, tenant: found.tenant, secrets };
}

/**
 * Answers a webhook to `connectorId` with `receive`, given its target: kept per isolate for a few
 * seconds (ingest-target-cache.ts), or read afresh. A refusal as unauthenticated against a kept
 * target is tried once more against a fresh read, since the secret may have been rotated in
 * another isolate; `receive` must refuse so before it stores anything. Unknown, disabled and
 * suspended are one 404, and never kept, so enabling a connector works at once.
 */
export async function withIngestTarget<T>(
  controlDb: D1Database,
  encryptionKey: string | undefined,
  connectorId: string,
  now: number,
  receive: (target: IngestTarget) => Promise<T>,
): Promise<T> {
  const kept = keptIngestTarget(connectorId, now);
  if (!kept) return receive(await freshIngestTarget(controlDb, encryptionKey, connectorId, now));
  try {
    return await receive(kept);
  } catch (error) {
    if (!(error instanceof PhoenixError && error.code === "unauthenticated")) throw error;
    return receive(await freshIngestTarget(controlDb, encryptionKey, connectorId, now));
  }
}

async function freshIngestTarget(
  controlDb: D1Database,
  encryptionKey: string | undefined,
  connectorId: string,
  now: number,
): Promise<IngestTarget> {
  const target = isConnectorId(connectorId)
    ? await loadIngestTarget(controlDb, encryptionKey, connectorId, now)
    : null;
  if (!target) {
    forgetIngestTarget(connectorId);
    throw new PhoenixError("not_found", "no such connector");
  }
  keepIngestTarget(connectorId, target, now);
  return target;
}

/** A connector and the tenant it belongs to, by id alone: for server-side resolution only. */
export async function connectorWithTenant(
  controlDb: D1Database,
  connectorId: string,
): Promise<{ connector: ConnectorRow; tenant: typeof tenants.$inferSelect } | undefined> {
  const [found] = await drizzle(controlDb)
    .select({ connector: connectors, tenant: tenants })
    .from(connectors)
    .innerJoin(tenants, eq(tenants.id, connectors.tenantId))
    .where(eq(connectors.id, connectorId))
    .limit(1);
  return found;
}

/** Connector ids are URL path segments; anything else cannot be one. */
export function isConnectorId(value: string): boolean {
  return isIdOf("connector", value);
}

/** The connector `id`, if it is `tenantId`'s. */
export function ownedBy(id: string, tenantId: string) {
  return and(eq(connectors.id, id), eq(connectors.tenantId, tenantId));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
