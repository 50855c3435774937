import { describe, expect, it } from "vitest";
import type { CaseStatus } from "../../../domain/case/model.ts";
import {
  dueSlaSignals,
  markSlaSignal,
  nextSlaTimerAt,
  slaClockStatus,
  slaDueAt,
  slaOnSeverityChange,
  slaOnTransition,
  slaStatus,
  startSla,
} from "../../../domain/sla/clocks.ts";
import { DEFAULT_SLA_POLICY } from "../../../domain/sla/policy.ts";
import type { SlaPolicy, SlaSignal, SlaState } from "../../../domain/sla/types.ts";

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
/** Monday 2026-01-05 10:00 UTC. */
const T0 = Date.UTC(2026, 0, 5, 10, 0);
const policy = DEFAULT_SLA_POLICY;

/** Applies a walk of transitions, returning the final state and every clock met along the way. */
function walk(sla: SlaState, steps: Array<[from: CaseStatus, to: CaseStatus, at: number]>, p = policy) {
  let state = sla;
  const met: Array<{ clock: string; elapsedMs: number; dueAt: number }> = [];
  for (const [from, to, at] of steps) {
    const result = slaOnTransition(state, p, from, to, at);
    state = result.sla;
    // The durations the SLA engine judges by; the report facts beside them have their own test.
    met.push(...result.met.map(({ clock, elapsedMs, dueAt }) => ({ clock, elapsedMs, dueAt })));
  }
  return { sla: state, met };
}

function fire(sla: SlaState, signals: SlaSignal[], at: number): SlaState {
  return signals.reduce((state, signal) => markSlaSignal(state, signal, at), sla);
}

describe("startSla", () => {
  it("given a critical case, then all three clocks start at opening with the critical targets", () => {
    const sla = startSla(policy, "critical", T0);
    expect(sla.clocks.acknowledge).toEqual({
      name: "acknowledge",
      startedAt: T0,
      targetMs: 15 * MIN,
      pausedMs: 0,
      pausedSince: null,
      warnAt: T0 + 11 * MIN + 15_000,
      dueAt: T0 + 15 * MIN,
      metAt: null,
      elapsedMs: null,
      warnedAt: null,
      breachedAt: null,
    });
    expect([sla.clocks.contain.startedAt, sla.clocks.contain.warnAt, sla.clocks.contain.dueAt]).toEqual([
      T0,
      T0 + 3 * H,
      T0 + 4 * H,
    ]);
    expect([sla.clocks.resolve.startedAt, sla.clocks.resolve.warnAt, sla.clocks.resolve.dueAt]).toEqual([
      T0,
      T0 + 18 * H,
      T0 + 24 * H,
    ]);
  });

  it("given a policy that pauses resolve in new, then the resolve clock starts paused", () => {
    const pausing: SlaPolicy = { ...policy, pausedIn: { ...policy.pausedIn, resolve: ["new", "on_hold"] } };
    const sla = startSla(pausing, "high", T0);
    expect(sla.clocks.resolve.pausedSince).toBe(T0);
    expect(sla.clocks.acknowledge.pausedSince).toBeNull();
    const { sla: acked } = walk(sla, [["new", "acknowledged", T0 + 2 * H]], pausing);
    expect(acked.clocks.resolve.pausedMs).toBe(2 * H);
    expect(acked.clocks.resolve.dueAt).toBe(T0 + 74 * H);
  });

  it("given a business-hours policy, then deadlines count working time only", () => {
    const business: SlaPolicy = {
      ...policy,
      calendar: {
        kind: "business_hours",
        timeZone: "Europe/Berlin",
        weekdays: [1, 2, 3, 4, 5],
        start: "09:00",
        end: "17:00",
        holidays: [],
      },
    };
    // Friday 2026-01-16 15:00 Berlin; a medium case's 4h acknowledge target ends Monday 11:00.
    const sla = startSla(business, "medium", Date.UTC(2026, 0, 16, 14, 0));
    expect(sla.clocks.acknowledge.dueAt).toBe(Date.UTC(2026, 0, 19, 10, 0));
    expect(sla.clocks.acknowledge.warnAt).toBe(Date.UTC(2026, 0, 19, 9, 0));
  });
});

