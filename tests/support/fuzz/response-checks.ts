// What a response must be by the document: a documented status, a documented content type, a body
// its schema admits and the headers it promises; and for an error, an RFC 9457 problem that names
// what was wrong.
import { responseSchemaErrors } from "../contract-validators.ts";
import { COMPONENTS, type DocumentedOperation } from "./documented-operations.ts";
import { resolve } from "./json-schema.ts";
import type { Broken } from "./request-plans.ts";

export const PROBLEM_JSON = "application/problem+json";

export interface Observed {
  status: number;
  /** Without parameters: "application/json". */
  contentType: string;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON. */
  json?: unknown;
}

export async function observe(res: Response): Promise<Observed> {
  if (res.webSocket) {
    // A live case stream: accepted and closed at once, so the case object can hibernate again.
    res.webSocket.accept();
    res.webSocket.close(1000, "fuzz done");
  }
  const text = res.status === 101 ? "" : await res.text();
  const contentType = (res.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  let json: unknown;
  if (contentType.endsWith("json") && text !== "") {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return {
    status: res.status,
    contentType,
    headers: res.headers,
    text,
    ...(json === undefined ? {} : { json }),
  };
}

/** Where the response departs from what the document says of this operation; undefined when it conforms. */
export function documentMismatch(op: DocumentedOperation, r: Observed): string | undefined {
  const documented = op.responses.get(r.status);
  if (!documented) return `status ${r.status} is not documented (${[...op.responses.keys()].join(", ")})`;
  const types = Object.keys(documented.content);
  if (types.length === 0) {
    return r.text === ""
      ? undefined
      : `status ${r.status} is documented without a body, got ${r.contentType}`;
  }
  if (!types.includes(r.contentType))
    return `content type ${r.contentType || "(none)"} is not one of ${types.join(", ")}`;
  if (r.json === undefined) return `the ${r.contentType} body does not parse: ${r.text.slice(0, 120)}`;
  const errors = responseSchemaErrors(op.operationId, r.status, r.contentType, r.json);
  if (errors.length > 0) return `the body departs from the schema: ${errors.slice(0, 3).join("; ")}`;
  const missing = documented.headers.filter((h) => !r.headers.has(h));
  if (missing.length > 0) return `documented headers missing: ${missing.join(", ")}`;
  return undefined;
}

export interface ProblemBody {
  type?: unknown;
  title?: unknown;
  status?: unknown;
  detail?: unknown;
  errors?: Array<{ field?: unknown; message?: unknown }>;
}

/** Why an error response is not an RFC 9457 problem of its own status; undefined when it is one. */
export function problemFault(r: Observed): string | undefined {
  if (r.contentType !== PROBLEM_JSON) return `content type ${r.contentType || "(none)"}, not ${PROBLEM_JSON}`;
  const p = r.json as ProblemBody | undefined;
  if (!p || typeof p !== "object") return "the body is not a JSON object";
  for (const member of ["type", "title", "detail"] as const) {
    if (typeof p[member] !== "string" || p[member] === "") return `no ${member}`;
  }
  if (p.status !== r.status) return `status member ${String(p.status)} is not the response's ${r.status}`;
  return undefined;
}

/**
 * Whether a validation problem names the broken field: the field itself, the object or union that
 * holds it (as a union reports), or a message that says its name.
 */
export function namesField(r: Observed, broken: Broken, documentsErrors: boolean): boolean {
  const problem = r.json as ProblemBody | undefined;
  const want = broken.where === "header" ? broken.field.toLowerCase() : broken.field;
  const leaf = /([^.[\]]+)\]?$/.exec(want)?.[1] ?? want;
  // A problem whose documented schema has no `errors` (OAuth's) names the field in its detail.
  if (!documentsErrors) return String(problem?.detail ?? "").includes(leaf);
  const errors = problem?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return false;
  // A missing body: naming what it lacked is naming the problem.
  if (want === "(body)") return true;
  return errors.some((e) => {
    const field = String(e.field ?? "");
    const named = broken.where === "header" ? field.toLowerCase() : field;
    if (named === want) return true;
    const holds = named !== "(body)" && (want.startsWith(`${named}.`) || want.startsWith(`${named}[`));
    return holds || String(e.message ?? "").includes(leaf);
  });
}

/** Whether the documented problem schema of this response has Phoenix's `errors` member. */
export function documentsFieldErrors(op: DocumentedOperation, r: Observed): boolean {
  const schema = op.responses.get(r.status)?.content[r.contentType];
  return schema !== undefined && resolve(schema, COMPONENTS).properties?.errors !== undefined;
}
