// The correlation rules as pure functions over a fake store and a fake case gateway (the real
// decide/evolve in memory): one case per key, a case's severity is the highest of its alerts', a
// closed case's key starts a new case, and a high or critical asset sets a minimum priority.
import { describe, expect, it } from "vitest";
import {
  type CorrelationStore,
  caseSeverityOf,
  correlateAlerts,
  highestSeverity,
  type OwedAlert,
  type PriorityFloor,
  priorityFloor,
} from "../../../domain/case/correlation.ts";
import { FakeCaseGateway } from "../../support/fake-case-gateway.ts";
import { ANALYST, CONFIG, T0 } from "./given.ts";

const TENANT = { id: "tnt_pure", d1Binding: "TENANT_PURE" };

/** Owed alerts, claims and asset floors in memory, with the same contract as the D1 store. */
class FakeStore implements CorrelationStore {
  readonly owed = new Map<string, OwedAlert>();
  readonly claims = new Map<string, string>();
  readonly floors = new Map<string, PriorityFloor>();

  add(...alerts: OwedAlert[]): string[] {
    for (const a of alerts) this.owed.set(a.id, a);
    return alerts.map((a) => a.id);
  }
  async owedAlerts(ids?: readonly string[]) {
    return [...this.owed.values()]
      .filter((a) => !ids || ids.includes(a.id))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }
  async claim(key: string, candidate: string) {
    if (!this.claims.has(key)) this.claims.set(key, candidate);
    return this.claims.get(key) as string;
  }
  async claimAll(claims: ReadonlyArray<{ key: string; candidateCaseId: string }>) {
    for (const c of claims) await this.claim(c.key, c.candidateCaseId);
    return new Map(claims.map((c) => [c.key, this.claims.get(c.key) as string]));
  }
  async repoint(key: string, from: string, to: string) {
    if (this.claims.get(key) === from) this.claims.set(key, to);
    return this.claims.get(key) as string;
  }
  async priorityFloors() {
    return this.floors;
  }
  async markCorrelated(ids: readonly string[]) {
    for (const id of ids) this.owed.delete(id);
  }
}

let seq = 0;
const alert = (key: string, severityId: number, title = `alert ${key}`): OwedAlert => ({
  id: `alrt_${String(++seq).padStart(6, "0")}`,
  key,
  severityId,
  title,
});

function world() {
  const store = new FakeStore();
  let now = T0;
  const gateway = new FakeCaseGateway(() => now);
  const run = (ids?: readonly string[]) =>
    correlateAlerts({ store, gateway, tenant: TENANT, loadConfig: async () => CONFIG, now }, ids);
  return { store, gateway, run, advance: (ms: number) => (now += ms) };
}

describe("correlation rules", () => {
  it("maps OCSF severity onto the case scale and keeps the highest", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(caseSeverityOf)).toEqual([
      "low",
      "low",
      "low",
      "medium",
      "high",
      "critical",
      "critical",
    ]);
    expect(highestSeverity(["low", "high", "medium"])).toBe("high");
    expect(highestSeverity([])).toBe("low");
  });

  it("names the alert that asks for the highest priority", () => {
    const floors = new Map<string, PriorityFloor>([
      ["a", { priority: "P2", reason: "high asset criticality" }],
      ["b", { priority: "P1", reason: "critical asset criticality" }],
      ["c", { priority: "P1", reason: "critical asset criticality" }],
    ]);
    expect(priorityFloor(["x", "a", "b", "c"], floors)).toEqual({
      priority: "P1",
      reason: "critical asset criticality",
      alertId: "b",
    });
    expect(priorityFloor(["x"], floors)).toBeNull();
  });
});

