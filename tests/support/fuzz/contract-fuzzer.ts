// The contract fuzzer's judgement of one request at a time, and the tally the suite prints: a valid
// request is answered as documented, a request with one broken constraint is refused with a problem
// naming it and changes nothing, a bad credential is refused, an undocumented method is 405.
import fc from "fast-check";
import { SCOPES } from "../../../domain/auth/scopes.ts";
import type { Tenant } from "../../../domain/tenancy.ts";
import { correlationSettled } from "../ingest.ts";
import { SHARED_FIXTURES, TenantFixtures } from "../route-catalog.ts";
import { settledState, stateDifference, tenantStateTables } from "../tenant-state.ts";
import { call, createTenant } from "../world.ts";
import type { DocumentedOperation } from "./documented-operations.ts";
import {
  type BadPlan,
  type ConcreteRequest,
  documentErrors,
  type RequestPlan,
  type RequestRules,
} from "./request-plans.ts";
import { phoenixRules, type SharedIds, TOKEN_CLIENT_SCOPES } from "./request-rules.ts";
import {
  documentMismatch,
  documentsFieldErrors,
  namesField,
  type Observed,
  observe,
  problemFault,
} from "./response-checks.ts";
import { basicAuthorization, type Credentials, concrete, send, type Target } from "./send-plan.ts";

/** One tenant the fuzzer works in: its fixtures, their ids, the rules that name them. */
export interface Side {
  tenant: Tenant;
  fixtures: TenantFixtures;
  ids: SharedIds;
  rules: RequestRules;
  target: Target;
  /** A token with every scope, admin included. */
  token: string;
}

export async function createSide(): Promise<Side> {
  const fixtures = await TenantFixtures.create(await createTenant());
  const ids: SharedIds = {};
  for (const kind of SHARED_FIXTURES) ids[kind] = await fixtures.shared(kind);
  // A second of each listed kind, so a list's first page has a next_cursor to continue from.
  await Promise.all([fixtures.case(), fixtures.user(), fixtures.quarantined(), fixtures.deadLetter()]);
  const res = await call("POST", "/v1/clients", {
    token: fixtures.setup,
    body: { name: "Fuzz token client", scopes: TOKEN_CLIENT_SCOPES },
  });
  if (res.status !== 201) throw new Error(`fuzz client: ${res.status} ${await res.text()}`);
  const client = (await res.json()) as { id: string; client_secret: string };
  await correlationSettled(fixtures.tenant);
  return {
    tenant: fixtures.tenant,
    fixtures,
    ids,
    rules: phoenixRules(ids),
    target: { fixtures, client: { id: client.id, secret: client.client_secret }, token: fixtures.setup },
    token: fixtures.setup,
  };
}

export const tally = {
  operations: 0,
  validCases: 0,
  successes: 0,
  badTried: 0,
  fiveHundreds: 0,
  notProblem: 0,
  problemsNotNamingField: 0,
  stateChanges: 0,
  notMatching: 0,
  wronglyRejected: 0,
  badAccepted: 0,
  authTried: 0,
  authRefused: 0,
  methodChecks: 0,
  methodFailures: 0,
};

type Counter = keyof typeof tally;

/** Valid requests answered 2xx (101 for the WebSocket), by operation: each must reach success. */
export const successesByOperation = new Map<string, number>();

/** What one request showed: counters to add, and why it failed if it did. */
class Verdict {
  readonly counts: Counter[] = [];
  readonly faults: string[] = [];
  /** The operation a valid request succeeded on. */
  succeeded?: string;

  count(counter: Counter): void {
    this.counts.push(counter);
  }

  fail(counter: Counter, why: string): void {
    this.counts.push(counter);
    this.faults.push(why);
  }
}

// Shrinking a request replays it, and one that needs a fresh case opens a Durable Object each
// time: past this many replays the counterexample found so far is reported as it is.
const SHRINK_BUDGET = 150;

/**
 * Runs a property with fast-check and answers a report of its shrunk counterexample, or undefined.
 * Counters are added only before the first failure: the runs that shrink it are not new cases.
 */
