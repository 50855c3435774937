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
  type AiActivityDetection,
  type AiActivityEvent,
  type AiConfidence,
  type AiDetectionType,
  type AiVerdict,
  eventTimeMs,
  parseAiActivityEvent,
  type VendorSeverity,
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
      description:
        "Alerts of one actor (or, with none, one session, or else one application and policy), application and detection type within this window share a case.",
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
export function aiSeverityId(score: number | undefined, verdict: AiVerdict, vendor?: VendorSeverity): number {
  const stopped = verdict === "blocked" || verdict === "redacted";
  const level =
    score !== undefined
      ? score >= 0.9
        ? 4
        : score >= 0.7
          ? 3
          : score >= 0.4
            ? 2
            : 1
      : vendor !== undefined
        ? VENDOR_SEVERITY_LEVEL[vendor]
        : undefined;
  if (level === undefined) return stopped ? 1 : 2;
  return stopped ? Math.max(1, level - 1) : level;
}

// 1.1: with no score, the vendor's own severity sets the level; Critical stays the analysts' call.
const VENDOR_SEVERITY_LEVEL: Record<VendorSeverity, number> = {
  informational: 1,
  low: 2,
  medium: 3,
  high: 4,
  critical: 4,
};

/**
 * OCSF confidence_id from the score (confidence_score is the score as a percentage):
 * < 0.4 Low (1), 0.4 - 0.7 Medium (2), >= 0.7 High (3). A verdict without a detection is the
 * source's policy decision, a fact rather than an estimate, so High with no score.
 */
export function aiConfidenceId(
  score: number | undefined,
  detection?: { confidence?: AiConfidence | undefined; reported: boolean },
): number {
  if (score !== undefined) return score >= 0.7 ? 3 : score >= 0.4 ? 2 : 1;
  // 1.1: a categorical confidence stands in for the score; a detection with neither is Unknown.
  if (detection?.confidence !== undefined) return { low: 1, medium: 2, high: 3 }[detection.confidence];
  return detection?.reported ? 0 : 3;
}

const CONFIDENCE_CAPTIONS: Readonly<Record<number, string>> = {
  0: "Unknown",
  1: "Low",
  2: "Medium",
  3: "High",
};

// OCSF security_control profile: what the control did (action) and what came of it (disposition).
const VERDICT_CONTROL: Record<
  AiVerdict,
  { action_id: number; action: string; disposition_id: number; disposition: string }
> = {
  allowed: { action_id: 1, action: "Allowed", disposition_id: 1, disposition: "Allowed" },
  blocked: { action_id: 2, action: "Denied", disposition_id: 2, disposition: "Blocked" },
  flagged: { action_id: 3, action: "Observed", disposition_id: 19, disposition: "Alert" },
  // Let through with the sensitive part taken out: the control changed what passed.
  redacted: { action_id: 4, action: "Modified", disposition_id: 11, disposition: "Corrected" },
};

/** What a correlation key groups by: the actor, or with no person or agent, the session, or else the policy. */
export type AiCorrelationBasis = "actor" | "session" | "application_policy";

/**
 * The case grouping key: one actor, one application, one detection type, one fixed window. An
 * event with no person or agent behind it (no actor, or a service calling the AI for many users)
 * groups by its session instead, or else by application and policy, so no service merges every
 * user's detections into one case. Parts are URI-encoded so ids containing ":" cannot make two
 * different keys look alike; the three shapes have different numbers of parts.
 */
export function aiActivityCorrelation(
  event: AiActivityEvent,
  detection: Pick<AiActivityDetection, "type" | "policy" | "policy_id" | "rule" | "rule_id">,
  windowMs: number,
): { key: string; basis: AiCorrelationBasis } {
  const app = encodeURIComponent(event.application.id ?? event.application.name);
  const tail = `${detection.type}:${Math.floor(eventTimeMs(event) / windowMs)}`;
  const actor = event.actor;
  if (actor !== undefined && actor.type !== "service") {
    return { key: `ai:${encodeURIComponent(actor.id)}:${app}:${tail}`, basis: "actor" };
  }
  const session = "session_id" in event ? event.session_id : undefined;
  if (session !== undefined) {
    return { key: `ai:session:${encodeURIComponent(session)}:${app}:${tail}`, basis: "session" };
  }
  const policy = detection.policy_id ?? detection.policy ?? detection.rule_id ?? detection.rule ?? "";
  return {
    key: `ai:application:${app}:${encodeURIComponent(policy)}:${tail}`,
    basis: "application_policy",
  };
}

