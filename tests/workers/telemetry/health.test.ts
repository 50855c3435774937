// GET /v1/admin/health: the caller's tenant's backlogs and lags, admin only, never another tenant's.
// Lost alarms and stuck outboxes are staged directly in the read models, as a crash would leave them.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Tenant } from "../../../domain/tenancy.ts";
import { makeDetectionFinding } from "../../support/factories/findings.ts";
import { deliver, ocsfConnector } from "../../support/ingest.ts";
import { ALL_SCOPES, call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

interface Health {
  tenant: string;
  checked_at: number;
  outbox: { lagging_cases: number; oldest_entry_age_ms: number | null; cases_compared: number };
  sla_sweep: { overdue_cases: number; lag_ms: number | null };
  quarantine: { pending: number; oldest_age_ms: number | null };
  correlation: { owed_alerts: number; oldest_age_ms: number | null };
  queues: { sink: { depth: null } };
  dead_letters: { count: null };
}

const MINUTE = 60_000;

async function healthOf(tenant: Tenant): Promise<Health> {
  const res = await call("GET", "/v1/admin/health", { token: await tokenFor(tenant, { scopes: ["admin"] }) });
  expect(res.status).toBe(200);
  return (await res.json()) as Health;
}

/** A case opened through the API, its outbox drained into both read models. */
async function openCase(tenant: Tenant, severity = "high"): Promise<string> {
  const token = await tokenFor(tenant);
  const res = await call("POST", "/v1/cases", { token, body: { title: "Health probe", severity } });
  const { id } = (await res.json()) as { id: string };
  await env.CASES.getByName(`${tenant.id}:${id}`).flush();
  return id;
}

describe("GET /v1/admin/health", () => {
  it("reports a quiet tenant as all clear, and says what it cannot observe", async () => {
    const tenant = await createTenant();
    await openCase(tenant);
    expect(await healthOf(tenant)).toEqual({
      tenant: tenant.id,
      checked_at: expect.any(Number),
      outbox: { lagging_cases: 0, oldest_entry_age_ms: null, cases_compared: 1 },
      sla_sweep: { overdue_cases: 0, lag_ms: null },
      quarantine: { pending: 0, oldest_age_ms: null },
      correlation: { owed_alerts: 0, oldest_age_ms: null },
      queues: { sink: { depth: null } },
      dead_letters: { count: null },
    });
  });

  it("counts quarantined items until they are replayed, and alerts still owed a case", async () => {
    const c = await ocsfConnector();
    await deliver(c, JSON.stringify([{ class_uid: "unmappable" }, { also: "unmappable" }]));
    await deliver(c, JSON.stringify(makeDetectionFinding({}, 3)));
    const before = await healthOf(c.tenant);
    expect(before.quarantine.pending).toBe(2);
    expect(before.quarantine.oldest_age_ms).toBeGreaterThanOrEqual(0);
    expect(before.correlation.owed_alerts).toBe(0);

    const db = tenantDb(c.tenant);
    await db
      .prepare("UPDATE quarantine SET replayed_at = ? WHERE id = (SELECT min(id) FROM quarantine)")
      .bind(Date.now())
      .run();
    // An alert whose correlation was interrupted, stored 5 minutes ago.
    await db
      .prepare("UPDATE alerts SET correlated_at = NULL, created_at = ?")
      .bind(Date.now() - 5 * MINUTE)
      .run();
    // Alerts stored through the API carry no correlation key: nobody owes them a case.
    const writer = await tokenFor(c.tenant, { scopes: ["alerts:write"] });
    const direct = await call("POST", "/v1/alerts", { token: writer, body: makeDetectionFinding({}, 4) });
    expect(direct.status).toBe(201);
    const after = await healthOf(c.tenant);
    expect(after.quarantine.pending).toBe(1);
    expect(after.correlation.owed_alerts).toBe(1);
    expect(after.correlation.oldest_age_ms).toBeGreaterThanOrEqual(5 * MINUTE);
  });

  it("measures SLA sweep lag as the most overdue deadline with no breach recorded, skipping paused cases", async () => {
    const tenant = await createTenant();
    const [late, later, paused, breached] = [
      await openCase(tenant),
      await openCase(tenant),
      await openCase(tenant),
      await openCase(tenant),
    ];
    const now = Date.now();
    const stage = (caseId: string, dueAgo: number, extra = "") =>
      env.CONTROL_DB.prepare(`UPDATE work_queue SET sla_due_at = ?${extra} WHERE case_id = ?`)
        .bind(now - dueAgo, caseId)
        .run();
    // Alarms lost: deadlines 10 and 30 minutes ago, nothing fired.
    await stage(late, 10 * MINUTE);
    await stage(later, 30 * MINUTE);
    // On hold pauses the clock under the default policy; a recorded breach has fired.
    await stage(paused, 60 * MINUTE, ", state = 'on_hold'");
    await stage(breached, 90 * MINUTE, `, sla_breached_at = ${now - 90 * MINUTE}`);

    const health = await healthOf(tenant);
    expect(health.sla_sweep.overdue_cases).toBe(2);
    expect(health.sla_sweep.lag_ms).toBeGreaterThanOrEqual(30 * MINUTE);
    expect(health.sla_sweep.lag_ms).toBeLessThan(60 * MINUTE);
  });

  it("sees an outbox entry waiting when a case's two read models disagree", async () => {
    const tenant = await createTenant();
    const stuck = await openCase(tenant);
    await openCase(tenant);
    // Opened two minutes ago; version 2 reached the work queue a minute ago, the case projection never.
    await tenantDb(tenant)
      .prepare("UPDATE cases SET updated_at = ? WHERE id = ?")
      .bind(Date.now() - 2 * MINUTE, stuck)
      .run();
    await env.CONTROL_DB.prepare(
      "UPDATE work_queue SET version = version + 1, updated_at = ? WHERE case_id = ?",
    )
      .bind(Date.now() - MINUTE, stuck)
      .run();
    const health = await healthOf(tenant);
    expect(health.outbox.lagging_cases).toBe(1);
    expect(health.outbox.cases_compared).toBe(2);
    expect(health.outbox.oldest_entry_age_ms).toBeGreaterThanOrEqual(MINUTE);
    expect(health.outbox.oldest_entry_age_ms).toBeLessThan(2 * MINUTE);
  });

  it("reflects only the caller's tenant", async () => {
    const busy = await ocsfConnector();
    await deliver(busy, JSON.stringify({ class_uid: "unmappable" }));
    const id = await openCase(busy.tenant);
    await env.CONTROL_DB.prepare("UPDATE work_queue SET sla_due_at = ? WHERE case_id = ?")
      .bind(Date.now() - MINUTE, id)
      .run();
    expect((await healthOf(busy.tenant)).sla_sweep.overdue_cases).toBe(1);

    const quiet = await createTenant();
    const health = await healthOf(quiet);
    expect(health.tenant).toBe(quiet.id);
    expect(health.quarantine.pending).toBe(0);
    expect(health.sla_sweep.overdue_cases).toBe(0);
    expect(health.outbox.cases_compared).toBe(0);
  });

  it("needs the admin scope (health.read) and a token", async () => {
    const tenant = await createTenant();
    const analyst = await tokenFor(tenant, {
      scopes: ALL_SCOPES,
    });
    const forbidden = await call("GET", "/v1/admin/health", { token: analyst });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { detail: string }).detail).toContain("health.read");
    expect((await call("GET", "/v1/admin/health")).status).toBe(401);
  });

  it("is in the OpenAPI document", async () => {
    const doc = (await (await call("GET", "/v1/openapi.json")).json()) as {
      paths: Record<string, { get?: { security?: unknown } }>;
    };
    expect(doc.paths["/admin/health"]?.get?.security).toEqual([{ bearerAuth: ["admin"] }]);
  });
});
