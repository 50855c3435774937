// The `ai-activity` event format, versions 1.0 and 1.1: AI usage and AI-security telemetry that
// sources push to Phoenix. Both are strict (unknown fields are refused) and carry content hashes,
// never content, so a prompt or a file cannot reach Phoenix through this format by accident. 1.1 is
// additive: it loosens what real feeds lack (score, model, user) and carries what they add.
import { z } from "zod";
import { type FieldError, fieldErrorsFromIssues } from "../../../errors.ts";
import { describeValue, expected } from "../../../validation-messages.ts";

export const AI_ACTIVITY_SCHEMA_VERSION = "1.0";
export const AI_ACTIVITY_SCHEMA_VERSION_11 = "1.1";
export const AI_ACTIONS = ["prompt", "completion", "tool_call", "file_upload"] as const;
export const AI_VERDICTS = ["allowed", "blocked", "flagged"] as const;
/** 1.1 adds `redacted`: the control let the interaction through with the sensitive part removed. */
export const AI_VERDICTS_11 = [...AI_VERDICTS, "redacted"] as const;
export const AI_CONFIDENCES = ["low", "medium", "high"] as const;
export const VENDOR_SEVERITIES = ["informational", "low", "medium", "high", "critical"] as const;
export const AI_DETECTION_TYPES = [
  "prompt_injection",
  "jailbreak",
  "sensitive_data_leak",
  "secret_leak",
  "unsanctioned_app",
  "policy_violation",
] as const;
export const CONTENT_HASH_ROLES = ["prompt", "completion", "file"] as const;

export type AiAction = (typeof AI_ACTIONS)[number];
export type AiVerdict = (typeof AI_VERDICTS_11)[number];
export type AiConfidence = (typeof AI_CONFIDENCES)[number];
export type VendorSeverity = (typeof VENDOR_SEVERITIES)[number];
export type AiDetectionType = (typeof AI_DETECTION_TYPES)[number];

// Names a producer might use for the content itself; they get a message that says why, not just "unknown".
const CONTENT_FIELDS = new Set([
  "content",
  "prompt_text",
  "completion_text",
  "response_text",
  "text",
  "prompt",
  "completion",
  "messages",
  "file_content",
  "body",
  "input",
  "output",
]);

// Epoch ms below 1e11 (before 1973-03-03) is where OCSF readers take a number for seconds, so such
// times are refused rather than silently read a thousand times too early.
const MIN_EPOCH_MS = 100_000_000_000;
const MAX_EPOCH_MS = 8_640_000_000_000_000;

function unknownFieldMessage(key: string, version: string): string {
  return CONTENT_FIELDS.has(key)
    ? "is refused: ai-activity events carry content hashes (content_hashes), never prompt, completion or file content"
    : `is not a field of ai-activity ${version} (the format is strict)`;
}

function text(max: number) {
  return z
    .string({ error: expected("a string") })
    .min(1, { error: "must not be empty" })
    .max(max, { error: `must be at most ${max} characters` });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const list = values.join(", ");
  return z.enum(values, {
    error: (issue) =>
      issue.input === undefined
        ? `is required and must be one of ${list}`
        : `must be one of ${list}, got ${describeValue(issue.input)}`,
  });
}

function literal<const T extends string>(value: T) {
  return z.literal(value, { error: expected(JSON.stringify(value)) });
}

function strict<T extends z.core.$ZodLooseShape>(shape: T, what = "an object") {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? "has fields that ai-activity does not accept"
        : expected(what)(issue),
  });
}

function discriminated<T extends readonly [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]]>(
  what: string,
  values: readonly string[],
  options: T,
) {
  const list = values.join(", ");
  return z.discriminatedUnion("type", options, {
    // The issue is reported at `type`, but its input is the whole object.
    error: (issue) => {
      if (issue.code !== "invalid_union") return expected(what)(issue);
      const type = (issue.input as { type?: unknown } | undefined)?.type;
      return type === undefined
        ? `is required and must be one of ${list}`
        : `must be one of ${list}, got ${describeValue(type)}`;
    },
  });
}

// --- The format ------------------------------------------------------------------------------------

const id = () => text(256);
const email = () => z.email({ error: expected("an email address") }).max(320);