export async function runProperty<T>(
  arbitrary: fc.Arbitrary<T>,
  judge: (value: T) => Promise<Verdict>,
  params: fc.Parameters<[T]>,
  reproducer: (value: T) => unknown,
): Promise<string | undefined> {
  let shrinking = false;
  let replays = 0;
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (value) => {
      // A candidate that passes ends its branch of the search: over budget, all of them pass.
      if (shrinking && ++replays > SHRINK_BUDGET) return;
      const verdict = await judge(value);
      if (!shrinking) {
        for (const c of verdict.counts) tally[c]++;
        if (verdict.succeeded) {
          successesByOperation.set(verdict.succeeded, (successesByOperation.get(verdict.succeeded) ?? 0) + 1);
        }
      }
      if (verdict.faults.length > 0) {
        shrinking = true;
        throw new Error(verdict.faults.join("; "));
      }
    }),
    params,
  );
  if (!details.failed) return undefined;
  if (details.counterexample === null) {
    return `fast-check gave up after ${details.numRuns} runs and ${details.numSkips} skipped (generated inputs the document admits, or a filter too strict)`;
  }
  const error =
    details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const example = details.counterexample?.[0];
  return [
    error.split("\n")[0],
    `reproducer: ${JSON.stringify(example === undefined ? null : reproducer(example))}`,
    `replay: { seed: ${details.seed}, path: "${details.counterexamplePath}" }`,
  ].join("\n  ");
}

/** A plan with the side's fixture ids turned back into placeholders, to keep as a regression case. */
export function portable<T>(value: T, side: Side): T {
  let text = JSON.stringify(value);
  for (const [kind, id] of Object.entries(side.ids)) text = text.replaceAll(id, `{{fixture:${kind}}}`);
  text = text.replaceAll(side.target.client.id, "{{client-id}}");
  return JSON.parse(text) as T;
}

function credentialsFor(op: DocumentedOperation, side: Side, req: ConcreteRequest): Credentials {
  const bearer = op.security.some((alternative) => "bearerAuth" in alternative);
  if (bearer) return { token: side.token };
  const body = req.body as Record<string, unknown> | undefined;
  if (op.security.some((alternative) => "clientBasic" in alternative) && body && !("client_id" in body)) {
    return { authorization: basicAuthorization(side.target.client.id, side.target.client.secret) };
  }
  return {};
}

/** A valid request: success, or a documented refusal that is not a 400/422, answered as documented. */
export async function judgeValid(op: DocumentedOperation, plan: RequestPlan, side: Side): Promise<Verdict> {
  const req = await concrete(plan, side.target, op);
  const refused = documentErrors(op, req);
  // The generator's own mistake, not Phoenix's: fail loudly rather than count it.
  if (refused.length > 0)
    throw new Error(`the generated request is not valid by the document: ${refused.join("; ")}`);
  const r = await observe(await send(op, req, credentialsFor(op, side, req)));
  const verdict = new Verdict();
  verdict.count("validCases");
  if (r.status < 300) {
    verdict.count("successes");
    verdict.succeeded = op.operationId;
  }
  if (r.status >= 500)
    verdict.fail("fiveHundreds", `${op.operationId} answered ${r.status}: ${r.text.slice(0, 200)}`);
  if (r.status === 400 || r.status === 422) {
    verdict.fail(
      "wronglyRejected",
      `${op.operationId} refused a valid request with ${r.status}: ${r.text.slice(0, 300)}`,
    );
  }
  judgeDocumented(op, r, verdict);
  return verdict;
}

/** A request with one broken constraint: refused with a problem naming it, and nothing changed. */
export async function judgeBad(
  op: DocumentedOperation,
  bad: BadPlan,
  side: Side,
  baseline: Baseline,
): Promise<Verdict> {
  const req = await concrete(bad.plan, side.target, op);
  // The violation must break the document, or this is not a bad input at all.
  fc.pre(documentErrors(op, req).length > 0);
  const r = await observe(await send(op, req, credentialsFor(op, side, req)));
  const verdict = new Verdict();
  const what = `${op.operationId} with ${bad.broken.kind} at ${bad.broken.where} ${bad.broken.field}`;
  verdict.count("badTried");
  if (r.status >= 500) verdict.fail("fiveHundreds", `${what} answered ${r.status}: ${r.text.slice(0, 200)}`);
  if (r.status < 400)
    verdict.fail("badAccepted", `${what} was accepted with ${r.status}: ${r.text.slice(0, 200)}`);
  if (r.status >= 400 && r.status < 500) {
    const fault = problemFault(r);
    if (fault) verdict.fail("notProblem", `${what} answered ${r.status} that is not a problem: ${fault}`);
    else if (
      (r.status === 400 || r.status === 422) &&
      !namesField(r, bad.broken, documentsFieldErrors(op, r))
    ) {
      verdict.fail(
        "problemsNotNamingField",
        `${what}: the ${r.status} problem does not name the field: ${r.text.slice(0, 300)}`,
      );
    }
  }
  judgeDocumented(op, r, verdict);
  const changed = await stateChange(side, baseline);
  if (changed) verdict.fail("stateChanges", `${what} (${r.status}) changed the tenant's state: ${changed}`);
  return verdict;
}

