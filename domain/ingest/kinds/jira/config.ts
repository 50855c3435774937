// The inbound Jira connector (the strangler path, issue 15): Jira's webhooks bring back what people
// still change in Jira. Its config says how Jira's statuses read as Phoenix states, and which Jira
// account is Phoenix's own (its changes are Phoenix's, and never come back as new ones).
import { z } from "zod";
import { CASE_STATUSES, RESOLUTIONS } from "../../../case-vocabulary.ts";

export const jiraInboundConfigSchema = z.strictObject({
  /**
   * Whether deliveries must carry `x-hub-signature` (HMAC-SHA256 with the connector's secret).
   * Only a Jira webhook that cannot be registered with a secret needs false.
   */
  signed: z.boolean().default(true),
  phoenix_account_id: z
    .string()
    .min(1)
    .max(128)
    .describe("The accountId Phoenix's Jira sink writes as; changes by it are never applied back"),
  /** Jira status name → the Phoenix state it means. A status not listed changes nothing (it is noted on the case). */
  statuses: z.record(z.string().min(1).max(200), z.enum(CASE_STATUSES)).default({}),
  /** The resolution of a case resolved from Jira when Jira's own resolution names none Phoenix knows. */
  default_resolution: z.enum(RESOLUTIONS).default("true_positive"),
});

export type JiraInboundConfig = z.infer<typeof jiraInboundConfigSchema>;