const userRef = strict({
  id: id().meta({ description: "Stable user id in the source (IdP object id, UPN or similar)." }),
  email: email().optional(),
  name: text(256).optional(),
});

const actorSchema = discriminated(
  'an object with type "user" or "agent"',
  ["user", "agent"],
  [
    strict({
      type: literal("user"),
      id: id().meta({ description: "Stable user id in the source (IdP object id, UPN or similar)." }),
      email: email().optional(),
      name: text(256).optional(),
    }),
    strict({
      type: literal("agent"),
      id: id().meta({ description: "Stable id of the AI agent or automation." }),
      name: text(256).optional(),
      on_behalf_of: userRef.optional().meta({ description: "The user the agent acted for, if any." }),
    }),
  ],
).meta({ description: "Who acted: a person, or an agent (optionally on behalf of a person)." });

const actionSchema = discriminated("an object with a type", AI_ACTIONS, [
  strict({ type: literal("prompt") }),
  strict({ type: literal("completion") }),
  strict({ type: literal("tool_call"), tool_name: text(256) }),
  strict({
    type: literal("file_upload"),
    file_name: text(1024),
    file_size: z
      .int({ error: expected("an integer") })
      .min(0, { error: "must be 0 or more" })
      .meta({ description: "Size in bytes." }),
    mime_type: text(255),
  }),
]).meta({
  description: "What the actor did: send a prompt, receive a completion, call a tool, upload a file.",
});

const detectionSchema = strict({
  type: oneOf(AI_DETECTION_TYPES),
  score: z
    .number({ error: expected("a number from 0 to 1") })
    .min(0, { error: "must be from 0 to 1" })
    .max(1, { error: "must be from 0 to 1" })
    .meta({ description: "The detector's score, 0 (benign) to 1 (certain)." }),
  policy: text(256).optional().meta({ description: "The policy or rule that matched." }),
  details: text(2000)
    .optional()
    .meta({ description: "A short explanation. Must not quote the content it is about." }),
});

const contentHashSchema = strict({
  algorithm: literal("sha256"),
  value: z
    .string({ error: expected("a string") })
    .regex(/^[0-9a-fA-F]{64}$/, { error: "must be 64 hexadecimal characters (a SHA-256 digest)" }),
  role: oneOf(CONTENT_HASH_ROLES),
});

const applicationSchema = strict({
  name: text(256).meta({ description: "The AI application, e.g. Microsoft 365 Copilot or ChatGPT." }),
  vendor: text(256).optional(),
  id: id().optional(),
});

/** Both versions carry content as its digests only. */
function contentHashesSchema() {
  return z
    .array(contentHashSchema, { error: expected("an array") })
    .max(32, { error: "must have at most 32 entries" })
    .optional()
    .meta({
      description: "SHA-256 digests of the prompt, completion or file. The content itself is never sent.",
    });
}

const timeSchema = z
  .union(
    [
      z.iso
        .datetime({
          offset: true,
          error:
            "must be an ISO 8601 date-time with a timezone (e.g. 2026-03-02T09:14:07Z) or epoch milliseconds",
        })
        .refine((value) => Date.parse(value) >= MIN_EPOCH_MS, {
          error: "must be 1973-03-03T09:46:40Z or later",
        }),
      z
        .int({ error: expected("an ISO 8601 date-time string or epoch milliseconds") })
        .min(MIN_EPOCH_MS, {
          error: (issue) =>
            `must be epoch milliseconds (${MIN_EPOCH_MS} or more); ${describeValue(issue.input)} looks like seconds`,
        })
        .max(MAX_EPOCH_MS, { error: "must be a date-time JavaScript can represent" }),
    ],
    { error: expected("an ISO 8601 date-time string or epoch milliseconds") },
  )
  .meta({ description: "When it happened: ISO 8601 with a timezone, or epoch milliseconds." });

