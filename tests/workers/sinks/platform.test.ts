// Case changes reach the Platform as Standard Webhooks, through the real case outbox and sink
// queue: one request per customer-visible event, signed, with the event id as webhook-id. A
// receiver that fails now and then still ends with every event, applied once; one that refuses
// for good leaves a dead letter in the tenant's database and the error on the case.
import { afterEach, describe, expect, it, vi } from "vitest";
import { verifyWebhook } from "../../../domain/webhooks/standard-webhooks.ts";
import { makeDetectionFinding } from "../../support/factories/findings.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

const RECEIVER = "http://127.0.0.1:4301/phoenix";

interface Receiver {
  secret: string;
  /** Answers for the next calls, in order (then 204s). */
  script: Array<{ status: number; retryAfter?: string }>;
  calls: number;
  badSignatures: number;
  applied: Map<string, { type: string; data: Record<string, unknown> }>;
  duplicates: number;
}

function install(receiver: Receiver) {
  const real = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.startsWith(RECEIVER)) return real(input, init);
    receiver.calls++;
    const body = await request.text();
    const verified = await verifyWebhook(body, Object.fromEntries(request.headers), [receiver.secret]);
    if (!verified.ok) {
      receiver.badSignatures++;
      return new Response(null, { status: 401 });
    }
    const next = receiver.script.shift();
    if (next && next.status >= 300)
      return new Response(null, {
        status: next.status,
        headers: next.retryAfter ? { "retry-after": next.retryAfter } : {},
      });
    // The receiver de-duplicates on webhook-id, as Standard Webhooks receivers do.
    if (receiver.applied.has(verified.webhookId)) receiver.duplicates++;
    else receiver.applied.set(verified.webhookId, JSON.parse(body));
    return new Response(null, { status: 204 });
  });
}

afterEach(() => vi.restoreAllMocks());

async function world(receiver: Omit<Receiver, "secret">) {
  const tenant = await createTenant();
  const admin = await tokenFor(tenant, { scopes: ["admin"] });
  const worker = await tokenFor(tenant, { scopes: ["alerts:write", "cases:read", "cases:write"] });
  const created = await call("POST", "/v1/sinks", {
    token: admin,
    body: {
      kind: "platform",
      name: "Platform",
      config: { url: RECEIVER, event_types: ["case.*", "sla.breached"] },
    },
  });
  const { sink, secret } = (await created.json()) as { sink: { id: string }; secret: string };
  const r: Receiver = { ...receiver, secret };
  install(r);
  const alert = (await (
    await call("POST", "/v1/alerts", { token: worker, body: makeDetectionFinding() })
  ).json()) as {
    alerts: Array<{ id: string }>;
  };
  const opened = (await (
    await call("POST", "/v1/cases", {
      token: worker,
      body: { title: "Beacon from HR-LT-0087", severity: "high", alert_ids: [alert.alerts[0]?.id] },
    })
  ).json()) as { id: string };
  let version = 1;
  // Each command names the version it was decided on (If-Match), as clients do.
  const command = async (body: Record<string, unknown>) => {
    const res = await call("POST", `/v1/cases/${opened.id}/commands`, {
      token: worker,
      body,
      headers: { "if-match": `"${version}"` },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    version = ((await res.json()) as { version: number }).version;
  };
  return { tenant, sinkId: sink.id, caseId: opened.id, receiver: r, command, worker };
}

/** Waits (counted, not timed) until `done` holds; retries with back-off take a few seconds. */
async function until(done: () => boolean | Promise<boolean>, what: string, polls = 1500): Promise<void> {
  for (let i = 0; i < polls; i++) {
    if (await done()) return;
    await scheduler.wait(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("Platform webhooks", () => {
  it("sends each customer-visible case event once, signed, in order, and never an internal comment", async () => {
    const w = await world({ script: [], calls: 0, badSignatures: 0, applied: new Map(), duplicates: 0 });
    await w.command({
      type: "comment",
      body: "Internal: the user is a VIP, tread carefully",
      visibility: "internal",
    });
    await w.command({ type: "comment", body: "We isolated the laptop.", visibility: "customer" });
    await w.command({ type: "acknowledge" });
    await until(() => w.receiver.applied.size >= 3, "three events");
    const events = [...w.receiver.applied.values()];
    expect(events.map((e) => e.type)).toEqual(["case.opened", "case.commented", "case.state_changed"]);
    expect(JSON.stringify(events)).not.toContain("VIP");
    expect(events[2]?.data).toEqual({ from: "new", to: "acknowledged" });
    expect(w.receiver.badSignatures).toBe(0);
    const status = (await (await call("GET", `/v1/cases/${w.caseId}`, { token: w.worker })).json()) as {
      version: number;
      sinks: Array<{ sink_id: string; synced_version: number; last_error: string | null }>;
    };
    expect(status.sinks).toEqual([
      expect.objectContaining({
        sink_id: w.sinkId,
        kind: "platform",
        synced_version: status.version,
        last_error: null,
      }),
    ]);
  });

  it("retries a receiver that fails (503 with Retry-After, 500), and it applies every event once", async () => {
    const w = await world({
      script: [{ status: 503, retryAfter: "1" }, { status: 500 }],
      calls: 0,
      badSignatures: 0,
      applied: new Map(),
      duplicates: 0,
    });
    await w.command({ type: "acknowledge" });
    await w.command({ type: "comment", body: "Contained.", visibility: "customer" });
    await until(() => w.receiver.applied.size >= 3, "three events after retries");
    console.log(
      `platform: calls ${w.receiver.calls}, events applied ${w.receiver.applied.size}, duplicates ${w.receiver.duplicates}, bad signatures ${w.receiver.badSignatures}`,
    );
    expect([...w.receiver.applied.values()].map((e) => e.type)).toEqual([
      "case.opened",
      "case.state_changed",
      "case.commented",
    ]);
    expect(w.receiver.calls).toBeGreaterThanOrEqual(5);
  });

  it("keeps a dead letter with the error when the receiver refuses for good, and shows it on the case", async () => {
    const w = await world({
      script: [{ status: 410 }],
      calls: 0,
      badSignatures: 0,
      applied: new Map(),
      duplicates: 0,
    });
    const db = tenantDb(w.tenant);
    await until(
      async () =>
        ((await db.prepare("SELECT count(*) AS n FROM sink_dead_letters").first<number>("n")) ?? 0) > 0,
      "a dead letter",
    );
    const letter = await db.prepare("SELECT sink_id, case_id, error FROM sink_dead_letters").first();
    expect(letter).toEqual({ sink_id: w.sinkId, case_id: w.caseId, error: `POST ${RECEIVER} answered 410` });
    const status = (await (await call("GET", `/v1/cases/${w.caseId}`, { token: w.worker })).json()) as {
      sinks: Array<{ last_error: string | null }>;
    };
    expect(status.sinks[0]?.last_error).toBe(`POST ${RECEIVER} answered 410`);
    expect(w.receiver.applied.size).toBe(0);
  });
});
