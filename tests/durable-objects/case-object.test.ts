// The CaseObject against real Durable Object storage and alarms: the audit chain, SLA timers
// (fired once, however late or often the alarm runs), the sweep for lost alarms, live updates.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CaseObject } from "../../durable-objects/case-object.ts";
import { CaseOutbox } from "../../durable-objects/case-outbox.ts";
import { runScheduled } from "../../workers/scheduled.ts";
import { call, createTenant, tenantDb, tokenFor } from "../support/world.ts";

afterEach(() => {
  vi.useRealTimers();
});

async function openCase(severity = "critical") {
  const tenant = await createTenant();
  const token = await tokenFor(tenant);
  const res = await call("POST", "/v1/cases", { token, body: { title: "Ransomware precursor", severity } });
  const body = (await res.json()) as { id: string };
  const stub = env.CASES.getByName(`${tenant.id}:${body.id}`);
  return { tenant, token, id: body.id, stub };
}

async function eventTypes(stub: DurableObjectStub<CaseObject>): Promise<string[]> {
  const result = await stub.events(0, 1000);
  if (!result.ok) throw new Error(result.error.message);
  return result.events.map((e) => e.type);
}

describe("audit chain", () => {
  async function caseWithHistory() {
    const c = await openCase("medium");
    for (const [i, body] of [
      { type: "acknowledge" },
      { type: "start" },
      { type: "comment", body: "looking" },
    ].entries()) {
      const res = await call("POST", `/v1/cases/${c.id}/commands`, {
        token: c.token,
        body,
        headers: { "if-match": `"${i + 1}"` },
      });
      expect(res.status).toBe(200);
    }
    return c;
  }

  it("verifies an untouched chain, one record per version", async () => {
    const { stub } = await caseWithHistory();
    const audit = await stub.audit();
    expect(audit.ok && audit.verification).toEqual(expect.objectContaining({ ok: true, length: 4 }));
  });

  it.each([
    ["modified", "UPDATE audit SET record = replace(record, 'acknowledge', 'escalate') WHERE seq = 2"],
    ["deleted", "DELETE FROM audit WHERE seq = 2"],
    ["reordered", "UPDATE audit SET seq = CASE seq WHEN 2 THEN 3 WHEN 3 THEN 2 ELSE seq END"],
    ["cut off the end", "DELETE FROM audit WHERE seq = 4"],
  ])("detects a record %s", async (_what, tamper) => {
    const { stub } = await caseWithHistory();
    await runInDurableObject(stub, (_instance: CaseObject, state) => {
      state.storage.sql.exec(tamper);
    });
    const audit = await stub.audit();
    // The case is there and its chain was read: only the verification fails.
    expect(audit.ok).toBe(true);
    expect(audit.ok && { ok: audit.verification.ok, read: audit.records.length > 0 }).toEqual({
      ok: false,
      read: true,
    });
  });

  it("re-verifies only the records written since its last walk, and still catches them", async () => {
    const { stub, id, token } = await caseWithHistory();
    const comment = async (version: number) => {
      const res = await call("POST", `/v1/cases/${id}/commands`, {
        token,
        body: { type: "comment", body: "still looking" },
        headers: { "if-match": `"${version}"` },
      });
      expect(res.status).toBe(200);
    };
    const first = await stub.verifyAudit();
    expect(first.ok && first.verification).toEqual(expect.objectContaining({ ok: true, length: 4 }));
    await comment(4);
    const second = await stub.verifyAudit();
    expect(second.ok && second.verification).toEqual(expect.objectContaining({ ok: true, length: 5 }));
    await comment(5);
    await runInDurableObject(stub, (_instance: CaseObject, state) => {
      state.storage.sql.exec(
        "UPDATE audit SET record = replace(record, 'comment', 'escalate') WHERE seq = 6",
      );
    });
    const third = await stub.verifyAudit();
    expect(third.ok && third.verification).toEqual(
      expect.objectContaining({ ok: false, brokenAt: 6, length: 6 }),
    );
  });

  it("walks the whole chain for the audit read, whatever was verified before", async () => {
    const { stub } = await caseWithHistory();
    await stub.verifyAudit();
    await runInDurableObject(stub, (_instance: CaseObject, state) => {
      state.storage.sql.exec(
        "UPDATE audit SET record = replace(record, 'acknowledge', 'escalate') WHERE seq = 2",
      );
    });
    const audit = await stub.audit();
    expect(audit.ok && audit.verification).toEqual(expect.objectContaining({ ok: false, brokenAt: 2 }));
  });

  it("is served by GET /v1/cases/{id}/audit with its verification", async () => {
    const { id, token } = await caseWithHistory();
    const res = await call("GET", `/v1/cases/${id}/audit`, { token });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      records: Array<{ record: { command: string } }>;
      verification: { ok: boolean };
    };
    expect(body.verification.ok).toBe(true);
    expect(body.records.map((r) => r.record.command)).toEqual(["open", "acknowledge", "start", "comment"]);
  });
});

