// RFC 9457 problem details: the one way an HTTP error leaves Phoenix.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  ERROR_CODES,
  type ErrorCode,
  type FieldError,
  fieldErrorsFromIssues,
  isPhoenixError,
  PhoenixError,
} from "../../domain/errors.ts";
import { requestIdOf } from "../telemetry/request-log.ts";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  errors?: FieldError[];
}

/** The problem an error is, as a body: on its own, or one item's outcome inside a bulk answer. */
export function problemOf(error: PhoenixError, instance?: string): Problem {
  const { status, title } = ERROR_CODES[error.code];
  return {
    type: `/problems/${error.code.replaceAll("_", "-")}`,
    title,
    status,
    detail: error.message,
    code: error.code,
    ...(instance ? { instance } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

export function problemResponse(error: PhoenixError, instance?: string): Response {
  const body = problemOf(error, instance);
  const { status } = body;
  const headers = new Headers({ "content-type": PROBLEM_CONTENT_TYPE });
  if (error.code === "unauthenticated") headers.set("www-authenticate", 'Bearer realm="phoenix-api"');
  if (error.code === "forbidden") headers.set("www-authenticate", 'Bearer error="insufficient_scope"');
  if (ERROR_CODES[error.code].retryable && status !== 500) {
    headers.set("retry-after", String(error.retryAfterSeconds ?? 1));
  }
  return new Response(JSON.stringify(body), { status, headers });
}

/** Maps anything thrown inside a request to a problem; unknown errors are logged, never echoed. */
export function toProblem(error: unknown, c: Context): Response {
  const instance = new URL(c.req.url).pathname;
  if (isPhoenixError(error)) return problemResponse(error, instance);
  if (error instanceof HTTPException) {
    if (error.status === 400 && /json/i.test(error.message)) {
      return problemResponse(
        new PhoenixError("invalid_json", "the request body is not valid JSON"),
        instance,
      );
    }
    if (error.status === 413) {
      return problemResponse(
        new PhoenixError("payload_too_large", error.message || "the request body is too large"),
        instance,
      );
    }
    return problemResponse(
      new PhoenixError(codeForStatus(error.status), error.message || "request failed"),
      instance,
    );
  }
  console.error(
    JSON.stringify({
      level: "error",
      msg: "unhandled error",
      request_id: requestIdOf(c),
      path: instance,
      error: String(error),
    }),
  );
  return problemResponse(new PhoenixError("internal", "an unexpected error occurred"), instance);
}

/** The zod-openapi hook: validation failures become problems naming each field (400 for the query, else 422). */
export function validationHook(
  result: {
    success: boolean;
    target?: string;
    error?: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> };
  },
  c: Context,
): Response | undefined {
  if (result.success || !result.error) return undefined;
  const errors = fieldErrorsFromIssues(result.error.issues);
  const fields = errors.map((e) => e.field).join(", ");
  // A query string is the request's address, not its content: a bad parameter is a bad request (400).
  const error =
    result.target === "query"
      ? new PhoenixError("invalid_parameter", `invalid query parameters: ${fields}`, errors)
      : new PhoenixError(
          "validation_failed",
          `invalid ${result.target === "param" ? "path parameters" : "request"}: ${fields}`,
          errors,
        );
  return problemResponse(error, new URL(c.req.url).pathname);
}

function codeForStatus(status: number): ErrorCode {
  for (const [code, meta] of Object.entries(ERROR_CODES)) {
    if (meta.status === status) return code as ErrorCode;
  }
  return status >= 500 ? "internal" : "bad_request";
}
