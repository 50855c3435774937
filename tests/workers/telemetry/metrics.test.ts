// Metrics: ingest counts, duplicates and quarantines per connector kind; case commands per type;
// SLA warnings and breaches once each. Tests read the local buffer (wrangler's Analytics Engine
// binding drops writes); the data point shape deployed code writes is checked against a fake dataset.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { dataPoint, localMetrics, type MetricEvent, metricsFor } from "../../../domain/metrics.ts";
import type { CaseObject } from "../../../durable-objects/case-object.ts";
import { makeDetectionFinding } from "../../support/factories/findings.ts";
import { connectorOf, deliver, ocsfConnector } from "../../support/ingest.ts";
import { call, createTenant, tokenFor } from "../../support/world.ts";

afterEach(() => {
  vi.useRealTimers();
});

function totals(tenant: string): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const event of localMetrics(tenant)) {
    const key = `${event.name}:${dataPoint(event).blobs?.[1]}`;
    sums[key] = (sums[key] ?? 0) + ("count" in event ? event.count : 1);
  }
  return sums;
}

describe("ingest metrics", () => {
  it("counts accepted, duplicate and quarantined items per tenant and connector kind; a redelivery counts nothing", async () => {
    const c = await ocsfConnector();
    const findings = [makeDetectionFinding({}, 11), makeDetectionFinding({}, 12)];
    expect((await deliver(c, JSON.stringify(findings), { id: "msg_first" })).status).toBe(202);
    expect(totals(c.tenant.id)).toMatchObject({ "ingest.accepted:ocsf": 2 });

    // The same findings under a new webhook id are duplicates; an unmappable item is quarantined.
    const res = await deliver(c, JSON.stringify([...findings, { class_uid: "not a finding" }]));
    expect(await res.json()).toEqual({ accepted: 0, duplicates: 2, quarantined: 1, ignored: 0, intel: 0 });
    expect((await deliver(c, JSON.stringify(findings), { id: "msg_first" })).status).toBe(202);

    expect(totals(c.tenant.id)).toEqual({
      "ingest.accepted:ocsf": 2,
      "ingest.duplicates:ocsf": 2,
      "ingest.quarantined:ocsf": 1,
      // Ingest opened a case for the new alerts.
      "case.command:open": expect.any(Number),
    });
  });

  it("names the connector kind and keeps tenants apart", async () => {
    const ai = await connectorOf("ai-activity");
    const other = await ocsfConnector();
    await deliver(ai, JSON.stringify({ not: "ai activity" }));
    expect(totals(ai.tenant.id)).toEqual({ "ingest.quarantined:ai-activity": 1 });
    expect(localMetrics(other.tenant.id)).toEqual([]);
  });
});

describe("case metrics", () => {
  it("counts each committed command by type, and not a replay or a command that changes nothing", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const created = await call("POST", "/v1/cases", { token, body: { title: "Count me", severity: "low" } });
    const { id } = (await created.json()) as { id: string };
    const command = (body: unknown, version: number, key?: string) =>
      call("POST", `/v1/cases/${id}/commands`, {
        token,
        body,
        headers: { "if-match": `"${version}"`, ...(key ? { "idempotency-key": key } : {}) },
      });
    expect((await command({ type: "acknowledge" }, 1, "ack-once")).status).toBe(200);
    expect((await command({ type: "acknowledge" }, 1, "ack-once")).status).toBe(200);
    expect((await command({ type: "assign", assignee: "ana" }, 2)).status).toBe(200);
    expect((await command({ type: "assign", assignee: "ana" }, 3)).status).toBe(200);

    expect(totals(tenant.id)).toEqual({
      "case.command:open": 1,
      "case.command:acknowledge": 1,
      "case.command:assign": 1,
    });
  });

  it("counts an SLA warning and a breach exactly once, however often the alarm runs", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const openedAt = Date.now();
    const res = await call("POST", "/v1/cases", { token, body: { title: "Clock", severity: "critical" } });
    const { id } = (await res.json()) as { id: string };
    const stub = env.CASES.getByName(`${tenant.id}:${id}`);

    await stub.flush();
    // The default policy: a critical case is due for acknowledgement in 15 minutes, warned at 75%.
    vi.useFakeTimers({ now: openedAt + 12 * 60_000, toFake: ["Date"] });
    await runDurableObjectAlarm(stub);
    expect(localMetrics(tenant.id).filter((e) => e.name.startsWith("sla."))).toEqual([
      { name: "sla.warning", tenant: tenant.id, clock: "acknowledge" },
    ]);
    // Late, and twice: the alarm is at-least-once, the metric is not.
    vi.setSystemTime(openedAt + 40 * 60_000);
    await runInDurableObject(stub, (instance: CaseObject) => instance.alarm());
    await runInDurableObject(stub, (instance: CaseObject) => instance.alarm());
    expect(localMetrics(tenant.id).filter((e) => e.name.startsWith("sla."))).toEqual([
      { name: "sla.warning", tenant: tenant.id, clock: "acknowledge" },
      { name: "sla.breached", tenant: tenant.id, clock: "acknowledge" },
    ]);
    // The alarm's own commit is not counted as a command.
    expect(totals(tenant.id)).not.toHaveProperty("case.command:escalate");
  });
});

describe("where metrics go", () => {
  const event: MetricEvent = {
    name: "ingest.accepted",
    tenant: "tnt_01jz0000000000000000000000",
    connectorKind: "cisco-xdr",
    count: 7,
  };

  it("deployed, each event is one Analytics Engine data point indexed by tenant", () => {
    const dataset = { writeDataPoint: vi.fn() };
    metricsFor({ METRICS: dataset, ENVIRONMENT: "production" }).record(event, {
      name: "sla.breached",
      tenant: event.tenant,
      clock: "resolve",
    });
    expect(dataset.writeDataPoint.mock.calls).toEqual([
      [{ indexes: [event.tenant], blobs: ["ingest.accepted", "cisco-xdr"], doubles: [7] }],
      [{ indexes: [event.tenant], blobs: ["sla.breached", "resolve"], doubles: [1] }],
    ]);
    expect(localMetrics(event.tenant)).toEqual([]);
  });

  it("a failing write never fails the caller", () => {
    const dataset = {
      writeDataPoint: vi.fn(() => {
        throw new Error("over the limit");
      }),
    };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(() => metricsFor({ METRICS: dataset, ENVIRONMENT: "staging" }).record(event)).not.toThrow();
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
  });

  it("locally (wrangler's binding drops writes) events go to the buffer, not the binding", () => {
    const dataset = { writeDataPoint: vi.fn() };
    const tenant = "tnt_01jz0000000000000000000001";
    metricsFor({ METRICS: dataset, ENVIRONMENT: "test" }).record({ ...event, tenant });
    metricsFor({ ENVIRONMENT: "production" }).record({ ...event, tenant, count: 1 });
    expect(dataset.writeDataPoint).not.toHaveBeenCalled();
    expect(localMetrics(tenant).map((e) => dataPoint(e).doubles)).toEqual([[7], [1]]);
  });
});
