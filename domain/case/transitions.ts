// The case lifecycle as data: for every command, the states it is allowed in and the state it leads
// to. decide() enforces it, the tests generate their state × command table from it, and the API and
// workbench read it to offer only the actions a case allows.
import type { CaseCommandType, CaseStatus } from "./model.ts";

/**
 * Where an allowed command leads: a status, `"held_from"` (resume returns to the state the case was
 * held from) or `"unchanged"` (commands that edit the case without moving it).
 */
export type TransitionTarget = CaseStatus | "held_from" | "unchanged";

/** States in which work is still going on: everything but resolved and closed. */
const WORKING = ["new", "acknowledged", "in_progress", "contained", "on_hold", "reopened"] as const;
/** Resolved cases still take corrections and the review work that closing requires. */
const EDITABLE = [...WORKING, "resolved"] as const;

function from(
  states: readonly CaseStatus[],
  to: TransitionTarget,
): Partial<Record<CaseStatus, TransitionTarget>> {
  return Object.fromEntries(states.map((s) => [s, to]));
}

/**
 * The transition table. Choices a reader might otherwise reverse:
 * - resolving needs the case acknowledged first (so time to acknowledge always means something) and
 *   not on hold (resume first, which also restarts the paused resolve clock explicitly);
 * - contain is allowed straight from acknowledged: automation often isolates a host before anyone
 *   starts the investigation proper;
 * - reopened behaves like acknowledged: it can be started, held, contained or resolved again;
 * - a resolved case cannot be merged (it already has its own resolution; reopen it first) nor
 *   escalated (nothing is in flight), but it still takes assignment, severity/priority corrections,
 *   comments and alert review, because closing requires every linked alert reviewed;
 * - a closed case (merged or not) takes nothing but reopen, and reopen is further guarded by the
 *   reopen window and refused for merged cases (see decide).
 */
export const CASE_TRANSITIONS: {
  readonly [C in CaseCommandType]: Readonly<Partial<Record<CaseStatus, TransitionTarget>>>;
} = {
  // Only valid on a case that does not exist yet, which is not a state in this table.
  open: {},
  acknowledge: from(["new"], "acknowledged"),
  start: from(["new", "acknowledged", "reopened"], "in_progress"),
  hold: from(["acknowledged", "in_progress", "contained", "reopened"], "on_hold"),
  resume: from(["on_hold"], "held_from"),
  contain: from(["acknowledged", "in_progress", "reopened"], "contained"),
  resolve: from(["acknowledged", "in_progress", "contained", "reopened"], "resolved"),
  close: from(["resolved"], "closed"),
  reopen: from(["resolved", "closed"], "reopened"),
  merge_into: from(WORKING, "closed"),
  assign: from(EDITABLE, "unchanged"),
  unassign: from(EDITABLE, "unchanged"),
  change_severity: from(EDITABLE, "unchanged"),
  change_priority: from(EDITABLE, "unchanged"),
  escalate: from(WORKING, "unchanged"),
  comment: from(EDITABLE, "unchanged"),
  link_alert: from(EDITABLE, "unchanged"),
  link_alerts: from(EDITABLE, "unchanged"),
  unlink_alert: from(EDITABLE, "unchanged"),
  review_alert: from(EDITABLE, "unchanged"),
  // A source's later word is part of the record while the case is being worked or awaits closing.
  record_source_update: from(EDITABLE, "unchanged"),
};

/** Where `command` leads from `status`, or null when the table does not allow it. */
export function transitionFor(status: CaseStatus, command: CaseCommandType): TransitionTarget | null {
  return CASE_TRANSITIONS[command][status] ?? null;
}

/** The commands a case in `status` accepts (before argument validation and guards). */
export function allowedCommands(status: CaseStatus): CaseCommandType[] {
  return (Object.keys(CASE_TRANSITIONS) as CaseCommandType[]).filter(
    (c) => transitionFor(status, c) !== null,
  );
}
