// Microsoft 365 audit records as the Office 365 Management Activity API serves them (a content blob
// is a JSON array of records; docs/vendors/m365-copilot-audit.md). Copilot interactions are
// `CopilotInteraction` records (RecordType 261) in the `Audit.General` feed, among every other
// workload's records. Read leniently: Microsoft adds properties, and casing varies between sources.
import { z } from "zod";
import { type ContentRule, itemsWithoutContent, PROMPT_TEXT_MEMBERS } from "../../content.ts";
import { frameJsonItems } from "../../framing.ts";
import type { ReceivedDelivery } from "../../kind.ts";

/** Operations of AI interactions: Microsoft's own Copilots, and other AI apps Purview audits. */
export const AI_INTERACTION_OPERATIONS = [
  "CopilotInteraction",
  "AIAppInteraction",
  "ConnectedAIAppInteraction",
];

const str = z.string();
const flag = z.union([z.boolean(), z.string()]).optional();

export const copilotEventDataSchema = z.looseObject({
  AppHost: str.optional(),
  AppIdentity: str.optional(),
  ThreadId: str.optional(),
  Contexts: z.array(z.looseObject({ Id: str.optional(), Type: str.optional() })).optional(),
  Messages: z
    .array(
      z.looseObject({
        Id: z.union([str, z.number()]).optional(),
        isPrompt: flag,
        IsPrompt: flag,
        JailbreakDetected: flag,
      }),
    )
    .optional(),
  AccessedResources: z
    .array(
      z.looseObject({
        Id: str.optional(),
        Name: str.optional(),
        Type: str.optional(),
        SiteUrl: str.optional(),
        Action: str.optional(),
        SensitivityLabelId: str.optional(),
        Status: str.optional(),
        XPIADetected: flag,
      }),
    )
    .optional(),
  ModelTransparencyDetails: z
    .array(
      z.looseObject({
        ModelName: str.optional(),
        ModelProviderName: str.optional(),
        ModelVersion: str.optional(),
      }),
    )
    .optional(),
  AgentId: str.optional(),
  AgentName: str.optional(),
  AgentVersion: str.optional(),
});

export const auditRecordSchema = z.looseObject({
  Id: str.min(1),
  CreationTime: str.min(1),
  Operation: str.min(1),
  RecordType: z.number().optional(),
  UserId: str.optional(),
  UserKey: str.optional(),
  UserType: z.number().optional(),
  ClientIP: str.optional(),
  AppIdentity: str.optional(),
  Workload: str.optional(),
  CopilotEventData: copilotEventDataSchema.optional(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;
export type CopilotEventData = z.infer<typeof copilotEventDataSchema>;

/**
 * The audit record carries message ids, never text; dropped anyway should a relay add some. Its
 * `Messages` are ids and flags (the jailbreak signal among them), so they stay; text inside goes.
 */
export const M365_CONTENT: ContentRule = {
  anywhere: new Set([...PROMPT_TEXT_MEMBERS].filter((name) => name !== "messages")),
};

/** A content blob (a JSON array), one record, or NDJSON, as Phoenix keeps it: one record a line. */
export function receivedM365Delivery(body: string, contentType: string): ReceivedDelivery {
  return itemsWithoutContent(body, frameJsonItems(body, contentType), M365_CONTENT);
}

/** JSON booleans, or "true"/"false" as some exports write them. */
export function isTrue(value: boolean | string | undefined): boolean {
  return value === true || (typeof value === "string" && value.toLowerCase() === "true");
}

/** CreationTime is UTC without a zone (`2025-11-19T10:44:07`); it is read as UTC. */
export function creationTimeMs(value: string): number {
  const zoned = /([zZ]|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
  return Date.parse(zoned);
}