/** The key alone, for callers that do not ask which basis it used. */
export function aiActivityCorrelationKey(
  event: AiActivityEvent,
  type: AiDetectionType,
  windowMs: number,
): string {
  return aiActivityCorrelation(event, { type }, windowMs).key;
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
    return mapAiActivityEvent(parsed.event, item.raw, windowMs);
  },
};

/**
 * What a vendor connector adds when its events are mapped through this format (cisco-ai-defense,
 * cisco-secure-access): who reported it, the vendor's own record, and any content it dropped.
 */
export interface AiSourceContext {
  /** The connector kind: `metadata.log_name` and a `source:` label. */
  logName: string;
  /** The product that reported it, as `metadata.product`, where ai-activity names the application. */
  product: { name: string; vendor_name: string; version?: string };
  /** The vendor's record, whole and under its own key, in `unmapped`: no vendor field is lost. */
  unmapped: Record<string, unknown>;
  /** Where content the source sent was, before Phoenix dropped it ahead of storage. */
  contentDropped?: readonly string[];
}

/** One finding per detection of a valid event (none for an allowed event with no detection). */
export function mapAiActivityEvent(
  event: AiActivityEvent,
  raw: string,
  windowMs: number,
  source?: AiSourceContext,
): MapResult {
  const findings: MappedFinding[] = [];
  const detections = detectionsOf(event);
  for (const detection of detections) {
    const correlation = aiActivityCorrelation(event, detection, windowMs);
    const repeated = detections.filter((d) => d.type === detection.type).length > 1;
    const result = detectionFindingSchema.safeParse(
      toFinding(event, detection, raw, { basis: correlation.basis, repeated, source }),
    );
    if (!result.success) {
      const errors = fieldErrorsFromIssues(result.error.issues);
      return { ok: false, reason: `the mapped finding is invalid: ${fieldList(errors)}`, errors };
    }
    findings.push({ finding: result.data, correlationKey: correlation.key });
  }
  return { ok: true, findings };
}

/** A detection as mapped: 1.0's are 1.1's with a score; `reported` is false for a verdict alone. */
type Detection = AiActivityDetection & { reported: boolean };

// A block, flag or redaction with no detector behind it is still the source's policy speaking: one
// finding for it.
function detectionsOf(event: AiActivityEvent): Detection[] {
  if (event.detections.length > 0) return event.detections.map((d) => ({ ...d, reported: true }));
  return event.verdict === "allowed" ? [] : [{ type: "policy_violation", reported: false }];
}

/** The finding's uid: event and type, and when the type repeats in the event, its policy and rule. */
function findingUid(event: AiActivityEvent, detection: Detection, repeated: boolean): string {
  const base = `${event.event_id}:${detection.type}`;
  if (!repeated) return base;
  const policy = detection.policy_id ?? detection.policy ?? "";
  const rule = detection.rule_id ?? detection.rule ?? "";
  return `${base}:${encodeURIComponent(policy)}:${encodeURIComponent(rule)}`;
}

