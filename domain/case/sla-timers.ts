// A case's SLA timers fired up to an instant as its object's alarm fires them: each due timer in
// turn, one commit per firing. For building histories outside a case object (seeding, tests).

import { dueSlaSignals, nextSlaTimerAt } from "../sla/clocks.ts";
import { onSlaSignal } from "./decide.ts";
import { evolve } from "./evolve.ts";
import type { CaseEvent, CaseState } from "./model.ts";

/** Fires every timer due at or before `until`, appending one commit per firing to `commits`. */
export function fireSlaTimers(initial: CaseState, until: number, commits: CaseEvent[][]): CaseState {
  let state = initial;
  for (let at = nextSlaTimerAt(state.sla); at !== null && at <= until; at = nextSlaTimerAt(state.sla)) {
    const fired: CaseEvent[] = [];
    for (const signal of dueSlaSignals(state.sla, at)) {
      for (const event of onSlaSignal(state, signal, at)) {
        state = evolve(state, event);
        fired.push(event);
      }
    }
    if (fired.length === 0) break;
    commits.push(fired);
  }
  return state;
}
