// The Office 365 Management Activity API settings of an m365-copilot connector: the Entra app
// registration Phoenix signs in as (its secret stored only as ciphertext), the customer's tenant,
// and the publisher id Microsoft counts requests against. The cursor is pull-cursor.ts's.
import { and, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { connectors } from "../../schema/control.ts";
import { type Actor, SYSTEM_ACTOR } from "../actor.ts";
import { PhoenixError } from "../errors.ts";
import { encryptSecret } from "../secrets.ts";
import {
  credentialBinding,
  listPullConnectorIds,
  loadPullTarget,
  patchPullSettings,
  readPullCredential,
} from "./pulling-connectors.ts";
import { type ConnectorRow, type ConnectorView, getConnector, isRecord, toConnectorView } from "./service.ts";

export interface M365PullSettings {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  publisherId?: string | undefined;
}

const M365_SECRET = { kind: "m365-copilot", field: "clientSecretCiphertext", binding: "m365-pull" };

/**
 * Stores (or replaces) the app registration a connector pulls with. Another Microsoft tenant
 * restarts the cursor and the subscription: positions in one tenant's feed mean nothing in another's.
 */
export async function setM365PullCredentials(
  controlDb: D1Database,
  encryptionKey: string | undefined,
  tenantId: string,
  connectorId: string,
  settings: M365PullSettings,
  now: number = Date.now(),
  actor: Actor = SYSTEM_ACTOR,
): Promise<ConnectorView> {
  const current = await getConnector(controlDb, tenantId, connectorId);
  if (current.kind !== "m365-copilot") {
    throw new PhoenixError(
      "validation_failed",
      "only an m365-copilot connector pulls Microsoft 365 audit records",
      [{ field: "kind", message: `is ${current.kind}` }],
    );
  }
  const previous = isRecord(current.config.pull) ? current.config.pull : {};
  const patch = {
    // GUIDs in one case, as Microsoft writes them in the URIs it hands back.
    tenantId: settings.tenantId.toLowerCase(),
    clientId: settings.clientId.toLowerCase(),
    publisherId: settings.publisherId ?? null,
    clientSecretCiphertext: await encryptSecret(
      settings.clientSecret,
      encryptionKey,
      credentialBinding(connectorId, M365_SECRET),
    ),
    ...(previous.tenantId === settings.tenantId.toLowerCase() ? {} : { cursor: null, subscribed: null }),
  };
  await patchPullSettings(controlDb, current, patch, { action: "connector.m365_pull_set", actor, now });
  return toConnectorView(await getConnector(controlDb, tenantId, connectorId));
}

/** The app registration's secret of a connector's pull settings, or null when none is stored. */
export function readM365ClientSecret(
  encryptionKey: string | undefined,
  connector: Pick<ConnectorRow, "id" | "config">,
) {
  return readPullCredential(encryptionKey, connector, M365_SECRET);
}

/** An active m365-copilot connector of an active tenant with credentials to pull with, or null. */
export const loadM365PullTarget = (controlDb: D1Database, connectorId: string) =>
  loadPullTarget(controlDb, connectorId, M365_SECRET);

/** Ids of every active m365-copilot connector (of an active tenant) with credentials to pull with. */
export const listM365PullConnectorIds = (controlDb: D1Database) =>
  listPullConnectorIds(controlDb, M365_SECRET);

/** Notes that the connector's Audit.General subscription is started, so runs do not start it again. */
export async function markM365Subscribed(controlDb: D1Database, connectorId: string): Promise<void> {
  await drizzle(controlDb)
    .update(connectors)
    .set({ config: sql`json_set(${connectors.config}, '$.pull.subscribed', json('true'))` })
    .where(and(eq(connectors.id, connectorId), sql`json_type(${connectors.config}, '$.pull') = 'object'`));
}
