// Lifecycle specs beyond the table: opening, validation, the closure guard, the reopen window,
// escalation, merging, comments, no-op commands, and actor/reason on every event.
import { describe, expect, it } from "vitest";
import { closureBlockers } from "../../../domain/case/decide.ts";
import { evolve, fold } from "../../../domain/case/evolve.ts";
import type { Actor, CaseCommand } from "../../../domain/case/model.ts";
import {
  ANALYST,
  applyAll,
  CASE_ID,
  CONFIG,
  caseIn,
  DAY,
  eventsOf,
  MINUTE,
  OPEN,
  opened,
  POLICY,
  reviewAll,
  step,
  T0,
  when,
} from "./given.ts";

const refused = (code: string, message: string) => ({ ok: false, error: { code, message } });

describe("opening a case", () => {
  it("records the opening with the policy it will count by, and starts in new", () => {
    const decision = when(null, OPEN, { now: T0, reason: "correlated from XDR incident 42" });
    expect(decision).toEqual({
      ok: true,
      events: [
        {
          type: "case.opened",
          at: T0,
          actor: ANALYST,
          reason: "correlated from XDR incident 42",
          caseId: CASE_ID,
          title: "Suspicious PowerShell on FIN-LAPTOP-7",
          description: "",
          severity: "high",
          priority: "P2",
          alertIds: ["alrt_a", "alrt_b"],
          slaPolicy: POLICY,
        },
      ],
    });
    const state = applyAll(null, eventsOf(decision));
    expect(state).toMatchObject({
      id: CASE_ID,
      status: "new",
      eventCount: 1,
      heldFrom: null,
      assignee: null,
      queue: "triage",
      tier: "L1",
      resolution: null,
      alerts: { alrt_a: { reviewed: false }, alrt_b: { reviewed: false } },
      commentCount: 0,
      mergedInto: null,
      openedAt: T0,
      updatedAt: T0,
      resolvedAt: null,
      closedAt: null,
    });
  });

  it.each([
    ["critical", "P1"],
    ["high", "P2"],
    ["medium", "P3"],
    ["low", "P4"],
  ] as const)("derives the priority from severity %s when none is given: %s", (severity, priority) => {
    const state = opened({ type: "open", caseId: CASE_ID, title: "t", severity }).state;
    expect(state.priority).toBe(priority);
  });

  it("links an alert named twice once", () => {
    const state = opened({ ...OPEN, alertIds: ["alrt_a", "alrt_a", "alrt_b"] } as CaseCommand).state;
    expect(Object.keys(state.alerts)).toEqual(["alrt_a", "alrt_b"]);
  });

  it("accepts a title of exactly 300 characters", () => {
    expect(opened({ ...OPEN, title: "x".repeat(300) } as CaseCommand).state.title).toHaveLength(300);
  });

  // Found by the contract fuzzer: the API counts characters (code points), so must the case.
  it("counts an emoji as one character, as the API does", () => {
    const title = `${"x".repeat(299)}😀`;
    expect(opened({ ...OPEN, title } as CaseCommand).state.title).toBe(title);
    const now = T0 + MINUTE;
    const comment = `${"x".repeat(9_999)}😀`;
    expect(when(opened().state, { type: "comment", body: comment }, { now }).ok).toBe(true);
  });

  it.each([
    ["an empty title", { title: "" }, "title: must not be empty"],
    ["a blank title", { title: "   " }, "title: must not be empty"],
    ["a 301-character title", { title: "x".repeat(301) }, "title: must be at most 300 characters"],
    ["an empty case id", { caseId: "" }, "caseId: must not be empty"],
    ["an unknown severity", { severity: "urgent" }, "severity: must be one of low, medium, high, critical"],
    ["an unknown priority", { priority: "P0" }, "priority: must be one of P1, P2, P3, P4"],
    ["an empty alert id", { alertIds: ["alrt_a", ""] }, "alertIds.1: must not be empty"],
  ])("refuses %s with validation_failed", (_label, change, message) => {
    const command = { ...OPEN, ...change } as CaseCommand;
    expect(when(null, command, { now: T0 })).toEqual(refused("validation_failed", message));
  });

  it("cannot open a case twice", () => {
    expect(when(opened().state, OPEN, { now: T0 + MINUTE })).toEqual(
      refused("invalid_transition", "cannot open a case that is new"),
    );
  });
});

