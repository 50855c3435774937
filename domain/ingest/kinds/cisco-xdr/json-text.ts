// JSON reading for XDR deliveries: integers beyond 2^53 (CTIM process_guid, counters) stay exact,
// and each array element or object member can be sliced out of the source text verbatim, so an
// item's raw text is the bytes XDR sent, not a re-serialisation.

export type Span = readonly [start: number, end: number];

// workerd implements JSON.parse source text access (TC39 stage 4); TypeScript's lib does not type it yet.
type SourceReviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

const INTEGER_LITERAL = /^-?\d+$/;

// Only integer literals are kept as text: a float is approximate in the source system too.
const keepBigIntegers: SourceReviver = (_key, value, context) => {
  if (typeof value === "number" && !Number.isSafeInteger(value) && context?.source !== undefined) {
    if (INTEGER_LITERAL.test(context.source)) return context.source;
  }
  return value;
};

/** JSON.parse, with integer literals outside the safe range returned as their exact decimal string. */
export function parseJsonLossless(text: string): unknown {
  return JSON.parse(text, keepBigIntegers as (this: unknown, key: string, value: unknown) => unknown);
}

// The span helpers below run only on text that JSON.parse has already accepted, so they skip
// values structurally and never need to report syntax errors.

function skipWhitespace(text: string, at: number): number {
  let i = at;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

function stringEnd(text: string, at: number): number {
  let i = at + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  return i;
}

/** The index just past the JSON value that starts at `at`. */
function valueEnd(text: string, at: number): number {
  const first = text[at];
  if (first === '"') return stringEnd(text, at);
  if (first === "{" || first === "[") {
    let depth = 0;
    let i = at;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i = stringEnd(text, i);
        continue;
      }
      if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return i;
  }
  let i = at;
  while (i < text.length && !",}] \t\n\r".includes(text[i] ?? "")) i++;
  return i;
}

/** Where the top-level value of `text` starts and ends, whitespace excluded. */
export function valueSpan(text: string, at = 0): Span {
  const start = skipWhitespace(text, at);
  return [start, valueEnd(text, start)];
}

/** The spans of the elements of the array that starts at `at` (which must be `[`). */
export function arrayElementSpans(text: string, at: number): Span[] {
  const spans: Span[] = [];
  let i = skipWhitespace(text, at + 1);
  if (text[i] === "]") return spans;
  while (i < text.length) {
    const end = valueEnd(text, i);
    spans.push([i, end]);
    i = skipWhitespace(text, end);
    if (text[i] !== ",") break;
    i = skipWhitespace(text, i + 1);
  }
  return spans;
}

/** The value spans of the members of the object that starts at `at` (which must be `{`); the last duplicate wins, as in JSON.parse. */
export function objectMemberSpans(text: string, at: number): Map<string, Span> {
  const members = new Map<string, Span>();
  let i = skipWhitespace(text, at + 1);
  while (text[i] === '"') {
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1);
    const end = valueEnd(text, i);
    members.set(key, [i, end]);
    i = skipWhitespace(text, end);
    if (text[i] !== ",") break;
    i = skipWhitespace(text, i + 1);
  }
  return members;
}

/**
 * Paths of object keys that appear more than once in the JSON value at `at` (hand-made bundles
 * repeat one now and then). JSON.parse keeps the last; the caller records that it did.
 */
export function repeatedKeys(text: string, at = 0, path = ""): string[] {
  const start = skipWhitespace(text, at);
  const first = text[start];
  const found: string[] = [];
  if (first === "[") {
    for (const [i, [s]] of arrayElementSpans(text, start).entries())
      found.push(...repeatedKeys(text, s, `${path}[${i}]`));
    return found;
  }
  if (first !== "{") return found;
  const seen = new Set<string>();
  let i = skipWhitespace(text, start + 1);
  while (text[i] === '"') {
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    const keyPath = path === "" ? key : `${path}.${key}`;
    if (seen.has(key)) found.push(keyPath);
    seen.add(key);
    i = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1);
    const end = valueEnd(text, i);
    found.push(...repeatedKeys(text, i, keyPath));
    i = skipWhitespace(text, end);
    if (text[i] !== ",") break;
    i = skipWhitespace(text, i + 1);
  }
  return found;
}