describe("the outbox's alarm", () => {
  it("waits past a commit's own drain, then is set back to the next SLA timer", async () => {
    const openedAt = Date.now();
    const { stub } = await openCase("critical");
    const alarmAt = () =>
      runInDurableObject(stub, (_instance: CaseObject, state) => state.storage.getAlarm());
    // The reply comes before the drain ends; the alarm stays a backstop instead of firing at once.
    expect(await alarmAt()).toBeGreaterThanOrEqual(openedAt + 5_000);
    // Drained: the alarm is the acknowledgement warning (75% of a critical case's 15 minutes).
    await vi.waitFor(async () => expect(await alarmAt()).toBeGreaterThanOrEqual(openedAt + 11 * 60_000));
    expect(await stub.flush()).toEqual({ pending: 0 });
  });
});

describe("SLA timers", () => {
  it("fire the warning and then the breach exactly once, however often or late the alarm runs", async () => {
    const { stub, tenant, id } = await openCase("critical");
    const openedAt = Date.now();
    await stub.flush();
    const alarmAt = await stub.ensureAlarm();
    // Critical: 15 minutes to acknowledge, warning at 75%.
    expect(alarmAt).toBeGreaterThanOrEqual(openedAt + 11 * 60_000);

    vi.useFakeTimers({ now: openedAt + 12 * 60_000, toFake: ["Date"] });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await runInDurableObject(stub, (instance: CaseObject) => instance.alarm());
    expect((await eventTypes(stub)).filter((t) => t.startsWith("sla."))).toEqual(["sla.warning"]);

    // Late: well past the deadline, twice.
    vi.setSystemTime(openedAt + 40 * 60_000);
    await runInDurableObject(stub, (instance: CaseObject) => instance.alarm());
    await runInDurableObject(stub, (instance: CaseObject) => instance.alarm());
    const types = await eventTypes(stub);
    expect(types.filter((t) => t === "sla.warning")).toHaveLength(1);
    expect(types.filter((t) => t === "sla.breached")).toHaveLength(1);

    // The breach ran the escalation policy: one step up in priority, into the lead queue.
    const snapshot = await stub.snapshot();
    expect(snapshot.ok && [snapshot.state.priority, snapshot.state.queue]).toEqual(["P1", "lead"]);
    await stub.flush();
    const row = await tenantDb(tenant)
      .prepare("SELECT queue, sla_breached_at FROM cases WHERE id = ?")
      .bind(id)
      .first();
    expect(row).toMatchObject({ queue: "lead" });
    expect((row as { sla_breached_at: number | null }).sla_breached_at).not.toBeNull();
  });

  it("a lost alarm is recovered by the scheduled sweep", async () => {
    const { stub } = await openCase("critical");
    const openedAt = Date.now();
    await stub.flush();
    await runInDurableObject(stub, async (_instance: CaseObject, state) => {
      await state.storage.deleteAlarm();
    });

    vi.useFakeTimers({ now: openedAt + 20 * 60_000, toFake: ["Date"] });
    // Nothing fires without an alarm...
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    // ...until the sweep finds the overdue case in the work queue and re-arms it.
    // (Its counts cover every tenant of this file; what matters is that this case's alarm is back.)
    expect((await runScheduled(env, Date.now())).failed).toBe(0);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const types = await eventTypes(stub);
    expect(types.filter((t) => t === "sla.breached")).toHaveLength(1);
    expect(types.filter((t) => t === "sla.warning")).toHaveLength(1);
  });

  it("a severity change moves the deadlines", async () => {
    const { stub, id, token } = await openCase("low");
    const before = await stub.snapshot();
    const lowDue = before.ok ? before.state.sla.clocks.acknowledge.dueAt : 0;
    const res = await call("POST", `/v1/cases/${id}/commands`, {
      token,
      body: { type: "change_severity", severity: "critical" },
      headers: { "if-match": '"1"' },
    });
    expect(res.status).toBe(200);
    const after = await stub.snapshot();
    const criticalDue = after.ok ? after.state.sla.clocks.acknowledge.dueAt : 0;
    // Low: 24 hours to acknowledge; critical: 15 minutes, from the same start.
    expect(lowDue - criticalDue).toBe(24 * 3_600_000 - 15 * 60_000);
    expect(await stub.ensureAlarm()).toBeLessThanOrEqual(criticalDue);
  });
});

