// Many commands in one request, for the Platform and for bulk triage. Each item is an ordinary
// command on one case (its own If-Match, its own permission check, its own outcome), so a bulk
// request is exactly the commands it lists: one refused item changes nothing and stops no other.
import { z } from "zod";
import { alertCaseIds } from "../alerts/queries.ts";
import { PhoenixError } from "../errors.ts";
import { idSchema } from "../ids.ts";
import { LIMITS } from "./decide.ts";
import type { CommandOutcome } from "./gateway.ts";
import type { CaseCommandType } from "./model.ts";
import { type CaseCommandRequest, caseCommandRequestSchema } from "./requests.ts";
import { type CaseServiceContext, commandCase, type Requester } from "./service.ts";

export const MAX_BULK_ITEMS = 100;
// Distinct cases worked at once: enough to finish 100 items quickly, few enough to be a good neighbour.
const CONCURRENT_CASES = 8;

const caseId = idSchema("case", "a case id");
const alertId = idSchema("alert", "an alert id");

export const bulkCaseCommandsRequestSchema = z
  .strictObject({
    commands: z
      .array(
        z.strictObject({
          case_id: caseId,
          if_match: z.int().min(1).describe("The case version you acted on: its ETag, without quotes."),
          command: caseCommandRequestSchema,
        }),
      )
      .min(1)
      .max(MAX_BULK_ITEMS),
  })
  .meta({ id: "BulkCaseCommandsRequest" });

export type BulkCaseCommandsRequest = z.infer<typeof bulkCaseCommandsRequestSchema>;

export const bulkAlertReviewRequestSchema = z
  .strictObject({
    alert_ids: z.array(alertId).min(1).max(MAX_BULK_ITEMS),
    reason: z.string().trim().min(1).max(LIMITS.reasonMax).optional(),
  })
  .meta({ id: "BulkAlertReviewRequest" });

export type BulkAlertReviewRequest = z.infer<typeof bulkAlertReviewRequestSchema>;

/** One item's outcome: the case after it, or why it did not happen (a fault or a refusal). */
export type BulkItemOutcome = { caseId: string | null } & (
  | { ok: true; outcome: CommandOutcome }
  | { ok: false; error: PhoenixError }
);

export interface BulkOptions {
  /** The bulk request's Idempotency-Key: each item gets its own key derived from it. */
  idempotencyKey: string | undefined;
  /** Throws when the requester may not run this command (checked per item, by the edge's permissions). */
  authorize: (command: CaseCommandType) => void;
}

/**
 * Runs the commands, in order per case and cases side by side. With an Idempotency-Key, item `i`
 * runs under the key `bulk:<key>:<i>` bound to the item's own bytes, so a retried bulk replays each
 * item that already happened (the case object remembers it) and runs only the ones that did not.
 */
export async function commandCasesInBulk(
  ctx: CaseServiceContext,
  requester: Requester,
  request: BulkCaseCommandsRequest,
  options: BulkOptions,
): Promise<BulkItemOutcome[]> {
  const items = request.commands.map((item, index) => ({ ...item, index }));
  return runPerCase(items, async (item) => {
    options.authorize(item.command.type);
    return commandCase(ctx, requester, item.case_id, item.command, item.if_match, {
      key: options.idempotencyKey ? `bulk:${options.idempotencyKey}:${item.index}` : undefined,
      raw: JSON.stringify(item),
    });
  });
}

/**
 * Marks alerts reviewed on the cases that hold them. Reviewing says nothing about the case's state,
 * so it needs no If-Match: it applies to whatever version the case is at.
 */
export async function reviewAlertsInBulk(
  ctx: CaseServiceContext,
  requester: Requester,
  request: BulkAlertReviewRequest,
  options: BulkOptions,
): Promise<BulkItemOutcome[]> {
  const cases = await alertCaseIds(ctx.db, request.alert_ids);
  const items = request.alert_ids.map((id, index) => ({ id, index, case_id: cases.get(id) }));
  return runPerCase(items, async (item) => {
    if (item.case_id === undefined) throw new PhoenixError("not_found", "no such alert");
    if (item.case_id === null) {
      throw new PhoenixError(
        "conflict",
        "the alert is not in a case yet, so there is nothing to review it in",
      );
    }
    options.authorize("review_alert");
    const command: CaseCommandRequest = {
      type: "review_alert",
      alert_id: item.id,
      ...(request.reason ? { reason: request.reason } : {}),
    };
    return commandCase(ctx, requester, item.case_id, command, null, {
      key: options.idempotencyKey ? `bulk-review:${options.idempotencyKey}:${item.index}` : undefined,
      raw: JSON.stringify({ alert_id: item.id, reason: request.reason ?? null }),
    });
  });
}

/**
 * Runs `work` for every item: items of one case one after another in request order (the second
 * command's If-Match is the version the first produced), distinct cases at most CONCURRENT_CASES at once.
 */
async function runPerCase<T extends { index: number; case_id: string | null | undefined }>(
  items: readonly T[],
  work: (item: T) => Promise<CommandOutcome>,
): Promise<BulkItemOutcome[]> {
  const results: BulkItemOutcome[] = new Array(items.length);
  const groups = new Map<string, T[]>();
  for (const item of items) {
    // Items with no case fail on their own, so each gets a group of its own.
    const key = item.case_id ?? `#${item.index}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const queue = [...groups.values()];
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const item of group) {
        try {
          results[item.index] = { caseId: item.case_id ?? null, ok: true, outcome: await work(item) };
        } catch (error) {
          if (!(error instanceof PhoenixError)) throw error;
          results[item.index] = { caseId: item.case_id ?? null, ok: false, error };
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_CASES, queue.length) }, worker));
  return results;
}