describe("invalid transitions", () => {
  it("name the current state and the command", () => {
    const given = caseIn("on_hold");
    expect(when(given.state, { type: "contain" }, { now: given.now + MINUTE })).toEqual(
      refused("invalid_transition", "cannot contain a case that is on_hold"),
    );
  });

  it("are checked before the arguments, so a closed case refuses even a malformed comment", () => {
    const given = caseIn("closed");
    expect(when(given.state, { type: "comment", body: "" }, { now: given.now + MINUTE })).toEqual(
      refused("invalid_transition", "cannot comment a case that is closed"),
    );
  });
});

describe("hold and resume", () => {
  it.each(["acknowledged", "in_progress", "contained", "reopened"] as const)(
    "returns a case held from %s to %s",
    (status) => {
      const held = step(caseIn(status), { type: "hold" });
      expect(held.state).toMatchObject({ status: "on_hold", heldFrom: status });
      const resumed = step(held, { type: "resume" });
      expect(resumed.state).toMatchObject({ status, heldFrom: null });
      expect(resumed.log.at(-1)).toMatchObject({ type: "case.resumed", from: "on_hold", to: status });
    },
  );
});

describe("the closure guard", () => {
  it("blocks closing while linked alerts are unreviewed, naming them", () => {
    const given = caseIn("resolved");
    expect(when(given.state, { type: "close" }, { now: given.now + MINUTE })).toEqual(
      refused("closure_blocked", "cannot close the case: linked alerts not reviewed: alrt_a, alrt_b"),
    );
  });

  it("names only the alerts still missing a review", () => {
    const given = step(caseIn("resolved"), { type: "review_alert", alertId: "alrt_b" });
    expect(closureBlockers(given.state)).toEqual(["linked alerts not reviewed: alrt_a"]);
  });

  it("counts an alert linked after resolving", () => {
    const given = step(reviewAll(caseIn("resolved")), { type: "link_alert", alertId: "alrt_late" });
    expect(when(given.state, { type: "close" }, { now: given.now + MINUTE })).toEqual(
      refused("closure_blocked", "cannot close the case: linked alerts not reviewed: alrt_late"),
    );
  });

  it("blocks a case with no resolution, whatever its status says", () => {
    // Not reachable through commands (resolved always carries one); the guard does not rely on that.
    const given = caseIn("resolved");
    const state = { ...given.state, resolution: null };
    expect(when(state, { type: "close" }, { now: given.now + MINUTE })).toEqual(
      refused(
        "closure_blocked",
        "cannot close the case: resolution missing; linked alerts not reviewed: alrt_a, alrt_b",
      ),
    );
  });

  it("lets the case close once every alert is reviewed", () => {
    const given = reviewAll(caseIn("resolved"));
    expect(closureBlockers(given.state)).toEqual([]);
    const closed = step(given, { type: "close" });
    expect(closed.state).toMatchObject({
      status: "closed",
      closedAt: closed.now,
      resolution: "true_positive",
    });
  });

  it("lets a case with no alerts close on its resolution alone", () => {
    let story = opened({ type: "open", caseId: CASE_ID, title: "Manual hunt", severity: "low" });
    for (const command of [
      { type: "acknowledge" },
      { type: "resolve", resolution: "benign_positive" },
      { type: "close" },
    ] satisfies CaseCommand[])
      story = step(story, command);
    expect(story.state).toMatchObject({ status: "closed", resolution: "benign_positive" });
  });
});

