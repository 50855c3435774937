// Never the content (issue 19): sources that can carry prompt or completion text have it removed
// at the edge, before the delivery is queued, pulled into storage or quarantined. What was removed
// is recorded on the item itself, so its alerts can say so (decision 057).
import type { ParseResult } from "./kind.ts";

/** The member each item gets when content was dropped from it: where the content was. */
export const CONTENT_DROPPED_KEY = "phoenix_content_dropped";
/** What CONTENT_DROPPED_KEY names when the body (or one line of it) could not be read and none of it was kept. */
export const WHOLE_BODY = "(the whole body)";

/**
 * Names under which a source may carry prompt or response text: a conversation's messages, an
 * inspection request, an explanation that quotes what it explains. Dropped wherever they appear.
 */
export const PROMPT_TEXT_MEMBERS: ReadonlySet<string> = new Set([
  "content",
  "messages",
  "prompt",
  "prompt_text",
  "response_text",
  "completion",
  "completion_text",
  "explanation",
  "http_req",
  "http_res",
]);

/** Which members are content: by name anywhere, or by name only inside a named parent. */
export interface ContentRule {
  /** Member names dropped wherever they appear (e.g. `content`, `prompt`). */
  anywhere?: ReadonlySet<string>;
  /** Member names dropped only in objects that are elements of an array under this name (e.g. `matches` → `text`). */
  inArrays?: Readonly<Record<string, ReadonlySet<string>>>;
}

/** A copy of `value` without its content members, and the JSON paths they were at. */
export function dropContent(value: unknown, rule: ContentRule): { value: unknown; dropped: string[] } {
  const dropped: string[] = [];
  const walk = (node: unknown, path: string, arrayName: string | undefined): unknown => {
    if (Array.isArray(node)) return node.map((element, i) => walk(element, `${path}[${i}]`, arrayName));
    if (node === null || typeof node !== "object") return node;
    const kept: Record<string, unknown> = {};
    const inArray = arrayName === undefined ? undefined : rule.inArrays?.[arrayName.toLowerCase()];
    for (const [key, member] of Object.entries(node)) {
      const at = path === "" ? key : `${path}.${key}`;
      // Names are matched in any case: `Prompt` carries the same text as `prompt`.
      const name = key.toLowerCase();
      if (rule.anywhere?.has(name) || inArray?.has(name)) {
        dropped.push(at);
        continue;
      }
      kept[key] = walk(member, at, Array.isArray(member) ? key : undefined);
    }
    return kept;
  };
  return { value: walk(value, "", undefined), dropped };
}

/**
 * A delivery as Phoenix keeps it: the items the source's framing found, each without its content,
 * as NDJSON (one item a line). Items that lost something carry CONTENT_DROPPED_KEY. A body that
 * cannot be read is replaced by a note: what cannot be parsed cannot be cleaned, so it is not kept.
 */
export function itemsWithoutContent(
  body: string,
  framed: ParseResult,
  rule: ContentRule,
): { body: string; contentType: string; dropped: number } {
  if (!framed.ok) {
    return {
      body: JSON.stringify({
        [CONTENT_DROPPED_KEY]: [WHOLE_BODY],
        // A fixed reason: a JSON parser's message quotes the start of the body, which may be the prompt.
        unreadable: framed.ok
          ? "an item is not valid JSON"
          : "the body could not be read as the source's JSON",
        bytes: new TextEncoder().encode(body).byteLength,
      }),
      contentType: NDJSON,
      dropped: 1,
    };
  }
  // An empty batch stays one: as an empty body it would read as a broken delivery and be quarantined.
  if (framed.items.length === 0) return { body: "[]", contentType: "application/json", dropped: 0 };
  let dropped = 0;
  const lines = framed.items.map((item) => {
    // A line that cannot be read is replaced alone; the rest of the batch goes through.
    if (item.value === undefined) {
      dropped++;
      return JSON.stringify({
        [CONTENT_DROPPED_KEY]: [WHOLE_BODY],
        unreadable: "the item is not valid JSON",
      });
    }
    const cleaned = dropContent(item.value, rule);
    dropped += cleaned.dropped.length;
    // JSON strings hold no raw line breaks, so folding whitespace keeps an item on one line.
    if (cleaned.dropped.length === 0) return item.raw.replace(/\r?\n\s*/g, " ");
    return JSON.stringify({ ...(cleaned.value as object), [CONTENT_DROPPED_KEY]: cleaned.dropped });
  });
  return { body: lines.join("\n"), contentType: NDJSON, dropped };
}

const NDJSON = "application/x-ndjson";
