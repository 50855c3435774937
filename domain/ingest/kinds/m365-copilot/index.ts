// The `m365-copilot` connector kind: Microsoft 365 `CopilotInteraction` audit records, pulled from
// the Office 365 Management Activity API, become ai-activity 1.1 events and then OCSF Detection
// Findings, one per security signal the record carries (decision 057):
// - a prompt flagged `JailbreakDetected`: a jailbreak, which Copilot blocks;
// - a resource flagged `XPIADetected`: a cross-prompt injection in grounding data, whose
//   instructions Copilot ignores while it answers (flagged);
// - a resource whose access `Status` is failure: a policy kept it out of the answer (redacted).
// An interaction with none is usage, not an alert; other workloads' records are acknowledged.
import { z } from "zod";
import { CONTENT_DROPPED_KEY, WHOLE_BODY } from "../../content.ts";
import { frameJsonItems } from "../../framing.ts";
import type { ConnectorKindDefinition, MapContext, MapResult, RawItem } from "../../kind.ts";
import { type AiVerdict, type aiActivityEvent11Schema, parseAiActivityEvent } from "../ai-activity/event.ts";
import { aiActivityConfigSchema, mapAiActivityEvent } from "../ai-activity/index.ts";
import { AI_FAMILY, clip, vendorItem } from "../ai-activity/vendor-kinds.ts";
import {
  AI_INTERACTION_OPERATIONS,
  type AuditRecord,
  auditRecordSchema,
  type CopilotEventData,
  creationTimeMs,
  isTrue,
  receivedM365Delivery,
} from "./record.ts";

const pullTuning = {
  lookbackHours: z
    .int()
    .min(1)
    .max(7 * 24)
    .optional()
    .meta({ description: "How far back the first pull reaches (the API keeps 7 days)." }),
  maxBlobs: z.int().min(1).max(500).optional().meta({ description: "Content blobs fetched per run." }),
};

/** What `config` may hold; the app registration's secret and the cursor have their own write path. */
export const m365CopilotConfigSchema = z.strictObject({
  correlationWindowMs: aiActivityConfigSchema.shape.correlationWindowMs,
  pull: z.strictObject(pullTuning).optional(),
});

export const m365PullCursorSchema = z.object({
  since: z.iso.datetime({ offset: true }),
  seen: z.array(z.string()),
});

/** `config.pull` as the pull reads it. */
export const m365PullSettingsSchema = z.looseObject({
  tenantId: z.string().min(1),
  clientId: z.string().min(1),
  clientSecretCiphertext: z.string().min(1),
  publisherId: z.string().min(1).optional(),
  ...pullTuning,
  cursor: m365PullCursorSchema.nullable().optional(),
});

