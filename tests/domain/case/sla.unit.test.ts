// The SLA engine seen through the case's events: clocks start on opening, transitions meet them,
// holds pause them, and a breach raises priority and moves the case to the lead queue, once.
import { describe, expect, it } from "vitest";
import { onSlaSignal, SLA_ACTOR } from "../../../domain/case/decide.ts";
import type { CaseEvent } from "../../../domain/case/model.ts";
import { dueSlaSignals } from "../../../domain/sla/clocks.ts";
import { DEFAULT_SLA_POLICY } from "../../../domain/sla/policy.ts";
import type { SlaSignal } from "../../../domain/sla/types.ts";
import {
  ANALYST,
  applyAll,
  CASE_ID,
  CONFIG,
  caseIn,
  eventsOf,
  HOUR,
  MINUTE,
  OPEN,
  opened,
  reviewAll,
  type Story,
  step,
  T0,
  when,
} from "./given.ts";

/** What the case object's alarm does: every signal due at `now`, each against the state it left. */
function alarm(story: Story, now: number): { story: Story; events: CaseEvent[] } {
  let state = story.state;
  const events: CaseEvent[] = [];
  for (const signal of dueSlaSignals(state.sla, now)) {
    const caused = onSlaSignal(state, signal, now);
    state = applyAll(state, caused) ?? state;
    events.push(...caused);
  }
  return { story: { state, log: [...story.log, ...events], now }, events };
}

const breach = (clock: SlaSignal["clock"], dueAt: number): SlaSignal => ({
  type: "sla.breached",
  clock,
  dueAt,
});

describe("opening", () => {
  it("starts all three clocks at the opening, with the severity's targets", () => {
    const { clocks } = opened().state.sla;
    expect(clocks.acknowledge).toEqual({
      name: "acknowledge",
      startedAt: T0,
      targetMs: HOUR,
      pausedMs: 0,
      pausedSince: null,
      warnAt: T0 + 45 * MINUTE,
      dueAt: T0 + HOUR,
      metAt: null,
      elapsedMs: null,
      warnedAt: null,
      breachedAt: null,
    });
    expect([clocks.contain.dueAt, clocks.resolve.dueAt]).toEqual([T0 + 8 * HOUR, T0 + 72 * HOUR]);
  });

  it("copies the tenant's policy onto the case, so later policy edits do not move its deadlines", () => {
    const state = applyAll(
      null,
      eventsOf(when(null, OPEN, { now: T0, config: { ...CONFIG, slaPolicy: DEFAULT_SLA_POLICY } })),
    );
    expect(state?.slaPolicy).toEqual(DEFAULT_SLA_POLICY);
    expect(state?.sla.clocks.acknowledge.dueAt).toBe(T0 + DEFAULT_SLA_POLICY.targets.high.acknowledgeMs);
  });
});

