// The `cisco-secure-access` connector kind: Cisco Secure Access pushes its security events over a
// webhook with HTTP Basic. Its DLP events (AI Guardrails and other DLP rule events) become
// ai-activity 1.1 events and then the same OCSF Detection Findings as any ai-activity source, one per
// classification that matched; its other categories (DNS, firewall…) are acknowledged, not findings.
// The vendor's event and envelope are kept whole under `unmapped` (decision 057).
import { z } from "zod";
import { fieldErrorsFromIssues } from "../../../errors.ts";
import { CONTENT_DROPPED_KEY, WHOLE_BODY } from "../../content.ts";
import type { ConnectorKindDefinition, MapContext, MapResult, RawItem } from "../../kind.ts";
import {
  type AiVerdict,
  type aiActivityEvent11Schema,
  parseAiActivityEvent,
  type VendorSeverity,
} from "../ai-activity/event.ts";
import { aiActivityConfigSchema, mapAiActivityEvent } from "../ai-activity/index.ts";
import {
  AI_FAMILY,
  type AiFamily,
  clip,
  contentId,
  isRecord,
  vendorItem,
} from "../ai-activity/vendor-kinds.ts";
import {
  dlpEventSchema,
  envelopeSchema,
  frameSecureAccessDelivery,
  isWrapped,
  receivedSecureAccessDelivery,
  type SecureAccessDlpEvent,
  type SecureAccessEnvelope,
} from "./event.ts";

/** What `config` may hold. */
export const ciscoSecureAccessConfigSchema = z.strictObject({
  correlationWindowMs: aiActivityConfigSchema.shape.correlationWindowMs,
});

const PROMPT_INJECTION = AI_FAMILY.promptInjection;
const JAILBREAK = AI_FAMILY.jailbreak;
const SENSITIVE_DATA = AI_FAMILY.sensitiveData;
const SECRET = AI_FAMILY.secret;
const POLICY: AiFamily = AI_FAMILY.policy;

// Secure Access names classifications (the built-in Security, Privacy and Safety Guardrails, or an
// admin's own), not Phoenix's detection types: Phoenix's reading of the names it recognises.
const FAMILIES: Array<[RegExp, AiFamily]> = [
  [/security guardrail|prompt.?injection/, PROMPT_INJECTION],
  [/jailbreak/, JAILBREAK],
  [/safety guardrail/, POLICY],
  [
    /privacy guardrail|\bpii\b|\bpci\b|\bphi\b|personally identifiable|credit.?card|payment.?card|card.?number|social security|\bssn\b|hipaa|gdpr|passport|\biban\b|bank.?account|email.?address|phone.?number|national.?id|tax.?id/,
    SENSITIVE_DATA,
  ],
  [/secret|credential|api.?key|access.?key|private.?key|password/, SECRET],
];

const ACTIONS: Record<string, AiVerdict> = {
  block: "blocked",
  blocked: "blocked",
  deny: "blocked",
  denied: "blocked",
  monitor: "flagged",
  monitored: "flagged",
  alert: "flagged",
  allow: "allowed",
  allowed: "allowed",
  redact: "redacted",
  redacted: "redacted",
};

// A pushed event in OCSF shape may say what the control did by OCSF action_id instead.
const OCSF_ACTIONS: Record<number, AiVerdict> = { 1: "allowed", 2: "blocked", 3: "flagged", 4: "redacted" };

// The DLP log pairs its levels (Low/Info, Medium/Warn, High/Alert, Critical); either word names one.
const SEVERITIES: Record<string, VendorSeverity> = {
  informational: "informational",
  info: "low",
  low: "low",
  warn: "medium",
  warning: "medium",
  medium: "medium",
  alert: "high",
  high: "high",
  critical: "critical",
};

const OCSF_SEVERITIES: Record<number, VendorSeverity> = {
  1: "informational",
  2: "low",
  3: "medium",
  4: "high",
  5: "critical",
  6: "critical",
};

/** OCSF's Data Security Finding, the class a pushed DLP event is said to map to. */
const DATA_SECURITY_FINDING = 2006;
const DLP = /dlp|data.?loss|guardrail/i;
const PUSH_CATEGORIES = /\b(dns|http|proxy|firewall|ips|dlp|ztna|ravpn)\b/i;
const SHA256 = /^[0-9a-fA-F]{64}$/;

