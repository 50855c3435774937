// The `ai-activity` connector kind: events in the format of domain/ai-activity/event.ts become one
// OCSF Detection Finding per detection. Events the source allowed with nothing detected map to none:
// they are usage telemetry, not alerts.
import { z } from "zod";
import { fieldErrorsFromIssues } from "../../../errors.ts";
import {
  captionOf,
  DETECTION_FINDING_CLASS_UID,
  detectionFindingSchema,
  FINDINGS_CATEGORY_UID,
  OBSERVABLE_TYPE_CAPTIONS,
  SEVERITY_CAPTIONS,
} from "../../../ocsf/detection-finding.ts";
import { frameJsonItems, unparsedItemReason } from "../../framing.ts";
import type { ConnectorKindDefinition, MapContext, MappedFinding, MapResult, RawItem } from "../../kind.ts";
import {
  type AiActivityAction,
  type AiActivityActor,
  type AiActivityEvent,
  type AiDetectionType,
  type AiVerdict,
  eventTimeMs,
  parseAiActivityEvent,
} from "./event.ts";

export const DEFAULT_AI_CORRELATION_WINDOW_MS = 3_600_000;

/** Settings an `ai-activity` connector accepts in its config; other keys are left to other features. */
export const aiActivityConfigSchema = z.looseObject({
  correlationWindowMs: z
    .int()
    .min(60_000)
    .max(30 * 86_400_000)
    .optional()
    .meta({
      description: "Alerts of one actor, application and detection type within this window share a case.",
    }),
});

const DETECTION_LABELS: Record<AiDetectionType, string> = {
  prompt_injection: "Prompt injection",
  jailbreak: "Jailbreak attempt",
  sensitive_data_leak: "Sensitive data leak",
  secret_leak: "Secret leak",
  unsanctioned_app: "Unsanctioned AI application",
  policy_violation: "Policy violation",
};

/**
 * OCSF severity_id from a detection's score and the source's verdict. The score sets the level; a
 * block means the control already stopped it, so one level lower. Allowed and flagged both went
 * through, so they rank alike. Critical is left to analysts and asset criticality.
 *
 *   score        allowed / flagged   blocked
 *   >= 0.9       4 High              3 Medium
 *   0.7 - 0.9    3 Medium            2 Low
 *   0.4 - 0.7    2 Low               1 Informational
 *   < 0.4        1 Informational     1 Informational
 *   (no detection, verdict only)     flagged 2 Low, blocked 1 Informational
 */
export function aiSeverityId(score: number | undefined, verdict: AiVerdict): number {
  if (score === undefined) return verdict === "blocked" ? 1 : 2;
  const level = score >= 0.9 ? 4 : score >= 0.7 ? 3 : score >= 0.4 ? 2 : 1;
  return verdict === "blocked" ? Math.max(1, level - 1) : level;
}

/**
 * OCSF confidence_id from the score (confidence_score is the score as a percentage):
 * < 0.4 Low (1), 0.4 - 0.7 Medium (2), >= 0.7 High (3). A verdict without a detection is the
 * source's policy decision, a fact rather than an estimate, so High with no score.
 */
export function aiConfidenceId(score: number | undefined): number {
  if (score === undefined) return 3;
  return score >= 0.7 ? 3 : score >= 0.4 ? 2 : 1;
}

const CONFIDENCE_CAPTIONS: Readonly<Record<number, string>> = { 1: "Low", 2: "Medium", 3: "High" };

// OCSF security_control profile: what the control did (action) and what came of it (disposition).
const VERDICT_CONTROL: Record<
  AiVerdict,
  { action_id: number; action: string; disposition_id: number; disposition: string }
> = {
  allowed: { action_id: 1, action: "Allowed", disposition_id: 1, disposition: "Allowed" },
  blocked: { action_id: 2, action: "Denied", disposition_id: 2, disposition: "Blocked" },
  flagged: { action_id: 3, action: "Observed", disposition_id: 19, disposition: "Alert" },
};

/**
 * The case grouping key: one actor, one application, one detection type, one fixed window. Parts are
 * URI-encoded so ids containing ":" cannot make two different keys look alike.
 */
export function aiActivityCorrelationKey(
  event: AiActivityEvent,
  type: AiDetectionType,
  windowMs: number,
): string {
  const app = event.application.id ?? event.application.name;
  const bucket = Math.floor(eventTimeMs(event) / windowMs);
  return `ai:${encodeURIComponent(event.actor.id)}:${encodeURIComponent(app)}:${type}:${bucket}`;
}