export const aiActivityEventSchema = strict({
  schema_version: literal(AI_ACTIVITY_SCHEMA_VERSION),
  event_id: id().meta({
    description: "Unique per event in the source; re-sending an event with the same id is a duplicate.",
  }),
  time: timeSchema,
  actor: actorSchema,
  application: applicationSchema,
  model: strict({
    name: text(256),
    provider: text(256).meta({ description: "Who serves the model, e.g. OpenAI, Anthropic, Azure OpenAI." }),
    version: text(128).optional(),
  }),
  action: actionSchema,
  verdict: oneOf(AI_VERDICTS).meta({
    description: "What the source's control did: allowed it, blocked it, or let it through and flagged it.",
  }),
  detections: z
    .array(detectionSchema, { error: expected("an array (empty when nothing was detected)") })
    .superRefine((detections, ctx) => {
      const seen = new Map<string, number>();
      for (const [i, detection] of detections.entries()) {
        const first = seen.get(detection.type);
        // One finding per detection type per event, so a repeat would collide with the first.
        if (first !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [i, "type"],
            message: `repeats ${JSON.stringify(detection.type)} from detections[${first}]; report each type once per event`,
          });
        } else seen.set(detection.type, i);
      }
    })
    .meta({ description: "What the source's detectors found; each type at most once." }),
  content_hashes: contentHashesSchema(),
}).meta({
  id: "AiActivityEvent",
  title: "AI activity event",
  description:
    "Version 1.0 of the ai-activity format: one AI interaction (prompt, completion, tool call or file upload) " +
    "by a user or an agent in an AI application, the source's verdict and its detections with scores. " +
    "It carries SHA-256 content hashes, never content: fields such as content or prompt_text are refused, " +
    "as is any field not listed. Send one event, a JSON array, or NDJSON (one event per line).",
});

// --- Version 1.1 -----------------------------------------------------------------------------------

const ATLAS_TECHNIQUE = /^AML\.T\d{4}(\.\d{3})?$/;
const OWASP_LLM_2025 = /^LLM(0[1-9]|10):2025$/;

/** An optional list of framework ids, each checked against the framework's id pattern. */
function tagList(pattern: RegExp, what: string, max: number) {
  return z
    .array(text(32).regex(pattern, { error: `must be ${what}` }), { error: expected(`an array of ${what}s`) })
    .max(max, { error: `must have at most ${max} entries` })
    .optional();
}

const detection11Schema = strict({
  type: oneOf(AI_DETECTION_TYPES),
  score: z
    .number({ error: expected("a number from 0 to 1") })
    .min(0, { error: "must be from 0 to 1" })
    .max(1, { error: "must be from 0 to 1" })
    .optional()
    .meta({ description: "The detector's score, 0 (benign) to 1 (certain), when it gives one." }),
  confidence: oneOf(AI_CONFIDENCES)
    .optional()
    .meta({ description: "The detector's categorical confidence, when it gives one instead of a score." }),
  severity: oneOf(VENDOR_SEVERITIES).optional().meta({ description: "The vendor's own severity." }),
  vendor_category: text(256)
    .optional()
    .meta({ description: "The vendor's own name for what it detected, e.g. Prompt Injection or PII." }),
  policy: text(256).optional().meta({ description: "The policy that matched." }),
  policy_id: id().optional(),
  policy_version: text(64).optional(),
  rule: text(256).optional().meta({ description: "The rule of the policy that matched." }),
  rule_id: id().optional(),
  rule_version: text(64).optional(),
  details: text(2000)
    .optional()
    .meta({ description: "A short explanation. Must not quote the content it is about." }),
  atlas: tagList(ATLAS_TECHNIQUE, "a MITRE ATLAS technique id such as AML.T0051", 16).meta({
    description: "MITRE ATLAS techniques, e.g. AML.T0051 (LLM Prompt Injection).",
  }),
  owasp_llm: tagList(OWASP_LLM_2025, "an OWASP Top 10 for LLM 2025 id such as LLM01:2025", 10).meta({
    description: "OWASP Top 10 for LLM Applications 2025 ids, e.g. LLM01:2025.",
  }),
});

const actor11Schema = discriminated(
  'an object with type "user", "agent" or "service"',
  ["user", "agent", "service"],
  [
    ...actorSchema.options,
    strict({
      type: literal("service"),
      id: id().meta({ description: "Stable id of the service or application that called the AI." }),
      name: text(256).optional(),
    }),
  ],
).meta({
  description:
    "Who acted: a person, an agent (optionally for a person), or a service calling the AI with no user behind it.",
});

