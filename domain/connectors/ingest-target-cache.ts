// Webhook targets (connector, tenant, usable secrets) kept per isolate for a few seconds, as active
// tenants are (workers/auth/tenant-cache.ts): a burst of deliveries to one connector reads it once.
// A change made through Phoenix forgets the entry in the isolate that made it; other isolates see
// it within INGEST_TARGET_TTL_MS (decision 051).
import type { connectors } from "../../schema/control.ts";
import type { Tenant } from "../tenancy.ts";

/** Where a webhook for a connector goes, and what it may be signed with. */
export interface IngestTarget {
  connector: typeof connectors.$inferSelect;
  tenant: Tenant;
  /** The secrets a delivery may be signed with right now: current, and previous within its grace. */
  secrets: string[];
}

export const INGEST_TARGET_TTL_MS = 10_000;
const MAX_ENTRIES = 1_000;

const kept = new Map<string, { target: IngestTarget; until: number }>();

export function keptIngestTarget(connectorId: string, now: number): IngestTarget | null {
  const hit = kept.get(connectorId);
  if (hit && hit.until > now) return hit.target;
  kept.delete(connectorId);
  return null;
}

/** Keeps an active connector's target; never past its previous secret's grace, which must end on time. */
export function keepIngestTarget(connectorId: string, target: IngestTarget, now: number): void {
  // Insertion order is age order: the first key is the oldest entry.
  if (kept.size >= MAX_ENTRIES && !kept.has(connectorId)) kept.delete(kept.keys().next().value as string);
  const graceEnds = target.secrets.length > 1 ? target.connector.previousSecretExpiresAt : null;
  kept.set(connectorId, { target, until: Math.min(now + INGEST_TARGET_TTL_MS, graceEnds ?? Infinity) });
}

/** Drops the kept target after a change to the connector (status, config, secret, deletion). */
export function forgetIngestTarget(connectorId: string): void {
  kept.delete(connectorId);
}