export const aiActivity: ConnectorKindDefinition = {
  configSchema: aiActivityConfigSchema.strict(),
  kind: "ai-activity",
  parse: frameJsonItems,
  map(item: RawItem, ctx: MapContext): MapResult {
    const unparsed = unparsedItemReason(item);
    if (unparsed !== undefined) return { ok: false, reason: unparsed };

    const config = aiActivityConfigSchema.safeParse(ctx.config);
    if (!config.success) {
      const errors = fieldErrorsFromIssues(config.error.issues, "config");
      return { ok: false, reason: `the connector config is invalid: ${fieldList(errors)}`, errors };
    }
    const windowMs = config.data.correlationWindowMs ?? DEFAULT_AI_CORRELATION_WINDOW_MS;

    const parsed = parseAiActivityEvent(item.value);
    if (!parsed.ok) {
      return {
        ok: false,
        reason: `invalid ai-activity event: ${fieldList(parsed.errors)}`,
        errors: parsed.errors,
      };
    }
    const event = parsed.event;

    const findings: MappedFinding[] = [];
    for (const detection of detectionsOf(event)) {
      const result = detectionFindingSchema.safeParse(toFinding(event, detection, item.raw));
      if (!result.success) {
        const errors = fieldErrorsFromIssues(result.error.issues);
        return { ok: false, reason: `the mapped finding is invalid: ${fieldList(errors)}`, errors };
      }
      findings.push({
        finding: result.data,
        correlationKey: aiActivityCorrelationKey(event, detection.type, windowMs),
      });
    }
    return { ok: true, findings };
  },
};

interface Detection {
  type: AiDetectionType;
  score?: number | undefined;
  policy?: string | undefined;
  details?: string | undefined;
}

// A block or flag with no detector behind it is still the source's policy speaking: one finding for it.
function detectionsOf(event: AiActivityEvent): Detection[] {
  if (event.detections.length > 0) return event.detections;
  return event.verdict === "allowed" ? [] : [{ type: "policy_violation" }];
}

function toFinding(event: AiActivityEvent, detection: Detection, raw: string): Record<string, unknown> {
  const timeMs = eventTimeMs(event);
  const label = DETECTION_LABELS[detection.type];
  const severityId = aiSeverityId(detection.score, event.verdict);
  const confidenceId = aiConfidenceId(detection.score);
  const title = `${label} ${event.verdict === "blocked" ? "blocked" : "detected"} in ${event.application.name}`;
  const description = describeEvent(event, detection, label);
  const { application, model } = event;

  const finding: Record<string, unknown> = {
    activity_id: 1,
    activity_name: "Create",
    category_uid: FINDINGS_CATEGORY_UID,
    category_name: "Findings",
    class_uid: DETECTION_FINDING_CLASS_UID,
    class_name: "Detection Finding",
    type_uid: DETECTION_FINDING_CLASS_UID * 100 + 1,
    type_name: "Detection Finding: Create",
    time: timeMs,
    severity_id: severityId,
    severity: captionOf(SEVERITY_CAPTIONS, severityId),
    confidence_id: confidenceId,
    confidence: CONFIDENCE_CAPTIONS[confidenceId],
    status_id: 1,
    status: "New",
    is_alert: true,
    ...VERDICT_CONTROL[event.verdict],
    message: description,
    finding_info: {
      uid: `${event.event_id}:${detection.type}`,
      title,
      desc: description,
      types: ["AI Activity", label],
      analytic: {
        // The feed says what was detected, not how (rule, classifier, data match), hence Unknown.
        type_id: 0,
        type: "Unknown",
        uid: `ai-activity:${detection.type}`,
        name: detection.type,
        category: "AI security",
      },
      created_time: timeMs,
      first_seen_time: timeMs,
      last_seen_time: timeMs,
    },
    metadata: {
      version: "1.8.0",
      uid: event.event_id,
      product: compact({ name: application.name, vendor_name: application.vendor, uid: application.id }),
      log_name: "ai-activity",
      log_version: event.schema_version,
      event_code: event.action.type,
      labels: [
        "ai-activity",
        `action:${event.action.type}`,
        `verdict:${event.verdict}`,
        `detection:${detection.type}`,
      ],
      profiles: ["security_control"],
      ...(typeof event.time === "string" ? { original_time: event.time } : {}),
    },
    actor: ocsfActorOf(event.actor),
    resources: [
      compact({
        type: "AI Application",
        name: application.name,
        uid: application.id,
        role_id: 1,
        role: "Target",
      }),
      compact({
        type: "AI Model",
        name: model.name,
        provider: model.provider,
        version: model.version,
        role_id: 4,
        role: "Related",
      }),
    ],
    observables: observablesOf(event),
    unmapped: {
      ai_activity: compact({
        schema_version: event.schema_version,
        verdict: event.verdict,
        action: event.action,
        application,
        model,
        detection: compact({ ...detection }),
        content_hashes: event.content_hashes,
      }),
    },
    raw_data: raw,
  };
  if (detection.score !== undefined) finding.confidence_score = Math.round(detection.score * 100);
  if (detection.policy !== undefined) finding.policy = { name: detection.policy };
  const evidence = evidenceOf(event);
  if (evidence !== undefined) finding.evidences = [evidence];
  return finding;
}

