// The one error vocabulary of Phoenix. Every edge maps these codes once: HTTP to RFC 9457
// problem+json, the workbench to its root error boundary, queues to retry-or-not.

export const ERROR_CODES = {
  bad_request: { status: 400, title: "Bad request", retryable: false },
  invalid_json: { status: 400, title: "Malformed JSON", retryable: false },
  invalid_parameter: { status: 400, title: "Invalid query parameter", retryable: false },
  validation_failed: { status: 422, title: "Validation failed", retryable: false },
  unauthenticated: { status: 401, title: "Authentication required", retryable: false },
  forbidden: { status: 403, title: "Forbidden", retryable: false },
  not_found: { status: 404, title: "Not found", retryable: false },
  method_not_allowed: { status: 405, title: "Method not allowed", retryable: false },
  conflict: { status: 409, title: "Conflict", retryable: false },
  invalid_transition: { status: 409, title: "Invalid transition", retryable: false },
  closure_blocked: { status: 409, title: "The case cannot be closed yet", retryable: false },
  precondition_failed: { status: 412, title: "Precondition failed", retryable: false },
  precondition_required: { status: 428, title: "Precondition required", retryable: false },
  idempotency_in_progress: {
    status: 409,
    title: "A request with this Idempotency-Key is in progress",
    retryable: true,
  },
  idempotency_key_reused: {
    status: 422,
    title: "Idempotency-Key reused with a different request",
    retryable: false,
  },
  payload_too_large: { status: 413, title: "Payload too large", retryable: false },
  unsupported_media_type: { status: 415, title: "Unsupported media type", retryable: false },
  rate_limited: { status: 429, title: "Too many requests", retryable: true },
  quota_exceeded: { status: 429, title: "Daily ingest quota exceeded", retryable: true },
  // OAuth 2.0 token endpoint errors (RFC 6749 §5.2); the problem body also carries `error`.
  invalid_client: { status: 401, title: "Client authentication failed", retryable: false },
  invalid_scope: { status: 400, title: "Invalid scope", retryable: false },
  unsupported_grant_type: { status: 400, title: "Unsupported grant type", retryable: false },
  csrf_rejected: { status: 403, title: "Cross-site request refused", retryable: false },
  internal: { status: 500, title: "Internal error", retryable: true },
  unavailable: { status: 503, title: "Service unavailable", retryable: true },
} as const satisfies Record<string, { status: number; title: string; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One invalid field: a JSON-pointer-like dotted path and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

export interface PhoenixErrorBody {
  code: ErrorCode;
  message: string;
  errors?: FieldError[];
}

export class PhoenixError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;
  /** For 429 and 503: when the caller may try again, sent as Retry-After. */
  retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, errors?: FieldError[]) {
    super(message);
    this.name = "PhoenixError";
    this.code = code;
    this.errors = errors;
  }

  retryAfter(seconds: number): this {
    this.retryAfterSeconds = Math.max(1, Math.ceil(seconds));
    return this;
  }

  toBody(): PhoenixErrorBody {
    return this.errors
      ? { code: this.code, message: this.message, errors: this.errors }
      : { code: this.code, message: this.message };
  }
}

export function isPhoenixError(value: unknown): value is PhoenixError {
  return value instanceof PhoenixError;
}

/** Turns zod-style issues into field errors with dotted paths ("finding_info.uid", "[3].time"). */
export function fieldErrorsFromIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: unknown }>,
  prefix = "",
): FieldError[] {
  return issues.flatMap((issue) =>
    // A strict object's unknown keys are named one by one, each at its own path.
    issue.code === "unrecognized_keys" && Array.isArray(issue.keys)
      ? issue.keys.map((key) => ({
          field: joinPath(prefix, [...issue.path, String(key)]),
          message: "is not a known field",
        }))
      : [{ field: joinPath(prefix, issue.path) || "(body)", message: issue.message }],
  );
}

function joinPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Whether a storage error (or one it wraps, as drizzle wraps D1's) has a message matching `pattern`. */
export function failedWith(error: unknown, pattern: RegExp): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (pattern.test(e.message)) return true;
  }
  return false;
}
