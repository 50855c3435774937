// Jira's side of the strangler period (issue 15, decision 038): a Jira webhook's status change or
// comment becomes a case command by a Jira actor, under the case's own lifecycle rules. Each
// delivery is applied once: Jira's webhook identifier is claimed after the work, and every
// command carries it as its idempotency key, so a retry or a duplicate arriving meanwhile repeats
// nothing. What Phoenix refuses is noted on the case, never dropped. Phoenix's own changes never
// come back: they are by Phoenix's Jira account, or move the issue where the case already is.
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { sinkSync, webhookDeliveries } from "../../schema/tenant.ts";
import type { Actor } from "../actor.ts";
import { LIMITS } from "../case/decide.ts";
import type { CaseGateway } from "../case/gateway.ts";
import type { CaseCommand, CaseState } from "../case/model.ts";
import type { CaseStatus, Resolution } from "../case-vocabulary.ts";
import { fieldErrorsFromIssues, PhoenixError } from "../errors.ts";
import { DELIVERY_RETENTION_MS } from "./deliver.ts";
import { type JiraChange, jiraWebhookSchema, readJiraWebhook } from "./kinds/jira/changes.ts";
import type { JiraInboundConfig } from "./kinds/jira/config.ts";

export interface JiraChangeContext {
  db: D1Database;
  gateway: CaseGateway;
  tenantId: string;
  connectorId: string;
  config: JiraInboundConfig;
  now: number;
}

export interface JiraDeliveryOutcome {
  /** Changes applied to a case as commands. */
  applied: number;
  /** Changes Phoenix could not apply, noted on the case instead. */
  noted: number;
  /** Why nothing was applied, when nothing was. */
  ignored: string | null;
  duplicate: boolean;
}

export async function receiveJiraDelivery(
  ctx: JiraChangeContext,
  delivery: { identifier: string; body: string },
): Promise<JiraDeliveryOutcome> {
  let json: unknown;
  try {
    json = JSON.parse(delivery.body);
  } catch {
    throw new PhoenixError("bad_request", "the delivery is not JSON");
  }
  const parsed = jiraWebhookSchema.safeParse(json);
  if (!parsed.success) {
    const errors = fieldErrorsFromIssues(parsed.error.issues, "body");
    throw new PhoenixError(
      "validation_failed",
      `not a Jira webhook Phoenix can read: ${errors.map((e) => e.field).join(", ")}`,
      errors,
    );
  }
  const d = drizzle(ctx.db);
  const [seen] = await d
    .select({ at: webhookDeliveries.receivedAt })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.connectorId, ctx.connectorId),
        eq(webhookDeliveries.webhookId, delivery.identifier),
      ),
    );
  if (seen) return { applied: 0, noted: 0, ignored: null, duplicate: true };

  const read = readJiraWebhook(parsed.data, ctx.config);
  const outcome: JiraDeliveryOutcome = { applied: 0, noted: 0, ignored: null, duplicate: false };
  if ("ignored" in read) outcome.ignored = read.ignored;
  else {
    for (const [i, change] of read.changes.entries()) {
      const caseId = await caseOfIssue(ctx.db, change.issueKey);
      if (!caseId) {
        outcome.ignored = `no Phoenix case is linked to ${change.issueKey}`;
        continue;
      }
      const result = await applyChange(ctx, caseId, change, `jira:${delivery.identifier}:${i}`);
      if (result === "applied") outcome.applied++;
      else if (result === "noted") outcome.noted++;
      else outcome.ignored = result.ignored;
    }
  }
  await d
    .insert(webhookDeliveries)
    .values({
      connectorId: ctx.connectorId,
      webhookId: delivery.identifier,
      receivedAt: ctx.now,
      expiresAt: ctx.now + DELIVERY_RETENTION_MS,
    })
    .onConflictDoNothing();
  return outcome;
}

/** The case a Jira issue belongs to: the Jira sink recorded the issue key when it created it. */
async function caseOfIssue(db: D1Database, issueKey: string): Promise<string | null> {
  const [row] = await drizzle(db)
    .select({ caseId: sinkSync.caseId })
    .from(sinkSync)
    .where(eq(sinkSync.externalId, issueKey))
    .limit(1);
  return row?.caseId ?? null;
}

async function applyChange(
  ctx: JiraChangeContext,
  caseId: string,
  change: JiraChange,
  key: string,
): Promise<"applied" | "noted" | { ignored: string }> {
  const actor: Actor = { kind: "jira", id: change.by.accountId };
  const who = change.by.displayName ?? change.by.accountId;
  const run = (command: CaseCommand, idempotencyKey: string, reason?: string) =>
    ctx.gateway.command(ctx.tenantId, caseId, {
      expectedVersion: null,
      envelope: { command, actor, ...(reason ? { reason } : {}) },
      idempotencyKey,
    });
  const note = async (text: string) => {
    await run({ type: "comment", body: text, visibility: "internal" }, `${key}:note`);
    return "noted" as const;
  };

  if (change.kind === "comment") {
    const body = change.edited ? `Edited in Jira:\n\n${change.body}` : change.body;
    await run(
      { type: "comment", body: body.slice(0, LIMITS.commentMax), visibility: change.visibility },
      key,
      `Jira ${change.issueKey}: comment ${change.commentId} by ${who}`,
    );
    return "applied";
  }

  const target = ctx.config.statuses[change.to];
  const moved = `Jira: ${who} moved ${change.issueKey} to "${change.to}"`;
  if (!target) return note(`${moved}, which this Jira connector maps to no Phoenix state.`);
  const { state } = await ctx.gateway.snapshot(ctx.tenantId, caseId);
  // Already there: Phoenix's own transition coming back, or a repeat.
  if (state.status === target) return { ignored: `the case is already ${target}` };
  const command = commandReaching(target, state, change.resolution);
  if (!command) return note(`${moved}; no Phoenix command leads to ${target}.`);
  try {
    await run(command, key, `${moved}`);
    return "applied";
  } catch (error) {
    if (!(error instanceof PhoenixError) || error.code === "not_found") throw error;
    return note(`${moved}; Phoenix refused it: ${error.message}`);
  }
}

/** The command that takes a case to `target` from where it is. */
function commandReaching(target: CaseStatus, state: CaseState, resolution: Resolution): CaseCommand | null {
  switch (target) {
    case "acknowledged":
      return { type: "acknowledge" };
    case "in_progress":
      return state.status === "on_hold" ? { type: "resume" } : { type: "start" };
    case "contained":
      return { type: "contain" };
    case "on_hold":
      return { type: "hold" };
    case "resolved":
      return { type: "resolve", resolution };
    case "closed":
      return { type: "close" };
    case "reopened":
      return { type: "reopen" };
    case "new":
      return null;
  }
}