describe("reopening", () => {
  const window = CONFIG.reopenWindowMs;

  it("reopens a resolved case up to the last millisecond of the window, clearing its outcome", () => {
    const given = caseIn("resolved");
    const resolvedAt = given.now;
    const reopened = step(given, { type: "reopen" }, { now: resolvedAt + window });
    expect(reopened.state).toMatchObject({
      status: "reopened",
      resolution: null,
      resolvedAt: null,
      closedAt: null,
    });
  });

  it("refuses a resolved case one millisecond after the window", () => {
    const given = caseIn("resolved");
    const ends = new Date(given.now + window).toISOString();
    expect(when(given.state, { type: "reopen" }, { now: given.now + window + 1 })).toEqual(
      refused(
        "invalid_transition",
        `cannot reopen a case that is resolved: the reopen window ended at ${ends}`,
      ),
    );
  });

  it("counts a closed case's window from its closing", () => {
    const given = caseIn("closed");
    const closedAt = given.state.closedAt ?? Number.NaN;
    expect(closedAt).toBe(given.now);
    // Resolved a few minutes before closing: the window still runs from the close.
    expect(step(given, { type: "reopen" }, { now: closedAt + window }).state.status).toBe("reopened");
    expect(when(given.state, { type: "reopen" }, { now: closedAt + window + 1 })).toEqual(
      refused(
        "invalid_transition",
        `cannot reopen a case that is closed: the reopen window ended at ${new Date(closedAt + window).toISOString()}`,
      ),
    );
  });

  it("follows the tenant's configured window", () => {
    const given = caseIn("closed");
    const config = { ...CONFIG, reopenWindowMs: DAY };
    expect(when(given.state, { type: "reopen" }, { now: given.now + DAY + 1, config }).ok).toBe(false);
    expect(when(given.state, { type: "reopen" }, { now: given.now + DAY, config }).ok).toBe(true);
  });

  it("needs a new resolution before the case can close again", () => {
    const reopened = reviewAll(caseIn("reopened"));
    expect(when(reopened.state, { type: "close" }, { now: reopened.now + MINUTE })).toEqual(
      refused("invalid_transition", "cannot close a case that is reopened"),
    );
    const again = step(step(reopened, { type: "resolve", resolution: "false_positive" }), { type: "close" });
    expect(again.state).toMatchObject({ status: "closed", resolution: "false_positive" });
  });
});

describe("escalation", () => {
  it("needs a reason", () => {
    const given = caseIn("in_progress");
    expect(when(given.state, { type: "escalate", tier: "L2" }, { now: given.now + MINUTE })).toEqual(
      refused("validation_failed", "reason: an escalation needs a reason"),
    );
    expect(
      when(given.state, { type: "escalate", tier: "L2" }, { now: given.now + MINUTE, reason: "  " }),
    ).toEqual(refused("validation_failed", "reason: must not be empty"));
  });

  it("needs a tier or a team", () => {
    const given = caseIn("in_progress");
    expect(when(given.state, { type: "escalate" }, { now: given.now + MINUTE, reason: "beyond L1" })).toEqual(
      refused("validation_failed", "tier: name a tier or a team to escalate to"),
    );
  });

  it("moves the case to a team, keeping its tier and queue", () => {
    const given = caseIn("in_progress");
    const now = given.now + MINUTE;
    const command = { type: "escalate", team: "identity" } as const;
    const decision = when(given.state, command, { now, reason: "needs Entra ID expertise" });
    expect(decision).toEqual({
      ok: true,
      events: [
        {
          type: "case.escalated",
          at: now,
          actor: ANALYST,
          reason: "needs Entra ID expertise",
          tier: null,
          team: "identity",
          queue: "triage",
          auto: false,
        },
      ],
    });
    expect(applyAll(given.state, eventsOf(decision))).toMatchObject({
      tier: "L1",
      team: "identity",
      queue: "triage",
    });
  });

  it("to a tier records the tier", () => {
    const escalated = step(
      caseIn("acknowledged"),
      { type: "escalate", tier: "L3" },
      { reason: "ransomware" },
    );
    expect(escalated.state).toMatchObject({ tier: "L3", team: null });
  });
});

