// The retention sweep deletes what has expired (idempotency records, webhook ids, spent XDR budget
// windows) and nothing that is still in force.
import { describe, expect, it } from "vitest";
import { purgeExpiredControlRecords, purgeExpiredTenantRecords } from "../../domain/retention.ts";
import { runScheduled } from "../../workers/scheduled.ts";
import { testEnv } from "../support/test-env.ts";
import { createTenant, tenantDb } from "../support/world.ts";

describe("retention sweep", () => {
  it("purges expired records and keeps live ones", async () => {
    const tenant = await createTenant();
    const db = tenantDb(tenant);
    const now = Date.now();
    const day = 24 * 3_600_000;
    await db.batch([
      db
        .prepare(
          "INSERT INTO idempotency_records (principal, key, request_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind("p", "old", "h", now - 8 * day, now - day),
      db
        .prepare(
          "INSERT INTO idempotency_records (principal, key, request_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind("p", "live", "h", now, now + day),
      db
        .prepare(
          "INSERT INTO webhook_deliveries (connector_id, webhook_id, received_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind("con_x", "msg_old", now - 8 * day, now - day),
      db
        .prepare(
          "INSERT INTO webhook_deliveries (connector_id, webhook_id, received_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind("con_x", "msg_live", now, now + day),
    ]);
    const control = testEnv().CONTROL_DB;
    await control
      .prepare(
        "INSERT INTO xdr_request_budget (org_key, window_start, used) VALUES ('us:o', ?, 5), ('us:o', ?, 7)",
      )
      .bind(now - 3 * 3_600_000, now - 60_000)
      .run();

    // This tenant's own counts: the sweep's total also counts every other tenant of the file.
    expect(await purgeExpiredTenantRecords(db, now)).toEqual({ idempotencyRecords: 1, webhookDeliveries: 1 });
    expect(await purgeExpiredControlRecords(control, now)).toBe(1);
    // The cron runs the same sweep, and leaves what is still in force.
    await runScheduled(testEnv(), now);
    expect((await db.prepare("SELECT key FROM idempotency_records").all()).results).toEqual([
      { key: "live" },
    ]);
    expect((await db.prepare("SELECT webhook_id FROM webhook_deliveries").all()).results).toEqual([
      { webhook_id: "msg_live" },
    ]);
    expect(
      (await control.prepare("SELECT used FROM xdr_request_budget WHERE org_key = 'us:o'").all()).results,
    ).toEqual([{ used: 7 }]);
  });
});