const action11Schema = discriminated("an object with a type", AI_ACTIONS, [
  strict({ type: literal("prompt") }),
  strict({ type: literal("completion") }),
  strict({
    type: literal("tool_call"),
    tool_name: text(256),
    mcp_server: text(256).optional().meta({ description: "The MCP server that provides the tool, if any." }),
  }),
  ...actionSchema.options.slice(3),
]).meta({
  description: "What the actor did: send a prompt, receive a completion, call a tool, upload a file.",
});

const accessedResourceSchema = strict({
  type: text(64).meta({ description: "What it is, e.g. file, email, site, chat, connector." }),
  id: id().optional(),
  name: text(1024).optional(),
  url: z
    .url({ error: expected("a URL") })
    .max(2048)
    .optional(),
  action: text(64).optional().meta({ description: "What the AI did with it, e.g. read or summarised." }),
  sensitivity_label: text(256).optional().meta({ description: "Its sensitivity label's name." }),
  sensitivity_label_id: id().optional(),
});

const ipAddress = () =>
  z.union([z.ipv4(), z.ipv6()], { error: expected("an IPv4 or IPv6 address") }).meta({ type: "string" });

/** Two detections of one type in one event are told apart by their policy and rule. */
function detectionIdentity(d: {
  type: string;
  policy?: string | undefined;
  policy_id?: string | undefined;
  rule?: string | undefined;
  rule_id?: string | undefined;
}): string {
  return JSON.stringify([d.type, d.policy_id ?? d.policy ?? null, d.rule_id ?? d.rule ?? null]);
}

export const aiActivityEvent11Schema = strict({
  schema_version: literal(AI_ACTIVITY_SCHEMA_VERSION_11),
  event_id: id().meta({
    description: "Unique per event in the source; re-sending an event with the same id is a duplicate.",
  }),
  time: timeSchema,
  session_id: id().optional().meta({ description: "The conversation or session the event belongs to." }),
  correlation_id: id()
    .optional()
    .meta({ description: "The source's id tying related events together, e.g. a request trace." }),
  actor: actor11Schema.optional().meta({ description: "Who acted; left out when the source does not say." }),
  client: strict({
    ip: ipAddress().optional(),
    user_agent: text(1024).optional(),
  })
    .optional()
    .meta({ description: "Where the interaction came from." }),
  application: applicationSchema,
  model: strict({
    name: text(256),
    provider: text(256)
      .optional()
      .meta({ description: "Who serves the model, e.g. OpenAI, Anthropic, Azure OpenAI." }),
    version: text(128).optional(),
  }).optional(),
  action: action11Schema,
  verdict: oneOf(AI_VERDICTS_11).meta({
    description:
      "What the source's control did: allowed it, blocked it, let it through and flagged it, or let it through with the sensitive part redacted.",
  }),
  detections: z
    .array(detection11Schema, { error: expected("an array (empty when nothing was detected)") })
    .max(64, { error: "must have at most 64 entries" })
    .superRefine((detections, ctx) => {
      const seen = new Map<string, number>();
      for (const [i, detection] of detections.entries()) {
        const identity = detectionIdentity(detection);
        const first = seen.get(identity);
        // One finding per detection; two with one type, policy and rule would be the same finding.
        if (first !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [i, "type"],
            message: `repeats ${JSON.stringify(detection.type)} with the policy and rule of detections[${first}]; a type may repeat only with another policy or rule`,
          });
        } else seen.set(identity, i);
      }
    })
    .meta({
      description: "What the source's detectors found; a type repeats only with another policy or rule.",
    }),
  accessed_resources: z
    .array(accessedResourceSchema, { error: expected("an array") })
    .max(64, { error: "must have at most 64 entries" })
    .optional()
    .meta({ description: "What the AI read or used to answer: files, mails, sites, with their labels." }),
  content_hashes: contentHashesSchema(),
}).meta({
  id: "AiActivityEvent11",
  title: "AI activity event, version 1.1",
  description:
    "Version 1.1 of the ai-activity format, additive to 1.0: the score, model and actor become optional " +
    "(a categorical confidence and the vendor's own severity may stand in for the score; a service may act " +
    "with no user), and it carries session and correlation ids, the client's address and user agent, policy " +
    "and rule ids and versions, the vendor's own category, MITRE ATLAS and OWASP LLM tags, a redacted " +
    "verdict, MCP tool servers and the resources the AI accessed with their sensitivity labels. A detection " +
    "type may repeat with another policy or rule. Content is refused as in 1.0.",
});

