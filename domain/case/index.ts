// The case aggregate's public API: the vocabulary, the lifecycle table and the pure decide/evolve pair.
export {
  closureBlockers,
  DEFAULT_PRIORITY,
  type DecideContext,
  decide,
  LIMITS,
  onSlaSignal,
  raisePriority,
  SLA_ACTOR,
} from "./decide.ts";
export { evolve, fold } from "./evolve.ts";
export * from "./model.ts";
export { allowedCommands, CASE_TRANSITIONS, type TransitionTarget, transitionFor } from "./transitions.ts";
