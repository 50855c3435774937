// Contract fuzzing in the manner of Schemathesis, driven by contract/phoenix-v1.openapi.json: every
// documented operation gets generated valid requests (answered as documented), requests that break
// exactly one constraint (refused with a problem naming it, changing nothing), refused credentials,
// and every documented path its undocumented methods (405). It prints one line of counts.
// A failure prints its shrunk reproducer: keep it in tests/support/fuzz/regressions.ts.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Baseline,
  createSide,
  EVERY_SCOPE,
  judgeBad,
  judgeMethod,
  judgeRefusal,
  judgeValid,
  portable,
  record,
  runProperty,
  type Side,
  successesByOperation,
  tally,
} from "../../support/fuzz/contract-fuzzer.ts";
import { BASE_PATH, DOCUMENTED_PATHS, OPERATIONS } from "../../support/fuzz/documented-operations.ts";
import { REGRESSIONS } from "../../support/fuzz/regressions.ts";
import { badPlan, type ConcreteRequest, validPlan } from "../../support/fuzz/request-plans.ts";
import { FIXTURE_BY_ID_PREFIX } from "../../support/fuzz/request-rules.ts";
import { basicAuthorization, concrete } from "../../support/fuzz/send-plan.ts";
import { settledState } from "../../support/tenant-state.ts";
import { signRaw, standardClaims, tokenFor } from "../../support/world.ts";

const VALID_RUNS = 50;
// Bad inputs per operation: enough that the suite tries well over 5,000 in all.
const BAD_RUNS = 140;
const UNSUPPORTED_CANDIDATES = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

let exercised: Side;
let quiet: Side;
let attacker: Side;

beforeAll(async () => {
  // Valid requests change the first tenant at will; the second only ever sees requests that must
  // be refused, so its state digest stays still between them; the third attacks the second.
  exercised = await createSide();
  quiet = await createSide();
  attacker = await createSide();
  tally.operations = OPERATIONS.length;
}, 120_000);

const operations = OPERATIONS.map((op) => [op.operationId, op] as const);

describe("valid requests are answered as documented", () => {
  it.each(operations)("%s", async (operationId, op) => {
    const examples = REGRESSIONS.filter((r) => r.operationId === operationId && !r.broken).map(
      (r) => [r.plan] as [typeof r.plan],
    );
    const failure = await runProperty(
      validPlan(op, exercised.rules),
      (plan) => judgeValid(op, plan, exercised),
      { numRuns: VALID_RUNS, examples },
      (plan) => portable(plan, exercised),
    );
    expect(failure).toBeUndefined();
  });
});

describe("a request breaking one constraint is refused with a problem naming it, and changes nothing", () => {
  const baseline: Baseline = { tables: {} };
  beforeAll(async () => {
    baseline.tables = await settledState(quiet.tenant);
  }, 60_000);

  it.each(operations)("%s", async (operationId, op) => {
    // An operation without parameters or a body has nothing to break.
    if (op.parameters.length === 0 && !op.body) return;
    const examples = REGRESSIONS.filter((r) => r.operationId === operationId && r.broken).map(
      (r) =>
        [{ plan: r.plan, broken: r.broken }] as [
          { plan: typeof r.plan; broken: NonNullable<typeof r.broken> },
        ],
    );
    const failure = await runProperty(
      badPlan(op, quiet.rules),
      (bad) => judgeBad(op, bad, quiet, baseline),
      { numRuns: BAD_RUNS, examples },
      (bad) => portable(bad, quiet),
    );
    expect(failure).toBeUndefined();
  });
});

describe("bad credentials are refused", () => {
  const baseline: Baseline = { tables: {} };
  beforeAll(async () => {
    baseline.tables = await settledState(quiet.tenant);
  }, 60_000);

  it.each(operations.filter(([, op]) => op.security.some((s) => "bearerAuth" in s)))(
    "%s",
    async (_operationId, op) => {
      const [plan] = fc.sample(validPlan(op, quiet.rules, "refused"), { numRuns: 1, seed: 41 });
      if (!plan) throw new Error("no plan");
      const req = await concrete(plan, quiet.target, op);
      const past = Math.floor(Date.now() / 1000) - 3600;
      const allScopes = EVERY_SCOPE.join(" ");
      const required = new Set(op.security.flatMap((s) => s.bearerAuth ?? []));
      const variants: Array<[string, { token?: string; authorization?: string }, number]> = [
        ["no token", {}, 401],
        [
          "an expired token",
          {
            token: await signRaw(
              standardClaims(quiet.tenant.id, {
                iat: past - 600,
                nbf: past - 600,
                exp: past,
                scope: allScopes,
              }),
            ),
          },
          401,
        ],
        [
          "a token for another audience",
          {
            token: await signRaw(standardClaims(quiet.tenant.id, { aud: "someone-else", scope: allScopes })),
          },
          401,
        ],
        [
          "a token without the operation's scope",
          { token: await tokenFor(quiet.tenant, { scopes: EVERY_SCOPE.filter((s) => !required.has(s)) }) },
          403,
        ],
      ];
      if (op.parameters.some((p) => p.in === "path")) {
        variants.push(["another tenant's token on this tenant's ids", { token: attacker.token }, 404]);
      }
      const faults: string[] = [];
      for (const [label, credentials, expected] of variants) {
        faults.push(...record(await judgeRefusal(op, req, credentials, expected, label, quiet, baseline)));
      }
      expect(faults).toEqual([]);
    },
  );
});

