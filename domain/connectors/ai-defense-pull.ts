import { type Actor, SYSTEM_ACTOR } from "../actor.ts";
import { PhoenixError } from "../errors.ts";
import type { AI_DEFENSE_REGIONS } from "../ingest/kinds/cisco-ai-defense/index.ts";
import { encryptSecret } from "../secrets.ts";
import {
  credentialBinding,
  listPullConnectorIds,
  loadPullTarget,
  patchPullSettings,
  readPullCredential,
} from "./pulling-connectors.ts";
import { type ConnectorRow, type ConnectorView, getConnector, isRecord, toConnectorView } from "./service.ts";

export type AiDefenseRegion = (typeof AI_DEFENSE_REGIONS)[number];

const AI_DEFENSE_KEY = { kind: "cisco-ai-defense", field: "apiKeyCiphertext", binding: "ai-defense-pull" };

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
    apiKeyCiphertext: await encryptSecret(
      settings.apiKey,
      encryptionKey,
      credentialBinding(connectorId, AI_DEFENSE_KEY),
    ),
    ...(previous.region === settings.region ? {} : { cursor: null }),
  };
  await patchPullSettings(controlDb, current, patch, { action: "connector.ai_defense_pull_set", actor, now });
  return toConnectorView(await getConnector(controlDb, tenantId, connectorId));
}

/** The Management API key of a connector's pull settings, or null when none is stored. */
export function readAiDefenseApiKey(
  encryptionKey: string | undefined,
  connector: Pick<ConnectorRow, "id" | "config">,
) {
  return readPullCredential(encryptionKey, connector, AI_DEFENSE_KEY);
}

/** An active cisco-ai-defense connector of an active tenant with a key to pull with, or null. */
export const loadAiDefensePullTarget = (controlDb: D1Database, connectorId: string) =>
  loadPullTarget(controlDb, connectorId, AI_DEFENSE_KEY);

/** Ids of every active cisco-ai-defense connector (of an active tenant) with a key to pull with. */
export const listAiDefensePullConnectorIds = (controlDb: D1Database) =>
  listPullConnectorIds(controlDb, AI_DEFENSE_KEY);
