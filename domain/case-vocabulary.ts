// The words a case is described with: its states, severities, priorities, resolutions and tiers.
// Both the case model and the SLA engine speak them, so they sit below both (no cycle between them).

export const CASE_STATUSES = [
  "new",
  "acknowledged",
  "in_progress",
  "contained",
  "on_hold",
  "resolved",
  "closed",
  "reopened",
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const CASE_SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type CaseSeverity = (typeof CASE_SEVERITIES)[number];

export const CASE_PRIORITIES = ["P1", "P2", "P3", "P4"] as const;
export type CasePriority = (typeof CASE_PRIORITIES)[number];

export const RESOLUTIONS = ["true_positive", "benign_positive", "false_positive", "duplicate"] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const ESCALATION_TIERS = ["L1", "L2", "L3"] as const;
export type EscalationTier = (typeof ESCALATION_TIERS)[number];

/** Work queues a case can sit in; an SLA breach moves it to the lead queue. */
export type CaseQueue = "triage" | "lead";