function toFinding(
  event: AiActivityEvent,
  detection: Detection,
  raw: string,
  how: { basis: AiCorrelationBasis; repeated: boolean; source?: AiSourceContext | undefined },
): Record<string, unknown> {
  const timeMs = eventTimeMs(event);
  const label = DETECTION_LABELS[detection.type];
  const severityId = aiSeverityId(detection.score, event.verdict, detection.severity);
  const confidenceId = aiConfidenceId(detection.score, detection);
  const outcome =
    event.verdict === "blocked" ? "blocked" : event.verdict === "redacted" ? "redacted" : "detected";
  const title = `${label} ${outcome} in ${event.application.name}`;
  const source = how.source;
  const dropped = source?.contentDropped ?? [];
  // The alert says so when the source sent content that never reached storage.
  const description = `${describeEvent(event, detection, label)}${dropped.length > 0 ? ` Content the source sent (${dropped.length} ${dropped.length === 1 ? "field" : "fields"}) was dropped before storage.` : ""}`;
  const { application, model } = event;
  const v11 = event.schema_version === "1.1" ? event : undefined;
  const owasp = detection.owasp_llm ?? [];
  const { reported: _reported, ...vendorDetection } = detection;

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
    finding_info: compact({
      uid: findingUid(event, detection, how.repeated),
      title,
      desc: description,
      types: ["AI Activity", label, ...owasp.map((id) => `OWASP ${id}`)],
      analytic: compact({
        // The feed says what was detected, not how (rule, classifier, data match), hence Unknown.
        type_id: 0,
        type: "Unknown",
        uid: detection.rule_id ?? `ai-activity:${detection.type}`,
        name: detection.rule ?? detection.vendor_category ?? detection.type,
        category: "AI security",
        version: detection.rule_version,
      }),
      // OCSF's attack object holds MITRE ATLAS techniques as well as ATT&CK ones.
      attacks:
        detection.atlas === undefined || detection.atlas.length === 0
          ? undefined
          : detection.atlas.map((uid) => ({
              technique: { uid, src_url: `https://atlas.mitre.org/techniques/${uid}` },
            })),
      created_time: timeMs,
      first_seen_time: timeMs,
      last_seen_time: timeMs,
    }),
    metadata: {
      version: "1.8.0",
      uid: event.event_id,
      product:
        source?.product ??
        compact({ name: application.name, vendor_name: application.vendor, uid: application.id }),
      log_name: source?.logName ?? "ai-activity",
      log_version: event.schema_version,
      event_code: event.action.type,
      labels: [
        "ai-activity",
        `action:${event.action.type}`,
        `verdict:${event.verdict}`,
        `detection:${detection.type}`,
        `correlation:${how.basis}`,
        ...owasp.map((id) => `owasp:${id}`),
        ...(source === undefined ? [] : [`source:${source.logName}`]),
        ...(dropped.length > 0 ? ["content-dropped"] : []),
      ],
      profiles: ["security_control"],
      ...(v11?.correlation_id !== undefined ? { correlation_uid: v11.correlation_id } : {}),
      ...(typeof event.time === "string" ? { original_time: event.time } : {}),
    },
    resources: [
      compact({
        type: "AI Application",
        name: application.name,
        uid: application.id,
        role_id: 1,
        role: "Target",
      }),
      ...(model === undefined
        ? []
        : [
            compact({
              type: "AI Model",
              name: model.name,
              provider: model.provider,
              version: model.version,
              role_id: 4,
              role: "Related",
            }),
          ]),
      ...(v11?.accessed_resources ?? []).map((r) =>
        compact({
          type: r.type,
          uid: r.id,
          name: r.name ?? r.url ?? r.id,
          labels: r.sensitivity_label === undefined ? undefined : [`sensitivity:${r.sensitivity_label}`],
          role_id: 4,
          role: "Related",
        }),
      ),
    ],
    observables: observablesOf(event),
    unmapped: {
      ai_activity: compact({
        schema_version: event.schema_version,
        verdict: event.verdict,
        action: event.action,
        application,
        model,
        session_id: v11?.session_id,
        correlation_id: v11?.correlation_id,
        client: v11?.client,
        actor_type: event.actor?.type,
        detection: compact({ ...vendorDetection }),
        accessed_resources: v11?.accessed_resources,
        content_hashes: event.content_hashes,
        correlation_basis: how.basis,
        content_dropped: dropped.length > 0 ? dropped : undefined,
      }),
      ...source?.unmapped,
    },
    raw_data: raw,
  };
  const actor = ocsfActorOf(event.actor, v11?.session_id);
  // OCSF wants an actor to say something: with no actor and no session there is none.
  if (Object.keys(actor).length > 0) finding.actor = actor;
  if (detection.score !== undefined) finding.confidence_score = Math.round(detection.score * 100);
  const policyName = detection.policy ?? detection.rule;
  const policyUid = detection.policy_id ?? detection.rule_id;
  if (policyName !== undefined || policyUid !== undefined) {
    finding.policy = compact({
      name: policyName ?? policyUid,
      uid: policyUid,
      version: detection.policy_version ?? detection.rule_version,
    });
  }
  const evidences = evidencesOf(event);
  if (evidences.length > 0) finding.evidences = evidences;
  return finding;
}

/** The OCSF `actor`: the user, the agent (and whom it works for), or the service; and the session. */
function ocsfActorOf(
  actor: AiActivityActor | undefined,
  sessionId: string | undefined,
): Record<string, unknown> {
  const session = sessionId === undefined ? undefined : { uid: sessionId };
  if (actor === undefined) return compact({ session });
  if (actor.type === "user") return compact({ user: userOf(actor), session });
  // An agent or a service is the initiating application; the person an agent works for, if any, is
  // the user context.
  return compact({
    app_uid: actor.id,
    app_name: actor.name ?? actor.id,
    user: actor.type === "agent" && actor.on_behalf_of !== undefined ? userOf(actor.on_behalf_of) : undefined,
    session,
  });
}

