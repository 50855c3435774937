// The world of a pull test: a fake XDR org seeded with incidents (each with member sightings), and
// a Phoenix cisco-xdr connector created through the API with that org's API client for pulling.
import { env } from "cloudflare:workers";
import { setXdrPullCredentials, type XdrPullCredentials } from "../../../../domain/connectors/xdr-pull.ts";
import type { Tenant } from "../../../../domain/tenancy.ts";
import type { FakeXdr } from "../../../support/fake-xdr.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../../support/world.ts";
import { ctiaUrl, jsonWithBigGuid, makeIncident, makeMemberOf, makeSighting } from "../cisco-xdr/fixtures.ts";

export interface PullingConnector {
  id: string;
  tenant: Tenant;
  db: D1Database;
  admin: string;
}

/** A cisco-xdr connector (created through POST /v1/connectors) that pulls from `fake` with `client`. */
export async function pullingConnector(
  fake: FakeXdr,
  options: { tenant?: Tenant; pageSize?: number; client?: XdrPullCredentials } = {},
): Promise<PullingConnector> {
  const tenant = options.tenant ?? (await createTenant());
  const admin = await tokenFor(tenant, { scopes: ["admin", "alerts:read", "cases:read"] });
  const res = await call("POST", "/v1/connectors", {
    token: admin,
    body: { kind: "cisco-xdr", name: "XDR pull", config: { pull: { pageSize: options.pageSize ?? 2 } } },
  });
  if (res.status !== 201) throw new Error(`creating the connector: ${res.status} ${await res.text()}`);
  const { connector } = (await res.json()) as { connector: { id: string } };
  await setXdrPullCredentials(
    env.CONTROL_DB,
    env.SECRETS_ENCRYPTION_KEY,
    tenant.id,
    connector.id,
    options.client ?? fake.addClient(),
  );
  return { id: connector.id, tenant, db: tenantDb(tenant), admin };
}

export interface SeededIncident {
  /** `incident-<uuid>`, as Phoenix normalises it. */
  id: string;
  sightingIds: string[];
}

/** One XDR incident modified at `at`, with `sightings` member sightings (the first with a 20-digit process_guid). */
export function seedIncident(fake: FakeXdr, at: number, sightings = 1): SeededIncident {
  const incidentUuid = crypto.randomUUID();
  const time = new Date(at).toISOString();
  fake.addIncident(
    makeIncident({
      id: ctiaUrl("incident", incidentUuid),
      short_id: `XDR-${incidentUuid.slice(0, 6)}`,
      title: `Incident ${incidentUuid.slice(0, 6)}`,
      created: time,
      modified: time,
      timestamp: time,
    }),
  );
  const sightingIds: string[] = [];
  for (let i = 0; i < sightings; i++) {
    const sightingUuid = crypto.randomUUID();
    const sighting = makeSighting({
      id: ctiaUrl("sighting", sightingUuid),
      title: `Sighting ${sightingUuid.slice(0, 6)}`,
    });
    fake.addSighting(sighting, jsonWithBigGuid(sighting));
    fake.addRelationship({
      ...makeMemberOf(sightingUuid, incidentUuid),
      id: ctiaUrl("relationship", crypto.randomUUID()),
    });
    sightingIds.push(`sighting-${sightingUuid}`);
  }
  return { id: `incident-${incidentUuid}`, sightingIds };
}

export const noSleep = async () => {};

export async function alertTotals(db: D1Database): Promise<{ alerts: number; occurrences: number }> {
  const row = await db
    .prepare("SELECT count(*) AS alerts, coalesce(sum(occurrence_count), 0) AS occurrences FROM alerts")
    .first<{ alerts: number; occurrences: number }>();
  return row ?? { alerts: 0, occurrences: 0 };
}

export async function storedCursor(connectorId: string): Promise<unknown> {
  const row = await env.CONTROL_DB.prepare(
    "SELECT json_extract(config, '$.pull.cursor') AS cursor FROM connectors WHERE id = ?",
  )
    .bind(connectorId)
    .first<{ cursor: string | null }>();
  return row?.cursor ? JSON.parse(row.cursor) : null;
}
