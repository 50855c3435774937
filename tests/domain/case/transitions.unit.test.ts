// The generated lifecycle table: every state × every command, each from a case that reached its state
// through real commands. Allowed pairs must produce the table's target and the right event; refused
// pairs must say invalid_transition, naming the state and the command.
import { afterAll, describe, expect, it } from "vitest";
import { wasEscalated as escalatedIn } from "../../../domain/case/decide.ts";
import { fold } from "../../../domain/case/evolve.ts";
import {
  CASE_STATUSES,
  type CaseCommand,
  type CaseCommandType,
  type CaseEventType,
  type CaseState,
  type CaseStatus,
} from "../../../domain/case/model.ts";
import { CASE_TRANSITIONS, transitionFor } from "../../../domain/case/transitions.ts";
import { ANALYST, applyAll, CASE_ID, caseIn, MINUTE, OPEN, reviewAll, type Story, when } from "./given.ts";

const REASON = "table check";

interface Sample<C extends CaseCommandType> {
  command: Extract<CaseCommand, { type: C }>;
  event: CaseEventType;
  /** The command-specific fields of the event, given the case it was applied to. */
  payload: (given: CaseState) => Record<string, unknown>;
  /** Brings the case to where the command's guards pass, through real commands. */
  arrange?: (story: Story) => Story;
}

// A mapped type, so the compiler insists on one sample per command type: the table cannot miss one.
const SAMPLES: { [C in CaseCommandType]: Sample<C> } = {
  open: {
    command: { type: "open", caseId: "case_other", title: "Another", severity: "low" },
    event: "case.opened",
    payload: () => ({}),
  },
  acknowledge: { command: { type: "acknowledge" }, event: "case.acknowledged", payload: () => ({}) },
  start: { command: { type: "start" }, event: "case.started", payload: () => ({}) },
  hold: { command: { type: "hold" }, event: "case.held", payload: () => ({}) },
  resume: { command: { type: "resume" }, event: "case.resumed", payload: () => ({}) },
  contain: { command: { type: "contain" }, event: "case.contained", payload: () => ({}) },
  resolve: {
    command: { type: "resolve", resolution: "false_positive" },
    event: "case.resolved",
    payload: (given) => ({ resolution: "false_positive", escalated: escalatedIn(given) }),
  },
  close: {
    command: { type: "close" },
    event: "case.closed",
    payload: () => ({}),
    // The closure guard wants every linked alert reviewed, which is only possible where reviews are.
    arrange: (story) => (transitionFor(story.state.status, "review_alert") ? reviewAll(story) : story),
  },
  reopen: {
    command: { type: "reopen" },
    event: "case.reopened",
    // What the reports counted for the resolution the reopen takes back.
    payload: (given) => ({
      undoes:
        given.resolution !== null && given.resolvedAt !== null
          ? { resolution: given.resolution, resolvedAt: given.resolvedAt, escalated: escalatedIn(given) }
          : null,
    }),
  },
  merge_into: {
    command: { type: "merge_into", targetCaseId: "case_target" },
    event: "case.merged",
    payload: (given) => ({
      into: "case_target",
      alertIds: Object.keys(given.alerts),
      escalated: escalatedIn(given),
    }),
  },
  assign: {
    command: { type: "assign", assignee: "prn_analyst_2" },
    event: "case.assigned",
    payload: () => ({ assignee: "prn_analyst_2", previous: "prn_analyst_1" }),
  },
  unassign: {
    command: { type: "unassign" },
    event: "case.unassigned",
    payload: () => ({ previous: "prn_analyst_1" }),
  },
  change_severity: {
    command: { type: "change_severity", severity: "critical" },
    event: "case.severity_changed",
    payload: () => ({ from: "high", to: "critical" }),
  },
  change_priority: {
    command: { type: "change_priority", priority: "P1" },
    event: "case.priority_changed",
    payload: () => ({ from: "P2", to: "P1" }),
  },
  escalate: {
    command: { type: "escalate", tier: "L2" },
    event: "case.escalated",
    payload: () => ({ tier: "L2", team: null, queue: "triage", auto: false }),
  },
  comment: {
    command: { type: "comment", body: "Isolated the host; collecting triage package." },
    event: "case.commented",
    payload: () => ({
      commentId: "cmt_fixed",
      body: "Isolated the host; collecting triage package.",
      visibility: "internal",
    }),
  },
  link_alert: {
    command: { type: "link_alert", alertId: "alrt_c" },
    event: "case.alert_linked",
    payload: () => ({ alertId: "alrt_c" }),
  },
  link_alerts: {
    command: { type: "link_alerts", alertIds: ["alrt_c"] },
    event: "case.alert_linked",
    payload: () => ({ alertId: "alrt_c" }),
  },
  unlink_alert: {
    command: { type: "unlink_alert", alertId: "alrt_b" },
    event: "case.alert_unlinked",
    payload: () => ({ alertId: "alrt_b" }),
  },
  review_alert: {
    command: { type: "review_alert", alertId: "alrt_a" },
    event: "case.alert_reviewed",
    payload: () => ({ alertId: "alrt_a" }),
  },
  record_source_update: {
    command: {
      type: "record_source_update",
      alertId: "alrt_a",
      source: "XDR",
      sourceTime: 1_000,
      changes: [{ field: "severity", from: "High", to: "Critical" }],
    },
    event: "case.source_updated",
    payload: () => ({
      alertId: "alrt_a",
      source: "XDR",
      sourceTime: 1_000,
      changes: [{ field: "severity", from: "High", to: "Critical" }],
      closedAs: null,
    }),
  },
};