describe("bad client credentials are refused", () => {
  const baseline: Baseline = { tables: {} };
  beforeAll(async () => {
    baseline.tables = await settledState(quiet.tenant);
  }, 60_000);

  it.each(operations.filter(([, op]) => op.security.some((s) => "clientBasic" in s)))(
    "%s",
    async (_operationId, op) => {
      const [plan] = fc.sample(validPlan(op, quiet.rules, "refused"), { numRuns: 1, seed: 41 });
      if (!plan) throw new Error("no plan");
      const {
        client_id: _id,
        client_secret: _secret,
        ...form
      } = (await concrete(plan, quiet.target, op)).body as Record<string, string>;
      const req = { path: {}, query: {}, headers: {} };
      const { id } = quiet.target.client;
      const variants: Array<[string, ConcreteRequest, { authorization?: string }]> = [
        ["no client credentials", { ...req, body: form }, {}],
        [
          "a wrong secret, as HTTP Basic",
          { ...req, body: form },
          { authorization: basicAuthorization(id, "pcs_wrong") },
        ],
        [
          "a wrong secret, in the form",
          { ...req, body: { ...form, client_id: id, client_secret: "pcs_wrong" } },
          {},
        ],
        [
          "an unknown client",
          { ...req, body: { ...form, client_id: "cli_unknown", client_secret: "pcs_wrong" } },
          {},
        ],
      ];
      const faults: string[] = [];
      for (const [label, variant, credentials] of variants) {
        faults.push(...record(await judgeRefusal(op, variant, credentials, 401, label, quiet, baseline)));
      }
      expect(faults).toEqual([]);
    },
  );
});

describe("an undocumented method on a documented path is 405 with Allow", () => {
  it.each([...DOCUMENTED_PATHS.entries()])("%s", async (path, allowed) => {
    const concretePath = BASE_PATH + path.replace(/\{(\w+)\}/g, (_m, name: string) => pathValue(path, name));
    const faults: string[] = [];
    for (const method of UNSUPPORTED_CANDIDATES.filter((m) => !allowed.includes(m))) {
      faults.push(...record(await judgeMethod(concretePath, method, allowed, quiet.token)));
      faults.push(...record(await judgeMethod(concretePath, method, allowed)));
    }
    expect(faults).toEqual([]);
  });
});

/** A real id of the quiet tenant for a path parameter, by its documented pattern. */
function pathValue(path: string, name: string): string {
  const param = OPERATIONS.find((op) => op.path === path)?.parameters.find((p) => p.name === name);
  const prefix = /^\^([a-z]+)_/.exec(param?.schema.pattern ?? "")?.[1] ?? "";
  return quiet.ids[FIXTURE_BY_ID_PREFIX[prefix] ?? ""] ?? "x";
}

describe("totals", () => {
  it("prints the counts, and every one that must be zero is", () => {
    const t = tally;
    console.log(
      `fuzz: operations ${t.operations}, valid cases ${t.validCases} (2xx ${t.successes}), bad inputs tried ${t.badTried}, 5xx ${t.fiveHundreds}, non-problem+json errors ${t.notProblem}, problems not naming the field ${t.problemsNotNamingField}, bad inputs accepted ${t.badAccepted}, state changes on rejected requests ${t.stateChanges}, responses not matching the document ${t.notMatching}, valid inputs wrongly rejected ${t.wronglyRejected}, auth variants refused ${t.authRefused}/${t.authTried}, 405 checks ${t.methodChecks}`,
    );
    expect(t.validCases).toBeGreaterThanOrEqual(t.operations * VALID_RUNS);
    // Valid requests are only worth as much as the successes they reach: every operation has some.
    expect(OPERATIONS.map((op) => op.operationId).filter((id) => !successesByOperation.has(id))).toEqual([]);
    expect(t.badTried).toBeGreaterThanOrEqual(5000);
    expect(t.authRefused).toBe(t.authTried);
    expect({
      fiveHundreds: t.fiveHundreds,
      notProblem: t.notProblem,
      problemsNotNamingField: t.problemsNotNamingField,
      badAccepted: t.badAccepted,
      stateChanges: t.stateChanges,
      notMatching: t.notMatching,
      wronglyRejected: t.wronglyRejected,
      methodFailures: t.methodFailures,
    }).toEqual({
      fiveHundreds: 0,
      notProblem: 0,
      problemsNotNamingField: 0,
      badAccepted: 0,
      stateChanges: 0,
      notMatching: 0,
      wronglyRejected: 0,
      methodFailures: 0,
    });
  });
});
