// The one rule for text in Phoenix (decision 028): every string and object key must be well-formed
// UTF-16. A lone surrogate cannot be encoded as UTF-8, so it could not be hashed, audited or sent on
// faithfully; it is refused at the edge (422 naming the field) or its item is quarantined.
import type { FieldError } from "../errors.ts";
import { MAX_JSON_DEPTH } from "./limits.ts";

/**
 * The first problem in a parsed JSON value, or null: a string or key with a lone surrogate, or
 * nesting deeper than MAX_JSON_DEPTH. Iterative, so no input can exhaust the stack.
 */
export function jsonValueProblem(value: unknown, prefix = ""): FieldError | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: prefix, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof v === "string") {
      if (!v.isWellFormed()) return { field: path || "(body)", message: LONE_SURROGATE };
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      return { field: path || "(body)", message: `is nested deeper than ${MAX_JSON_DEPTH} levels` };
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--)
        stack.push({ value: v[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      if (!key.isWellFormed()) {
        return { field: joinKey(path, JSON.stringify(key)), message: `is a key that ${LONE_SURROGATE}` };
      }
      stack.push({ value: (v as Record<string, unknown>)[key], path: joinKey(path, key), depth: depth + 1 });
    }
  }
  return null;
}

const LONE_SURROGATE =
  "contains a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape); send well-formed text";

function joinKey(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
