// The contract fuzzer's kept reproducers (tests/support/fuzz/regressions.ts), each checked on its
// own exactly as the fuzz suite checks a generated request. How to add one is written there.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Baseline,
  createSide,
  judgeBad,
  judgeValid,
  runProperty,
  type Side,
} from "../../support/fuzz/contract-fuzzer.ts";
import { OPERATIONS } from "../../support/fuzz/documented-operations.ts";
import { REGRESSIONS } from "../../support/fuzz/regressions.ts";
import { settledState } from "../../support/tenant-state.ts";

let exercised: Side;
let quiet: Side;
const baseline: Baseline = { tables: {} };

beforeAll(async () => {
  exercised = await createSide();
  quiet = await createSide();
  baseline.tables = await settledState(quiet.tenant);
}, 120_000);

describe("contract fuzz regressions", () => {
  it.each(REGRESSIONS.map((r) => [`${r.operationId}: ${r.found.slice(0, 60)}…`, r] as const))(
    "%s",
    async (_label, r) => {
      const op = OPERATIONS.find((o) => o.operationId === r.operationId);
      if (!op) throw new Error(`${r.operationId} is no longer documented: drop or update this regression`);
      const { broken } = r;
      const failure = broken
        ? await runProperty(
            fc.constant({ plan: r.plan, broken }),
            (bad) => judgeBad(op, bad, quiet, baseline),
            { numRuns: 1 },
            (bad) => bad,
          )
        : await runProperty(
            fc.constant(r.plan),
            (plan) => judgeValid(op, plan, exercised),
            { numRuns: 1 },
            (plan) => plan,
          );
      expect(failure).toBeUndefined();
    },
  );
});
