// zod error messages that complete the sentence "<field> …": the issue path already names the
// field, so the message says what was expected and what arrived, without echoing long input.

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "object") return "an object";
  return String(value);
}

/** A zod `error` callback: "is required and must be X" or "must be X, got Y". */
export function expected(what: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined
      ? `is required and must be ${what}`
      : `must be ${what}, got ${describeValue(issue.input)}`;
}