describe("pausing on on_hold", () => {
  it("given a hold of 2h, when resumed, then contain and resolve deadlines move out by 2h", () => {
    const opened = startSla(policy, "medium", T0);
    const { sla: held } = walk(opened, [
      ["new", "acknowledged", T0 + 10 * MIN],
      ["acknowledged", "in_progress", T0 + 20 * MIN],
      ["in_progress", "on_hold", T0 + 1 * H],
    ]);
    expect(held.clocks.contain.pausedSince).toBe(T0 + 1 * H);
    expect(held.clocks.resolve.pausedSince).toBe(T0 + 1 * H);
    expect(held.clocks.contain.dueAt).toBe(T0 + 24 * H);
    expect(nextSlaTimerAt(held)).toBeNull();
    expect(slaDueAt(held)).toBeNull();

    const { sla: resumed, met } = walk(held, [["on_hold", "in_progress", T0 + 3 * H]]);
    expect(met).toEqual([]);
    expect(resumed.clocks.contain).toMatchObject({
      pausedMs: 2 * H,
      pausedSince: null,
      warnAt: T0 + 20 * H,
      dueAt: T0 + 26 * H,
    });
    expect(resumed.clocks.resolve).toMatchObject({
      pausedMs: 2 * H,
      pausedSince: null,
      warnAt: T0 + 126 * H + 2 * H,
      dueAt: T0 + 7 * DAY + 2 * H,
    });
    expect(resumed.clocks.acknowledge).toEqual(held.clocks.acknowledge);
    expect(nextSlaTimerAt(resumed)).toBe(T0 + 20 * H);
    expect(slaDueAt(resumed)).toBe(T0 + 26 * H);
  });

  it("given a paused clock past its deadline, then it raises no signal until it resumes", () => {
    const { sla: held } = walk(startSla(policy, "critical", T0), [
      ["new", "acknowledged", T0 + 5 * MIN],
      ["acknowledged", "on_hold", T0 + 1 * H],
    ]);
    expect(dueSlaSignals(held, T0 + 30 * H)).toEqual([]);
    const { sla: resumed } = walk(held, [["on_hold", "in_progress", T0 + 30 * H]]);
    expect(resumed.clocks.contain.dueAt).toBe(T0 + 33 * H);
    expect(dueSlaSignals(resumed, T0 + 30 * H)).toEqual([]);
    expect(dueSlaSignals(resumed, T0 + 33 * H)).toEqual([
      { type: "sla.warning", clock: "contain", dueAt: T0 + 33 * H },
      { type: "sla.breached", clock: "contain", dueAt: T0 + 33 * H },
    ]);
  });

  it("given a business-hours hold over a weekend, then only the working hours held are excluded", () => {
    const business: SlaPolicy = {
      ...policy,
      calendar: {
        kind: "business_hours",
        timeZone: "Europe/Berlin",
        weekdays: [1, 2, 3, 4, 5],
        start: "09:00",
        end: "17:00",
        holidays: [],
      },
    };
    // Opened Thursday 2026-01-15 09:00 Berlin, contain due Monday 17:00 (24 working hours); held
    // Friday 16:00 to Monday 10:00 = 2 working hours, so due moves to Tuesday 11:00.
    const opened = startSla(business, "medium", Date.UTC(2026, 0, 15, 8, 0));
    expect(opened.clocks.contain.dueAt).toBe(Date.UTC(2026, 0, 19, 16, 0));
    const { sla } = walk(
      opened,
      [
        ["new", "in_progress", Date.UTC(2026, 0, 15, 9, 0)],
        ["in_progress", "on_hold", Date.UTC(2026, 0, 16, 15, 0)],
        ["on_hold", "in_progress", Date.UTC(2026, 0, 19, 9, 0)],
      ],
      business,
    );
    expect(sla.clocks.contain.pausedMs).toBe(2 * H);
    expect(sla.clocks.contain.dueAt).toBe(Date.UTC(2026, 0, 20, 10, 0));
  });
});

