// The `cisco-ai-defense` connector kind: Cisco AI Defense runtime events, pulled from its Management
// API or pushed in the shape of its Splunk export, become ai-activity 1.1 events and then the same
// OCSF Detection Findings (one per guardrail match) as any ai-activity source. The vendor's record is
// kept whole under `unmapped.cisco_ai_defense` (decision 057).
import { z } from "zod";
import { fieldErrorsFromIssues } from "../../../errors.ts";
import { CONTENT_DROPPED_KEY, WHOLE_BODY } from "../../content.ts";
import type { ConnectorKindDefinition, MapContext, MapResult, RawItem } from "../../kind.ts";
import { type AiVerdict, type aiActivityEvent11Schema, parseAiActivityEvent } from "../ai-activity/event.ts";
import { aiActivityConfigSchema, mapAiActivityEvent } from "../ai-activity/index.ts";
import {
  AI_FAMILY,
  type AiFamily,
  clip,
  contentId,
  isRecord,
  vendorItem,
  withoutBlanks,
} from "../ai-activity/vendor-kinds.ts";
import {
  type AiDefenseEvent,
  aiDefenseEventSchema,
  frameAiDefenseDelivery,
  hecEnvelopeSchema,
  receivedAiDefenseDelivery,
} from "./event.ts";

export const AI_DEFENSE_REGIONS = ["us", "eu", "ap"] as const;

const pullTuning = {
  pageSize: z
    .int()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: "Events per page (the API serves at most 100)." }),
  lookbackMinutes: z
    .int()
    .min(1)
    .max(30 * 24 * 60)
    .optional()
    .meta({ description: "How far back the first pull reaches." }),
};

/** What `config` may hold; the pull's key, region and cursor have their own write path. */
export const ciscoAiDefenseConfigSchema = z.strictObject({
  correlationWindowMs: aiActivityConfigSchema.shape.correlationWindowMs,
  pull: z.strictObject(pullTuning).optional(),
});

/**
 * Where the pull resumes: events at or after `since` (`event_date`, the list's sort key), except
 * `seen`, those already stored at exactly `since`.
 */
export const aiDefensePullCursorSchema = z.object({
  since: z.iso.datetime({ offset: true }),
  seen: z.array(z.string()),
});

/** `config.pull` as the pull reads it: the tuning, and what the ai-defense-pull endpoint stored. */
export const aiDefensePullSettingsSchema = z.looseObject({
  region: z.enum(AI_DEFENSE_REGIONS),
  apiKeyCiphertext: z.string().min(1),
  ...pullTuning,
  cursor: aiDefensePullCursorSchema.nullable().optional(),
});