function judgeDocumented(op: DocumentedOperation, r: Observed, verdict: Verdict): void {
  const mismatch = documentMismatch(op, r);
  if (mismatch) verdict.fail("notMatching", `${op.operationId} ${r.status}: ${mismatch}`);
  if (r.status >= 400 && r.status < 500 && !verdict.counts.includes("notProblem")) {
    const fault = problemFault(r);
    // The token endpoint answers OAuth clients in JSON when they ask for it; this suite does not.
    if (fault) verdict.fail("notProblem", `${op.operationId} ${r.status} is not a problem: ${fault}`);
  }
}

/** A refused credential: exactly the expected status, as a documented problem, and nothing changed. */
export async function judgeRefusal(
  op: DocumentedOperation,
  req: ConcreteRequest,
  credentials: Credentials,
  expected: number,
  label: string,
  side: Side,
  baseline: Baseline,
): Promise<Verdict> {
  const r = await observe(await send(op, req, credentials));
  const verdict = new Verdict();
  verdict.count("authTried");
  if (r.status === expected) verdict.count("authRefused");
  else
    verdict.faults.push(
      `${op.operationId} ${label}: ${r.status}, expected ${expected}: ${r.text.slice(0, 200)}`,
    );
  if (r.status >= 500) verdict.count("fiveHundreds");
  judgeDocumented(op, r, verdict);
  const changed = await stateChange(side, baseline);
  if (changed) {
    verdict.fail(
      "stateChanges",
      `${op.operationId} ${label} (${r.status}) changed the tenant's state: ${changed}`,
    );
  }
  return verdict;
}

/** An undocumented method on a documented path: 405, `Allow` naming exactly the documented ones. */
export async function judgeMethod(
  path: string,
  method: string,
  allowed: string[],
  token?: string,
): Promise<Verdict> {
  const r = await observe(await call(method, path, token === undefined ? {} : { token }));
  const verdict = new Verdict();
  verdict.count("methodChecks");
  const allow = (r.headers.get("allow") ?? "")
    .split(",")
    .map((m) => m.trim())
    .filter(Boolean);
  const exact = allow.length === allowed.length && allowed.every((m) => allow.includes(m));
  if (r.status !== 405 || !exact) {
    verdict.fail(
      "methodFailures",
      `${method} ${path}: ${r.status}, Allow "${r.headers.get("allow") ?? ""}", expected 405 and ${allowed.join(", ")}`,
    );
  }
  if (r.status >= 500) verdict.count("fiveHundreds");
  if (method !== "HEAD") {
    const fault = problemFault(r);
    if (fault) verdict.fail("notProblem", `${method} ${path} ${r.status}: ${fault}`);
  }
  return verdict;
}

/** Adds a verdict's counters to the tally (for checks that run outside fast-check). */
export function record(verdict: Verdict): string[] {
  for (const c of verdict.counts) tally[c]++;
  return verdict.faults;
}

/** A tenant's rows, to compare each refused request's aftermath with. */
export interface Baseline {
  tables: Record<string, string>;
}

/** What changed since the baseline, naming the tables (the baseline then settles afresh); null if nothing. */
async function stateChange(side: Side, baseline: Baseline): Promise<string | null> {
  const difference = stateDifference(baseline.tables, await tenantStateTables(side.tenant));
  if (difference === "") return null;
  baseline.tables = await settledState(side.tenant);
  return difference;
}

export const EVERY_SCOPE = [...SCOPES];
