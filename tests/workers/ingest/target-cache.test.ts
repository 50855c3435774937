// Webhook targets kept per isolate (domain/connectors/ingest-target-cache.ts, decision 051): a
// change made through Phoenix holds at once; a change this isolate did not make (another isolate,
// or a write straight to D1 as here) holds within the TTL, and a rotated secret verifies at once.
import { afterEach, describe, expect, it, vi } from "vitest";
import { INGEST_TARGET_TTL_MS } from "../../../domain/connectors/ingest-target-cache.ts";
import { encryptSecret } from "../../../domain/secrets.ts";
import { newWebhookSecret } from "../../../domain/webhooks/standard-webhooks.ts";
import { makeDetectionFinding } from "../../support/factories/findings.ts";
import { deliver, ocsfConnector } from "../../support/ingest.ts";
import { testEnv } from "../../support/test-env.ts";
import { call } from "../../support/world.ts";

afterEach(() => {
  vi.useRealTimers();
});

const finding = () => JSON.stringify(makeDetectionFinding());

describe("a kept webhook target", () => {
  it("verifies a secret rotated in another isolate at once, by reading the connector again", async () => {
    const c = await ocsfConnector();
    expect((await deliver(c, finding(), { settle: false })).status).toBe(202);
    // As another isolate's rotation: the row changes, this isolate keeps the old secret only.
    const secret = newWebhookSecret();
    await testEnv()
      .CONTROL_DB.prepare("UPDATE connectors SET secret_ciphertext = ? WHERE id = ?")
      .bind(await encryptSecret(secret, testEnv().SECRETS_ENCRYPTION_KEY, c.id), c.id)
      .run();
    expect((await deliver(c, finding(), { secret, settle: false })).status).toBe(202);
    // And the old secret, no longer the connector's, is refused.
    expect((await deliver(c, finding(), { settle: false })).status).toBe(401);
  });

  it("stops at once when the connector is disabled or deleted through Phoenix, and starts when enabled", async () => {
    const c = await ocsfConnector();
    expect((await deliver(c, finding(), { settle: false })).status).toBe(202);
    const patch = (status: string) =>
      call("PATCH", `/v1/connectors/${c.id}`, { token: c.admin, body: { status } });
    expect((await patch("disabled")).status).toBe(200);
    expect((await deliver(c, finding(), { settle: false })).status).toBe(404);
    expect((await patch("active")).status).toBe(200);
    expect((await deliver(c, finding(), { settle: false })).status).toBe(202);
    expect((await call("DELETE", `/v1/connectors/${c.id}`, { token: c.admin })).status).toBe(204);
    expect((await deliver(c, finding(), { settle: false })).status).toBe(404);
  });

  it("holds a change made behind this isolate's back for at most the TTL", async () => {
    const c = await ocsfConnector();
    const start = Date.now();
    vi.useFakeTimers({ now: start, toFake: ["Date"] });
    expect((await deliver(c, finding(), { settle: false })).status).toBe(202);
    await testEnv()
      .CONTROL_DB.prepare("UPDATE connectors SET status = 'disabled' WHERE id = ?")
      .bind(c.id)
      .run();
    expect((await deliver(c, finding(), { settle: false })).status).toBe(202);
    vi.setSystemTime(start + INGEST_TARGET_TTL_MS + 1);
    expect((await deliver(c, finding(), { settle: false })).status).toBe(404);
  });

  it("lets the previous secret go when its grace ends, even if that is sooner than the TTL", async () => {
    const c = await ocsfConnector();
    const start = Date.now();
    vi.useFakeTimers({ now: start, toFake: ["Date"] });
    const rotated = await call("POST", `/v1/connectors/${c.id}/rotate-secret`, {
      token: c.admin,
      body: { grace_seconds: 2 },
    });
    expect(rotated.status).toBe(200);
    // Kept now, with both secrets.
    expect((await deliver(c, finding(), { settle: false })).status).toBe(202);
    vi.setSystemTime(start + 2_001);
    expect((await deliver(c, finding(), { settle: false })).status).toBe(401);
  });
});
