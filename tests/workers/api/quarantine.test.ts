// Quarantine through the API: an item the connector cannot map is kept and listed; after the cause
// is fixed a replay ingests it exactly once.
import { describe, expect, it } from "vitest";
import { signWebhook } from "../../../domain/webhooks/standard-webhooks.ts";
import { makeDetectionFinding } from "../../support/factories/findings.ts";
import { deliveriesTaken } from "../../support/ingest.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

async function quarantinedWorld() {
  const tenant = await createTenant();
  const token = await tokenFor(tenant, { scopes: ["admin", "alerts:read", "alerts:write", "cases:read"] });
  const created = (await (
    await call("POST", "/v1/connectors", { token, body: { kind: "ocsf", name: "EDR" } })
  ).json()) as {
    connector: { id: string };
    secret: string;
  };
  // A setting the API would refuse (a window below one minute), as if written by an older release:
  // every item fails mapping until an operator fixes it.
  await testEnv()
    .CONTROL_DB.prepare("UPDATE connectors SET config = ? WHERE id = ?")
    .bind(JSON.stringify({ correlationWindowMs: 5 }), created.connector.id)
    .run();
  const payload = JSON.stringify(makeDetectionFinding({}, 77));
  const ts = Math.floor(Date.now() / 1000);
  const res = await call("POST", `/ingest/${created.connector.id}`, {
    rawBody: payload,
    headers: {
      "content-type": "application/json",
      "webhook-id": "msg_q1",
      "webhook-timestamp": String(ts),
      "webhook-signature": signWebhook(created.secret, "msg_q1", ts, payload),
    },
  });
  expect(await res.json()).toEqual({
    status: "queued",
    webhook_id: "msg_q1",
    outcome: `/v1/connectors/${created.connector.id}/deliveries/msg_q1`,
  });
  await deliveriesTaken(tenant, 1);
  const listed = (await (await call("GET", "/v1/quarantine", { token })).json()) as {
    data: Array<{ id: string; payload: string; reason: string; connector_id: string }>;
  };
  return { tenant, token, connectorId: created.connector.id, payload, listed };
}

describe("/v1/quarantine", () => {
  it("lists the item verbatim with its reason, and replays it exactly once after the fix", async () => {
    const { tenant, token, connectorId, payload, listed } = await quarantinedWorld();
    expect(listed.data).toHaveLength(1);
    const [item] = listed.data;
    expect(item).toMatchObject({ payload, connector_id: connectorId });
    expect(item?.reason).toBeTruthy();

    const tooEarly = await call("POST", `/v1/quarantine/${item?.id}/replay`, { token });
    expect(tooEarly.status).toBe(422);

    expect(
      (await call("PATCH", `/v1/connectors/${connectorId}`, { token, body: { config: {} } })).status,
    ).toBe(200);
    const replayed = await call("POST", `/v1/quarantine/${item?.id}/replay`, { token });
    expect(replayed.status).toBe(200);
    expect(await replayed.json()).toEqual({ accepted: 1, duplicates: 0, quarantined: 0 });

    const again = await call("POST", `/v1/quarantine/${item?.id}/replay`, { token });
    expect(again.status).toBe(409);
    const db = tenantDb(tenant);
    expect(await db.prepare("SELECT sum(occurrence_count) AS n FROM alerts").first("n")).toBe(1);
    expect(await db.prepare("SELECT count(*) AS n FROM alerts WHERE correlated_at IS NULL").first("n")).toBe(
      0,
    );
    const remaining = (await (await call("GET", "/v1/quarantine", { token })).json()) as { data: unknown[] };
    expect(remaining.data).toEqual([]);
  });

  it("another tenant's item is 404, a malformed id 422, and replay needs alerts:write", async () => {
    const { listed, tenant } = await quarantinedWorld();
    const id = listed.data[0]?.id;
    const other = await tokenFor(await createTenant());
    expect((await call("POST", `/v1/quarantine/${id}/replay`, { token: other })).status).toBe(404);
    expect((await call("POST", "/v1/quarantine/nope/replay", { token: other })).status).toBe(422);
    const reader = await tokenFor(tenant, { scopes: ["alerts:read"] });
    expect((await call("POST", `/v1/quarantine/${id}/replay`, { token: reader })).status).toBe(403);
  });
});