describe("merging", () => {
  it("closes the case as a duplicate and hands its alerts to the target", () => {
    const given = caseIn("in_progress");
    const now = given.now + MINUTE;
    const decision = when(
      given.state,
      { type: "merge_into", targetCaseId: "case_target" },
      { now, reason: "same intrusion" },
    );
    const events = eventsOf(decision);
    expect(events[0]).toEqual({
      type: "case.merged",
      at: now,
      actor: ANALYST,
      reason: "same intrusion",
      into: "case_target",
      alertIds: ["alrt_a", "alrt_b"],
      escalated: false,
      from: "in_progress",
      to: "closed",
    });
    expect(applyAll(given.state, events)).toMatchObject({
      status: "closed",
      resolution: "duplicate",
      mergedInto: "case_target",
      alerts: {},
      resolvedAt: now,
      closedAt: now,
    });
  });

  it("returns a held case's merge straight to closed", () => {
    const merged = step(caseIn("on_hold"), { type: "merge_into", targetCaseId: "case_target" });
    expect(merged.state).toMatchObject({ status: "closed", heldFrom: null, mergedInto: "case_target" });
  });

  it("refuses a merge into itself", () => {
    const given = caseIn("acknowledged");
    expect(
      when(given.state, { type: "merge_into", targetCaseId: CASE_ID }, { now: given.now + MINUTE }),
    ).toEqual(refused("validation_failed", "targetCaseId: a case cannot be merged into itself"));
  });

  it("leaves a merged case unable to reopen or take further commands", () => {
    const merged = step(caseIn("new"), { type: "merge_into", targetCaseId: "case_target" });
    const now = merged.now + MINUTE;
    expect(when(merged.state, { type: "reopen" }, { now })).toEqual(
      refused("invalid_transition", "cannot reopen a case that is closed: it was merged into case_target"),
    );
    expect(when(merged.state, { type: "link_alert", alertId: "alrt_x" }, { now })).toEqual(
      refused("invalid_transition", "cannot link_alert a case that is closed"),
    );
  });
});

describe("comments", () => {
  it("take their ids from the context, one per accepted comment", () => {
    const ids = ["cmt_01", "cmt_02", "cmt_03"];
    const newCommentId = () => ids.shift() ?? "cmt_exhausted";
    let story = caseIn("in_progress");
    const bodies: string[] = [];
    for (const body of ["first", "", "second"]) {
      const now = story.now + MINUTE;
      const decision = when(story.state, { type: "comment", body }, { now, newCommentId });
      if (!decision.ok) {
        expect(decision.error).toEqual({ code: "validation_failed", message: "body: must not be empty" });
        continue;
      }
      const [event] = decision.events;
      if (event?.type === "case.commented") bodies.push(`${event.commentId}:${event.body}`);
      const state = applyAll(story.state, decision.events);
      if (state) story = { ...story, state, now };
    }
    // The refused comment consumed no id.
    expect(bodies).toEqual(["cmt_01:first", "cmt_02:second"]);
    expect(story.state.commentCount).toBe(2);
  });

  it("accept 10,000 characters and refuse 10,001", () => {
    const given = caseIn("acknowledged");
    const now = given.now + MINUTE;
    expect(when(given.state, { type: "comment", body: "x".repeat(10_000) }, { now }).ok).toBe(true);
    expect(when(given.state, { type: "comment", body: "x".repeat(10_001) }, { now })).toEqual(
      refused("validation_failed", "body: must be at most 10000 characters"),
    );
  });

  it("can be shared with the customer", () => {
    const given = caseIn("resolved");
    const events = eventsOf(
      when(
        given.state,
        { type: "comment", body: "Root cause found.", visibility: "customer" },
        { now: given.now },
      ),
    );
    expect(events[0]).toMatchObject({
      type: "case.commented",
      visibility: "customer",
      commentId: "cmt_fixed",
    });
  });
});

