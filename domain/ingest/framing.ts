// How JSON sources frame a delivery: one object, a JSON array of items, or NDJSON (one item a line).
// Each item keeps its exact raw text, so quarantine and raw_data hold the bytes the source sent.
import { MAX_ITEMS_PER_DELIVERY, type ParseResult, type RawItem } from "./kind.ts";

const NDJSON_MEDIA_TYPES = new Set([
  "application/x-ndjson",
  "application/ndjson",
  "application/jsonl",
  "application/x-jsonlines",
  "application/jsonlines",
]);

/**
 * Splits a body into items. NDJSON is used when the content type says so, or when the body is not one
 * JSON document but its first line is; a malformed NDJSON line becomes an item with `value: undefined`
 * (JSON never yields undefined), so it fails mapping on its own and the rest of the batch goes through.
 */
export function frameJsonItems(body: string, contentType: string): ParseResult {
  const text = body.startsWith("\uFEFF") ? body.slice(1) : body;
  if (text.trim() === "") return { ok: false, reason: "the body is empty" };
  if (NDJSON_MEDIA_TYPES.has(mediaType(contentType))) return frameNdjson(text);

  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const lines = nonBlankLines(text);
    // Pretty-printed JSON that is broken must not turn into one quarantined item per line.
    if (lines.length > 1 && lines[0] !== undefined && parsesAsJson(lines[0].text)) return frameNdjson(text);
    return { ok: false, reason: `the body is not valid JSON or NDJSON: ${messageOf(error)}` };
  }

  if (Array.isArray(document)) {
    if (document.length > MAX_ITEMS_PER_DELIVERY) return tooMany(document.length);
    const spans = arrayElementSpans(text);
    return {
      ok: true,
      items: document.map((value, i) => ({ raw: spans[i] ?? JSON.stringify(value), value })),
    };
  }
  if (typeof document === "object" && document !== null) {
    return { ok: true, items: [{ raw: text.trim(), value: document }] };
  }
  return {
    ok: false,
    reason: `the body must be a JSON object, a JSON array of objects, or NDJSON, got ${describeValue(document)}`,
  };
}

/** Why an item could not be read as JSON, or undefined when it was. Kinds call this first in `map`. */
export function unparsedItemReason(item: RawItem): string | undefined {
  if (item.value !== undefined) return undefined;
  try {
    JSON.parse(item.raw);
    return "the item has no parsed value";
  } catch (error) {
    return `the item is not valid JSON: ${messageOf(error)}`;
  }
}

function frameNdjson(text: string): ParseResult {
  const lines = nonBlankLines(text);
  if (lines.length > MAX_ITEMS_PER_DELIVERY) return tooMany(lines.length);
  const items = lines.map(({ text: raw }): RawItem => {
    try {
      return { raw, value: JSON.parse(raw) };
    } catch {
      return { raw, value: undefined };
    }
  });
  return { ok: true, items };
}

function nonBlankLines(text: string): Array<{ text: string }> {
  return text
    .split("\n")
    .map((line) => ({ text: line.trim() }))
    .filter((line) => line.text !== "");
}

/**
 * The exact source text of each top-level element of a JSON array that is known to be valid, so an
 * item's raw text keeps what JSON.parse would lose (integers past 2^53, key order, number spelling).
 */
function arrayElementSpans(text: string): string[] {
  const spans: string[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "[" || c === "{") {
      depth++;
      if (depth === 1) start = i + 1;
    } else if (c === "]" || c === "}") {
      depth--;
      if (depth === 0) pushSpan(spans, text.slice(start, i));
    } else if (c === "," && depth === 1) {
      pushSpan(spans, text.slice(start, i));
      start = i + 1;
    }
  }
  return spans;
}

function pushSpan(spans: string[], slice: string): void {
  const trimmed = slice.trim();
  // `[]` has no elements; JSON.parse has already ruled out empty ones such as `[1,,2]`.
  if (trimmed !== "") spans.push(trimmed);
}

function mediaType(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function tooMany(count: number): ParseResult {
  return {
    ok: false,
    reason: `the delivery has ${count} items; at most ${MAX_ITEMS_PER_DELIVERY} are accepted per delivery`,
  };
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return "a string";
  return `a ${typeof value}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
