// What one Jira webhook delivery says changed, read from its REST v2 body (plain or wiki text,
// never ADF: shared/contracts/jira/README.md). Pure: the service in domain/ingest/jira-changes.ts
// finds the case and applies these. Comments come only from comment_* events: Jira also sends an
// issue_updated for each comment, and reading both would add it twice.
import { z } from "zod";
import { RESOLUTIONS, type Resolution } from "../../../case-vocabulary.ts";
import type { JiraInboundConfig } from "./config.ts";

const user = z.looseObject({
  accountId: z.string().min(1).max(128),
  displayName: z.string().max(256).optional(),
});

export const jiraWebhookSchema = z.looseObject({
  webhookEvent: z.string().min(1).max(100),
  timestamp: z.number().optional(),
  user: user.optional(),
  issue: z.looseObject({
    id: z.string().min(1).max(64),
    key: z.string().min(1).max(64),
    fields: z
      .looseObject({
        resolution: z
          .looseObject({ name: z.string().max(200) })
          .nullable()
          .optional(),
      })
      .optional(),
  }),
  changelog: z
    .looseObject({
      items: z
        .array(
          z.looseObject({
            field: z.string().max(200).optional(),
            fieldId: z.string().max(200).optional(),
            toString: z.string().max(200).nullable().optional(),
          }),
        )
        .max(500),
    })
    .optional(),
  comment: z
    .looseObject({
      id: z.string().min(1).max(64),
      body: z.string().max(100_000),
      author: user.optional(),
      updateAuthor: user.optional(),
      jsdPublic: z.boolean().optional(),
    })
    .optional(),
});
export type JiraWebhook = z.infer<typeof jiraWebhookSchema>;

export interface JiraPerson {
  accountId: string;
  displayName: string | null;
}

export type JiraChange =
  | { kind: "status"; issueKey: string; to: string; resolution: Resolution; by: JiraPerson }
  | {
      kind: "comment";
      issueKey: string;
      commentId: string;
      body: string;
      visibility: "internal" | "customer";
      edited: boolean;
      by: JiraPerson;
    };

export type ReadOutcome = { changes: JiraChange[] } | { ignored: string };

export function readJiraWebhook(hook: JiraWebhook, config: JiraInboundConfig): ReadOutcome {
  const issueKey = hook.issue.key;
  const person = (
    u: { accountId: string; displayName?: string | undefined } | undefined,
  ): JiraPerson | null => (u ? { accountId: u.accountId, displayName: u.displayName ?? null } : null);

  if (hook.webhookEvent === "comment_created" || hook.webhookEvent === "comment_updated") {
    const comment = hook.comment;
    if (!comment) return { ignored: `${hook.webhookEvent} without a comment` };
    const edited = hook.webhookEvent === "comment_updated";
    const by = person(edited ? (comment.updateAuthor ?? comment.author) : comment.author);
    if (!by) return { ignored: "a comment with no author" };
    if (by.accountId === config.phoenix_account_id) return { ignored: "Phoenix's own comment" };
    return {
      changes: [
        {
          kind: "comment",
          issueKey,
          commentId: comment.id,
          body: comment.body,
          // Jira Service Management marks what the customer sees; anything else stays with the SOC.
          visibility: comment.jsdPublic === true ? "customer" : "internal",
          edited,
          by,
        },
      ],
    };
  }

  if (hook.webhookEvent === "jira:issue_updated") {
    const status = hook.changelog?.items.find((i) => i.fieldId === "status" || i.field === "status");
    if (!status?.toString) return { ignored: "no status change" };
    const by = person(hook.user);
    if (!by) return { ignored: "a status change with no actor" };
    if (by.accountId === config.phoenix_account_id) return { ignored: "Phoenix's own transition" };
    return {
      changes: [
        {
          kind: "status",
          issueKey,
          to: status.toString,
          resolution: resolutionOf(hook.issue.fields?.resolution?.name, config.default_resolution),
          by,
        },
      ],
    };
  }
  return { ignored: `${hook.webhookEvent} is not a change Phoenix takes from Jira` };
}

/** Jira's resolution by name ("False Positive" → false_positive), else the connector's default. */
function resolutionOf(name: string | undefined, fallback: Resolution): Resolution {
  const normalised = (name ?? "")
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
  return (RESOLUTIONS as readonly string[]).includes(normalised) ? (normalised as Resolution) : fallback;
}
