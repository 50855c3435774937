// Requests the contract fuzzer once failed on, shrunk by fast-check, kept so they are tried first
// on every run (as `examples` of their operation's property in fuzz.contract.test.ts) and on their
// own in fuzz.regressions.test.ts.
//
// To add one: a failing fuzz run prints `reproducer: {...}` under the failed operation; paste that
// object as `plan` (for a bad-input failure, its `plan` and `broken`), with the operationId and a
// line on what it found and how it was fixed. Fixture ids print as "{{fixture:case}}" and are
// resolved against the running tenant. To replay the whole failing run instead, pass the printed
// `replay: { seed, path }` to the property's parameters.
import type { Broken, RequestPlan } from "./request-plans.ts";

export interface Regression {
  operationId: string;
  /** What the fuzzer found, and what changed so that it passes. */
  found: string;
  plan: RequestPlan;
  /** For a request that breaks a constraint: what it breaks. Absent for a valid request. */
  broken?: Broken;
}

export const REGRESSIONS: Regression[] = [];