describe("transitions meet clocks", () => {
  it("acknowledging emits sla.met for the acknowledge clock, with the time it took", () => {
    const decision = when(opened().state, { type: "acknowledge" }, { now: T0 + 10 * MINUTE });
    expect(eventsOf(decision)).toEqual([
      { type: "case.acknowledged", at: T0 + 10 * MINUTE, actor: ANALYST, from: "new", to: "acknowledged" },
      {
        type: "sla.met",
        at: T0 + 10 * MINUTE,
        actor: ANALYST,
        clock: "acknowledge",
        elapsedMs: 10 * MINUTE,
        dueAt: T0 + HOUR,
        severity: "high",
        wallMs: 10 * MINUTE,
        warned: false,
        breached: false,
      },
    ]);
    const state = applyAll(opened().state, eventsOf(decision));
    expect(state?.sla.clocks.acknowledge).toMatchObject({ metAt: T0 + 10 * MINUTE, elapsedMs: 10 * MINUTE });
  });

  it("starting straight from new also acknowledges", () => {
    const events = eventsOf(when(opened().state, { type: "start" }, { now: T0 + 5 * MINUTE }));
    expect(events.map((e) => (e.type === "sla.met" ? `met:${e.clock}` : e.type))).toEqual([
      "case.started",
      "met:acknowledge",
    ]);
  });

  it("containing meets the contain clock, and resolving then meets only resolve", () => {
    const contained = step(
      step(opened(), { type: "acknowledge" }),
      { type: "contain" },
      { now: T0 + 3 * HOUR },
    );
    expect(contained.log.at(-1)).toMatchObject({ type: "sla.met", clock: "contain", elapsedMs: 3 * HOUR });
    const resolved = eventsOf(
      when(contained.state, { type: "resolve", resolution: "true_positive" }, { now: T0 + 5 * HOUR }),
    );
    expect(resolved.filter((e) => e.type === "sla.met")).toEqual([
      {
        type: "sla.met",
        at: T0 + 5 * HOUR,
        actor: ANALYST,
        clock: "resolve",
        elapsedMs: 5 * HOUR,
        dueAt: T0 + 72 * HOUR,
        severity: "high",
        wallMs: 5 * HOUR,
        warned: false,
        breached: false,
      },
    ]);
  });

  it("resolving without containing meets contain and resolve together", () => {
    const given = step(opened(), { type: "acknowledge" }, { now: T0 + MINUTE });
    const events = eventsOf(
      when(given.state, { type: "resolve", resolution: "false_positive" }, { now: T0 + HOUR }),
    );
    expect(events.flatMap((e) => (e.type === "sla.met" ? [e.clock] : []))).toEqual(["contain", "resolve"]);
  });

  it("a transition that meets nothing emits no sla.met", () => {
    const given = caseIn("in_progress");
    expect(
      eventsOf(when(given.state, { type: "hold" }, { now: given.now + MINUTE })).map((e) => e.type),
    ).toEqual(["case.held"]);
  });

  it("reopening restarts the resolve clock from the reopening", () => {
    const reopened = step(caseIn("resolved"), { type: "reopen" }, { now: T0 + 10 * HOUR });
    expect(reopened.state.sla.clocks.resolve).toMatchObject({
      startedAt: T0 + 10 * HOUR,
      metAt: null,
      dueAt: T0 + 10 * HOUR + 72 * HOUR,
    });
  });
});

describe("holding pauses the resolve clock", () => {
  it("moves the deadlines out by the time on hold", () => {
    let story = step(opened(), { type: "acknowledge" }, { now: T0 + 10 * MINUTE });
    story = step(story, { type: "start" }, { now: T0 + 20 * MINUTE });
    story = step(story, { type: "hold" }, { now: T0 + HOUR });
    expect(story.state.sla.clocks.resolve.pausedSince).toBe(T0 + HOUR);

    // While held, even a long-overdue alarm for the resolve clock does nothing.
    const { events } = alarm(story, T0 + 80 * HOUR);
    expect(events).toEqual([]);
    expect(onSlaSignal(story.state, breach("resolve", T0 + 72 * HOUR), T0 + 80 * HOUR)).toEqual([]);

    story = step(story, { type: "resume" }, { now: T0 + 3 * HOUR });
    expect(story.state.sla.clocks.resolve).toMatchObject({
      pausedSince: null,
      pausedMs: 2 * HOUR,
      dueAt: T0 + 74 * HOUR,
    });
    // Acknowledge was met before the hold and does not move.
    expect(story.state.sla.clocks.acknowledge.dueAt).toBe(T0 + HOUR);
  });
});

describe("severity changes re-target the clocks", () => {
  it("upgrading to critical pulls the acknowledge deadline in", () => {
    const story = step(opened(), { type: "change_severity", severity: "critical" }, { now: T0 + 5 * MINUTE });
    expect(story.state.sla.clocks.acknowledge.dueAt).toBe(T0 + 15 * MINUTE);
  });

  it("an alarm set for the old deadline is ignored after a downgrade", () => {
    const story = step(opened(), { type: "change_severity", severity: "low" }, { now: T0 + 5 * MINUTE });
    expect(onSlaSignal(story.state, breach("acknowledge", T0 + HOUR), T0 + HOUR)).toEqual([]);
  });
});

