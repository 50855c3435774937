// The SLA engine: pure functions over a case's three clocks. The case object calls them on every
// transition and severity change, and from its alarm; instants are always passed in, so a late or
// repeated alarm sees exactly what an on-time one would.
import type { CaseSeverity, CaseStatus } from "../case-vocabulary.ts";
import { addCalendarTime, calendarTimeBetween } from "./calendar.ts";
import {
  SLA_CLOCKS,
  type SlaClock,
  type SlaClockName,
  type SlaMet,
  type SlaPolicy,
  type SlaSignal,
  type SlaState,
  type SlaStatus,
} from "./types.ts";

/** The target of one clock for a severity. */
export function slaTargetMs(policy: SlaPolicy, severity: CaseSeverity, clock: SlaClockName): number {
  const targets = policy.targets[severity];
  switch (clock) {
    case "acknowledge":
      return targets.acknowledgeMs;
    case "contain":
      return targets.containMs;
    case "resolve":
      return targets.resolveMs;
    default:
      return unreachable(clock);
  }
}

/** All three clocks start when the case opens; a case opens in `new`, so a clock paused there starts paused. */
export function startSla(policy: SlaPolicy, severity: CaseSeverity, openedAt: number): SlaState {
  const start = (name: SlaClockName): SlaClock => {
    const clock = schedule(
      {
        name,
        startedAt: openedAt,
        targetMs: slaTargetMs(policy, severity, name),
        pausedMs: 0,
        pausedSince: null,
        warnAt: openedAt,
        dueAt: openedAt,
        metAt: null,
        elapsedMs: null,
        warnedAt: null,
        breachedAt: null,
      },
      policy,
    );
    return policy.pausedIn[name].includes("new") ? { ...clock, pausedSince: openedAt } : clock;
  };
  return {
    clocks: { acknowledge: start("acknowledge"), contain: start("contain"), resolve: start("resolve") },
  };
}

/**
 * Applies a status transition to the clocks: resumes and pauses them per `policy.pausedIn`, restarts
 * the resolve clock on reopen, and meets the clocks the new status completes (each at most once).
 */
export function slaOnTransition(
  sla: SlaState,
  policy: SlaPolicy,
  from: CaseStatus,
  to: CaseStatus,
  at: number,
): { sla: SlaState; met: SlaMet[] } {
  const met: SlaMet[] = [];
  const next = mapClocks(sla, (current) => {
    let clock = current;
    const pausedInTarget = policy.pausedIn[clock.name].includes(to);
    // Resume before meeting, so a clock met straight out of a pause does not count the pause.
    if (clock.pausedSince !== null && !pausedInTarget) clock = resume(clock, policy, at);
    // Only a real reopen restarts it: resuming a case held from `reopened` also lands in `reopened`.
    const reopens = to === "reopened" && (from === "resolved" || from === "closed");
    if (reopens && clock.name === "resolve") clock = restart(clock, policy, at);
    if (clock.metAt === null && meetsOn(clock.name, from, to)) {
      if (clock.pausedSince !== null) clock = resume(clock, policy, at);
      const elapsedMs = Math.max(
        0,
        calendarTimeBetween(clock.startedAt, at, policy.calendar) - clock.pausedMs,
      );
      clock = { ...clock, metAt: at, elapsedMs };
      met.push({
        clock: clock.name,
        elapsedMs,
        dueAt: clock.dueAt,
        wallMs: at - clock.startedAt,
        warned: clock.warnedAt !== null,
        breached: clock.breachedAt !== null,
      });
    }
    if (clock.metAt === null && clock.pausedSince === null && pausedInTarget) {
      clock = { ...clock, pausedSince: at };
    }
    return clock;
  });
  return { sla: next, met };
}

/**
 * Re-targets the un-met clocks to a new severity, still counted from their start with pauses excluded.
 * A deadline that is already behind `at` fires at the next evaluation; signals that already fired stay
 * fired, so a downgrade never un-breaches a case. `at` is the change's instant, kept for symmetry with
 * the other transitions: the new deadlines depend only on the clocks' own history.
 */
export function slaOnSeverityChange(
  sla: SlaState,
  policy: SlaPolicy,
  severity: CaseSeverity,
  _at: number,
): SlaState {
  return mapClocks(sla, (clock) =>
    clock.metAt !== null
      ? clock
      : schedule({ ...clock, targetMs: slaTargetMs(policy, severity, clock.name) }, policy),
  );
}

/**
 * Warnings and breaches due at or before `now` that have not fired, oldest first (a warning before
 * a breach at the same instant). A warning that was never sent is dropped once its clock has breached.
 */
export function dueSlaSignals(sla: SlaState, now: number): SlaSignal[] {
  const due: Array<{ at: number; rank: number; signal: SlaSignal }> = [];
  for (const name of SLA_CLOCKS) {
    const clock = sla.clocks[name];
    if (!isRunning(clock)) continue;
    if (clock.warnedAt === null && clock.breachedAt === null && clock.warnAt <= now) {
      due.push({
        at: clock.warnAt,
        rank: 0,
        signal: { type: "sla.warning", clock: name, dueAt: clock.dueAt },
      });
    }
    if (clock.breachedAt === null && clock.dueAt <= now) {
      due.push({
        at: clock.dueAt,
        rank: 1,
        signal: { type: "sla.breached", clock: name, dueAt: clock.dueAt },
      });
    }
  }
  return due.sort((a, b) => a.at - b.at || a.rank - b.rank).map((entry) => entry.signal);
}

