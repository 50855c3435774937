// Requests generated from a documented operation: valid ones (every parameter and the body drawn
// from their schemas), and ones that break exactly one constraint. What only the sender can know
// travels as a placeholder: "{{fresh:case}}" (a fixture made for this request), "{{case-version}}",
// "{{unique-key}}", "{{next-cursor}}"; a kept regression case names fixtures as "{{fixture:case}}", so it replays
// against the next run's fixtures (tests/support/fuzz/regressions.ts).
import fc from "fast-check";
import { parameterSchemaErrors, requestSchemaErrors } from "../contract-validators.ts";
import type { DocumentedOperation, DocumentedParameter } from "./documented-operations.ts";
import { COMPONENTS } from "./documented-operations.ts";
import { fieldName, type JsonSchema, typesOf } from "./json-schema.ts";
import { type Shaper, schemaArbitrary } from "./schema-arbitrary.ts";
import { parameterViolations, violationsOf } from "./schema-violations.ts";

export interface RequestPlan {
  operationId: string;
  path: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** The JSON body, or the fields of a form body; absent when none is sent. */
  body?: unknown;
}

/** What a plan of the bad-input phase broke, and where Phoenix's problem must say so. */
export interface Broken {
  where: "body" | DocumentedParameter["in"];
  kind: string;
  /** As Phoenix names fields: "config.url", "[0].time", "limit", "if-match". */
  field: string;
}

export interface BadPlan {
  plan: RequestPlan;
  broken: Broken;
}

/**
 * "exercise": a request meant to reach success, so it may make fixtures of its own; "refused": one
 * that must be refused and change nothing (a broken constraint, a bad credential), so it names only
 * the tenant's shared fixtures and its one fault is the one the test put there.
 */
export type Mode = "exercise" | "refused";

/** The knowledge of Phoenix the document cannot state (tests/support/fuzz/request-rules.ts). */
export interface RequestRules {
  /** Shapes schema nodes of the operation's parameters and body. */
  shaper(op: DocumentedOperation, mode: Mode): Shaper | undefined;
  /** A parameter's arbitrary where the schema alone is not enough; null leaves the parameter out. */
  parameter(
    op: DocumentedOperation,
    param: DocumentedParameter,
    mode: Mode,
  ): fc.Arbitrary<string> | null | undefined;
  /** A rule across parts of one request (a body id that must differ from the path's). */
  finish(op: DocumentedOperation, plan: RequestPlan, mode: Mode): RequestPlan;
}

// Placeholders, resolved when the request is sent (tests/support/fuzz/send-plan.ts).
const PLACEHOLDER =
  /\{\{(?:(?:fixture|fresh):[A-Za-z]+|case-version|unique-key|client-id|client-secret|next-cursor)\}\}/g;

export function placeholdersIn(text: string): string[] {
  return text.match(PLACEHOLDER) ?? [];
}

/** A string that is (or carries) a placeholder: it stands for a value valid where it is used. */
export function isPlaceholder(text: string): boolean {
  return placeholdersIn(text).length > 0;
}

export function validPlan(
  op: DocumentedOperation,
  rules: RequestRules,
  mode: Mode = "exercise",
): fc.Arbitrary<RequestPlan> {
  const shape = rules.shaper(op, mode);
  const params = (where: DocumentedParameter["in"]) => {
    const model: Record<string, fc.Arbitrary<string | undefined>> = {};
    for (const param of op.parameters.filter((p) => p.in === where)) {
      const custom = rules.parameter(op, param, mode);
      if (custom === null) continue;
      const value = custom ?? schemaArbitrary(param.schema, COMPONENTS, shape).map(wireText);
      // An optional parameter is sent half the time.
      model[param.name] = param.required ? value : fc.option(value, { nil: undefined, freq: 2 });
    }
    return fc.record(model).map(defined);
  };
  const body = op.body
    ? schemaArbitrary(op.body.schema, COMPONENTS, shape).map((v) => ({ body: v }))
    : fc.constant({});
  const maybeBody = op.body && !op.body.required ? fc.option(body, { nil: {}, freq: 4 }) : body;
  return fc
    .record({ path: params("path"), query: params("query"), headers: params("header"), body: maybeBody })
    .map(({ path, query, headers, body }) =>
      rules.finish(op, { operationId: op.operationId, path, query, headers, ...body }, mode),
    );
}