describe("live updates", () => {
  it("a WebSocket client receives the events of a command made through the API", async () => {
    const { id, token } = await openCase("high");
    const res = await exports.default.fetch(
      new Request(`http://phoenix.test/v1/cases/${id}/live`, {
        headers: { upgrade: "websocket", authorization: `Bearer ${token}` },
      }),
    );
    expect(res.status).toBe(101);
    const ws = res.webSocket;
    if (!ws) throw new Error("no WebSocket in the upgrade response");
    const received: Array<{ type: string; event?: { type: string } }> = [];
    const gotAck = new Promise<void>((resolve) => {
      ws.addEventListener("message", (m) => {
        received.push(JSON.parse(String(m.data)));
        if (received.some((r) => r.event?.type === "case.acknowledged")) resolve();
      });
    });
    ws.accept();

    const cmd = await call("POST", `/v1/cases/${id}/commands`, {
      token,
      body: { type: "acknowledge" },
      headers: { "if-match": '"1"' },
    });
    expect(cmd.status).toBe(200);
    await gotAck;
    ws.close();
    expect(received[0]?.type).toBe("hello");
    expect(received.filter((r) => r.type === "event").map((r) => r.event?.type)).toEqual([
      "case.acknowledged",
      "sla.met",
    ]);
  });

  it("the live route needs a token for the case's tenant", async () => {
    const { id } = await openCase("high");
    const other = await tokenFor(await createTenant());
    const res = await exports.default.fetch(
      new Request(`http://phoenix.test/v1/cases/${id}/live`, {
        headers: { upgrade: "websocket", authorization: `Bearer ${other}` },
      }),
    );
    expect(res.status).toBe(404);
  });
});

describe("the outbox", () => {
  it("never lets a later version overtake an earlier one waiting out a backoff, per target", async () => {
    const { stub } = await openCase();
    // What the opening owed is delivered first, so the outbox holds only the rows below.
    await stub.flush();
    const due = await runInDurableObject(stub, (_instance: CaseObject, state) => {
      const outbox = new CaseOutbox(state.storage.sql);
      const now = Date.now();
      // Version 10's projection failed and waits; version 11 commits after it, due at once.
      outbox.enqueue("projection", 10, {}, now);
      const [failed] = outbox.due(now);
      if (!failed) throw new Error("nothing enqueued");
      outbox.failed(failed, new Error("D1 unavailable"), now);
      outbox.enqueue("projection", 11, {}, now);
      outbox.enqueue("live", 11, {}, now);
      const before = outbox.due(now).map((r) => `${r.target}:${r.version}`);
      const later = outbox.due(now + 10 * 60_000).map((r) => `${r.target}:${r.version}`);
      state.storage.sql.exec("DELETE FROM outbox");
      return { before, later };
    });
    expect(due.before).toEqual(["live:11"]);
    expect(due.later).toEqual(["projection:10", "projection:11", "live:11"]);
  });
});