/** Records that a signal fired, so it never fires again; marking an already-fired signal changes nothing. */
export function markSlaSignal(sla: SlaState, signal: SlaSignal, at: number): SlaState {
  const clock = sla.clocks[signal.clock];
  let next: SlaClock;
  switch (signal.type) {
    case "sla.warning":
      if (clock.warnedAt !== null) return sla;
      next = { ...clock, warnedAt: at };
      break;
    case "sla.breached":
      if (clock.breachedAt !== null) return sla;
      next = { ...clock, breachedAt: at };
      break;
    default:
      return unreachable(signal.type);
  }
  return { clocks: { ...sla.clocks, [signal.clock]: next } };
}

/** The earliest warning or breach still to fire: what the case object's alarm is set to. */
export function nextSlaTimerAt(sla: SlaState): number | null {
  let next: number | null = null;
  for (const name of SLA_CLOCKS) {
    const clock = sla.clocks[name];
    if (!isRunning(clock) || clock.breachedAt !== null) continue;
    const at = clock.warnedAt === null ? clock.warnAt : clock.dueAt;
    if (next === null || at < next) next = at;
  }
  return next;
}

/** The earliest deadline of a running clock (the work-queue sort key); null when none is counting. */
export function slaDueAt(sla: SlaState): number | null {
  let due: number | null = null;
  for (const name of SLA_CLOCKS) {
    const clock = sla.clocks[name];
    if (isRunning(clock) && (due === null || clock.dueAt < due)) due = clock.dueAt;
  }
  return due;
}

/**
 * One clock's standing at `now`. A paused clock is judged at the moment it paused, a met one by the
 * time it used; a fired signal stays in force even if a later downgrade moved the deadline.
 */
export function slaClockStatus(clock: SlaClock, now: number): SlaStatus {
  if (clock.breachedAt !== null) return "breached";
  if (clock.metAt !== null) return (clock.elapsedMs ?? 0) > clock.targetMs ? "breached" : "ok";
  const asOf = clock.pausedSince === null ? now : Math.min(now, clock.pausedSince);
  if (clock.dueAt <= asOf) return "breached";
  if (clock.warnedAt !== null || clock.warnAt <= asOf) return "warning";
  return "ok";
}

/** The case's worst clock. */
export function slaStatus(sla: SlaState, now: number): SlaStatus {
  let worst: SlaStatus = "ok";
  for (const name of SLA_CLOCKS) {
    const status = slaClockStatus(sla.clocks[name], now);
    if (STATUS_RANK[status] > STATUS_RANK[worst]) worst = status;
  }
  return worst;
}

const STATUS_RANK: Record<SlaStatus, number> = { ok: 0, warning: 1, breached: 2 };

function isRunning(clock: SlaClock): boolean {
  return clock.metAt === null && clock.pausedSince === null;
}

function meetsOn(clock: SlaClockName, from: CaseStatus, to: CaseStatus): boolean {
  switch (clock) {
    case "acknowledge":
      return from === "new" && to !== "new";
    case "contain":
      return to === "contained" || to === "resolved" || to === "closed";
    case "resolve":
      return to === "resolved" || to === "closed";
    default:
      return unreachable(clock);
  }
}

/** Deadlines fall where the target (or its warning share) plus all paused time has elapsed since start. */
function schedule(clock: SlaClock, policy: SlaPolicy): SlaClock {
  const warnMs = Math.round(policy.warningRatio * clock.targetMs);
  return {
    ...clock,
    warnAt: addCalendarTime(clock.startedAt, warnMs + clock.pausedMs, policy.calendar),
    dueAt: addCalendarTime(clock.startedAt, clock.targetMs + clock.pausedMs, policy.calendar),
  };
}

/** Ends a pause: its calendar time joins pausedMs and the deadlines move out by it. */
function resume(clock: SlaClock, policy: SlaPolicy, at: number): SlaClock {
  const pausedMs = clock.pausedMs + calendarTimeBetween(clock.pausedSince ?? at, at, policy.calendar);
  return schedule({ ...clock, pausedMs, pausedSince: null }, policy);
}

/** Reopening starts the resolve clock afresh at its current target; nothing from the first run carries over. */
function restart(clock: SlaClock, policy: SlaPolicy, at: number): SlaClock {
  return schedule(
    {
      ...clock,
      startedAt: at,
      pausedMs: 0,
      pausedSince: null,
      metAt: null,
      elapsedMs: null,
      warnedAt: null,
      breachedAt: null,
    },
    policy,
  );
}

function mapClocks(sla: SlaState, fn: (clock: SlaClock) => SlaClock): SlaState {
  return {
    clocks: {
      acknowledge: fn(sla.clocks.acknowledge),
      contain: fn(sla.clocks.contain),
      resolve: fn(sla.clocks.resolve),
    },
  };
}

function unreachable(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