describe("severity changes", () => {
  it("given a medium case, when raised to critical after 10 minutes, then deadlines move earlier", () => {
    const sla = slaOnSeverityChange(startSla(policy, "medium", T0), policy, "critical", T0 + 10 * MIN);
    expect(sla.clocks.acknowledge).toMatchObject({
      startedAt: T0,
      targetMs: 15 * MIN,
      warnAt: T0 + 11 * MIN + 15_000,
      dueAt: T0 + 15 * MIN,
    });
    expect(sla.clocks.contain).toMatchObject({ targetMs: 4 * H, dueAt: T0 + 4 * H });
    expect(sla.clocks.resolve).toMatchObject({ targetMs: 24 * H, dueAt: T0 + 24 * H });
    expect(nextSlaTimerAt(sla)).toBe(T0 + 11 * MIN + 15_000);
    expect(dueSlaSignals(sla, T0 + 10 * MIN)).toEqual([]);
  });

  it("given the new deadline has already passed, then the breach fires at the next evaluation", () => {
    const raisedAt = T0 + 20 * MIN;
    const sla = slaOnSeverityChange(startSla(policy, "medium", T0), policy, "critical", raisedAt);
    expect(nextSlaTimerAt(sla)).toBe(T0 + 11 * MIN + 15_000);
    expect(dueSlaSignals(sla, raisedAt)).toEqual([
      { type: "sla.warning", clock: "acknowledge", dueAt: T0 + 15 * MIN },
      { type: "sla.breached", clock: "acknowledge", dueAt: T0 + 15 * MIN },
    ]);
    expect(slaStatus(sla, raisedAt)).toBe("breached");
  });

  it("given a paused clock, when the severity changes, then the new deadline still excludes the pause", () => {
    const { sla: resumed } = walk(startSla(policy, "low", T0), [
      ["new", "acknowledged", T0 + 1 * H],
      ["acknowledged", "on_hold", T0 + 2 * H],
      ["on_hold", "in_progress", T0 + 5 * H],
    ]);
    const sla = slaOnSeverityChange(resumed, policy, "high", T0 + 6 * H);
    expect(sla.clocks.contain).toMatchObject({ targetMs: 8 * H, pausedMs: 3 * H, dueAt: T0 + 11 * H });
    expect(sla.clocks.resolve).toMatchObject({ targetMs: 72 * H, pausedMs: 3 * H, dueAt: T0 + 75 * H });
    // The met acknowledge clock keeps the target it was met against.
    expect(sla.clocks.acknowledge).toEqual(resumed.clocks.acknowledge);
  });

  it("given a breach already fired, when the severity is lowered, then it stays breached and does not re-fire", () => {
    const opened = startSla(policy, "critical", T0);
    const fired = fire(opened, dueSlaSignals(opened, T0 + 20 * MIN), T0 + 20 * MIN);
    const lowered = slaOnSeverityChange(fired, policy, "low", T0 + 25 * MIN);
    expect(lowered.clocks.acknowledge).toMatchObject({
      targetMs: 24 * H,
      dueAt: T0 + 24 * H,
      warnedAt: T0 + 20 * MIN,
      breachedAt: T0 + 20 * MIN,
    });
    expect(slaClockStatus(lowered.clocks.acknowledge, T0 + 25 * MIN)).toBe("breached");
    expect(dueSlaSignals(lowered, T0 + 54 * H)).toEqual([
      { type: "sla.warning", clock: "contain", dueAt: T0 + 72 * H },
    ]);
  });
});

