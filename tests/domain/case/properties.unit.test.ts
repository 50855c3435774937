// Properties over random command sequences (valid and invalid, interleaved with SLA alarms at random
// times): decide and evolve never throw, versions only move forward, refusals change nothing, and a
// closed case never holds an unreviewed alert.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide, onSlaSignal } from "../../../domain/case/decide.ts";
import { evolve, fold } from "../../../domain/case/evolve.ts";
import {
  CASE_PRIORITIES,
  CASE_SEVERITIES,
  CASE_STATUSES,
  type CaseCommand,
  type CaseEvent,
  type CaseState,
  ESCALATION_TIERS,
  RESOLUTIONS,
} from "../../../domain/case/model.ts";
import { dueSlaSignals } from "../../../domain/sla/clocks.ts";
import { ANALYST, CASE_ID, CONFIG, DAY, HOUR, OPEN, T0 } from "./given.ts";

const alertId = fc.constantFrom("alrt_a", "alrt_b", "alrt_c", "");
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const lifecycle = (type: "acknowledge" | "start" | "hold" | "resume" | "contain" | "close" | "reopen") => ({
  weight: 3,
  arbitrary: fc.constant<CaseCommand>({ type }),
});
const edit = (arbitrary: fc.Arbitrary<CaseCommand>) => ({ weight: 1, arbitrary });

// Lifecycle commands weigh more, so sequences get past acknowledging into resolved, closed and reopened.
const command: fc.Arbitrary<CaseCommand> = fc.oneof(
  lifecycle("acknowledge"),
  lifecycle("start"),
  lifecycle("hold"),
  lifecycle("resume"),
  lifecycle("contain"),
  lifecycle("close"),
  lifecycle("reopen"),
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant("resolve" as const),
      resolution: fc.constantFrom(...RESOLUTIONS),
    }),
  },
  edit(fc.constant({ type: "unassign" })),
  edit(fc.constant(OPEN)),
  edit(fc.record({ type: fc.constant("assign" as const), assignee: fc.constantFrom("prn_1", "prn_2", "") })),
  edit(
    fc.record({
      type: fc.constant("change_severity" as const),
      severity: fc.constantFrom(...CASE_SEVERITIES),
    }),
  ),
  edit(
    fc.record({
      type: fc.constant("change_priority" as const),
      priority: fc.constantFrom(...CASE_PRIORITIES),
    }),
  ),
  edit(
    fc.record(
      {
        type: fc.constant("escalate" as const),
        tier: optional(fc.constantFrom(...ESCALATION_TIERS)),
        team: optional(fc.constantFrom("identity", "")),
      },
      { requiredKeys: ["type"] },
    ),
  ),
  edit(fc.record({ type: fc.constant("comment" as const), body: fc.string({ maxLength: 12 }) })),
  edit(fc.record({ type: fc.constant("link_alert" as const), alertId })),
  edit(fc.record({ type: fc.constant("unlink_alert" as const), alertId })),
  { weight: 3, arbitrary: fc.record({ type: fc.constant("review_alert" as const), alertId }) },
  edit(
    fc.record({
      type: fc.constant("merge_into" as const),
      targetCaseId: fc.constantFrom("case_target", CASE_ID, ""),
    }),
  ),
);

// Mostly minutes to hours apart, sometimes days, so reopen windows and SLA deadlines both get crossed.
const gap = fc.oneof(fc.integer({ min: 0, max: 6 * HOUR }), fc.integer({ min: 0, max: 10 * DAY }));

const stepArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("command" as const),
      command,
      reason: optional(fc.constantFrom("why", "why", "")),
      gap,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("alarm" as const), gap }) },
);

const ERROR_CODES = ["invalid_transition", "validation_failed", "closure_blocked", "not_found", "conflict"];

function checkInvariants(state: CaseState, log: readonly CaseEvent[]): void {
  expect(state.eventCount).toBe(log.length);
  expect(CASE_STATUSES).toContain(state.status);
  expect(state.heldFrom !== null).toBe(state.status === "on_hold");
  if (state.status === "closed") {
    expect(Object.values(state.alerts).filter((a) => !a.reviewed)).toEqual([]);
    expect(state.resolution).not.toBeNull();
  }
  if (state.mergedInto !== null) expect(state).toMatchObject({ status: "closed", resolution: "duplicate" });
}

/** Applies events one at a time, checking that each moves the version forward by exactly one. */
function applyChecked(state: CaseState, events: readonly CaseEvent[]): CaseState {
  let next = state;
  for (const event of events) {
    const after = evolve(next, event);
    expect(after.eventCount).toBe(next.eventCount + 1);
    expect(after.updatedAt).toBe(event.at);
    next = after;
  }
  return next;
}

describe("random command sequences", () => {
  it("never throw, only move versions forward and never close over unreviewed alerts", () => {
    // Collected across runs, so a generator that stops reaching some state fails the test.
    const reached = new Set<string>();
    fc.assert(
      fc.property(
        fc.subarray(["alrt_a", "alrt_b"]),
        fc.array(stepArb, { minLength: 1, maxLength: 60, size: "max" }),
        (alertIds, steps) => {
          const first = decide({ command: { ...OPEN, alertIds } as CaseCommand, actor: ANALYST }, null, {
            now: T0,
            config: CONFIG,
            newCommentId: () => "cmt_0",
          });
          if (!first.ok) throw new Error(first.error.message);
          let state = evolve(null, first.events[0] as CaseEvent);
          const log: CaseEvent[] = [...first.events];
          let now = T0;
          let comments = 0;

          for (const s of steps) {
            now += s.gap;
            const before = state;
            let events: CaseEvent[];
            if (s.kind === "alarm") {
              events = [];
              for (const signal of dueSlaSignals(state.sla, now)) {
                const caused = onSlaSignal(state, signal, now);
                state = applyChecked(state, caused);
                events.push(...caused);
              }
            } else {
              const decision = decide(
                {
                  command: s.command,
                  actor: ANALYST,
                  ...(s.reason === undefined ? {} : { reason: s.reason }),
                },
                state,
                { now, config: CONFIG, newCommentId: () => `cmt_${++comments}` },
              );
              if (!decision.ok) {
                expect(ERROR_CODES).toContain(decision.error.code);
                expect(decision.error.message.length).toBeGreaterThan(0);
                continue;
              }
              events = decision.events;
              state = applyChecked(state, events);
            }
            log.push(...events);
            expect(state.eventCount).toBe(before.eventCount + events.length);
            checkInvariants(state, log);
            reached.add(state.mergedInto === null ? state.status : "merged");
          }
          expect(fold(log)).toEqual(state);
        },
      ),
      { numRuns: 300 },
    );
    expect([...reached].sort()).toEqual([...CASE_STATUSES, "merged"].sort());
  });
});
