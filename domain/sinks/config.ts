// What a tenant admin configures for each sink kind (kept in CONTROL_DB `sinks.config`), and the
// write-only credentials beside it. Strict schemas: an unknown key is refused, so a secret can never
// land in the readable config by a typo. Outbound URLs are also checked (outbound-url.ts).
import { z } from "zod";
import { CASE_PRIORITIES, CASE_SEVERITIES, CASE_STATUSES } from "../case-vocabulary.ts";
import { checkOutboundUrl, type OutboundPolicy } from "./outbound-url.ts";

export const SINK_KINDS = ["jira", "salesforce", "platform"] as const;
export type SinkKind = (typeof SINK_KINDS)[number];

/** The case events a Platform webhook may subscribe to ("case.*" for all of them). */
export const PLATFORM_EVENT_TYPES = [
  "case.*",
  "case.opened",
  "case.updated",
  "case.state_changed",
  "case.commented",
  "case.merged",
  "sla.breached",
] as const;

const name = z.string().trim().min(1).max(200);

export const jiraConfigSchema = z.strictObject({
  site_url: z.url().describe("The Jira Cloud site, e.g. https://acme.atlassian.net"),
  auth: z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("api_token"), email: z.email() }),
    z.strictObject({
      type: z.literal("oauth2"),
      client_id: z.string().min(1).max(200),
      cloud_id: z.string().min(1).max(200),
    }),
  ]),
  project_key: z.string().regex(/^[A-Z][A-Z0-9_]{0,9}$/, "must be a Jira project key such as SOC"),
  issue_type: name,
  /** Which cases go to Jira. */
  send: z
    .strictObject({
      min_severity: z.enum(CASE_SEVERITIES).default("low"),
      customer_visible_only: z.boolean().default(false),
    })
    .default({ min_severity: "low", customer_visible_only: false }),
  /** Phoenix priority → Jira priority name. */
  priorities: z.partialRecord(z.enum(CASE_PRIORITIES), name).default({}),
  /** Phoenix fields → Jira custom field ids, as `createmeta` lists them. */
  custom_fields: z
    .partialRecord(
      z.enum(["severity", "tenant", "case_url", "sla_due"]),
      z.string().regex(/^customfield_\d+$/, "must be a custom field id such as customfield_10042"),
    )
    .default({}),
  /** Phoenix state → the name of the Jira transition that reaches it (resolved to ids per workflow). */
  transitions: z.partialRecord(z.enum(CASE_STATUSES), name).default({}),
  comments: z.enum(["customer", "all", "none"]).default("customer"),
});

export const salesforceConfigSchema = z.strictObject({
  instance_url: z.url().describe("The org's My Domain URL, e.g. https://acme.my.salesforce.com"),
  client_id: z.string().min(1).max(300),
  external_id_field: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9_]*__c$/,
      "must be a custom external id field on Case, e.g. Phoenix_Case_Id__c",
    ),
  /** Phoenix fields → Case fields. */
  fields: z
    .partialRecord(
      z.enum(["title", "description", "state", "severity", "priority", "tenant", "case_url"]),
      z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, "must be a Case field API name"),
    )
    .default({ title: "Subject", description: "Description", state: "Status", priority: "Priority" }),
  /** Phoenix values → the org's picklist values (picklists are per org); unmapped values are sent as they are. */
  values: z
    .strictObject({
      state: z.partialRecord(z.enum(CASE_STATUSES), name).default({}),
      priority: z.partialRecord(z.enum(CASE_PRIORITIES), name).default({}),
    })
    .default({ state: {}, priority: {} }),
});

export const platformConfigSchema = z.strictObject({
  url: z.url().describe("Where Phoenix POSTs each case event, signed per Standard Webhooks"),
  event_types: z.array(z.enum(PLATFORM_EVENT_TYPES)).min(1).default(["case.*"]),
});

/** Write-only credentials per kind; Platform's secret is minted by Phoenix and shown once. */
export const sinkCredentialsSchema = z
  .strictObject({
    api_token: z.string().min(1).max(1000).optional(),
    client_secret: z.string().min(1).max(1000).optional(),
    /** Jira OAuth 2.0 (3LO): the refresh token the admin's consent produced. */
    refresh_token: z.string().min(1).max(4000).optional(),
  })
  .describe("Write-only: stored encrypted, never returned.");
export type SinkCredentials = z.infer<typeof sinkCredentialsSchema>;

export const SINK_CONFIG_SCHEMAS = {
  jira: jiraConfigSchema,
  salesforce: salesforceConfigSchema,
  platform: platformConfigSchema,
} as const;

export type SinkConfig<K extends SinkKind = SinkKind> = z.infer<(typeof SINK_CONFIG_SCHEMAS)[K]>;

/** The kind's config, or the field errors that refuse it (422). */
export function parseSinkConfig(
  kind: SinkKind,
  config: unknown,
): { ok: true; config: Record<string, unknown> } | { ok: false; issues: z.core.$ZodIssue[] } {
  const parsed = SINK_CONFIG_SCHEMAS[kind].safeParse(config);
  return parsed.success ? { ok: true, config: parsed.data } : { ok: false, issues: parsed.error.issues };
}

/** Where the sink sends, the field that says so, for the outbound URL check. */
export function sinkEndpoint(
  kind: SinkKind,
  config: Record<string, unknown>,
): { field: string; url: string } {
  const field = kind === "jira" ? "site_url" : kind === "salesforce" ? "instance_url" : "url";
  return { field, url: String(config[field]) };
}

/** The credentials each kind needs, and which are refused as not its own. */
export function credentialProblems(
  kind: SinkKind,
  config: Record<string, unknown>,
  credentials: SinkCredentials,
): Array<{ field: string; message: string }> {
  const needed =
    kind === "platform"
      ? []
      : kind === "salesforce"
        ? ["client_secret"]
        : (config.auth as { type: string }).type === "api_token"
          ? ["api_token"]
          : ["client_secret", "refresh_token"];
  const problems: Array<{ field: string; message: string }> = [];
  for (const key of ["api_token", "client_secret", "refresh_token"] as const) {
    const given = credentials[key] !== undefined;
    if (needed.includes(key) && !given)
      problems.push({ field: `credentials.${key}`, message: "is required for this sink" });
    if (!needed.includes(key) && given)
      problems.push({ field: `credentials.${key}`, message: `is not used by a ${kind} sink with this auth` });
  }
  return problems;
}

/** The URL check as configured sinks see it: static here, DNS and redirects when called. */
export function endpointProblem(
  kind: SinkKind,
  config: Record<string, unknown>,
  policy: OutboundPolicy,
): { field: string; message: string } | null {
  const { field, url } = sinkEndpoint(kind, config);
  const checked = checkOutboundUrl(url, policy);
  return checked.ok ? null : { field: `config.${field}`, message: checked.reason };
}