export const ciscoSecureAccess: ConnectorKindDefinition = {
  configSchema: ciscoSecureAccessConfigSchema,
  kind: "cisco-secure-access",
  pushAuth: ["basic"],
  received: receivedSecureAccessDelivery,
  // What `received` left (one `{envelope, event}` a line) passes framing as it is.
  parse: frameSecureAccessDelivery,
  map(item: RawItem, ctx: MapContext): MapResult {
    const checked = vendorItem(item, ctx, "a Secure Access item");
    if (!checked.ok) return checked.result;
    const { windowMs } = checked;

    const wrapped = isWrapped(checked.value) ? checked.value : { event: checked.value };
    const { [CONTENT_DROPPED_KEY]: droppedMarker, envelope: sentEnvelope, event: vendor } = wrapped;
    const envelope = sentEnvelope === undefined ? undefined : envelopeSchema.safeParse(sentEnvelope);
    if (envelope?.success === false) {
      const errors = fieldErrorsFromIssues(envelope.error.issues, "envelope");
      return {
        ok: false,
        reason: `not a Secure Access envelope: ${errors.map((e) => e.field).join(", ")}`,
        errors,
      };
    }
    const type = envelope?.data.type;
    if (vendor === undefined) {
      return {
        ok: true,
        findings: [],
        ignored: `the ${type ?? "Secure Access"} envelope carries no security events`,
      };
    }
    if (!isRecord(vendor)) return { ok: false, reason: "a Secure Access event must be a JSON object" };
    // What content.ts leaves in place of a body it could not read: nothing of it was kept to map.
    const marker = vendor[CONTENT_DROPPED_KEY];
    if (Array.isArray(marker) && marker.includes(WHOLE_BODY)) {
      return {
        ok: false,
        reason: "the delivery could not be read, so it was not kept: it may carry prompt text",
      };
    }

    const category = categoryOf(vendor, type);
    if (category === undefined) {
      return envelope === undefined
        ? {
            ok: false,
            reason:
              "not a Cisco Secure Access event: it has no envelope, cisco_event_type, class_uid or DLP rule event fields",
          }
        : { ok: true, findings: [], ignored: "a Secure Access event of a category Phoenix does not know" };
    }
    if (category !== "dlp") {
      return { ok: true, findings: [], ignored: `a Secure Access ${category} event, not a DLP event` };
    }
    const parsed = dlpEventSchema.safeParse(vendor);
    if (!parsed.success) {
      const errors = fieldErrorsFromIssues(parsed.error.issues, "event");
      return {
        ok: false,
        reason: `not a Secure Access DLP event: ${errors.map((e) => e.field).join(", ")}`,
        errors,
      };
    }
    const event = parseAiActivityEvent(toAiActivity(parsed.data, envelope?.data, ctx.now));
    if (!event.ok) {
      return {
        ok: false,
        reason: `the Secure Access event does not map: ${event.errors.map((e) => `${e.field} ${e.message}`).join("; ")}`,
        errors: event.errors,
      };
    }
    return mapAiActivityEvent(event.event, item.raw, windowMs, {
      logName: "cisco-secure-access",
      product: { name: "Cisco Secure Access", vendor_name: "Cisco" },
      unmapped: {
        cisco_secure_access: vendor,
        ...(sentEnvelope === undefined ? {} : { cisco_secure_access_envelope: sentEnvelope }),
      },
      contentDropped: Array.isArray(droppedMarker) ? droppedMarker.map(String) : undefined,
    });
  },
};

/**
 * The event's category, lowercased (`dlp` for every DLP event): its `cisco_event_type`, the DLP rule
 * event model's own fields, its OCSF class, or else the envelope's type.
 */
function categoryOf(event: Record<string, unknown>, envelopeType: string | undefined): string | undefined {
  const stated = event.cisco_event_type;
  if (typeof stated === "string" && stated.trim() !== "")
    return DLP.test(stated) ? "dlp" : stated.trim().toLowerCase();
  if (isRecord(event.rule) || (event.eventId !== undefined && event.detected !== undefined)) return "dlp";
  if (event.class_uid === DATA_SECURITY_FINDING) return "dlp";
  const named = envelopeType?.match(PUSH_CATEGORIES)?.[1];
  return named === undefined ? undefined : named.toLowerCase();
}

/** The ai-activity 1.1 event a Secure Access DLP event is. Secure Access never names the model. */
export function toAiActivity(
  event: SecureAccessDlpEvent,
  envelope: SecureAccessEnvelope | undefined,
  now: number,
): z.input<typeof aiActivityEvent11Schema> {
  const actionType = isResponse(event.direction) ? "completion" : "prompt";
  const originId = event.identity?.originId;
  const hash = event.sha256Hash;
  const fileName = event.fileName?.trim();
  // AI Guardrails events name the prompt `Form` and a message `Content`; any other name is a file.
  const isFile = fileName !== undefined && fileName !== "" && !/^(form|content)$/i.test(fileName);
  return {
    schema_version: "1.1",
    event_id: clip(String(event.eventId ?? event.cisco_event_id ?? contentId(event)), 256),
    time: timeOf(event, envelope, now),
    // The event names an identity only by its origin id (resolvable through the Identities API).
    ...(originId === undefined ? {} : { actor: { type: "user", id: `origin:${originId}` } }),
    application: applicationOf(event),
    action: { type: actionType },
    verdict: verdictOf(event),
    detections: detectionsOf(event, severityOf(event)),
    ...(hash !== undefined && SHA256.test(hash)
      ? { content_hashes: [{ algorithm: "sha256", value: hash, role: isFile ? "file" : actionType }] }
      : {}),
  };
}