describe("warnings and breaches", () => {
  it("given an on-time alarm, then the warning and the breach each fire exactly once", () => {
    const opened = startSla(policy, "critical", T0);
    const warnAt = T0 + 11 * MIN + 15_000;
    expect(dueSlaSignals(opened, warnAt - 1)).toEqual([]);

    const warning = dueSlaSignals(opened, warnAt);
    expect(warning).toEqual([{ type: "sla.warning", clock: "acknowledge", dueAt: T0 + 15 * MIN }]);
    const warned = fire(opened, warning, warnAt);
    expect(dueSlaSignals(warned, warnAt)).toEqual([]);
    expect(nextSlaTimerAt(warned)).toBe(T0 + 15 * MIN);

    const breach = dueSlaSignals(warned, T0 + 15 * MIN);
    expect(breach).toEqual([{ type: "sla.breached", clock: "acknowledge", dueAt: T0 + 15 * MIN }]);
    const breached = fire(warned, breach, T0 + 15 * MIN);
    // A repeated alarm at the same instant, and a later one, find nothing more for this clock.
    expect(dueSlaSignals(breached, T0 + 15 * MIN)).toEqual([]);
    expect(dueSlaSignals(breached, T0 + 2 * H)).toEqual([]);
    expect(breached.clocks.acknowledge).toMatchObject({ warnedAt: warnAt, breachedAt: T0 + 15 * MIN });
  });

  it("given a late alarm past several timers, then all come back once, oldest first", () => {
    const opened = startSla(policy, "critical", T0);
    const late = T0 + 3 * H + 30 * MIN;
    const signals = dueSlaSignals(opened, late);
    expect(signals).toEqual([
      { type: "sla.warning", clock: "acknowledge", dueAt: T0 + 15 * MIN },
      { type: "sla.breached", clock: "acknowledge", dueAt: T0 + 15 * MIN },
      { type: "sla.warning", clock: "contain", dueAt: T0 + 4 * H },
    ]);
    const fired = fire(opened, signals, late);
    expect(dueSlaSignals(fired, late)).toEqual([]);
    expect(nextSlaTimerAt(fired)).toBe(T0 + 4 * H);
    expect(fired.clocks.acknowledge).toMatchObject({ warnedAt: late, breachedAt: late });
  });

  it("given a signal marked twice, then the second mark changes nothing", () => {
    const opened = startSla(policy, "high", T0);
    const [warning] = dueSlaSignals(opened, T0 + 45 * MIN);
    if (!warning) throw new Error("expected a warning");
    const once = markSlaSignal(opened, warning, T0 + 45 * MIN);
    const twice = markSlaSignal(once, warning, T0 + 50 * MIN);
    expect(twice).toEqual(once);
    expect(twice.clocks.acknowledge.warnedAt).toBe(T0 + 45 * MIN);
  });

  it("given a met clock, then its deadlines raise nothing", () => {
    const { sla } = walk(startSla(policy, "critical", T0), [["new", "acknowledged", T0 + 5 * MIN]]);
    expect(dueSlaSignals(sla, T0 + 1 * H)).toEqual([]);
  });
});

