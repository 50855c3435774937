// Cisco AI Defense runtime events as they reach Phoenix (docs/vendors/cisco-ai-defense.md): the
// Management API's Event (pulled from `POST /events`, or pushed as one), and the record its Splunk
// integration forwards to an HTTP Event Collector (`sourcetype: cisco:ai:defense`). Both are read
// leniently: the vendor adds fields without notice, and every field is kept whole in `unmapped`.
import { z } from "zod";
import { type ContentRule, itemsWithoutContent, PROMPT_TEXT_MEMBERS } from "../../content.ts";
import { frameJsonItems } from "../../framing.ts";
import { MAX_ITEMS_PER_DELIVERY, type ParseResult, type RawItem, type ReceivedDelivery } from "../../kind.ts";
import { isRecord } from "../ai-activity/vendor-kinds.ts";

const str = z.string().min(1);

/** `EventRuleMatch` of the Management API (the SDK's model). */
export const ruleMatchSchema = z.looseObject({
  guardrail_type: str.optional(),
  guardrail_ruleset_type: str.optional(),
  guardrail_entity: str.optional(),
  guardrail_action: str.optional(),
  metadata: z
    .looseObject({ standards: z.array(z.string()).optional(), techniques: z.array(z.string()).optional() })
    .optional(),
});

/** One entry of the Splunk export's `event_policy_guardrail_assocs`. */
const guardrailAssocSchema = z.looseObject({
  policy_guardrail_assoc: z
    .looseObject({
      guardrail_avail_ruleset: z
        .looseObject({ guardrail_ruleset_type: str.optional(), guardrail_type: str.optional() })
        .optional(),
      guardrail_avail_entity: z.looseObject({ guardrail_entity_name: str.optional() }).optional(),
      guardrail_type: str.optional(),
      guardrail_action: str.optional(),
    })
    .optional(),
});

const named = (name: string, id: string) => z.looseObject({ [name]: str.optional(), [id]: str.optional() });

/** The fields Phoenix reads, from either shape; anything else rides along untouched. */
export const aiDefenseEventSchema = z.looseObject({
  event_id: str.optional(),
  event_date: str.optional(),
  created_at: str.optional(),
  application_id: str.optional(),
  policy_id: str.optional(),
  connection_id: str.optional(),
  event_action: str.optional(),
  message_id: str.optional(),
  direction: str.optional(),
  event_message_type: str.optional(),
  model_name: str.optional(),
  user_id: str.optional(),
  rule_matches: z.looseObject({ items: z.array(ruleMatchSchema).optional() }).optional(),
  event_policy_guardrail_assocs: z.array(guardrailAssocSchema).optional(),
  application: named("application_name", "application_id").optional(),
  genai_application: named("application_name", "application_id").optional(),
  policy: named("policy_name", "policy_id").optional(),
  connection: named("connection_name", "connection_id").optional(),
  model: z.looseObject({ model_name: str.optional(), model_provider_name: str.optional() }).optional(),
});
export type AiDefenseEvent = z.infer<typeof aiDefenseEventSchema>;

/** An HTTP Event Collector event as Splunk receives it: metadata around the vendor's `event`. */
export const hecEnvelopeSchema = z.looseObject({
  event: z.record(z.string(), z.unknown()),
  time: z.union([z.number(), z.string()]).optional(),
  host: z.string().optional(),
  source: z.string().optional(),
  sourcetype: z.string().optional(),
  index: z.string().optional(),
});

/** AI Defense names no other content member: its conversation endpoint, never called, holds the text. */
export const AI_DEFENSE_CONTENT: ContentRule = { anywhere: PROMPT_TEXT_MEMBERS };

/**
 * Splits a delivery into events: one Event, `{"event": …}` (by id), a list page
 * `{"events": {"items": […]}}`, a JSON array, NDJSON, or HEC events sent back to back (as Splunk's
 * collector accepts them, with or without line breaks between).
 */
export function frameAiDefenseDelivery(body: string, contentType: string): ParseResult {
  const framed = frameJsonItems(body, contentType);
  if (!framed.ok) return frameConcatenated(body) ?? framed;
  const items = framed.items.flatMap((item): RawItem[] => {
    const value = item.value as Record<string, unknown> | undefined;
    if (value === undefined || value === null || typeof value !== "object") return [item];
    const page = (value.events as { items?: unknown } | undefined)?.items;
    if (Array.isArray(page)) return page.map((event) => ({ raw: JSON.stringify(event), value: event }));
    const byId = value.event;
    if (isRecord(byId) && Object.keys(value).length === 1)
      return [{ raw: JSON.stringify(byId), value: byId }];
    return [item];
  });
  if (items.length > MAX_ITEMS_PER_DELIVERY) {
    return { ok: false, reason: `the body has ${items.length} items; at most ${MAX_ITEMS_PER_DELIVERY}` };
  }
  return { ok: true, items };
}

/** The delivery as Phoenix keeps it: one event (or HEC event) a line, content dropped. */
export function receivedAiDefenseDelivery(body: string, contentType: string): ReceivedDelivery {
  return itemsWithoutContent(body, frameAiDefenseDelivery(body, contentType), AI_DEFENSE_CONTENT);
}

/** `{…}{…}`: objects back to back with no separator, which a JSON parser alone refuses. */
function frameConcatenated(body: string): ParseResult | null {
  const items: RawItem[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === "{") {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === "}") {
      depth--;
      if (depth < 0) return null;
      if (depth === 0) {
        const raw = body.slice(start, i + 1);
        try {
          items.push({ raw, value: JSON.parse(raw) });
        } catch {
          return null;
        }
      }
    } else if (depth === 0 && !/\s/.test(ch ?? "")) return null;
  }
  if (depth !== 0 || items.length < 2 || items.length > MAX_ITEMS_PER_DELIVERY) return null;
  return { ok: true, items };
}
