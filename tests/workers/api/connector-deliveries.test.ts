// GET /v1/connectors/{id}/deliveries/{webhookId}: what became of one webhook delivery, for the
// source that sent it. Written with the delivery's own batch, so it agrees with what was stored.
import { describe, expect, it } from "vitest";
import type { DeliveryOutcomeView } from "../../../domain/ingest/delivery-outcome.ts";
import { makeDetectionFinding } from "../../support/factories/findings.ts";
import { type Connector, deliver, ocsfConnector } from "../../support/ingest.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

type Outcome = DeliveryOutcomeView;

const outcomeOf = (c: Connector, webhookId: string, token = c.admin) =>
  call("GET", `/v1/connectors/${c.id}/deliveries/${encodeURIComponent(webhookId)}`, { token });

async function outcome(c: Connector, webhookId: string): Promise<Outcome> {
  const res = await outcomeOf(c, webhookId);
  expect(res.status).toBe(200);
  return (await res.json()) as Outcome;
}

describe("a delivery's outcome", () => {
  it("counts new alerts, duplicates and quarantined items, and names each quarantined item's reason", async () => {
    const c = await ocsfConnector();
    const bad = { ...makeDetectionFinding({}, 7), class_uid: 3002 };
    const payload = [makeDetectionFinding({}, 8), makeDetectionFinding({}, 9), bad]
      .map((f) => JSON.stringify(f))
      .join("\n");
    expect((await deliver(c, payload, { id: "msg_first" })).status).toBe(202);
    const first = await outcome(c, "msg_first");
    expect(first).toMatchObject({
      connector_id: c.id,
      webhook_id: "msg_first",
      outcome: "stored",
      accepted: 2,
      duplicates: 0,
      quarantined: 1,
      ignored: 0,
      intel: 0,
    });
    expect(first.received_at).toBeGreaterThan(0);
    const held = await tenantDb(c.tenant)
      .prepare("SELECT id, reason FROM quarantine")
      .all<{ id: string; reason: string }>();
    expect(first.quarantine).toEqual(held.results.map((q) => ({ ...q, replayed_at: null })));

    // The same findings under another webhook-id are duplicates; the same webhook-id changes nothing.
    expect((await deliver(c, payload, { id: "msg_second" })).status).toBe(202);
    expect(await outcome(c, "msg_second")).toMatchObject({ accepted: 0, duplicates: 2, quarantined: 1 });
    expect((await deliver(c, payload, { id: "msg_first" })).status).toBe(202);
    expect(await outcome(c, "msg_first")).toEqual({ ...first, redeliveries: 1 });
  });

  it("counts one finding sent twice in one delivery as one new alert and one duplicate", async () => {
    const c = await ocsfConnector();
    const finding = JSON.stringify(makeDetectionFinding({}, 11));
    await deliver(c, `${finding}\n${finding}`, { id: "msg_twice" });
    expect(await outcome(c, "msg_twice")).toMatchObject({ accepted: 1, duplicates: 1, quarantined: 0 });
  });

  it("says when the whole delivery waits in quarantine, over the daily quota", async () => {
    const tenant = await createTenant();
    await testEnv()
      .CONTROL_DB.prepare("UPDATE tenants SET daily_ingest_quota = 0 WHERE id = ?")
      .bind(tenant.id)
      .run();
    const c = await ocsfConnector(tenant);
    expect((await deliver(c, JSON.stringify(makeDetectionFinding()), { id: "msg_over" })).status).toBe(202);
    const over = await outcome(c, "msg_over");
    expect(over).toMatchObject({ outcome: "quarantined", accepted: 0, duplicates: 0, quarantined: 1 });
    expect(over.quarantine.map((q) => q.reason)).toEqual(["quota_exceeded"]);
  });
});

describe("what it refuses", () => {
  it("names a webhook-id that no sender could have used, and a malformed connector id", async () => {
    const c = await ocsfConnector();
    const long = await outcomeOf(c, "m".repeat(257));
    expect(long.status).toBe(422);
    expect(long.headers.get("content-type")).toBe("application/problem+json");
    expect(JSON.stringify(await long.json())).toContain("webhookId");
    const badId = await call("GET", "/v1/connectors/not-a-connector/deliveries/msg_1", { token: c.admin });
    expect(badId.status).toBe(422);
  });

  it("is 404 for an unknown webhook-id, another connector's, and anything of another tenant", async () => {
    const mine = await ocsfConnector();
    const other = await ocsfConnector();
    const sibling = await ocsfConnector(mine.tenant);
    await deliver(mine, JSON.stringify(makeDetectionFinding()), { id: "msg_mine" });
    await deliver(other, JSON.stringify(makeDetectionFinding()), { id: "msg_theirs" });
    expect((await outcomeOf(mine, "msg_never_sent")).status).toBe(404);
    // The right webhook-id at the wrong connector of the same tenant.
    expect((await outcomeOf(sibling, "msg_mine", mine.admin)).status).toBe(404);
    // Another tenant's connector and delivery, with this tenant's token, and the other way round.
    expect((await outcomeOf(other, "msg_theirs", mine.admin)).status).toBe(404);
    expect((await outcomeOf(mine, "msg_theirs")).status).toBe(404);
    const res = await outcomeOf(mine, "msg_mine", other.admin);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  it("needs the admin scope", async () => {
    const c = await ocsfConnector();
    await deliver(c, JSON.stringify(makeDetectionFinding()), { id: "msg_scoped" });
    const reader = await tokenFor(c.tenant, { scopes: ["alerts:read", "cases:read"] });
    expect((await outcomeOf(c, "msg_scoped", reader)).status).toBe(403);
  });
});
