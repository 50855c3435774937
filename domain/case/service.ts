// Creating and commanding cases on behalf of a principal, for every edge (the /v1 routes today,
// workbench actions next): tenant ownership of every id a request names, idempotent creation, and
// the command itself through the case gateway. Edges parse, authorise, call one of these and map.
import { drizzle } from "drizzle-orm/d1";
import { existingAlertIds } from "../alerts/queries.ts";
import { PhoenixError } from "../errors.ts";
import { releaseIdempotencyKey, requestHash, runIdempotent } from "../idempotency.ts";
import { newId } from "../ids.ts";
import type { CaseGateway, CommandOutcome } from "./gateway.ts";
import type { Actor, CaseConfig } from "./model.ts";
import { type CaseCommandRequest, type OpenCaseRequest, toCaseCommand } from "./requests.ts";

export interface CaseServiceContext {
  gateway: CaseGateway;
  /** The tenant's own database: linked ids are checked against it. */
  db: D1Database;
  tenant: { id: string; d1Binding: string };
  now: number;
}

/** Who acts, and the scope their Idempotency-Keys live in (one caller's key never meets another's). */
export interface Requester {
  actor: Actor;
  idempotencyScope: string;
}

export interface IdempotentInput {
  key: string | undefined;
  /** The request body exactly as received: a key is bound to these bytes. */
  raw: string;
}

/**
 * Opens a case. With an Idempotency-Key the first response is recorded and replayed, so `respond`
 * (the edge's view of the opened case) runs once per case, not once per retry.
 */
export async function createCase<T>(
  ctx: CaseServiceContext,
  requester: Requester,
  request: OpenCaseRequest,
  idempotency: IdempotentInput,
  loadConfig: () => Promise<CaseConfig>,
  respond: (opened: CommandOutcome) => Promise<T>,
): Promise<{ body: T; replayed: boolean }> {
  if (request.alert_ids) await assertAlertsExist(ctx.db, request.alert_ids, "alert_ids");
  const claim = idempotency.key
    ? {
        principal: requester.idempotencyScope,
        key: idempotency.key,
        requestHash: await requestHash("POST", "/v1/cases", idempotency.raw),
        now: ctx.now,
      }
    : null;

  const result = await runIdempotent(ctx.db, claim, async (record) => {
    // The key is claimed before the case exists: a crash after this leaves it "in progress"
    // (409) rather than letting a retry open a second case.
    if (record) await drizzle(ctx.db).batch([record]);
    try {
      const caseId = newId("case", ctx.now);
      const opened = await ctx.gateway.open({
        tenantId: ctx.tenant.id,
        caseId,
        d1Binding: ctx.tenant.d1Binding,
        config: await loadConfig(),
        command: {
          type: "open",
          caseId,
          title: request.title,
          severity: request.severity,
          ...(request.description ? { description: request.description } : {}),
          ...(request.priority ? { priority: request.priority } : {}),
          ...(request.alert_ids ? { alertIds: request.alert_ids } : {}),
        },
        actor: requester.actor,
        ...(request.reason ? { reason: request.reason } : {}),
      });
      return { status: 201, body: await respond(opened) };
    } catch (error) {
      // Nothing was opened, so the key must not stay "in progress".
      if (claim) await releaseIdempotencyKey(ctx.db, claim);
      throw error;
    }
  });
  return { body: result.body, replayed: result.replayed };
}

/** Runs one command on a case, after checking that every id it names belongs to the tenant. */
export async function commandCase(
  ctx: CaseServiceContext,
  requester: Requester,
  caseId: string,
  request: CaseCommandRequest,
  /** The version the requester acted on; null for a command that holds whatever the version (a review). */
  expectedVersion: number | null,
  idempotency: IdempotentInput,
): Promise<CommandOutcome> {
  if (request.type === "merge_into") await assertCaseExists(ctx, request.target_case_id);
  if (request.type === "link_alert" || request.type === "unlink_alert" || request.type === "review_alert") {
    await assertAlertsExist(ctx.db, [request.alert_id], "alert_id");
  }
  return ctx.gateway.command(ctx.tenant.id, caseId, {
    expectedVersion,
    envelope: {
      command: toCaseCommand(request),
      actor: requester.actor,
      ...(request.reason ? { reason: request.reason } : {}),
    },
    ...(idempotency.key
      ? {
          idempotencyKey: `${requester.idempotencyScope}|${idempotency.key}`,
          requestHash: await requestHash("POST", `/v1/cases/${caseId}/commands`, idempotency.raw),
        }
      : {}),
  });
}

/**
 * Linked alerts must be this tenant's. Another tenant's id is a 404 like any unknown id, wherever it
 * appears (path or body), so ids reveal nothing across tenants.
 */
async function assertAlertsExist(db: D1Database, ids: readonly string[], field: string): Promise<void> {
  const found = await existingAlertIds(db, ids);
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new PhoenixError("not_found", `no such alert: ${missing.slice(0, 10).join(", ")}`, [
      { field, message: `${missing.length} id(s) are not alerts of this tenant` },
    ]);
  }
}

/** A merge target must be a case of the same tenant; anything else is a 404, as in the path. */
async function assertCaseExists(ctx: CaseServiceContext, caseId: string): Promise<void> {
  try {
    await ctx.gateway.snapshot(ctx.tenant.id, caseId);
  } catch (error) {
    if (!(error instanceof PhoenixError && error.code === "not_found")) throw error;
    throw new PhoenixError("not_found", "the merge target is not a case of this tenant", [
      { field: "target_case_id", message: "is not a case of this tenant" },
    ]);
  }
}

/** Why a command on a case did not happen, in the words a person acting on it needs. */
export type CommandRefusal =
  | { kind: "changed"; message: string }
  | { kind: "not_allowed"; code: string; message: string; errors: { field: string; message: string }[] }
  | { kind: "not_found"; message: string };

/**
 * A refused command as the person sees it: someone else changed the case first (retry on the new
 * version), the state or role does not allow it, or the case is not theirs to see. Anything else
 * (a fault, not a refusal) is null, for the caller to rethrow.
 */
export function commandRefusal(error: unknown): CommandRefusal | null {
  if (!(error instanceof PhoenixError)) return null;
  switch (error.code) {
    case "precondition_failed":
      return { kind: "changed", message: "Changed by someone else first: look again and retry" };
    case "invalid_transition":
    case "closure_blocked":
    case "forbidden":
    case "validation_failed":
      return { kind: "not_allowed", code: error.code, message: error.message, errors: error.errors ?? [] };
    case "not_found":
      return { kind: "not_found", message: "No such case" };
    default:
      return null;
  }
}