function userOf(user: { id: string; email?: string | undefined; name?: string | undefined }) {
  return compact({ uid: user.id, name: user.name, email_addr: user.email, type_id: 1, type: "User" });
}

function emailOf(actor: AiActivityActor | undefined): string | undefined {
  if (actor?.type === "user") return actor.email;
  return actor?.type === "agent" ? actor.on_behalf_of?.email : undefined;
}

function observablesOf(event: AiActivityEvent): Array<Record<string, unknown>> {
  const observables: Array<Record<string, unknown>> = [];
  const add = (typeId: number, name: string, value: string) =>
    observables.push({ type_id: typeId, type: captionOf(OBSERVABLE_TYPE_CAPTIONS, typeId), name, value });

  const email = emailOf(event.actor);
  if (email !== undefined) add(5, "actor.user.email_addr", email);
  add(38, "resources[0].name", event.application.name);
  const client = event.schema_version === "1.1" ? event.client : undefined;
  // The client comes first among the evidences (evidencesOf), so its path is evidences[0].
  if (client?.ip !== undefined) add(2, "evidences[0].src_endpoint.ip", client.ip);
  if (client?.user_agent !== undefined) add(16, "evidences[0].http_request.user_agent", client.user_agent);
  if (event.action.type === "file_upload") {
    add(7, `evidences[${client === undefined ? 0 : 1}].file.name`, event.action.file_name);
  }
  for (const [i, hash] of (event.content_hashes ?? []).entries()) {
    add(8, `unmapped.ai_activity.content_hashes[${i}].value`, hash.value.toLowerCase());
  }
  return observables;
}

// The OCSF evidence an event leaves: where it came from, the tool as an API operation, the upload as
// a file with its hashes.
function evidencesOf(event: AiActivityEvent): Array<Record<string, unknown>> {
  const evidences: Array<Record<string, unknown>> = [];
  const client = event.schema_version === "1.1" ? event.client : undefined;
  if (client !== undefined) {
    evidences.push(
      compact({
        src_endpoint: client.ip === undefined ? undefined : { ip: client.ip },
        http_request: client.user_agent === undefined ? undefined : { user_agent: client.user_agent },
      }),
    );
  }
  const action: AiActivityAction = event.action;
  switch (action.type) {
    case "prompt":
    case "completion":
      break;
    case "tool_call":
      evidences.push({
        api: compact({
          operation: action.tool_name,
          service: {
            name: ("mcp_server" in action ? action.mcp_server : undefined) ?? event.application.name,
          },
        }),
      });
      break;
    case "file_upload": {
      const hashes = (event.content_hashes ?? [])
        .filter((hash) => hash.role === "file")
        .map((hash) => ({ algorithm_id: 3, algorithm: "SHA-256", value: hash.value.toLowerCase() }));
      evidences.push({
        file: {
          name: action.file_name,
          type_id: 1,
          type: "Regular File",
          size: action.file_size,
          mime_type: action.mime_type,
          ...(hashes.length > 0 ? { hashes } : {}),
        },
      });
      break;
    }
    default: {
      const unreachable: never = action;
      return unreachable;
    }
  }
  return evidences;
}

function describeEvent(event: AiActivityEvent, detection: Detection, label: string): string {
  const { actor, action, application, model } = event;
  const who =
    actor === undefined
      ? "Someone"
      : actor.type === "user"
        ? `User ${actor.email ?? actor.name ?? actor.id}`
        : actor.type === "service"
          ? `Service ${actor.name ?? actor.id}`
          : `Agent ${actor.name ?? actor.id}${actor.on_behalf_of ? ` acting for ${actor.on_behalf_of.email ?? actor.on_behalf_of.name ?? actor.on_behalf_of.id}` : ""}`;
  const did = describeAction(action);
  const served =
    model === undefined
      ? ""
      : ` (${[model.provider, model.name, model.version].filter((part) => part !== undefined).join(" ")})`;
  const where = `${application.name}${served}`;
  const score =
    detection.score !== undefined
      ? `score ${detection.score}`
      : detection.confidence !== undefined
        ? `${detection.confidence} confidence`
        : detection.severity !== undefined
          ? `${detection.severity} severity by the source`
          : "no detector score";
  const policy = detection.policy === undefined ? "" : `, policy "${detection.policy}"`;
  const rule = detection.rule === undefined ? "" : `, rule "${detection.rule}"`;
  const details = detection.details === undefined ? "" : ` ${detection.details}`;
  return `${who} ${did} ${where}. ${label}: ${score}${policy}${rule}; verdict ${event.verdict}.${details}`;
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
