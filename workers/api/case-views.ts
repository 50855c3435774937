// The shapes /v1 answers cases with, as zod schemas: the routes return them and the OpenAPI document
// (and from it the Platform's client) is generated from the same objects, so neither can drift.
import { z } from "@hono/zod-openapi";
import {
  CASE_PRIORITIES,
  CASE_SEVERITIES,
  CASE_STATUSES,
  ESCALATION_TIERS,
  RESOLUTIONS,
} from "../../domain/case/model.ts";
import { SINK_KINDS } from "../../domain/sinks/config.ts";
import { SLA_CLOCKS } from "../../domain/sla/types.ts";

const state = z.enum(CASE_STATUSES);
const severity = z.enum(CASE_SEVERITIES);
const priority = z.enum(CASE_PRIORITIES);
const resolution = z.enum(RESOLUTIONS);
const tier = z.enum(ESCALATION_TIERS);
const queue = z.enum(["triage", "lead"]);
const clockName = z.enum(SLA_CLOCKS);
const slaStatus = z.enum(["ok", "warning", "breached"]);
const epochMs = z.int().describe("Epoch milliseconds.");

export const actorSchema = z
  .object({
    kind: z.enum(["user", "client", "system", "jira"]),
    id: z.string().describe("Issuer-qualified principal id, a client id, `phoenix`, or a Jira accountId."),
  })
  .openapi("Actor", { description: "Who did something." });

/** A row of the case list: what the projection holds, enough to sort and triage without the case. */
export const caseSummarySchema = z
  .object({
    id: z.string(),
    version: z.int().describe("The case version (its ETag) this row reflects."),
    title: z.string(),
    state,
    severity,
    priority,
    assignee: z.string().nullable(),
    queue,
    resolution: resolution.nullable(),
    merged_into: z.string().nullable(),
    alert_count: z.int(),
    sla_status: slaStatus,
    sla_warn_at: epochMs.nullable().describe("The earliest pending warning; null once every clock is met."),
    sla_due_at: epochMs.nullable().describe("The earliest pending deadline; null once every clock is met."),
    sla_breached_at: epochMs.nullable(),
    opened_at: epochMs,
    updated_at: epochMs,
    closed_at: epochMs.nullable(),
  })
  .openapi("CaseSummary", { description: "A case as lists show it." });

const slaClock = z.object({
  name: clockName,
  due_at: epochMs,
  warn_at: epochMs,
  met_at: epochMs.nullable(),
  elapsed_ms: z
    .int()
    .nullable()
    .describe("SLA time used when met (business time under a business-hours calendar)."),
  paused: z.boolean(),
  warned_at: epochMs.nullable(),
  breached_at: epochMs.nullable(),
});

const caseCore = {
  id: z.string(),
  version: z.int().describe("The case version; also its ETag."),
  title: z.string(),
  description: z.string(),
  state,
  severity,
  priority,
  assignee: z.string().nullable(),
  queue,
  tier,
  team: z.string().nullable(),
  resolution: resolution.nullable(),
  merged_into: z.string().nullable(),
  source_closed: z
    .object({ alert_id: z.string(), source: z.string(), closed_as: z.string(), at: epochMs })
    .nullable()
    .describe("A source closed its own record of this matter: a suggestion for the analyst, never a close."),
  opened_at: epochMs,
  updated_at: epochMs,
  resolved_at: epochMs.nullable(),
  closed_at: epochMs.nullable(),
  sla: z.object({ status: slaStatus, clocks: z.array(slaClock) }),
  alerts: z.array(
    z.object({
      id: z.string(),
      reviewed: z.boolean(),
      title: z.string().nullable(),
      finding_uid: z.string().nullable(),
    }),
  ),
};

// --- timeline events: the case's own events as its audit records them (so their keys are camelCase)

const slaTargets = z.object({ acknowledgeMs: z.int(), containMs: z.int(), resolveMs: z.int() });
const slaPolicy = z
  .object({
    targets: z.object({ low: slaTargets, medium: slaTargets, high: slaTargets, critical: slaTargets }),
    warningRatio: z.number(),
    calendar: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("24x7") }),
      z.object({
        kind: z.literal("business_hours"),
        timeZone: z.string(),
        weekdays: z.array(z.int()),
        start: z.string(),
        end: z.string(),
        holidays: z.array(z.string()),
      }),
    ]),
    pausedIn: z.object({
      acknowledge: z.array(state),
      contain: z.array(state),
      resolve: z.array(state),
    }),
  })
  .openapi("SlaPolicy", { description: "The SLA policy a case counts by, fixed when it opened." });

const base = {
  seq: z.int().describe("Position in the case's event log."),
  version: z.int().describe("The case version the event's commit produced."),
  at: epochMs,
  actor: actorSchema,
  reason: z.string().optional(),
};
const transition = { from: state, to: state };
const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), ...base, ...shape });

