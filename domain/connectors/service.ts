// Source connectors: a tenant's registered webhook senders (and, for XDR, pull jobs). The signing
// secret is shown once at creation or rotation and otherwise only stored encrypted.
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { connectors, tenants } from "../../schema/control.ts";
import { PhoenixError } from "../errors.ts";
import { newId } from "../ids.ts";
import { decryptSecret, encryptSecret } from "../secrets.ts";
import type { Tenant } from "../tenancy.ts";

export type ConnectorRow = typeof connectors.$inferSelect;
export type ConnectorKind = ConnectorRow["kind"];

/** The public view of a connector: never any secret material. */
export interface ConnectorView {
  id: string;
  kind: ConnectorKind;
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
    config: row.config,
    status: row.status,
    previous_secret_expires_at: row.previousSecretExpiresAt,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

/** A new Standard Webhooks secret: 32 random bytes, `whsec_` + base64. */
function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

export async function createConnector(
  controlDb: D1Database,
  encryptionKey: string | undefined,
  tenantId: string,
  input: { kind: ConnectorKind; name: string; config: Record<string, unknown> },
  now: number,
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
  await drizzle(controlDb).insert(connectors).values(row);
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
): Promise<ConnectorView> {
  const current = await getConnector(controlDb, tenantId, id);
  const next: ConnectorRow = {
    ...current,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.config !== undefined ? { config: patch.config } : {}),
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    updatedAt: now,
  };
  await drizzle(controlDb)
    .update(connectors)
    .set({ name: next.name, config: next.config, status: next.status, updatedAt: now })
    .where(and(eq(connectors.id, id), eq(connectors.tenantId, tenantId)));
  return toConnectorView(next);
}

export async function deleteConnector(controlDb: D1Database, tenantId: string, id: string): Promise<void> {
  await getConnector(controlDb, tenantId, id);
  await drizzle(controlDb)
    .delete(connectors)
    .where(and(eq(connectors.id, id), eq(connectors.tenantId, tenantId)));
}

/** A new current secret; the old one keeps verifying until the grace period ends. */
export async function rotateConnectorSecret(
  controlDb: D1Database,
  encryptionKey: string | undefined,
  tenantId: string,
  id: string,
  graceMs: number,
  now: number,
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
  await drizzle(controlDb)
    .update(connectors)
    .set({
      secretCiphertext: next.secretCiphertext,
      previousSecretCiphertext: next.previousSecretCiphertext,
      previousSecretExpiresAt: next.previousSecretExpiresAt,
      updatedAt: now,
    })
    .where(and(eq(connectors.id, id), eq(connectors.tenantId, tenantId)));
  return { connector: toConnectorView(next), secret };
}

export interface IngestTarget {
  connector: ConnectorRow;
  tenant: Tenant;
  /** The secrets a delivery may be signed with right now: current, and previous within its grace. */
  secrets: string[];
}

/** Resolves a connector id from a webhook URL to its tenant and usable secrets (server-side only). */
export async function loadIngestTarget(
  controlDb: D1Database,
  encryptionKey: string | undefined,
  connectorId: string,
  now: number,
): Promise<IngestTarget | null> {
  const [found] = await drizzle(controlDb)
    .select({ connector: connectors, tenant: tenants })
    .from(connectors)
    .innerJoin(tenants, eq(tenants.id, connectors.tenantId))
    .where(eq(connectors.id, connectorId))
    .limit(1);
  if (!found || found.connector.status !== "active" || found.tenant.status !== "active") return null;
  const secrets = [await decryptSecret(found.connector.secretCiphertext, encryptionKey, connectorId)];
  const { previousSecretCiphertext, previousSecretExpiresAt } = found.connector;
  if (previousSecretCiphertext && previousSecretExpiresAt !== null && previousSecretExpiresAt > now) {
    secrets.push(await decryptSecret(previousSecretCiphertext, encryptionKey, connectorId));
  }
  return { connector: found.connector, tenant: found.tenant, secrets };
}

/** Connector ids are URL path segments; anything else cannot be one. */
export function isConnectorId(value: string): boolean {
  return /^con_[0-9a-z]{26}$/.test(value);
}
