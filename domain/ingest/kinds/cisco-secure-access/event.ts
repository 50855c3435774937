// Cisco Secure Access security events as they reach Phoenix (docs/vendors/cisco-secure-access.md):
// its webhook pushes batches in a CloudEvents-style envelope (`data.events[]`), and its AI Guardrails
// and other DLP rule events have the Reports API's `AiGuardrailsDlpRuleEvent` model. Both are read
// leniently: the vendor documents little of the push and adds fields without notice.
import { z } from "zod";
import {
  CONTENT_DROPPED_KEY,
  type ContentRule,
  itemsWithoutContent,
  PROMPT_TEXT_MEMBERS,
} from "../../content.ts";
import { frameJsonItems } from "../../framing.ts";
import { MAX_ITEMS_PER_DELIVERY, type ParseResult, type RawItem, type ReceivedDelivery } from "../../kind.ts";
import { isRecord } from "../ai-activity/vendor-kinds.ts";

const str = z.string().min(1);
// The spec says integer for these ids; a string spelling of one is the same id.
const numericId = z.union([z.int(), str]);

/** The CloudEvents-style envelope of a push; `datacontenttype` is spelled both ways in Cisco's pages. */
export const envelopeSchema = z.looseObject({
  specversion: z.string().optional(),
  type: z.string().optional(),
  source: z.string().optional(),
  id: z.string().optional(),
  time: z.string().optional(),
  orgid: numericId.optional(),
  integrationid: z.string().optional(),
  datacontenttype: z.string().optional(),
  dataContentType: z.string().optional(),
});
export type SecureAccessEnvelope = z.infer<typeof envelopeSchema>;

const named = z.looseObject({ id: numericId.optional(), name: z.string().optional() });

const classificationSchema = z.looseObject({
  id: numericId.optional(),
  name: z.string().optional(),
  classifiers: z
    .array(z.looseObject({ name: z.string().optional(), totalMatches: z.number().optional() }))
    .optional(),
});

/**
 * The fields Phoenix reads of a DLP event: the AI Guardrails / DLP rule event model's, and the few
 * OCSF and `cisco_*` keys a pushed event has. Only these are checked; the rest (`contentType`,
 * `totalSizeInBytes`, `applicationCategory`, `fileLabels`…) rides along untouched in `unmapped`.
 */
export const dlpEventSchema = z.looseObject({
  eventId: numericId.optional(),
  detected: z.union([z.string(), z.number()]).optional(),
  action: z.string().optional(),
  severity: z.string().optional(),
  direction: z.string().optional(),
  destinationUrl: z.string().optional(),
  fileName: z.string().optional(),
  sha256Hash: z.string().optional(),
  application: named.optional(),
  identity: z.looseObject({ originId: numericId.optional() }).optional(),
  rule: z
    .looseObject({
      id: numericId.optional(),
      name: z.string().optional(),
      classifications: z.array(classificationSchema).optional(),
    })
    .optional(),
  cisco_event_id: numericId.optional(),
  time: z.union([z.number(), z.string()]).optional(),
  severity_id: z.number().optional(),
  action_id: z.number().optional(),
});
export type SecureAccessDlpEvent = z.infer<typeof dlpEventSchema>;

/**
 * Members that hold prompt or response text: a classifier's match excerpts (`matches[].text`), and
 * wherever they appear the generic names the AI Defense rule drops, should a push carry them.
 */
export const SECURE_ACCESS_CONTENT: ContentRule = {
  anywhere: PROMPT_TEXT_MEMBERS,
  inArrays: { matches: new Set(["text"]) },
};

/** One item as Phoenix keeps it: the event, and the envelope it came in (less its events). */
export interface WrappedItem {
  envelope?: Record<string, unknown>;
  event?: unknown;
}

/**
 * Splits a delivery into `{envelope, event}` items: one envelope, a JSON array of them (the
 * CloudEvents batch format), NDJSON, a Reports API page (`{"events": […]}`) or a bare event. Items
 * already in that form (what `received` left) pass through as they are.
 */
export function frameSecureAccessDelivery(body: string, contentType: string): ParseResult {
  const framed = frameJsonItems(body, contentType);
  if (!framed.ok) return framed;
  const items = framed.items.flatMap(itemsOf);
  if (items.length > MAX_ITEMS_PER_DELIVERY) {
    return { ok: false, reason: `the body has ${items.length} items; at most ${MAX_ITEMS_PER_DELIVERY}` };
  }
  return { ok: true, items };
}

/** The delivery as Phoenix keeps it: one `{envelope, event}` a line, content dropped. */
export function receivedSecureAccessDelivery(body: string, contentType: string): ReceivedDelivery {
  return itemsWithoutContent(body, frameSecureAccessDelivery(body, contentType), SECURE_ACCESS_CONTENT);
}

function itemsOf(item: RawItem): RawItem[] {
  const value = item.value;
  // Unparsed NDJSON lines, and what is not an object, are left for `map` to refuse.
  if (!isRecord(value) || isWrapped(value)) return [item];
  const data = value.data;
  if (isRecord(data) && Array.isArray(data.events) && data.events.length > 0) {
    const { events, ...restOfData } = data;
    const { data: _data, ...envelope } = value;
    // Whatever else `data` holds stays with the envelope, so no member of it is lost.
    const kept = Object.keys(restOfData).length > 0 ? { ...envelope, data: restOfData } : envelope;
    return events.map((event) => wrapped({ envelope: kept, event }));
  }
  // A Reports API page: its events, with any other member of the page as their envelope.
  if (value.specversion === undefined && Array.isArray(value.events)) {
    const { events, ...page } = value;
    if (events.length === 0) return [wrapped({ envelope: value })];
    return events.map((event) =>
      wrapped(Object.keys(page).length > 0 ? { envelope: page, event } : { event }),
    );
  }
  // An envelope with no events (an alert, or an empty batch) is one item, kept whole.
  if (isEnvelope(value)) return [wrapped({ envelope: value })];
  return [wrapped({ event: value })];
}

function wrapped(item: WrappedItem): RawItem {
  return { raw: JSON.stringify(item), value: item };
}

const WRAPPED_KEYS = new Set(["envelope", "event", CONTENT_DROPPED_KEY]);

/** `{envelope, event}` as framing made it; no Secure Access event has only these members. */
export function isWrapped(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return (
    keys.every((key) => WRAPPED_KEYS.has(key)) &&
    ("event" in value || isRecord(value.envelope)) &&
    (value.envelope === undefined || isRecord(value.envelope))
  );
}

function isEnvelope(value: Record<string, unknown>): boolean {
  return typeof value.specversion === "string" || (isRecord(value.data) && Array.isArray(value.data.events));
}