/** `config` as a connector's view shows it: never the secret. */
export const m365CopilotConfigViewSchema = z.strictObject({
  correlationWindowMs: z.int().optional(),
  pull: z
    .strictObject({
      ...pullTuning,
      tenantId: z.string().optional(),
      clientId: z.string().optional(),
      publisherId: z.string().optional(),
      has_client_secret: z.boolean().optional(),
      subscribed: z.boolean().optional(),
      cursor: m365PullCursorSchema.nullable().optional(),
      lastRun: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

const PRODUCT = { name: "Microsoft 365 Copilot", vendor_name: "Microsoft" };

export const m365Copilot: ConnectorKindDefinition = {
  configSchema: m365CopilotConfigSchema,
  kind: "m365-copilot",
  received: receivedM365Delivery,
  parse: frameJsonItems,
  map(item: RawItem, ctx: MapContext): MapResult {
    const checked = vendorItem(item, ctx, "an audit record");
    if (!checked.ok) return checked.result;
    const { [CONTENT_DROPPED_KEY]: droppedMarker, ...record } = checked.value;
    if (Array.isArray(droppedMarker) && droppedMarker.includes(WHOLE_BODY)) {
      return {
        ok: false,
        reason: "the delivery could not be read, so it was not kept: it may carry prompt text",
      };
    }
    const parsed = auditRecordSchema.safeParse(record);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => i.path.join(".") || "(record)");
      return { ok: false, reason: `not a Microsoft 365 audit record: ${fields.join(", ")}` };
    }
    const audit = parsed.data;
    if (!AI_INTERACTION_OPERATIONS.includes(audit.Operation)) {
      return { ok: true, findings: [], ignored: `a ${audit.Operation} audit record, not an AI interaction` };
    }
    if (Number.isNaN(creationTimeMs(audit.CreationTime))) {
      return { ok: false, reason: "CreationTime is not a date-time" };
    }
    const event = parseAiActivityEvent(toAiActivity(audit));
    if (!event.ok) {
      return {
        ok: false,
        reason: `the audit record does not map: ${event.errors.map((e) => `${e.field} ${e.message}`).join("; ")}`,
        errors: event.errors,
      };
    }
    return mapAiActivityEvent(event.event, item.raw, checked.windowMs, {
      logName: "m365-copilot",
      product: PRODUCT,
      unmapped: { m365_audit: record },
      contentDropped: Array.isArray(droppedMarker) ? droppedMarker.map(String) : undefined,
    });
  },
};

/** The ai-activity 1.1 event a Copilot interaction record is. */
export function toAiActivity(audit: AuditRecord): z.input<typeof aiActivityEvent11Schema> {
  const data: CopilotEventData = audit.CopilotEventData ?? {};
  const detections = detectionsOf(data);
  const verdict: AiVerdict = detections.some((d) => d.type === "jailbreak")
    ? "blocked"
    : detections.some((d) => d.rule_id?.startsWith("policy:"))
      ? "redacted"
      : detections.length > 0
        ? "flagged"
        : "allowed";
  const appIdentity = data.AppIdentity ?? audit.AppIdentity;
  const host = data.AppHost;
  const model = (data.ModelTransparencyDetails ?? []).find((m) => m.ModelName);
  const ip = clientIp(audit.ClientIP);
  return {
    schema_version: "1.1",
    event_id: audit.Id,
    time: new Date(creationTimeMs(audit.CreationTime)).toISOString(),
    ...(data.ThreadId ? { session_id: clip(data.ThreadId, 256) } : {}),
    ...actorOf(audit, data),
    ...(ip ? { client: { ip } } : {}),
    application: {
      name: host ? `Microsoft 365 Copilot (${clip(host, 200)})` : "Microsoft 365 Copilot",
      vendor: "Microsoft",
      ...(appIdentity ? { id: clip(appIdentity, 256) } : {}),
    },
    ...(model?.ModelName
      ? {
          model: {
            name: clip(model.ModelName, 256),
            ...(model.ModelProviderName ? { provider: clip(model.ModelProviderName, 256) } : {}),
            ...(model.ModelVersion ? { version: clip(model.ModelVersion, 128) } : {}),
          },
        }
      : {}),
    action: { type: "prompt" },
    verdict,
    detections,
    accessed_resources: (data.AccessedResources ?? []).slice(0, 64).map((r) => ({
      type: r.Type ? clip(r.Type, 64) : "web page",
      ...(r.Id ? { id: clip(r.Id, 256) } : {}),
      ...(r.Name ? { name: clip(r.Name, 1024) } : {}),
      ...(urlOf(r.SiteUrl) ? { url: urlOf(r.SiteUrl) } : {}),
      ...(r.Action ? { action: clip(r.Action, 64) } : {}),
      ...(r.SensitivityLabelId ? { sensitivity_label_id: clip(r.SensitivityLabelId, 256) } : {}),
    })),
  };
}

function detectionsOf(data: CopilotEventData) {
  const detections: Array<{
    type: "jailbreak" | "prompt_injection" | "sensitive_data_leak";
    vendor_category: string;
    rule: string;
    rule_id: string;
    details: string;
    atlas?: string[];
    owasp_llm?: string[];
  }> = [];
  for (const [i, message] of (data.Messages ?? []).entries()) {
    if (!isTrue(message.JailbreakDetected)) continue;
    const id = String(message.Id ?? i);
    detections.push({
      type: "jailbreak",
      vendor_category: "JailbreakDetected",
      rule: "Jailbreak detected",
      rule_id: clip(`message:${id}`, 256),
      details: `Copilot's jailbreak classifier flagged message ${clip(id, 100)}${isTrue(message.isPrompt ?? message.IsPrompt) ? " (a prompt)" : ""}.`,
      atlas: [...AI_FAMILY.jailbreak.atlas],
      owasp_llm: [...AI_FAMILY.jailbreak.owasp],
    });
  }
  for (const [i, resource] of (data.AccessedResources ?? []).entries()) {
    const id = resource.Id ?? resource.SiteUrl ?? String(i);
    const name = resource.Name ?? resource.SiteUrl ?? id;
    if (isTrue(resource.XPIADetected)) {
      detections.push({
        type: "prompt_injection",
        vendor_category: "XPIADetected",
        rule: "Cross-prompt injection in grounding data",
        rule_id: clip(`resource:${id}`, 256),
        details: `Instructions hidden in "${clip(name, 300)}", which Copilot read to answer.`,
        // Indirect prompt injection is the ATLAS sub-technique of LLM prompt injection.
        atlas: ["AML.T0051.001"],
        owasp_llm: [...AI_FAMILY.promptInjection.owasp],
      });
    }
    if ((resource.Status ?? "").toLowerCase() === "failure") {
      detections.push({
        type: "sensitive_data_leak",
        vendor_category: "AccessedResources.Status",
        rule: "Resource kept out of the answer by policy",
        rule_id: clip(`policy:${id}`, 256),
        details: `Copilot was refused "${clip(name, 300)}"${resource.SensitivityLabelId ? " (sensitivity-labelled)" : ""}.`,
        owasp_llm: [...AI_FAMILY.sensitiveData.owasp],
      });
    }
  }
  // A resource listed twice (same id) is one signal, not two findings the format would refuse.
  const seen = new Set<string>();
  return detections.filter((d) => !seen.has(d.rule_id) && seen.add(d.rule_id)).slice(0, 64);
}

/**
 * The person behind the interaction, or the agent acting for them. UserId is a UPN for people, and
 * may be an object id; a system record (UserType 4 and up, or none) has no person behind it.
 */
function actorOf(audit: AuditRecord, data: CopilotEventData) {
  const userId =
    audit.UserId && (audit.UserType === undefined || audit.UserType < 4)
      ? clip(audit.UserId, 256)
      : undefined;
  const user = userId ? { id: userId, ...(isEmail(userId) ? { email: userId } : {}) } : undefined;
  if (data.AgentId) {
    return {
      actor: {
        type: "agent" as const,
        id: clip(data.AgentId, 256),
        ...(data.AgentName ? { name: clip(data.AgentName, 256) } : {}),
        ...(user ? { on_behalf_of: user } : {}),
      },
    };
  }
  return user ? { actor: { type: "user" as const, ...user } } : {};
}

/** IPv4 written as IPv6-mapped, or with a port, is read as the address alone; anything else is left out. */
function clientIp(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(value)?.[1];
  const withPort = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(value)?.[1];
  const candidate = mapped ?? withPort ?? value.replace(/^\[(.*)\](:\d+)?$/, "$1");
  return z.union([z.ipv4(), z.ipv6()]).safeParse(candidate).success ? candidate : undefined;
}

function urlOf(value: string | undefined): string | undefined {
  if (!value || !URL.canParse(value)) return undefined;
  const href = new URL(value).href;
  return href.length <= 2048 ? href : undefined;
}

function isEmail(value: string): boolean {
  return z.email().safeParse(value).success;
}