describe("TTA, TTC and TTR", () => {
  it("given a case worked to closure, then each clock is met once with its calendar time, pauses excluded", () => {
    const opened = startSla(policy, "medium", T0);
    const steps: Array<[CaseStatus, CaseStatus, number]> = [
      ["new", "acknowledged", T0 + 30 * MIN],
      ["acknowledged", "in_progress", T0 + 40 * MIN],
      ["in_progress", "on_hold", T0 + 1 * H],
      ["on_hold", "in_progress", T0 + 2 * H],
      ["in_progress", "contained", T0 + 5 * H],
      ["contained", "resolved", T0 + 10 * H],
      ["resolved", "closed", T0 + 11 * H],
    ];
    const { sla, met } = walk(opened, steps);
    expect(met).toEqual([
      { clock: "acknowledge", elapsedMs: 30 * MIN, dueAt: T0 + 4 * H },
      { clock: "contain", elapsedMs: 4 * H, dueAt: T0 + 25 * H },
      { clock: "resolve", elapsedMs: 9 * H, dueAt: T0 + 7 * DAY + 1 * H },
    ]);
    expect([sla.clocks.acknowledge.metAt, sla.clocks.contain.metAt, sla.clocks.resolve.metAt]).toEqual([
      T0 + 30 * MIN,
      T0 + 5 * H,
      T0 + 10 * H,
    ]);
    expect(nextSlaTimerAt(sla)).toBeNull();
    expect(slaDueAt(sla)).toBeNull();
    expect(slaStatus(sla, T0 + 30 * DAY)).toBe("ok");
  });

  it("given a case resolved straight from new, then all three clocks are met by that one transition", () => {
    const { met } = walk(startSla(policy, "high", T0), [["new", "resolved", T0 + 20 * MIN]]);
    expect(met).toEqual([
      { clock: "acknowledge", elapsedMs: 20 * MIN, dueAt: T0 + 1 * H },
      { clock: "contain", elapsedMs: 20 * MIN, dueAt: T0 + 8 * H },
      { clock: "resolve", elapsedMs: 20 * MIN, dueAt: T0 + 72 * H },
    ]);
  });

  it("given a case resolved straight out of on_hold, then the pause in progress is not counted", () => {
    const { met, sla } = walk(startSla(policy, "high", T0), [
      ["new", "acknowledged", T0 + 10 * MIN],
      ["acknowledged", "on_hold", T0 + 1 * H],
      ["on_hold", "resolved", T0 + 6 * H],
    ]);
    expect(met).toEqual([
      { clock: "acknowledge", elapsedMs: 10 * MIN, dueAt: T0 + 1 * H },
      { clock: "contain", elapsedMs: 1 * H, dueAt: T0 + 13 * H },
      { clock: "resolve", elapsedMs: 1 * H, dueAt: T0 + 77 * H },
    ]);
    expect(sla.clocks.resolve).toMatchObject({ pausedMs: 5 * H, pausedSince: null, metAt: T0 + 6 * H });
  });

  it("given a clock met after its deadline, then its status is breached even though no alarm fired", () => {
    const { sla } = walk(startSla(policy, "critical", T0), [["new", "acknowledged", T0 + 20 * MIN]]);
    expect(sla.clocks.acknowledge.elapsedMs).toBe(20 * MIN);
    expect(slaClockStatus(sla.clocks.acknowledge, T0 + 20 * MIN)).toBe("breached");
  });
});

describe("reopening", () => {
  it("given a resolved case, when reopened, then only the resolve clock restarts, fresh", () => {
    const opened = startSla(policy, "critical", T0);
    const { sla: resolved } = walk(opened, [
      ["new", "acknowledged", T0 + 5 * MIN],
      ["acknowledged", "contained", T0 + 1 * H],
    ]);
    // Let resolve warn and breach before it is finally resolved, so the restart has something to clear.
    const late = fire(resolved, dueSlaSignals(resolved, T0 + 25 * H), T0 + 25 * H);
    expect(late.clocks.resolve.breachedAt).toBe(T0 + 25 * H);
    const { sla: done, met } = walk(late, [["contained", "resolved", T0 + 26 * H]]);
    expect(met).toEqual([{ clock: "resolve", elapsedMs: 26 * H, dueAt: T0 + 24 * H }]);

    const reopenedAt = T0 + 30 * H;
    const { sla: reopened, met: reopenMet } = walk(done, [["resolved", "reopened", reopenedAt]]);
    expect(reopenMet).toEqual([]);
    expect(reopened.clocks.resolve).toEqual({
      name: "resolve",
      startedAt: reopenedAt,
      targetMs: 24 * H,
      pausedMs: 0,
      pausedSince: null,
      warnAt: reopenedAt + 18 * H,
      dueAt: reopenedAt + 24 * H,
      metAt: null,
      elapsedMs: null,
      warnedAt: null,
      breachedAt: null,
    });
    expect(reopened.clocks.acknowledge).toEqual(done.clocks.acknowledge);
    expect(reopened.clocks.contain).toEqual(done.clocks.contain);
    expect(nextSlaTimerAt(reopened)).toBe(reopenedAt + 18 * H);
    expect(slaDueAt(reopened)).toBe(reopenedAt + 24 * H);

    const { met: again } = walk(reopened, [
      ["reopened", "in_progress", reopenedAt + 1 * H],
      ["in_progress", "resolved", reopenedAt + 3 * H],
      ["resolved", "closed", reopenedAt + 4 * H],
    ]);
    expect(again).toEqual([{ clock: "resolve", elapsedMs: 3 * H, dueAt: reopenedAt + 24 * H }]);
  });
});

