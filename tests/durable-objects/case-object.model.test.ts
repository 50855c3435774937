// Model-based test: random command sequences run against a real CaseObject and against the pure
// model (decide/evolve in memory). After every command both must agree on the outcome and the
// case's observable state; any divergence is a bug in the object's storage or sequencing.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide } from "../../domain/case/decide.ts";
import { evolve } from "../../domain/case/evolve.ts";
import {
  type Actor,
  CASE_PRIORITIES,
  CASE_SEVERITIES,
  type CaseCommand,
  type CaseConfig,
  type CaseState,
  RESOLUTIONS,
} from "../../domain/case/model.ts";
import { newId } from "../../domain/ids.ts";
import { DEFAULT_SLA_POLICY } from "../../domain/sla/policy.ts";
import type { CaseObject } from "../../durable-objects/case-object.ts";
import { createTenant } from "../support/world.ts";

const CONFIG: CaseConfig = { slaPolicy: DEFAULT_SLA_POLICY, reopenWindowMs: 7 * 24 * 3_600_000 };
const ACTOR: Actor = { kind: "user", id: "prn_model" };

interface Model {
  state: CaseState;
  version: number;
}
interface Real {
  stub: DurableObjectStub<CaseObject>;
}

const stats = { sequences: 0, commands: 0, accepted: 0, refused: 0, divergences: 0 };

/** What both sides must agree on; timestamps and comment ids legitimately differ. */
function observable(state: CaseState) {
  return {
    status: state.status,
    severity: state.severity,
    priority: state.priority,
    assignee: state.assignee,
    queue: state.queue,
    tier: state.tier,
    team: state.team,
    resolution: state.resolution,
    alerts: state.alerts,
    commentCount: state.commentCount,
    mergedInto: state.mergedInto,
    heldFrom: state.heldFrom,
  };
}

class Apply implements fc.AsyncCommand<Model, Real> {
  readonly command: CaseCommand;
  constructor(command: CaseCommand) {
    this.command = command;
  }
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    stats.commands++;
    const expected = decide({ command: this.command, actor: ACTOR }, model.state, {
      now: Date.now(),
      config: CONFIG,
      newCommentId: () => newId("comment"),
    });
    const actual = await real.stub.command({
      expectedVersion: model.version,
      envelope: { command: this.command, actor: ACTOR },
    });

    if (!expected.ok) {
      stats.refused++;
      if (actual.ok || actual.error.code !== expected.error.code) stats.divergences++;
      expect(actual.ok ? "accepted" : actual.error.code).toBe(expected.error.code);
      return;
    }
    if (!actual.ok) stats.divergences++;
    expect(actual.ok, actual.ok ? "" : actual.error.message).toBe(true);
    if (!actual.ok) return;
    stats.accepted++;
    if (expected.events.length > 0) {
      model.state = expected.events.reduce((s, e) => evolve(s, e), model.state);
      model.version++;
    }
    const same = JSON.stringify(observable(actual.state)) === JSON.stringify(observable(model.state));
    if (!same || actual.version !== model.version) stats.divergences++;
    expect(observable(actual.state)).toEqual(observable(model.state));
    expect(actual.version).toBe(model.version);
    expect(actual.events.map((e) => e.type)).toEqual(expected.events.map((e) => e.type));
  }
  toString(): string {
    return JSON.stringify(this.command);
  }
}

const alertId = fc.constantFrom("alrt_01jz0000000000000000000001", "alrt_01jz0000000000000000000002");
const commands = [
  ...(["acknowledge", "start", "hold", "resume", "contain", "close", "reopen", "unassign"] as const).map(
    (type) => fc.constant(new Apply({ type })),
  ),
  fc.constantFrom(...RESOLUTIONS).map((resolution) => new Apply({ type: "resolve", resolution })),
  fc.constantFrom("prn_1", "prn_2").map((assignee) => new Apply({ type: "assign", assignee })),
  fc.constantFrom(...CASE_SEVERITIES).map((severity) => new Apply({ type: "change_severity", severity })),
  fc.constantFrom(...CASE_PRIORITIES).map((priority) => new Apply({ type: "change_priority", priority })),
  fc.constantFrom("L2", "L3" as const).map((tier) => new Apply({ type: "escalate", tier })),
  fc.string({ minLength: 1, maxLength: 20 }).map((body) => new Apply({ type: "comment", body })),
  alertId.map((id) => new Apply({ type: "link_alert", alertId: id })),
  alertId.map((id) => new Apply({ type: "unlink_alert", alertId: id })),
  alertId.map((id) => new Apply({ type: "review_alert", alertId: id })),
];

describe("CaseObject against the pure model", () => {
  it("agrees on every outcome over at least 500 random command sequences", async () => {
    const tenant = await createTenant();
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 14 }), async (sequence) => {
        stats.sequences++;
        const caseId = newId("case");
        const stub = env.CASES.getByName(`${tenant.id}:${caseId}`);
        const open = { type: "open" as const, caseId, title: "Model case", severity: "medium" as const };
        const opened = await stub.open({
          tenantId: tenant.id,
          caseId,
          d1Binding: tenant.d1Binding,
          config: CONFIG,
          command: open,
          actor: ACTOR,
        });
        if (!opened.ok) throw new Error(opened.error.message);
        const initial = evolve(null, {
          type: "case.opened",
          at: opened.state.openedAt,
          actor: ACTOR,
          caseId,
          title: "Model case",
          description: "",
          severity: "medium",
          priority: opened.state.priority,
          alertIds: [],
          slaPolicy: CONFIG.slaPolicy,
        });
        await fc.asyncModelRun(() => ({ model: { state: initial, version: 1 }, real: { stub } }), sequence);
      }),
      { numRuns: 500 },
    );
    console.log(
      `model-based: sequences ${stats.sequences}, commands ${stats.commands}, accepted ${stats.accepted}, refused ${stats.refused}, divergences ${stats.divergences}`,
    );
    expect(stats.sequences).toBeGreaterThanOrEqual(500);
    expect(stats.divergences).toBe(0);
  });
});