describe("breach escalation", () => {
  it("a warning is only recorded", () => {
    const story = opened();
    const now = T0 + 45 * MINUTE;
    const events = onSlaSignal(
      story.state,
      { type: "sla.warning", clock: "acknowledge", dueAt: T0 + HOUR },
      now,
    );
    expect(events).toEqual([
      { type: "sla.warning", at: now, actor: SLA_ACTOR, clock: "acknowledge", dueAt: T0 + HOUR },
    ]);
    const state = applyAll(story.state, events);
    expect(state).toMatchObject({ priority: "P2", queue: "triage" });
    expect(state?.sla.clocks.acknowledge.warnedAt).toBe(now);
  });

  it("a breach raises priority one step and moves the case to the lead queue", () => {
    const story = opened();
    const now = T0 + HOUR;
    const events = onSlaSignal(story.state, breach("acknowledge", T0 + HOUR), now);
    expect(events).toEqual([
      {
        type: "sla.breached",
        at: now,
        actor: SLA_ACTOR,
        clock: "acknowledge",
        dueAt: T0 + HOUR,
        severity: "high",
      },
      {
        type: "case.priority_changed",
        at: now,
        actor: { kind: "system", id: "sla" },
        reason: "acknowledge SLA breached",
        from: "P2",
        to: "P1",
      },
      {
        type: "case.escalated",
        at: now,
        actor: { kind: "system", id: "sla" },
        reason: "acknowledge SLA breached",
        tier: null,
        team: null,
        queue: "lead",
        auto: true,
      },
    ]);
    const state = applyAll(story.state, events);
    expect(state).toMatchObject({ priority: "P1", queue: "lead", tier: "L1" });
    expect(state?.sla.clocks.acknowledge.breachedAt).toBe(now);
  });

  it.each([
    ["P4", "P3"],
    ["P3", "P2"],
    ["P2", "P1"],
  ] as const)("raises %s to %s", (from, to) => {
    const story = opened({ ...OPEN, priority: from } as typeof OPEN);
    const events = onSlaSignal(story.state, breach("acknowledge", T0 + HOUR), T0 + HOUR);
    expect(events.find((e) => e.type === "case.priority_changed")).toMatchObject({ from, to });
  });

  it("leaves P1 where it is and still escalates", () => {
    const story = opened({ ...OPEN, priority: "P1" } as typeof OPEN);
    const events = onSlaSignal(story.state, breach("acknowledge", T0 + HOUR), T0 + HOUR);
    expect(events.map((e) => e.type)).toEqual(["sla.breached", "case.escalated"]);
  });

  it("a breach signal applied twice changes nothing the second time", () => {
    const once = alarm(opened(), T0 + HOUR).story;
    expect(once.state).toMatchObject({ priority: "P1", queue: "lead" });

    // A repeated alarm: no events at all.
    expect(onSlaSignal(once.state, breach("acknowledge", T0 + HOUR), T0 + HOUR + MINUTE)).toEqual([]);
    expect(alarm(once, T0 + 2 * HOUR).events).toEqual([]);

    // The same breach event folded again (a duplicate delivery) leaves the clocks as they were.
    const breachEvent = once.log.find((e) => e.type === "sla.breached");
    if (!breachEvent) throw new Error("expected a breach event");
    const twice = applyAll(once.state, [breachEvent]);
    expect(twice?.sla).toEqual(once.state.sla);
    expect(twice?.sla.clocks.acknowledge.breachedAt).toBe(T0 + HOUR);
  });

  it("a late alarm fires the warning and the breach in order, then nothing more", () => {
    const { story, events } = alarm(opened(), T0 + 2 * HOUR);
    expect(
      events.map((e) => (e.type.startsWith("sla.") && "clock" in e ? `${e.type}:${e.clock}` : e.type)),
    ).toEqual([
      "sla.warning:acknowledge",
      "sla.breached:acknowledge",
      "case.priority_changed",
      "case.escalated",
    ]);
    expect(alarm(story, T0 + 2 * HOUR).events).toEqual([]);
  });

  it("a signal before its deadline does nothing", () => {
    expect(onSlaSignal(opened().state, breach("acknowledge", T0 + HOUR), T0 + HOUR - 1)).toEqual([]);
  });

  it("a closed case takes no signals", () => {
    const closed = step(reviewAll(caseIn("resolved")), { type: "close" });
    expect(closed.state.status).toBe("closed");
    expect(onSlaSignal(closed.state, breach("resolve", T0), T0 + 1000 * HOUR)).toEqual([]);
  });

  it("escalation on breach does not depend on who holds the case", () => {
    const story = step(opened(), { type: "assign", assignee: "prn_analyst_1" }, { now: T0 + MINUTE });
    const after = alarm(story, T0 + HOUR).story.state;
    expect(after).toMatchObject({ assignee: "prn_analyst_1", queue: "lead", id: CASE_ID });
  });
});
