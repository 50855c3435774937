// Crash points: the object is aborted at each named point (after commit before reply, after the
// sink send before the outbox row is marked, mid-projection). After recovery the projections, the
// work queue and the sink messages converge, and no transition is lost or applied twice.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CommandRequest } from "../../domain/case/gateway.ts";
import {
  type CaseObject,
  FAULT_POINTS,
  type FaultPoint,
  type SinkMessage,
} from "../../durable-objects/case-object.ts";
import { call, createTenant, tenantDb, tokenFor } from "../support/world.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

const COMMANDS: CommandRequest["envelope"]["command"][] = [
  { type: "acknowledge" },
  { type: "assign", assignee: "analyst-7" },
  { type: "start" },
  { type: "comment", body: "isolating the host" },
  { type: "contain" },
];

type Stub = DurableObjectStub<CaseObject>;

/**
 * Calls until the object answers. A crash surfaces as a rejected RPC and breaks that stub, so a
 * client retries through a fresh stub, reaching a fresh instance over the same storage.
 */
async function withRetry<T>(
  name: string,
  run: (stub: Stub) => Promise<T>,
): Promise<{ value: T; crashes: number }> {
  for (let crashes = 0; crashes < 5; crashes++) {
    try {
      return { value: await run(env.CASES.getByName(name)), crashes };
    } catch {
      // Crashed; go again.
    }
  }
  throw new Error("the object kept crashing");
}

async function settle(name: string): Promise<number> {
  let crashes = 0;
  for (let i = 0; i < 10; i++) {
    const flushed = await withRetry(name, (stub) => stub.flush());
    crashes += flushed.crashes;
    if (flushed.value.pending === 0) return crashes;
    await runDurableObjectAlarm(env.CASES.getByName(name)).catch(() => false);
  }
  throw new Error("the outbox did not drain");
}

describe("crash points", () => {
  it("lose and duplicate nothing at any injected point", async () => {
    const sent: SinkMessage[] = [];
    const send = env.SINK_QUEUE.send.bind(env.SINK_QUEUE);
    vi.spyOn(env.SINK_QUEUE, "send").mockImplementation(async (message, options) => {
      sent.push(message as SinkMessage);
      return send(message, options);
    });

    let injected = 0;
    let observedCrashes = 0;
    let lost = 0;
    let duplicated = 0;
    for (const point of FAULT_POINTS) {
      const tenant = await createTenant();
      const token = await tokenFor(tenant);
      const opened = (await (
        await call("POST", "/v1/cases", { token, body: { title: `crash ${point}`, severity: "high" } })
      ).json()) as {
        id: string;
      };
      const name = `${tenant.id}:${opened.id}`;
      await settle(name);

      for (const [i, command] of COMMANDS.entries()) {
        await env.CASES.getByName(name).injectFault(point as FaultPoint);
        injected++;
        const request: CommandRequest = {
          expectedVersion: i + 1,
          envelope: { command, actor: { kind: "client", id: "crash-test" } },
          idempotencyKey: `crash-${point}-${i}`,
          requestHash: `crash-${point}-${i}`,
        };
        // The client retries with its Idempotency-Key until it gets an answer.
        const { value, crashes } = await withRetry(name, async (stub) => {
          const result = await stub.command(request);
          return { ok: result.ok, detail: JSON.stringify(result) };
        });
        expect(value.ok, value.detail).toBe(true);
        // Drains that crash are retried by the next flush or the alarm.
        observedCrashes += crashes + (await settle(name));
      }
      const stub = env.CASES.getByName(name);

      const snapshot = await stub.snapshot();
      if (!snapshot.ok) throw new Error("case vanished");
      const version = snapshot.version;
      const log = await stub.events(0, 1000);
      if (!log.ok) throw new Error("no event log");
      const db = tenantDb(tenant);
      const projected = await db
        .prepare("SELECT version, state FROM cases WHERE id = ?")
        .bind(opened.id)
        .first<{ version: number; state: string }>();
      const timeline = await db
        .prepare("SELECT seq FROM case_timeline WHERE case_id = ? ORDER BY seq")
        .bind(opened.id)
        .all<{ seq: number }>();
      const queued = await env.CONTROL_DB.prepare("SELECT version FROM work_queue WHERE case_id = ?")
        .bind(opened.id)
        .first<number>("version");
      const sinkVersions = new Set(sent.filter((m) => m.caseId === opened.id).map((m) => m.version));

      // One version per command plus the opening; each exactly once.
      const expectedVersions = COMMANDS.length + 1;
      lost += Math.max(0, expectedVersions - version);
      duplicated += Math.max(0, version - expectedVersions);
      const logSeqs = log.events.map((e) => e.seq);
      lost += logSeqs.filter((seq) => !timeline.results.some((r) => r.seq === seq)).length;
      duplicated += timeline.results.length - new Set(timeline.results.map((r) => r.seq)).size;

      expect(version).toBe(expectedVersions);
      expect(projected).toEqual({ version, state: "contained" });
      expect(timeline.results.map((r) => r.seq)).toEqual(logSeqs);
      expect(queued).toBe(version);
      expect([...sinkVersions].sort((a, b) => a - b)).toEqual(
        Array.from({ length: version }, (_, i) => i + 1),
      );
      expect((await stub.audit()).ok).toBe(true);
    }
    console.log(
      `crash points: injected ${injected} faults at ${FAULT_POINTS.length} points, crashes observed ${observedCrashes}, transitions lost ${lost}, duplicated ${duplicated}`,
    );
    expect(injected).toBe(FAULT_POINTS.length * COMMANDS.length);
    // Every injected fault really crashed the object once.
    expect(observedCrashes).toBe(injected);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
  });
});
