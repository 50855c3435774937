// What API clients send to create and change cases. Field names are snake_case like the rest of
// the public API; these schemas map them onto the domain's commands.

import { z } from "zod";
import { idSchema } from "../ids.ts";
import { LIMITS } from "./decide.ts";
import {
  CASE_PRIORITIES,
  CASE_SEVERITIES,
  type CaseCommand,
  ESCALATION_TIERS,
  RESOLUTIONS,
} from "./model.ts";

const reason = z.string().trim().min(1).max(LIMITS.reasonMax).optional();
const alertId = idSchema("alert", "an alert id");
const caseId = idSchema("case", "a case id");

export const openCaseRequestSchema = z
  .strictObject({
    title: z.string().trim().min(1).max(LIMITS.titleMax),
    description: z.string().max(LIMITS.descriptionMax).optional(),
    severity: z.enum(CASE_SEVERITIES),
    priority: z.enum(CASE_PRIORITIES).optional(),
    alert_ids: z.array(alertId).max(1000).optional(),
    reason,
  })
  .meta({ id: "OpenCaseRequest" });

export type OpenCaseRequest = z.infer<typeof openCaseRequestSchema>;

export const caseCommandRequestSchema = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("acknowledge"), reason }),
    z.strictObject({
      type: z.literal("assign"),
      assignee: z.string().trim().min(1).max(LIMITS.idMax),
      reason,
    }),
    z.strictObject({ type: z.literal("unassign"), reason }),
    z.strictObject({ type: z.literal("change_severity"), severity: z.enum(CASE_SEVERITIES), reason }),
    z.strictObject({ type: z.literal("change_priority"), priority: z.enum(CASE_PRIORITIES), reason }),
    z.strictObject({ type: z.literal("start"), reason }),
    z.strictObject({ type: z.literal("hold"), reason }),
    z.strictObject({ type: z.literal("resume"), reason }),
    z.strictObject({ type: z.literal("contain"), reason }),
    z.strictObject({ type: z.literal("resolve"), resolution: z.enum(RESOLUTIONS), reason }),
    z.strictObject({ type: z.literal("close"), reason }),
    z.strictObject({ type: z.literal("reopen"), reason }),
    z
      .strictObject({
        type: z.literal("escalate"),
        tier: z.enum(ESCALATION_TIERS).optional(),
        team: z.string().trim().min(1).max(LIMITS.teamMax).optional(),
        reason: z.string().trim().min(1).max(LIMITS.reasonMax),
      })
      .refine((r) => r.tier !== undefined || r.team !== undefined, {
        path: ["tier"],
        error: "name a tier or a team to escalate to",
      })
      // The refinement does not reach JSON Schema: the OpenAPI document states it as this anyOf.
      .meta({
        anyOf: [
          { properties: { tier: { type: "string", enum: [...ESCALATION_TIERS] } }, required: ["tier"] },
          {
            properties: { team: { type: "string", minLength: 1, maxLength: LIMITS.teamMax } },
            required: ["team"],
          },
        ],
      }),
    z.strictObject({
      type: z.literal("comment"),
      body: z.string().min(1).max(LIMITS.commentMax),
      visibility: z.enum(["internal", "customer"]).optional(),
      reason,
    }),
    z.strictObject({ type: z.literal("link_alert"), alert_id: alertId, reason }),
    z.strictObject({ type: z.literal("unlink_alert"), alert_id: alertId, reason }),
    z.strictObject({ type: z.literal("review_alert"), alert_id: alertId, reason }),
    z.strictObject({ type: z.literal("merge_into"), target_case_id: caseId, reason }),
  ])
  .meta({ id: "CaseCommandRequest" });

export type CaseCommandRequest = z.infer<typeof caseCommandRequestSchema>;

/** The domain command for a validated API request (without its reason, which the envelope carries). */
export function toCaseCommand(request: CaseCommandRequest): CaseCommand {
  switch (request.type) {
    case "link_alert":
    case "unlink_alert":
    case "review_alert":
      return { type: request.type, alertId: request.alert_id };
    case "merge_into":
      return { type: "merge_into", targetCaseId: request.target_case_id };
    case "assign":
      return { type: "assign", assignee: request.assignee };
    case "change_severity":
      return { type: "change_severity", severity: request.severity };
    case "change_priority":
      return { type: "change_priority", priority: request.priority };
    case "resolve":
      return { type: "resolve", resolution: request.resolution };
    case "escalate":
      return {
        type: "escalate",
        ...(request.tier ? { tier: request.tier } : {}),
        ...(request.team ? { team: request.team } : {}),
      };
    case "comment":
      return {
        type: "comment",
        body: request.body,
        ...(request.visibility ? { visibility: request.visibility } : {}),
      };
    case "acknowledge":
    case "unassign":
    case "start":
    case "hold":
    case "resume":
    case "contain":
    case "close":
    case "reopen":
      return { type: request.type };
    default: {
      const unknown: never = request;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}