const COMMAND_TYPES = Object.keys(SAMPLES) as CaseCommandType[];

interface Cell {
  status: CaseStatus;
  type: CaseCommandType;
  allowed: boolean;
}

const CELLS: Cell[] = CASE_STATUSES.flatMap((status) =>
  COMMAND_TYPES.map((type) => ({ status, type, allowed: transitionFor(status, type) !== null })),
);
const allowedCount = CELLS.filter((c) => c.allowed).length;

function expectedStatus(status: CaseStatus, type: CaseCommandType, given: CaseState): CaseStatus {
  const target = transitionFor(status, type);
  if (target === null) throw new Error(`${type} is not allowed in ${status}`);
  if (target === "unchanged") return status;
  if (target === "held_from") return given.heldFrom ?? "in_progress";
  return target;
}

describe("the lifecycle table over every state × command", () => {
  afterAll(() => {
    console.log(
      `state × command pairs: ${CELLS.length}, allowed: ${allowedCount}, refused: ${CELLS.length - allowedCount}`,
    );
  });

  it("covers every status and every command type, and pins how many pairs are allowed", () => {
    expect([...COMMAND_TYPES].sort()).toEqual(Object.keys(CASE_TRANSITIONS).sort());
    expect(COMMAND_TYPES).toHaveLength(21);
    expect(CELLS).toHaveLength(168);
    // A change to the lifecycle shows up here first, on purpose: update the count with the table.
    expect(allowedCount).toBe(101);
  });

  it.each(CELLS.filter((c) => c.allowed))(
    "given $status, when $type, then the table's target",
    ({ status, type }) => {
      const sample = SAMPLES[type] as Sample<CaseCommandType>;
      const given = (sample.arrange ?? ((s: Story) => s))(caseIn(status));
      const now = given.now + 5 * MINUTE;

      const decision = when(given.state, sample.command, { now, reason: REASON });
      if (!decision.ok) throw new Error(`${status} × ${type} refused: ${decision.error.message}`);
      const to = expectedStatus(status, type, given.state);
      const moves = transitionFor(status, type) !== "unchanged";
      const [first, ...rest] = decision.events;

      expect(first).toEqual({
        type: sample.event,
        at: now,
        actor: ANALYST,
        reason: REASON,
        ...(moves ? { from: status, to } : {}),
        ...sample.payload(given.state),
      });
      // Whatever follows is the SLA engine's account of clocks the transition met, on the same footing.
      for (const event of rest)
        expect(event).toMatchObject({ type: "sla.met", at: now, actor: ANALYST, reason: REASON });
      if (!moves) expect(rest).toEqual([]);

      const after = applyAll(given.state, decision.events);
      expect(after?.status).toBe(to);
      expect(after?.eventCount).toBe(given.state.eventCount + decision.events.length);
      expect(fold([...given.log, ...decision.events])).toEqual(after);
    },
  );

  it.each(CELLS.filter((c) => !c.allowed))(
    "given $status, when $type, then invalid_transition",
    ({ status, type }) => {
      const given = caseIn(status);
      const decision = when(given.state, SAMPLES[type].command, { now: given.now + MINUTE, reason: REASON });
      expect(decision).toEqual({
        ok: false,
        error: { code: "invalid_transition", message: `cannot ${type} a case that is ${status}` },
      });
    },
  );
});

describe("a case that does not exist", () => {
  it("opens with open", () => {
    const decision = when(null, OPEN, { now: 1_000 });
    expect(decision.ok).toBe(true);
    const state = decision.ok ? applyAll(null, decision.events) : null;
    expect(state).toMatchObject({ id: CASE_ID, status: "new", eventCount: 1 });
  });

  it.each(COMMAND_TYPES.filter((t) => t !== "open"))("refuses %s with not_found", (type) => {
    expect(when(null, SAMPLES[type].command, { now: 1_000 })).toEqual({
      ok: false,
      error: { code: "not_found", message: "case not found" },
    });
  });
});

describe("the table itself", () => {
  it("reads as the lifecycle the issue describes", () => {
    const from = (type: CaseCommandType) =>
      Object.entries(CASE_TRANSITIONS[type]).map(([status, target]) => `${status}→${target}`);
    expect(from("acknowledge")).toEqual(["new→acknowledged"]);
    expect(from("start")).toEqual(["new→in_progress", "acknowledged→in_progress", "reopened→in_progress"]);
    expect(from("resume")).toEqual(["on_hold→held_from"]);
    expect(from("close")).toEqual(["resolved→closed"]);
    expect(from("reopen")).toEqual(["resolved→reopened", "closed→reopened"]);
    expect(from("open")).toEqual([]);
  });

  it("lets a closed case take nothing but reopen", () => {
    const allowedWhenClosed = COMMAND_TYPES.filter((t) => transitionFor("closed", t) !== null);
    expect(allowedWhenClosed).toEqual(["reopen"]);
  });

  it("keeps corrections and review open on a resolved case, but not escalation or merging", () => {
    const allowedWhenResolved = COMMAND_TYPES.filter((t) => transitionFor("resolved", t) !== null).sort();
    expect(allowedWhenResolved).toEqual(
      [
        "assign",
        "change_priority",
        "change_severity",
        "close",
        "comment",
        "link_alert",
        "link_alerts",
        "record_source_update",
        "reopen",
        "review_alert",
        "unassign",
        "unlink_alert",
      ].sort(),
    );
  });
});