describe("given owed alerts, when correlated, then", () => {
  it("one key opens one case with all its alerts, titled after the oldest, at the highest severity", async () => {
    const { store, gateway, run } = world();
    const ids = store.add(alert("k1", 2, "first seen"), alert("k1", 4), alert("k1", 3));
    expect(await run(ids)).toMatchObject({ opened: 1, linked: 2, failed: 0 });
    const opened = gateway.only();
    expect(opened).toMatchObject({ title: "first seen", severity: "high" });
    expect(Object.keys(opened.alerts).sort()).toEqual(ids);
    expect(store.owed.size).toBe(0);
  });

  it("a later, more severe alert raises its open case's severity; a milder one does not lower it", async () => {
    const { store, gateway, run } = world();
    await run(store.add(alert("k2", 3)));
    await run(store.add(alert("k2", 5)));
    expect(gateway.only().severity).toBe("critical");
    await run(store.add(alert("k2", 1)));
    expect(gateway.only()).toMatchObject({ severity: "critical" });
    expect(Object.keys(gateway.only().alerts)).toHaveLength(3);
  });

  it("an alert whose key's case is closed opens a new case, and the key points at it", async () => {
    const { store, gateway, run, advance } = world();
    const [firstAlert] = store.add(alert("k3", 3));
    await run([firstAlert as string]);
    const first = gateway.only();
    for (const command of [
      { type: "acknowledge" as const },
      { type: "review_alert" as const, alertId: firstAlert as string },
      { type: "resolve" as const, resolution: "false_positive" as const },
      { type: "close" as const },
    ]) {
      advance(60_000);
      await gateway.command(TENANT.id, first.id, {
        expectedVersion: null,
        envelope: { command, actor: ANALYST },
      });
    }
    expect(await run(store.add(alert("k3", 3)))).toMatchObject({ opened: 1, failed: 0 });
    const fresh = gateway.only((s) => s.status === "new");
    expect(fresh.id).not.toBe(first.id);
    expect(store.claims.get("k3")).toBe(fresh.id);
  });

  it("a key whose claim's winner never opened its case opens it now", async () => {
    const { store, gateway, run } = world();
    store.claims.set("k4", "case_claimed_then_crashed");
    expect(await run(store.add(alert("k4", 2)))).toMatchObject({ opened: 1, failed: 0 });
    expect(gateway.only().id).toBe("case_claimed_then_crashed");
  });

  it("an alert on a critical asset sets the case to at least P1, and the timeline says why", async () => {
    const { store, gateway, run } = world();
    const [low, onCrown] = store.add(alert("k5", 2), alert("k5", 2));
    store.floors.set(onCrown as string, { priority: "P1", reason: "critical asset criticality" });
    await run([low as string, onCrown as string]);
    const opened = gateway.only();
    expect(opened.priority).toBe("P1");
    const events = await gateway.events(TENANT.id, opened.id);
    expect(events.find((e) => e.type === "case.priority_changed")?.reason).toBe(
      `critical asset criticality (alert ${onCrown})`,
    );
  });

  it("a key that fails stays owed and the others go on", async () => {
    const { store, gateway, run } = world();
    store.add(alert("good", 3), alert("bad", 3));
    const open = gateway.open.bind(gateway);
    gateway.open = async (request) => {
      if (request.command.title === "alert bad") throw new Error("object unreachable");
      return open(request);
    };
    const outcome = await run();
    expect(outcome).toMatchObject({ opened: 1, failed: 1 });
    expect(outcome.failures).toEqual([{ key: "bad", alerts: 1, error: "Error: object unreachable" }]);
    expect([...store.owed.values()].map((a) => a.key)).toEqual(["bad"]);
  });

  it("nothing owed costs no configuration read and no case call", async () => {
    const { store, gateway } = world();
    let loads = 0;
    const outcome = await correlateAlerts(
      {
        store,
        gateway,
        tenant: TENANT,
        loadConfig: async () => {
          loads++;
          return CONFIG;
        },
        now: T0,
      },
      ["alrt_unknown"],
    );
    expect({ outcome, loads, calls: gateway.calls }).toEqual({
      outcome: { opened: 0, linked: 0, failed: 0, failures: [] },
      loads: 0,
      calls: [],
    });
  });
});