describe("alerts", () => {
  it("refuses to review an alert that is not linked", () => {
    const given = caseIn("in_progress");
    expect(when(given.state, { type: "review_alert", alertId: "alrt_zz" }, { now: given.now })).toEqual(
      refused("conflict", "alert alrt_zz is not linked to this case"),
    );
  });

  it("refuses empty alert ids and assignees", () => {
    const given = caseIn("in_progress");
    const now = given.now;
    for (const command of [
      { type: "link_alert", alertId: "" },
      { type: "unlink_alert", alertId: "" },
      { type: "review_alert", alertId: " " },
    ] satisfies CaseCommand[]) {
      expect(when(given.state, command, { now })).toEqual(
        refused("validation_failed", "alertId: must not be empty"),
      );
    }
    expect(when(given.state, { type: "assign", assignee: "" }, { now })).toEqual(
      refused("validation_failed", "assignee: must not be empty"),
    );
  });

  it("a relinked alert needs a fresh review", () => {
    let story = step(caseIn("in_progress"), { type: "review_alert", alertId: "alrt_a" });
    story = step(story, { type: "unlink_alert", alertId: "alrt_a" });
    story = step(story, { type: "link_alert", alertId: "alrt_a" });
    expect(story.state.alerts).toEqual({ alrt_a: { reviewed: false }, alrt_b: { reviewed: false } });
  });

  it("links many alerts in one commit, one event per alert not yet linked", () => {
    const given = caseIn("in_progress");
    const decision = when(
      given.state,
      { type: "link_alerts", alertIds: ["alrt_a", "alrt_c", "alrt_d", "alrt_c"] },
      {
        now: given.now,
      },
    );
    expect(decision.ok && decision.events.map((e) => e.type === "case.alert_linked" && e.alertId)).toEqual([
      "alrt_c",
      "alrt_d",
    ]);
    const linked = step(given, { type: "link_alerts", alertIds: ["alrt_c", "alrt_d"] });
    expect(Object.keys(linked.state.alerts).sort()).toEqual(["alrt_a", "alrt_b", "alrt_c", "alrt_d"]);
    expect(when(given.state, { type: "link_alerts", alertIds: [] }, { now: given.now })).toEqual(
      refused("validation_failed", "alertIds: must name at least one alert"),
    );
    expect(when(given.state, { type: "link_alerts", alertIds: ["alrt_e", ""] }, { now: given.now })).toEqual(
      refused("validation_failed", "alertIds.1: must not be empty"),
    );
  });
});

describe("no-op commands", () => {
  // A command states the desired state: when it already holds, the command succeeds with no events,
  // so retries and two analysts pressing the same button converge without noise or a version bump.
  it.each([
    ["assign to the current assignee", { type: "assign", assignee: "prn_analyst_1" }],
    ["severity unchanged", { type: "change_severity", severity: "high" }],
    ["priority unchanged", { type: "change_priority", priority: "P2" }],
    ["link an already linked alert", { type: "link_alert", alertId: "alrt_a" }],
    ["link alerts that are all linked", { type: "link_alerts", alertIds: ["alrt_a", "alrt_b"] }],
    ["unlink an alert that is not linked", { type: "unlink_alert", alertId: "alrt_zz" }],
    ["escalate to the tier the case is at", { type: "escalate", tier: "L1" }],
  ] satisfies Array<[string, CaseCommand]>)("%s succeeds with no events", (_label, command) => {
    const given = caseIn("in_progress");
    expect(when(given.state, command, { now: given.now, reason: "again" })).toEqual({ ok: true, events: [] });
  });

  it("review an already reviewed alert succeeds with no events", () => {
    const given = step(caseIn("in_progress"), { type: "review_alert", alertId: "alrt_a" });
    expect(when(given.state, { type: "review_alert", alertId: "alrt_a" }, { now: given.now })).toEqual({
      ok: true,
      events: [],
    });
  });

  it("unassign an unassigned case succeeds with no events", () => {
    const given = step(caseIn("new"), { type: "unassign" });
    expect(given.state.assignee).toBeNull();
    expect(when(given.state, { type: "unassign" }, { now: given.now })).toEqual({ ok: true, events: [] });
  });

  it("still validates its arguments", () => {
    const given = caseIn("in_progress");
    expect(when(given.state, { type: "escalate", tier: "L1" }, { now: given.now })).toEqual(
      refused("validation_failed", "reason: an escalation needs a reason"),
    );
  });
});

