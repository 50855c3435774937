// What every pulling connector kind (Cisco AI Defense, Microsoft 365) shares about its settings in
// `config.pull`: the credential stored only as ciphertext bound to the connector and the kind, the
// connectors due a pull, and changes to the settings with their admin audit record.
import { and, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { connectors, tenants } from "../../schema/control.ts";
import type { Actor } from "../actor.ts";
import { commitAdminChange } from "../admin-audit.ts";
import { decryptSecret } from "../secrets.ts";
import { type ConnectorRow, connectorChange, connectorWithTenant, isRecord, ownedBy } from "./service.ts";

/** A kind's pull credential: the connector kind, its `config.pull` member, and its ciphertext's binding. */
export interface PullCredential {
  kind: string;
  field: string;
  binding: string;
}

/** What a credential's ciphertext is bound to, so it cannot stand in for the signing secret or another kind's. */
export const credentialBinding = (connectorId: string, credential: PullCredential) =>
  `${connectorId}:${credential.binding}`;

/** The connector's pull credential in clear, or null when none is stored. */
export async function readPullCredential(
  encryptionKey: string | undefined,
  connector: Pick<ConnectorRow, "id" | "config">,
  credential: PullCredential,
): Promise<string | null> {
  const pull = connector.config.pull;
  const ciphertext = isRecord(pull) ? pull[credential.field] : undefined;
  if (typeof ciphertext !== "string") return null;
  return decryptSecret(ciphertext, encryptionKey, credentialBinding(connector.id, credential));
}

/** An active connector of the kind, of an active tenant, with a credential to pull with; or null. */
export async function loadPullTarget(controlDb: D1Database, connectorId: string, credential: PullCredential) {
  const found = await connectorWithTenant(controlDb, connectorId);
  if (!found || !isPulling(found.connector, credential) || found.tenant.status !== "active") return null;
  return found;
}

/** Ids of every active connector of the kind (of an active tenant) with a credential to pull with. */
export async function listPullConnectorIds(
  controlDb: D1Database,
  credential: PullCredential,
): Promise<string[]> {
  const rows = await drizzle(controlDb)
    .select({ connector: connectors })
    .from(connectors)
    .innerJoin(tenants, eq(tenants.id, connectors.tenantId))
    .where(
      and(
        eq(connectors.kind, credential.kind),
        eq(connectors.status, "active"),
        eq(tenants.status, "active"),
      ),
    )
    .orderBy(connectors.id);
  return rows.filter((r) => isPulling(r.connector, credential)).map((r) => r.connector.id);
}

function isPulling(connector: ConnectorRow, credential: PullCredential): boolean {
  return (
    connector.kind === credential.kind &&
    connector.status === "active" &&
    isRecord(connector.config.pull) &&
    typeof connector.config.pull[credential.field] === "string"
  );
}

/**
 * Merges `patch` into a connector's pull settings with its admin audit record. A JSON merge patch
 * (RFC 7396) on `config.pull`, so a cursor or last run committed meanwhile is not overwritten.
 */
export async function patchPullSettings(
  controlDb: D1Database,
  current: ConnectorRow,
  patch: Record<string, unknown>,
  change: { action: string; actor: Actor; now: number },
): Promise<void> {
  const previous = isRecord(current.config.pull) ? current.config.pull : {};
  // The settings as the merge patch leaves them, for the audit record (which leaves the cursor out).
  const after: ConnectorRow = {
    ...current,
    config: { ...current.config, pull: { ...previous, ...patch } },
    updatedAt: change.now,
  };
  await commitAdminChange(
    controlDb,
    connectorChange(current.tenantId, current.id, change.actor, change.action, current, after),
    () => [
      drizzle(controlDb)
        .update(connectors)
        .set({
          config: sql`json_set(${connectors.config}, '$.pull', json_patch(coalesce(json_extract(${connectors.config}, '$.pull'), '{}'), json(${JSON.stringify(patch)})))`,
          updatedAt: change.now,
        })
        .where(ownedBy(current.id, current.tenantId)),
    ],
    change.now,
  );
}