/** `config` as a connector's view shows it: never the key. */
export const ciscoAiDefenseConfigViewSchema = z.strictObject({
  correlationWindowMs: z.int().optional(),
  pull: z
    .strictObject({
      ...pullTuning,
      region: z.enum(AI_DEFENSE_REGIONS).optional(),
      has_api_key: z.boolean().optional(),
      cursor: aiDefensePullCursorSchema.nullable().optional(),
      lastRun: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

// AI Defense names rule families (guardrail ruleset types), not Phoenix's detection types: Phoenix's
// reading of each. Others are policy violations, with the vendor's name kept as the category.
const FAMILIES: Record<string, AiFamily> = {
  promptinjection: AI_FAMILY.promptInjection,
  jailbreak: AI_FAMILY.jailbreak,
  pii: AI_FAMILY.sensitiveData,
  pci: AI_FAMILY.sensitiveData,
  phi: AI_FAMILY.sensitiveData,
  // Source code in a prompt leaves the organisation, but it is no ATLAS data-leakage technique.
  codedetection: { type: "sensitive_data_leak", owasp: ["LLM02:2025"] },
  secrets: AI_FAMILY.secret,
};

const ACTIONS: Record<string, AiVerdict> = {
  block: "blocked",
  allow: "allowed",
  monitor: "flagged",
  alert: "flagged",
  redact: "redacted",
};

// An object with none of these is not an AI Defense event, whatever else it holds.
const RECOGNISED = ["event_id", "event_action", "rule_matches", "event_policy_guardrail_assocs"] as const;

const ATLAS = /^AML\.T\d{4}(\.\d{3})?$/;
const OWASP = /^LLM(0[1-9]|10):2025$/;

export const ciscoAiDefense: ConnectorKindDefinition = {
  configSchema: ciscoAiDefenseConfigSchema,
  kind: "cisco-ai-defense",
  pushAuth: ["splunk-hec"],
  received: receivedAiDefenseDelivery,
  // What `received` left (one event, or HEC event, a line) is framed as the vendor's delivery would be.
  parse: frameAiDefenseDelivery,
  map(item: RawItem, ctx: MapContext): MapResult {
    const checked = vendorItem(item, ctx, "an AI Defense event");
    if (!checked.ok) return checked.result;
    const { windowMs } = checked;
    const { [CONTENT_DROPPED_KEY]: droppedMarker, ...record } = checked.value;
    if (Array.isArray(droppedMarker) && droppedMarker.includes(WHOLE_BODY)) {
      return {
        ok: false,
        reason: "the delivery could not be read, so it was not kept: it may carry prompt text",
      };
    }
    const envelope = isHecEnvelope(record) ? hecEnvelopeSchema.safeParse(record) : undefined;
    if (envelope?.success === false) {
      const errors = fieldErrorsFromIssues(envelope.error.issues);
      return {
        ok: false,
        reason: `not a Splunk HEC event: ${errors.map((e) => e.field).join(", ")}`,
        errors,
      };
    }
    const hec = envelope?.data;
    const vendor = hec?.event ?? record;
    const parsed = aiDefenseEventSchema.safeParse(withoutBlanks(vendor));
    if (!parsed.success) {
      const errors = fieldErrorsFromIssues(parsed.error.issues, hec ? "event" : undefined);
      return {
        ok: false,
        reason: `not a Cisco AI Defense event: ${errors.map((e) => e.field).join(", ")}`,
        errors,
      };
    }
    if (!RECOGNISED.some((field) => parsed.data[field] !== undefined)) {
      return { ok: false, reason: `not a Cisco AI Defense event: it has none of ${RECOGNISED.join(", ")}` };
    }
    const candidate = toAiActivity(parsed.data, hec, ctx.now);
    const event = parseAiActivityEvent(candidate);
    if (!event.ok) {
      return {
        ok: false,
        reason: `the AI Defense event does not map: ${event.errors.map((e) => `${e.field} ${e.message}`).join("; ")}`,
        errors: event.errors,
      };
    }
    const { event: _event, ...hecMeta } = hec ?? { event: undefined };
    return mapAiActivityEvent(event.event, item.raw, windowMs, {
      logName: "cisco-ai-defense",
      product: { name: "Cisco AI Defense", vendor_name: "Cisco" },
      unmapped: {
        cisco_ai_defense: vendor,
        ...(hec === undefined ? {} : { splunk_hec: hecMeta }),
      },
      contentDropped: Array.isArray(droppedMarker) ? droppedMarker.map(String) : undefined,
    });
  },
};

// A HEC event wraps the record in `event`; a Management API event has no `event` member.
function isHecEnvelope(record: Record<string, unknown>): boolean {
  return isRecord(record.event) && record.event_id === undefined;
}

/** The ai-activity 1.1 event an AI Defense event is. */
export function toAiActivity(
  event: AiDefenseEvent,
  hec: z.infer<typeof hecEnvelopeSchema> | undefined,
  now: number,
): z.input<typeof aiActivityEvent11Schema> {
  const application = event.application ?? event.genai_application;
  const applicationId = application?.application_id ?? event.application_id;
  const applicationName =
    application?.application_name ??
    event.connection?.connection_name ??
    applicationId ??
    "Unknown AI application";
  const policyName = event.policy?.policy_name;
  const policyId = event.policy?.policy_id ?? event.policy_id;
  const modelName = event.model_name ?? event.model?.model_name;
  const verdict = ACTIONS[(event.event_action ?? "").toLowerCase()] ?? "flagged";
  const userId = event.user_id;
  return {
    schema_version: "1.1",
    // With no id, the whole HEC record (its time included) names it, so a repeat is a new event.
    event_id: clip(event.event_id ?? contentId(hec ?? event), 256),
    time: timeOf(event, hec, now),
    ...(userId === undefined
      ? {}
      : { actor: { type: "user", id: clip(userId, 256), ...(isEmail(userId) ? { email: userId } : {}) } }),
    application: {
      name: clip(applicationName, 256),
      vendor: "Cisco AI Defense",
      ...(applicationId ? { id: clip(applicationId, 256) } : {}),
    },
    ...(modelName === undefined
      ? {}
      : {
          model: {
            name: clip(modelName, 256),
            ...(event.model?.model_provider_name
              ? { provider: clip(event.model.model_provider_name, 256) }
              : {}),
          },
        }),
    action: { type: isResponse(event.direction ?? event.event_message_type) ? "completion" : "prompt" },
    verdict,
    detections: detectionsOf(event, policyName, policyId),
  };
}

function detectionsOf(event: AiDefenseEvent, policy: string | undefined, policyId: string | undefined) {
  const matches = [
    ...(event.rule_matches?.items ?? []).map((m) => ({
      guardrailType: m.guardrail_type,
      ruleset: m.guardrail_ruleset_type,
      entity: m.guardrail_entity,
      standards: m.metadata?.standards ?? [],
      techniques: m.metadata?.techniques ?? [],
    })),
    ...(event.event_policy_guardrail_assocs ?? []).map((a) => {
      const assoc = a.policy_guardrail_assoc;
      return {
        guardrailType: assoc?.guardrail_type ?? assoc?.guardrail_avail_ruleset?.guardrail_type,
        ruleset: assoc?.guardrail_avail_ruleset?.guardrail_ruleset_type,
        entity: assoc?.guardrail_avail_entity?.guardrail_entity_name,
        standards: [] as string[],
        techniques: [] as string[],
      };
    }),
  ];
  const seen = new Set<string>();
  const detections = [];
  for (const match of matches) {
    const family = FAMILIES[(match.ruleset ?? "").toLowerCase().replace(/[^a-z]/g, "")];
    const type = family?.type ?? "policy_violation";
    // The same entity matched twice in one event is one detection.
    const identity = JSON.stringify([type, match.entity ?? null]);
    if (seen.has(identity)) continue;
    seen.add(identity);
    const atlas = unique([...(family?.atlas ?? []), ...match.techniques.filter((t) => ATLAS.test(t))]);
    const owasp = unique([...(family?.owasp ?? []), ...match.standards.filter((s) => OWASP.test(s))]);
    detections.push({
      type,
      ...(match.ruleset ? { vendor_category: clip(match.ruleset, 256) } : {}),
      ...(policy ? { policy: clip(policy, 256) } : {}),
      ...(policyId ? { policy_id: clip(policyId, 256) } : {}),
      ...(match.entity ? { rule: clip(match.entity, 256) } : {}),
      ...(match.guardrailType ? { details: `${match.guardrailType} guardrail` } : {}),
      ...(atlas.length > 0 ? { atlas } : {}),
      ...(owasp.length > 0 ? { owasp_llm: owasp } : {}),
    });
  }
  // The format holds 64 detections an event; the rest stay in the vendor record under unmapped.
  return detections.slice(0, 64);
}

function timeOf(event: AiDefenseEvent, hec: { time?: number | string | undefined } | undefined, now: number) {
  const stated = event.event_date ?? event.created_at;
  if (stated !== undefined && !Number.isNaN(Date.parse(stated)))
    return new Date(Date.parse(stated)).toISOString();
  // HEC's `time` is epoch seconds, with a fraction for milliseconds.
  const seconds = typeof hec?.time === "string" ? Number(hec.time) : hec?.time;
  if (seconds !== undefined && Number.isFinite(seconds) && seconds > 0) return Math.round(seconds * 1000);
  return now;
}

function isResponse(direction: string | undefined): boolean {
  return /^(response|completion|outbound|output)$/i.test(direction ?? "");
}

function isEmail(value: string): boolean {
  return z.email().safeParse(value).success;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