describe("what a met clock tells the reports", () => {
  it("given a reopened case held and resumed, when resolved, then its resolve clock ran from the reopen, not the resume", () => {
    const opened = startSla(policy, "critical", T0);
    const { sla: done } = walk(opened, [
      ["new", "acknowledged", T0 + 5 * MIN],
      ["acknowledged", "resolved", T0 + 1 * H],
    ]);
    const reopenedAt = T0 + 2 * H;
    const { sla: resumed } = walk(done, [
      ["resolved", "reopened", reopenedAt],
      ["reopened", "on_hold", reopenedAt + 1 * H],
      // Resuming lands in `reopened` again: the clock resumes, it does not start over.
      ["on_hold", "reopened", reopenedAt + 3 * H],
    ]);
    expect(resumed.clocks.resolve.startedAt).toBe(reopenedAt);
    expect(resumed.clocks.resolve.pausedMs).toBe(2 * H);
    const warned = fire(resumed, dueSlaSignals(resumed, reopenedAt + 22 * H), reopenedAt + 22 * H);
    const { met } = slaOnTransition(warned, policy, "reopened", "resolved", reopenedAt + 23 * H);
    expect(met).toEqual([
      {
        clock: "resolve",
        elapsedMs: 21 * H,
        dueAt: reopenedAt + 26 * H,
        wallMs: 23 * H,
        warned: true,
        breached: false,
      },
    ]);
  });
});

describe("nextSlaTimerAt and slaStatus", () => {
  it("given a case moving through its clocks, then the timer follows the earliest pending one", () => {
    const opened = startSla(policy, "critical", T0);
    expect(nextSlaTimerAt(opened)).toBe(T0 + 11 * MIN + 15_000);
    const warned = fire(opened, dueSlaSignals(opened, T0 + 12 * MIN), T0 + 12 * MIN);
    expect(nextSlaTimerAt(warned)).toBe(T0 + 15 * MIN);
    const { sla: acked } = walk(warned, [["new", "acknowledged", T0 + 13 * MIN]]);
    expect(nextSlaTimerAt(acked)).toBe(T0 + 3 * H);
    const { sla: contained } = walk(acked, [["acknowledged", "contained", T0 + 2 * H]]);
    expect(nextSlaTimerAt(contained)).toBe(T0 + 18 * H);
    const { sla: resolved } = walk(contained, [["contained", "resolved", T0 + 4 * H]]);
    expect(nextSlaTimerAt(resolved)).toBeNull();
  });

  it("given the time, then the status is ok, then warning, then breached", () => {
    const opened = startSla(policy, "critical", T0);
    expect(slaStatus(opened, T0 + 11 * MIN)).toBe("ok");
    expect(slaStatus(opened, T0 + 11 * MIN + 15_000)).toBe("warning");
    expect(slaStatus(opened, T0 + 15 * MIN)).toBe("breached");
    expect(slaDueAt(opened)).toBe(T0 + 15 * MIN);
  });

  it("given a clock paused before its warning point, then it stays ok however long the hold lasts", () => {
    const { sla } = walk(startSla(policy, "critical", T0), [
      ["new", "acknowledged", T0 + 5 * MIN],
      ["acknowledged", "on_hold", T0 + 1 * H],
    ]);
    expect(slaStatus(sla, T0 + 10 * DAY)).toBe("ok");
  });
});
