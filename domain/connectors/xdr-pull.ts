// The Cisco XDR pull settings of a cisco-xdr connector: the API client Phoenix signs in as (its
// password stored only as ciphertext), and the cursor the pull moves. Apart from the connector's
// own lifecycle (service.ts), which they build on.
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { connectors, tenants, xdrOrgPauses, xdrRequestBudget } from "../../schema/control.ts";
import { type Actor, SYSTEM_ACTOR } from "../actor.ts";
import { PhoenixError } from "../errors.ts";
import { decryptSecret, encryptSecret } from "../secrets.ts";
import type { Tenant } from "../tenancy.ts";
import { patchPullSettings } from "./pulling-connectors.ts";
import {
  type ConnectorRow,
  type ConnectorView,
  connectorWithTenant,
  getConnector,
  isRecord,
  toConnectorView,
} from "./service.ts";
import { orgBudgetKey, RequestBudget, rollingHourLimits } from "./xdr-budget.ts";

// A cisco-xdr connector can also pull from the XDR API. Its settings live in `config.pull`; the API
// client's password is stored there only as ciphertext, bound to this connector's pull credentials.

export const XDR_REGIONS = ["us", "eu", "apjc"] as const;
export type XdrRegion = (typeof XDR_REGIONS)[number];

export interface XdrPullCredentials {
  clientId: string;
  clientPassword: string;
  region: XdrRegion;
  orgId: string;
}

/** What the pull password ciphertext is bound to: not the connector id alone, so it cannot stand in for the signing secret. */
const xdrPullSecretBinding = (connectorId: string) => `${connectorId}:xdr-pull`;

/**
 * Stores (or replaces) the XDR API client a connector pulls with. Other pull settings are kept;
 * a different org or region restarts the cursor, since positions in one org mean nothing in another.
 * Without an actor the change is recorded as Phoenix's own (operator tooling, test setup).
 */
export async function setXdrPullCredentials(
  controlDb: D1Database,
  encryptionKey: string | undefined,
  tenantId: string,
  connectorId: string,
  credentials: XdrPullCredentials,
  now: number = Date.now(),
  actor: Actor = SYSTEM_ACTOR,
): Promise<ConnectorView> {
  const current = await getConnector(controlDb, tenantId, connectorId);
  if (current.kind !== "cisco-xdr") {
    throw new PhoenixError("validation_failed", "only a cisco-xdr connector pulls from Cisco XDR", [
      { field: "kind", message: `is ${current.kind}` },
    ]);
  }
  const previous = isRecord(current.config.pull) ? current.config.pull : {};
  const sameOrg = previous.orgId === credentials.orgId && previous.region === credentials.region;
  const patch = {
    clientId: credentials.clientId,
    orgId: credentials.orgId,
    region: credentials.region,
    clientPasswordCiphertext: await encryptSecret(
      credentials.clientPassword,
      encryptionKey,
      xdrPullSecretBinding(connectorId),
    ),
    ...(sameOrg ? {} : { cursor: null }),
  };
  await patchPullSettings(controlDb, current, patch, { action: "connector.xdr_pull_set", actor, now });
  return toConnectorView(await getConnector(controlDb, tenantId, connectorId));
}

/** The XDR API client password of a connector's pull settings, or null when none is stored. */
export async function readXdrPullPassword(
  encryptionKey: string | undefined,
  connector: Pick<ConnectorRow, "id" | "config">,
): Promise<string | null> {
  const pull = connector.config.pull;
  if (!isRecord(pull) || typeof pull.clientPasswordCiphertext !== "string") return null;
  return decryptSecret(pull.clientPasswordCiphertext, encryptionKey, xdrPullSecretBinding(connector.id));
}

export interface XdrPullTarget {
  connector: ConnectorRow;
  tenant: Tenant;
}

/** An active cisco-xdr connector of an active tenant that has pull settings, or null. */
export async function loadXdrPullTarget(
  controlDb: D1Database,
  connectorId: string,
): Promise<XdrPullTarget | null> {
  const found = await connectorWithTenant(controlDb, connectorId);
  if (!found || !isPullingConnector(found.connector) || found.tenant.status !== "active") return null;
  return found;
}

/** Ids of every active cisco-xdr connector (of an active tenant) that has pull settings. */
export async function listXdrPullConnectorIds(controlDb: D1Database): Promise<string[]> {
  const rows = await drizzle(controlDb)
    .select({ connector: connectors })
    .from(connectors)
    .innerJoin(tenants, eq(tenants.id, connectors.tenantId))
    .where(
      and(eq(connectors.kind, "cisco-xdr"), eq(connectors.status, "active"), eq(tenants.status, "active")),
    )
    .orderBy(connectors.id);
  return rows.filter((r) => isPullingConnector(r.connector)).map((r) => r.connector.id);
}

function isPullingConnector(connector: ConnectorRow): boolean {
  return (
    connector.kind === "cisco-xdr" &&
    connector.status === "active" &&
    isRecord(connector.config.pull) &&
    typeof connector.config.pull.clientPasswordCiphertext === "string"
  );
}

/** What the last scheduled pull of a connector came to, kept on the connector for its page. */
export interface XdrPullRun {
  at: number;
  status: string;
  pages: number;
  incidents: number;
  accepted: number;
  duplicates: number;
  quarantined: number;
  requests: number;
  error?: string | undefined;
  retryAt?: number | undefined;
}

export interface XdrBudgetUsage {
  used: number;
  limit: number;
  windowEndsAt: number;
  /** XDR answered 429 for the org: nobody asks before this. */
  pausedUntil: number | null;
}

/** The org's request budget in the current window, shared by every connector pulling that org. */
export async function xdrBudgetUsage(
  controlDb: D1Database,
  region: string,
  orgId: string,
  now: number,
): Promise<XdrBudgetUsage> {
  const budget = new RequestBudget({ take: unusable, pause: unusable }, rollingHourLimits());
  const key = orgBudgetKey(region, orgId);
  const windowStart = budget.windowOf(now);
  const db = drizzle(controlDb);
  const [[counter], [pause]] = await Promise.all([
    db
      .select({ used: xdrRequestBudget.used })
      .from(xdrRequestBudget)
      .where(and(eq(xdrRequestBudget.orgKey, key), eq(xdrRequestBudget.windowStart, windowStart))),
    db.select().from(xdrOrgPauses).where(eq(xdrOrgPauses.orgKey, key)),
  ]);
  return {
    used: counter?.used ?? 0,
    limit: budget.limits.perWindow,
    windowEndsAt: windowStart + budget.limits.windowMs,
    pausedUntil: pause && pause.pausedUntil > now ? pause.pausedUntil : null,
  };
}

// Reading the budget never charges it.
const unusable = (): never => {
  throw new Error("the budget is only read here");
};