/**
 * A valid plan with exactly one constraint broken, picked from every violation of its body and
 * parameters by `pick`, so fast-check shrinks the request and the choice together.
 */
export function badPlan(op: DocumentedOperation, rules: RequestRules): fc.Arbitrary<BadPlan> {
  return fc
    .tuple(validPlan(op, rules, "refused"), fc.nat())
    .map(([plan, pick]) => {
      const options = breakings(op, plan);
      return options.length === 0 ? undefined : options[pick % options.length];
    })
    .filter((b): b is BadPlan => b !== undefined);
}

function breakings(op: DocumentedOperation, plan: RequestPlan): BadPlan[] {
  const out: BadPlan[] = [];
  if (op.body) {
    if (plan.body === undefined) {
      // Left out on purpose (optional body): nothing inside it to break.
    } else {
      // A form carries only strings: its fields can be missing or wrong, never of another JSON type.
      const form = op.body.contentType === "application/x-www-form-urlencoded";
      const violations = violationsOf(plan.body, op.body.schema, COMPONENTS, isPlaceholder).filter(
        (v) => !form || (v.kind !== "wrong type" && v.path.length === 1),
      );
      for (const v of violations) {
        out.push({
          plan: { ...plan, body: v.value },
          broken: { where: "body", kind: v.kind, field: fieldName(v.path) },
        });
      }
      if (op.body.required) {
        const { body: _left, ...rest } = plan;
        out.push({ plan: rest, broken: { where: "body", kind: "missing required", field: "(body)" } });
      }
    }
  }
  for (const param of op.parameters) {
    const bag = param.in === "path" ? "path" : param.in === "query" ? "query" : "headers";
    const current = plan[bag][param.name];
    for (const [kind, value] of parameterViolations(param.schema, current ?? "")) {
      out.push({
        plan: { ...plan, [bag]: { ...plan[bag], [param.name]: value } },
        broken: { where: param.in, kind, field: param.name },
      });
    }
    if (param.required && param.in !== "path" && current !== undefined) {
      const { [param.name]: _left, ...rest } = plan[bag];
      out.push({
        plan: { ...plan, [bag]: rest },
        broken: { where: param.in, kind: "missing required", field: param.name },
      });
    }
  }
  return out;
}

/** A request as sent: placeholders resolved, the body a JSON value or form fields. */
export interface ConcreteRequest {
  path: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: unknown;
}

/** Where a concrete request departs from the document; empty when the document admits it. */
export function documentErrors(op: DocumentedOperation, req: ConcreteRequest): string[] {
  const errors: string[] = [];
  for (const param of op.parameters) {
    const bag = param.in === "path" ? req.path : param.in === "query" ? req.query : req.headers;
    const value = bag[param.name];
    if (value === undefined) {
      if (param.required) errors.push(`${param.in} ${param.name} is missing`);
      continue;
    }
    const found = parameterSchemaErrors(
      op.operationId,
      param.in,
      param.name,
      typedParameter(param.schema, value),
    );
    for (const e of found) errors.push(`${param.in} ${param.name}: ${e}`);
  }
  if (op.body) {
    if (req.body === undefined) {
      if (op.body.required) errors.push("the body is missing");
    } else {
      for (const e of requestSchemaErrors(op.operationId, op.body.contentType, req.body)) {
        errors.push(`body ${e}`);
      }
    }
  }
  return errors;
}

/** A parameter's text read as its schema's type, as a server would before validating it. */
function typedParameter(schema: JsonSchema, text: string): unknown {
  const types = typesOf(schema);
  if ((types.includes("integer") || types.includes("number")) && /^-?\d+(\.\d+)?$/.test(text))
    return Number(text);
  if (types.includes("boolean") && (text === "true" || text === "false")) return text === "true";
  return text;
}

/** How a generated parameter value travels: numbers and booleans as their JSON text. */
function wireText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function defined(record: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}
