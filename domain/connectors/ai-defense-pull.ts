// The Cisco AI Defense pull settings of a cisco-ai-defense connector: the Management API key Phoenix
// reads events with (stored only as ciphertext) and its region. The cursor is pull-cursor.ts's.
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { connectors, tenants } from "../../schema/control.ts";
import { type Actor, SYSTEM_ACTOR } from "../actor.ts";
import { PhoenixError } from "../errors.ts";
import type { AI_DEFENSE_REGIONS } from "../ingest/kinds/cisco-ai-defense/index.ts";
import { decryptSecret, encryptSecret } from "../secrets.ts";
import { patchPullSettings } from "./pull-cursor.ts";
import {
  type ConnectorRow,
  type ConnectorView,
  connectorWithTenant,
  getConnector,
  isRecord,
  toConnectorView,
} from "./service.ts";

export type AiDefenseRegion = (typeof AI_DEFENSE_REGIONS)[number];

/** What the key's ciphertext is bound to, so it cannot stand in for the connector's signing secret. */
const keyBinding = (connectorId: string) => `${connectorId}:ai-defense-pull`;

/**
 * Stores (or replaces) the Management API key a connector pulls with. A different region restarts
 * the cursor: positions in one region's tenant mean nothing in another's.
 */
export async function setAiDefensePullKey(
  controlDb: D1Database,
  encryptionKey: string | undefined,
  tenantId: string,
  connectorId: string,
  settings: { apiKey: string; region: AiDefenseRegion },
  now: number = Date.now(),
  actor: Actor = SYSTEM_ACTOR,
): Promise<ConnectorView> {
  const current = await getConnector(controlDb, tenantId, connectorId);
  if (current.kind !== "cisco-ai-defense") {
    throw new PhoenixError(
      "validation_failed",
      "only a cisco-ai-defense connector pulls from Cisco AI Defense",
      [{ field: "kind", message: `is ${current.kind}` }],
    );
  }
  const previous = isRecord(current.config.pull) ? current.config.pull : {};
  const patch = {
    region: settings.region,
    apiKeyCiphertext: await encryptSecret(settings.apiKey, encryptionKey, keyBinding(connectorId)),
    ...(previous.region === settings.region ? {} : { cursor: null }),
  };
  await patchPullSettings(controlDb, current, patch, { action: "connector.ai_defense_pull_set", actor, now });
  return toConnectorView(await getConnector(controlDb, tenantId, connectorId));
}

/** The Management API key of a connector's pull settings, or null when none is stored. */
export async function readAiDefenseApiKey(
  encryptionKey: string | undefined,
  connector: Pick<ConnectorRow, "id" | "config">,
): Promise<string | null> {
  const pull = connector.config.pull;
  if (!isRecord(pull) || typeof pull.apiKeyCiphertext !== "string") return null;
  return decryptSecret(pull.apiKeyCiphertext, encryptionKey, keyBinding(connector.id));
}

/** An active cisco-ai-defense connector of an active tenant with a key to pull with, or null. */
export async function loadAiDefensePullTarget(controlDb: D1Database, connectorId: string) {
  const found = await connectorWithTenant(controlDb, connectorId);
  if (!found || !isPulling(found.connector) || found.tenant.status !== "active") return null;
  return found;
}

/** Ids of every active cisco-ai-defense connector (of an active tenant) with a key to pull with. */
export async function listAiDefensePullConnectorIds(controlDb: D1Database): Promise<string[]> {
  const rows = await drizzle(controlDb)
    .select({ connector: connectors })
    .from(connectors)
    .innerJoin(tenants, eq(tenants.id, connectors.tenantId))
    .where(
      and(
        eq(connectors.kind, "cisco-ai-defense"),
        eq(connectors.status, "active"),
        eq(tenants.status, "active"),
      ),
    )
    .orderBy(connectors.id);
  return rows.filter((r) => isPulling(r.connector)).map((r) => r.connector.id);
}

function isPulling(connector: ConnectorRow): boolean {
  return (
    connector.kind === "cisco-ai-defense" &&
    connector.status === "active" &&
    isRecord(connector.config.pull) &&
    typeof connector.config.pull.apiKeyCiphertext === "string"
  );
}