/** The OCSF `actor` of an AI-activity event: the user, or the agent (and whom it works for). */
function ocsfActorOf(actor: AiActivityActor): Record<string, unknown> {
  if (actor.type === "user") return { user: userOf(actor) };
  // An agent is the initiating application; the person it works for, if any, is the user context.
  return compact({
    app_uid: actor.id,
    app_name: actor.name ?? actor.id,
    user: actor.on_behalf_of === undefined ? undefined : userOf(actor.on_behalf_of),
  });
}

function userOf(user: { id: string; email?: string | undefined; name?: string | undefined }) {
  return compact({ uid: user.id, name: user.name, email_addr: user.email, type_id: 1, type: "User" });
}

function emailOf(actor: AiActivityActor): string | undefined {
  return actor.type === "user" ? actor.email : actor.on_behalf_of?.email;
}

function observablesOf(event: AiActivityEvent): Array<Record<string, unknown>> {
  const observables: Array<Record<string, unknown>> = [];
  const add = (typeId: number, name: string, value: string) =>
    observables.push({ type_id: typeId, type: captionOf(OBSERVABLE_TYPE_CAPTIONS, typeId), name, value });

  const email = emailOf(event.actor);
  if (email !== undefined) add(5, "actor.user.email_addr", email);
  add(38, "resources[0].name", event.application.name);
  if (event.action.type === "file_upload") add(7, "evidences[0].file.name", event.action.file_name);
  for (const [i, hash] of (event.content_hashes ?? []).entries()) {
    add(8, `unmapped.ai_activity.content_hashes[${i}].value`, hash.value.toLowerCase());
  }
  return observables;
}

// The OCSF evidence an action leaves: the tool as an API operation, the upload as a file with its hashes.
function evidenceOf(event: AiActivityEvent): Record<string, unknown> | undefined {
  const action: AiActivityAction = event.action;
  switch (action.type) {
    case "prompt":
    case "completion":
      return undefined;
    case "tool_call":
      return { api: { operation: action.tool_name, service: { name: event.application.name } } };
    case "file_upload": {
      const hashes = (event.content_hashes ?? [])
        .filter((hash) => hash.role === "file")
        .map((hash) => ({ algorithm_id: 3, algorithm: "SHA-256", value: hash.value.toLowerCase() }));
      return {
        file: {
          name: action.file_name,
          type_id: 1,
          type: "Regular File",
          size: action.file_size,
          mime_type: action.mime_type,
          ...(hashes.length > 0 ? { hashes } : {}),
        },
      };
    }
    default: {
      const unreachable: never = action;
      return unreachable;
    }
  }
}

function describeEvent(event: AiActivityEvent, detection: Detection, label: string): string {
  const { actor, action, application, model } = event;
  const who =
    actor.type === "user"
      ? `User ${actor.email ?? actor.name ?? actor.id}`
      : `Agent ${actor.name ?? actor.id}${actor.on_behalf_of ? ` acting for ${actor.on_behalf_of.email ?? actor.on_behalf_of.name ?? actor.on_behalf_of.id}` : ""}`;
  const did = describeAction(action);
  const where = `${application.name} (${model.provider} ${model.name}${model.version ? ` ${model.version}` : ""})`;
  const score = detection.score === undefined ? "no detector score" : `score ${detection.score}`;
  const policy = detection.policy === undefined ? "" : `, policy "${detection.policy}"`;
  const details = detection.details === undefined ? "" : ` ${detection.details}`;
  return `${who} ${did} ${where}. ${label}: ${score}${policy}; verdict ${event.verdict}.${details}`;
}

function describeAction(action: AiActivityAction): string {
  switch (action.type) {
    case "prompt":
      return "sent a prompt to";
    case "completion":
      return "received a completion from";
    case "tool_call":
      return `called the tool "${action.tool_name}" through`;
    case "file_upload":
      return `uploaded "${action.file_name}" (${action.file_size} bytes, ${action.mime_type}) to`;
    default: {
      const unreachable: never = action;
      return unreachable;
    }
  }
}

// Optional OCSF attributes are left out rather than sent as null or undefined.
function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function fieldList(errors: ReadonlyArray<{ field: string }>): string {
  return errors.map((error) => error.field).join(", ");
}