export type AiActivityEvent10 = z.infer<typeof aiActivityEventSchema>;
export type AiActivityEvent11 = z.infer<typeof aiActivityEvent11Schema>;
/** An event of either version; mapping reads 1.0 as the 1.1 it is a subset of. */
export type AiActivityEvent = AiActivityEvent10 | AiActivityEvent11;
export type AiActivityActor = NonNullable<AiActivityEvent11["actor"]>;
export type AiActivityAction = AiActivityEvent11["action"];
export type AiActivityDetection = AiActivityEvent11["detections"][number];

export type AiActivityParseResult =
  | { ok: true; event: AiActivityEvent }
  | { ok: false; errors: FieldError[] };

const VERSIONS = [AI_ACTIVITY_SCHEMA_VERSION, AI_ACTIVITY_SCHEMA_VERSION_11] as const;

/** Validates one event against its version; every bad field is named, each refused field on its own. */
export function parseAiActivityEvent(value: unknown): AiActivityParseResult {
  const version = (value as { schema_version?: unknown } | null)?.schema_version;
  if (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    !VERSIONS.includes(version as never)
  ) {
    const message =
      version === undefined
        ? `is required and must be ${VERSIONS.map((v) => JSON.stringify(v)).join(" or ")}`
        : `must be ${VERSIONS.map((v) => JSON.stringify(v)).join(" or ")}, got ${describeValue(version)}`;
    return { ok: false, errors: fieldErrorsFromIssues([{ path: ["schema_version"], message }]) };
  }
  const is11 = version === AI_ACTIVITY_SCHEMA_VERSION_11;
  const result = (is11 ? aiActivityEvent11Schema : aiActivityEventSchema).safeParse(value);
  if (result.success) return { ok: true, event: result.data };
  const named = is11 ? AI_ACTIVITY_SCHEMA_VERSION_11 : AI_ACTIVITY_SCHEMA_VERSION;
  const errors = result.error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? fieldErrorsFromIssues(
          issue.keys.map((key) => ({ path: [...issue.path, key], message: unknownFieldMessage(key, named) })),
        )
      : fieldErrorsFromIssues([issue]),
  );
  return { ok: false, errors };
}

/** The event's time in epoch milliseconds. */
export function eventTimeMs(event: AiActivityEvent): number {
  return typeof event.time === "number" ? event.time : Date.parse(event.time);
}