export const caseEventSchema = z
  .discriminatedUnion("type", [
    event("case.opened", {
      caseId: z.string(),
      title: z.string(),
      description: z.string(),
      severity,
      priority,
      alertIds: z.array(z.string()),
      slaPolicy,
    }),
    event("case.acknowledged", transition),
    event("case.started", transition),
    event("case.held", transition),
    event("case.resumed", transition),
    event("case.contained", transition),
    event("case.resolved", {
      ...transition,
      resolution,
      escalated: z.boolean().optional().describe("Escalated when resolved (absent on older events)."),
    }),
    event("case.closed", transition),
    event("case.reopened", {
      ...transition,
      undoes: z
        .object({ resolution, resolvedAt: epochMs, escalated: z.boolean() })
        .nullable()
        .optional()
        .describe("The resolution this reopen takes back (absent on older events)."),
    }),
    event("case.assigned", { assignee: z.string(), previous: z.string().nullable() }),
    event("case.unassigned", { previous: z.string() }),
    event("case.severity_changed", { from: severity, to: severity }),
    event("case.priority_changed", { from: priority, to: priority }),
    event("case.escalated", {
      tier: tier.nullable(),
      team: z.string().nullable(),
      queue,
      auto: z.boolean(),
    }),
    event("case.commented", {
      commentId: z.string(),
      body: z.string(),
      visibility: z.enum(["internal", "customer"]),
    }),
    event("case.alert_linked", { alertId: z.string() }),
    event("case.alert_unlinked", { alertId: z.string() }),
    event("case.alert_reviewed", { alertId: z.string() }),
    event("case.source_updated", {
      alertId: z.string(),
      source: z.string(),
      sourceTime: epochMs,
      changes: z.array(
        z.object({
          field: z.string(),
          from: z.unknown().describe("The source's value before, as the source sent it."),
          to: z.unknown().describe("The source's value after, as the source sent it."),
        }),
      ),
      closedAs: z.string().nullable(),
    }),
    event("case.merged", {
      ...transition,
      into: z.string(),
      alertIds: z.array(z.string()),
      escalated: z.boolean().optional(),
    }),
    event("sla.warning", { clock: clockName, dueAt: epochMs }),
    event("sla.breached", { clock: clockName, dueAt: epochMs, severity: severity.optional() }),
    event("sla.met", {
      clock: clockName,
      elapsedMs: z
        .int()
        .describe("SLA time used, as the policy counts it (business hours, pauses excluded)."),
      dueAt: epochMs,
      severity: severity.optional().describe("The case's severity when the clock was met."),
      wallMs: z.int().optional().describe("Wall-clock time from the clock's start, pauses included."),
      warned: z.boolean().optional(),
      breached: z.boolean().optional(),
    }),
  ])
  .openapi("CaseEvent", {
    description:
      "One event of a case, as its hash-chained audit records it: the keys are the audit's own (camelCase), so a timeline entry and its audit record read the same.",
  });

/** A case after a write: its state and SLA clocks. */
export const caseSchema = z.object(caseCore).openapi("Case", {
  description: "A case: its state, SLA clocks and linked alerts. `version` is also the ETag.",
});

/** A case after a command: the case, and the events the command produced (none when it changed nothing). */
export const commandedCaseSchema = z
  .object({ ...caseCore, events: z.array(caseEventSchema) })
  .openapi("CommandedCase", {
    description:
      "The case after a command, with the events that command produced (empty when it was a no-op).",
  });

/** A case as GET answers it: with its timeline, observables and sink status. */
export const caseDetailSchema = z
  .object({
    ...caseCore,
    timeline: z.array(caseEventSchema).describe("The first 500 events, oldest first."),
    observables: z.array(
      z.object({
        type: z.string(),
        value: z.string(),
        sightings: z.int().describe("Alerts of this case that carry it."),
        verdicts: z.array(
          z.object({
            source: z.string(),
            verdict: z.string().nullable(),
            reason: z.string().nullable(),
            valid_until: epochMs.nullable(),
          }),
        ),
      }),
    ),
    sinks: z
      .array(
        z.object({
          sink_id: z.string(),
          kind: z.enum(SINK_KINDS),
          name: z.string(),
          synced_version: z.int().describe("The case version the sink has; 0 before the first sync."),
          external_id: z.string().nullable(),
          external_url: z.string().nullable(),
          last_error: z.string().nullable(),
          last_error_at: epochMs.nullable(),
        }),
      )
      .describe("Where the case stands in each of the tenant's active sinks."),
  })
  .openapi("CaseDetail", {
    description:
      "A case with its timeline, its observables with each source's current verdict, and where it stands in each sink. `version` is also the ETag.",
  });