function applicationOf(event: SecureAccessDlpEvent): { name: string; id?: string } {
  const id = event.application?.id;
  const name =
    event.application?.name?.trim() || hostOf(event.destinationUrl) || (id === undefined ? "" : String(id));
  return {
    name: clip(name || "Unknown AI application", 256),
    ...(id === undefined ? {} : { id: clip(String(id), 256) }),
  };
}

function verdictOf(event: SecureAccessDlpEvent): AiVerdict {
  if (event.action !== undefined) return ACTIONS[event.action.trim().toLowerCase()] ?? "flagged";
  return (event.action_id === undefined ? undefined : OCSF_ACTIONS[event.action_id]) ?? "flagged";
}

function severityOf(event: SecureAccessDlpEvent): VendorSeverity | undefined {
  if (event.severity !== undefined) {
    const words = event.severity.toLowerCase().split(/[^a-z]+/);
    return words.map((word) => SEVERITIES[word]).find((severity) => severity !== undefined);
  }
  return event.severity_id === undefined ? undefined : OCSF_SEVERITIES[event.severity_id];
}

/**
 * One detection per classification that matched, typed by its name (or, for a name Phoenix does not
 * know, by its classifiers'). A DLP event is a rule match even with no classification: one policy
 * violation then. Each carries the classification in its rule id, so two of one type never collide.
 */
function detectionsOf(
  event: SecureAccessDlpEvent,
  severity: VendorSeverity | undefined,
): z.input<typeof aiActivityEvent11Schema>["detections"] {
  const rule = event.rule;
  const ruleName = rule?.name?.trim();
  const common = {
    ...(severity === undefined ? {} : { severity }),
    ...(ruleName ? { rule: clip(ruleName, 256) } : {}),
  };
  const classifications = rule?.classifications ?? [];
  if (classifications.length === 0) {
    return [
      {
        type: "policy_violation",
        ...common,
        ...(rule?.id === undefined ? {} : { rule_id: clip(String(rule.id), 256) }),
      },
    ];
  }
  const seen = new Set<string>();
  const detections = [];
  for (const [i, classification] of classifications.entries()) {
    const name = classification.name?.trim();
    const key = classification.id === undefined ? name || `#${i}` : String(classification.id);
    // The same classification listed twice in one event is one detection.
    if (seen.has(key)) continue;
    seen.add(key);
    const family =
      familyOf(name) ??
      (classification.classifiers ?? []).map((c) => familyOf(c.name)).find((f) => f !== undefined) ??
      POLICY;
    const classifiers = (classification.classifiers ?? []).flatMap((c) => {
      const classifier = c.name?.trim();
      if (!classifier) return [];
      const n = c.totalMatches;
      return [n === undefined ? classifier : `${classifier} (${n} ${n === 1 ? "match" : "matches"})`];
    });
    detections.push({
      type: family.type,
      ...common,
      ...(name ? { vendor_category: clip(name, 256) } : {}),
      rule_id: clip(rule?.id === undefined ? key : `${rule.id}/${key}`, 256),
      // Classifier names and counts only: the matches themselves are prompt text.
      ...(classifiers.length > 0 ? { details: clip(`Classifiers: ${classifiers.join(", ")}.`, 2000) } : {}),
      ...(family.atlas ? { atlas: family.atlas } : {}),
      ...(family.owasp ? { owasp_llm: family.owasp } : {}),
    });
  }
  // The format holds 64 detections an event; the rest stay in the vendor record under unmapped.
  return detections.slice(0, 64);
}

function familyOf(name: string | undefined): AiFamily | undefined {
  const lower = (name ?? "").toLowerCase();
  return lower === "" ? undefined : FAMILIES.find(([pattern]) => pattern.test(lower))?.[1];
}

/** `detected`, or a pushed event's OCSF `time`, or when the envelope was sent, or else now. */
function timeOf(
  event: SecureAccessDlpEvent,
  envelope: SecureAccessEnvelope | undefined,
  now: number,
): string | number {
  for (const stated of [event.detected, event.time, envelope?.time]) {
    if (typeof stated === "number" && Number.isFinite(stated) && stated > 0) {
      // OCSF times are epoch milliseconds; a number this small can only be seconds.
      return Math.round(stated < 100_000_000_000 ? stated * 1000 : stated);
    }
    if (typeof stated === "string") {
      if (ISO_WITH_OFFSET.safeParse(stated).success) return stated;
      const ms = Date.parse(stated);
      if (!Number.isNaN(ms)) return new Date(ms).toISOString();
    }
  }
  return now;
}

const ISO_WITH_OFFSET = z.iso.datetime({ offset: true });

// A response (download) is the AI's completion; an upload, request or unstated direction is the prompt.
function isResponse(direction: string | undefined): boolean {
  return /^(response|download|outbound|completion|output)$/i.test(direction?.trim() ?? "");
}

function hostOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}