describe("actor and reason", () => {
  const LEAD: Actor = { kind: "user", id: "prn_lead" };
  const commands: CaseCommand[] = [
    { type: "assign", assignee: "prn_analyst_2" },
    { type: "change_severity", severity: "critical" },
    { type: "change_priority", priority: "P1" },
    { type: "link_alert", alertId: "alrt_c" },
    { type: "review_alert", alertId: "alrt_a" },
    { type: "review_alert", alertId: "alrt_b" },
    { type: "review_alert", alertId: "alrt_c" },
    { type: "comment", body: "note" },
    { type: "escalate", tier: "L2" },
    { type: "acknowledge" },
    { type: "start" },
    { type: "hold" },
    { type: "resume" },
    { type: "contain" },
    { type: "unlink_alert", alertId: "alrt_c" },
    { type: "unassign" },
    { type: "resolve", resolution: "true_positive" },
    { type: "close" },
    { type: "reopen" },
    { type: "merge_into", targetCaseId: "case_target" },
  ];

  it("are recorded on every event a command causes, including the SLA events it triggers", () => {
    let story = step(opened(), { type: "assign", assignee: "prn_analyst_1" });
    const from = story.log.length;
    commands.forEach((command, i) => {
      story = step(story, command, { actor: LEAD, reason: `reason ${i}` });
    });
    const caused = story.log.slice(from);
    expect(caused.map((e) => e.type)).toEqual([
      "case.assigned",
      "case.severity_changed",
      "case.priority_changed",
      "case.alert_linked",
      "case.alert_reviewed",
      "case.alert_reviewed",
      "case.alert_reviewed",
      "case.commented",
      "case.escalated",
      "case.acknowledged",
      "sla.met",
      "case.started",
      "case.held",
      "case.resumed",
      "case.contained",
      "sla.met",
      "case.alert_unlinked",
      "case.unassigned",
      "case.resolved",
      "sla.met",
      "case.closed",
      "case.reopened",
      "case.merged",
      "sla.met",
    ]);
    const reasonOf = (type: string, n = 0) => caused.filter((e) => e.type === type)[n]?.reason;
    for (const event of caused) expect(event.actor).toEqual(LEAD);
    expect(reasonOf("case.assigned")).toBe("reason 0");
    expect(reasonOf("case.acknowledged")).toBe("reason 9");
    expect(reasonOf("sla.met", 0)).toBe("reason 9");
    expect(reasonOf("case.merged")).toBe("reason 19");
    expect(reasonOf("sla.met", 3)).toBe("reason 19");
    expect(caused.every((e) => typeof e.reason === "string" && e.reason.startsWith("reason "))).toBe(true);
  });

  it("leave no reason key on events when the command gave none", () => {
    const story = step(caseIn("new"), { type: "acknowledge" });
    const events = story.log.slice(-2);
    expect(events.map((e) => e.type)).toEqual(["case.acknowledged", "sla.met"]);
    for (const event of events) expect(Object.hasOwn(event, "reason")).toBe(false);
  });

  it("refuses an actor without an id or a reason beyond 2,000 characters", () => {
    const given = caseIn("new");
    expect(
      when(given.state, { type: "acknowledge" }, { now: given.now, actor: { kind: "user", id: "" } }),
    ).toEqual(refused("validation_failed", "actor.id: must not be empty"));
    expect(when(given.state, { type: "acknowledge" }, { now: given.now, reason: "x".repeat(2_001) })).toEqual(
      refused("validation_failed", "reason: must be at most 2000 characters"),
    );
  });
});

describe("fold and evolve", () => {
  it("rebuild the same state from the log, with one version per event", () => {
    const story = caseIn("closed");
    expect(fold(story.log)).toEqual(story.state);
    expect(story.state.eventCount).toBe(story.log.length);
    expect(fold([])).toBeNull();
  });

  it("refuse a log that does not start with case.opened", () => {
    const [, second] = caseIn("acknowledged").log;
    if (!second) throw new Error("expected a second event");
    expect(() => evolve(null, second)).toThrow("case.assigned before case.opened");
  });
});