/** Realistic events for docs, demo seeds and tests: one per action, each verdict, zero to two detections. */
export function sampleAiActivityEvents(): AiActivityEvent[] {
  return [
    {
      schema_version: "1.0",
      event_id: "aiev-6f0c2a1e-3b7d-4c55-9e21-0d8a4f7b1c01",
      time: "2026-03-02T09:14:07.512Z",
      actor: { type: "user", id: "00u1a2b3c4d5e6f7g8h9", email: "alice@acme.example", name: "Alice Martin" },
      application: { name: "Microsoft 365 Copilot", vendor: "Microsoft", id: "m365-copilot" },
      model: { name: "gpt-4o", provider: "Azure OpenAI", version: "2024-08-06" },
      action: { type: "prompt" },
      verdict: "blocked",
      detections: [
        {
          type: "prompt_injection",
          score: 0.94,
          policy: "Block indirect prompt injection",
          details: "Instructions to ignore prior guidance found in an attached document.",
        },
      ],
      content_hashes: [
        {
          algorithm: "sha256",
          value: "4b7d2fc52f94100f1dad47334a97b00625721ee4c9ea9addb09b85f0f4f41de5",
          role: "prompt",
        },
      ],
    },
    {
      schema_version: "1.0",
      event_id: "aiev-6f0c2a1e-3b7d-4c55-9e21-0d8a4f7b1c02",
      time: 1772444112000,
      actor: {
        type: "agent",
        id: "agent-invoice-triage",
        name: "Invoice triage agent",
        on_behalf_of: { id: "00u9z8y7x6w5v4u3t2s1", email: "bob@acme.example", name: "Bob Okafor" },
      },
      application: { name: "Acme Finance Assistant", vendor: "Acme", id: "acme-finance-assistant" },
      model: { name: "claude-sonnet-4", provider: "Anthropic" },
      action: { type: "tool_call", tool_name: "send_email" },
      verdict: "flagged",
      detections: [
        {
          type: "sensitive_data_leak",
          score: 0.78,
          policy: "PII leaving the tenant",
          details: "Two IBANs and a customer name in the tool arguments.",
        },
      ],
      content_hashes: [
        {
          algorithm: "sha256",
          value: "f6c75da7a66b127b5f9ee507d72897c5db42478f3b0d8f7a6fdfa8847550d121",
          role: "prompt",
        },
      ],
    },
    {
      schema_version: "1.0",
      event_id: "aiev-6f0c2a1e-3b7d-4c55-9e21-0d8a4f7b1c03",
      time: "2026-03-02T11:02:45+01:00",
      actor: { type: "user", id: "00u5k6l7m8n9o0p1q2r3", email: "carol@acme.example" },
      application: { name: "ChatGPT", vendor: "OpenAI" },
      model: { name: "gpt-4.1", provider: "OpenAI" },
      action: {
        type: "file_upload",
        file_name: "customer-export-2026-03.csv",
        file_size: 482133,
        mime_type: "text/csv",
      },
      verdict: "blocked",
      detections: [
        { type: "unsanctioned_app", score: 1, policy: "Only approved AI apps" },
        { type: "secret_leak", score: 0.88, details: "An AWS access key id pattern in column 7." },
      ],
      content_hashes: [
        {
          algorithm: "sha256",
          value: "88ca0ffd445bf6a3908f7524830a10203bd56864b34304b3ad1b5cfc26497989",
          role: "file",
        },
      ],
    },
    {
      schema_version: "1.0",
      event_id: "aiev-6f0c2a1e-3b7d-4c55-9e21-0d8a4f7b1c04",
      time: "2026-03-02T10:20:00Z",
      actor: { type: "user", id: "00u2d3e4f5g6h7i8j9k0", email: "dave@acme.example", name: "Dave Kim" },
      application: { name: "Microsoft 365 Copilot", vendor: "Microsoft", id: "m365-copilot" },
      model: { name: "gpt-4o", provider: "Azure OpenAI", version: "2024-08-06" },
      action: { type: "completion" },
      verdict: "allowed",
      detections: [],
      content_hashes: [
        {
          algorithm: "sha256",
          value: "7f1ab95085a6979bb19bc57fc00408013eced7d1b79ef79bbb66c6e074270b3e",
          role: "completion",
        },
      ],
    },
    {
      schema_version: "1.0",
      event_id: "aiev-6f0c2a1e-3b7d-4c55-9e21-0d8a4f7b1c05",
      time: "2026-03-02T10:41:19.250Z",
      actor: { type: "user", id: "00u3e4f5g6h7i8j9k0l1", email: "erin@acme.example", name: "Erin Walsh" },
      application: { name: "Gemini", vendor: "Google" },
      model: { name: "gemini-2.5-pro", provider: "Google" },
      action: { type: "prompt" },
      verdict: "flagged",
      detections: [
        { type: "jailbreak", score: 0.61, details: "Role-play framing that asks the model to drop rules." },
      ],
      content_hashes: [
        {
          algorithm: "sha256",
          value: "fc4f2d14be757221d7c8b24eb6921c3b51c950654f0645b8e7d512f6a1505f16",
          role: "prompt",
        },
      ],
    },
    {
      schema_version: "1.0",
      event_id: "aiev-6f0c2a1e-3b7d-4c55-9e21-0d8a4f7b1c06",
      time: "2026-03-02T13:05:00Z",
      actor: { type: "user", id: "00u4f5g6h7i8j9k0l1m2", email: "frank@acme.example" },
      application: { name: "DeepSeek Chat", vendor: "DeepSeek" },
      model: { name: "deepseek-chat", provider: "DeepSeek" },
      action: { type: "prompt" },
      verdict: "blocked",
      detections: [],
    },
  ];
}
