// A signed-in person acting on cases from the workbench: finding a case among their tenants (an
// unknown and an ungranted case are the same 404) and running one command on it through the same
// domain service and permission table as /v1. The case page and the queue's bulk actions share it.
import { drizzle } from "drizzle-orm/d1";
import { operationForCaseCommand } from "../domain/auth/permissions.ts";
import { actorOf, type Principal, requirePermission } from "../domain/auth/principal.ts";
import type { SignedIn } from "../domain/auth/sessions.ts";
import { tenantPeopleQuery } from "../domain/case/assignees.ts";
import type { CommandOutcome } from "../domain/case/gateway.ts";
import type { CaseCommandRequest } from "../domain/case/requests.ts";
import { commandCase } from "../domain/case/service.ts";
import {
  findQueuedCase,
  type QueueRow,
  queuedCaseQuery,
  queuedCaseTenant,
} from "../domain/case/work-queue.ts";
import { PhoenixError } from "../domain/errors.ts";
import { isIdOf } from "../domain/ids.ts";
import { activeSinksQuery, type SinkRow } from "../domain/sinks/service.ts";
import { tenantDatabase } from "../domain/tenancy.ts";
import { caseGateway } from "../durable-objects/case-gateway.ts";
import { envOf, principalIn, requireSignedIn, type WorkbenchArgs } from "./workbench.server.ts";

export interface CaseAccess {
  signedIn: SignedIn;
  principal: Principal;
  env: Env;
  /** The case's row in the work queue, as the queue shows it. */
  queued: QueueRow;
}

export async function caseAccess(args: WorkbenchArgs, caseId: string, now: number): Promise<CaseAccess> {
  const signedIn = await requireSignedIn(args, now);
  const env = envOf(args);
  if (!isIdOf("case", caseId)) throw notFound();
  const queued = await findQueuedCase(
    env.CONTROL_DB,
    caseId,
    signedIn.grants.map((g) => g.tenantId),
  );
  return readable(signedIn, env, queued);
}

/**
 * caseAccess for the case page, which also needs the case's tenant's people and active sinks: they
 * ride in the same control-database round trip as the case's queue row, keyed on its tenant by a
 * subquery, since each D1 call costs about as much as a small request on a busy Worker.
 */
export async function casePageAccess(
  args: WorkbenchArgs,
  caseId: string,
  now: number,
): Promise<CaseAccess & { people: TenantPerson[]; sinks: SinkRow[] }> {
  const signedIn = await requireSignedIn(args, now);
  const env = envOf(args);
  if (!isIdOf("case", caseId)) throw notFound();
  const tenantIds = signedIn.grants.map((g) => g.tenantId);
  const d = drizzle(env.CONTROL_DB);
  const tenantOfCase = queuedCaseTenant(caseId, tenantIds);
  const [[queued], people, sinks] = await d.batch([
    queuedCaseQuery(d, caseId, tenantIds),
    tenantPeopleQuery(d, tenantOfCase),
    activeSinksQuery(d, tenantOfCase),
  ]);
  return { ...readable(signedIn, env, queued ?? null), people, sinks };
}

export type TenantPerson = Awaited<ReturnType<typeof tenantPeopleQuery>>[number];

// Built only when thrown: an error captures its stack, which is not free on every page load.
const notFound = () => new PhoenixError("not_found", "no such case");

/** An unknown case and one of an ungranted tenant are the same 404; the rest is the permission table. */
function readable(signedIn: SignedIn, env: Env, queued: QueueRow | null): CaseAccess {
  if (!queued) throw notFound();
  const principal = principalIn(signedIn, queued.tenantId);
  requirePermission(principal, "cases.read");
  return { signedIn, principal, env, queued };
}

/** One command as this person, on the version they saw (null: a command that holds whatever it is). */
export async function commandAsPerson(
  access: Pick<CaseAccess, "env" | "principal">,
  caseId: string,
  request: CaseCommandRequest,
  expectedVersion: number | null,
  idempotencyKey: string | undefined,
  now: number,
): Promise<CommandOutcome> {
  const { env, principal } = access;
  // The same rule as POST /v1/cases/{id}/commands: reading a case is not leave to change it.
  requirePermission(principal, operationForCaseCommand(request.type));
  return commandCase(
    { gateway: caseGateway(env), db: tenantDatabase(env, principal.tenant), tenant: principal.tenant, now },
    { actor: actorOf(principal), idempotencyScope: principal.id },
    caseId,
    request,
    expectedVersion,
    { key: idempotencyKey, raw: JSON.stringify(request) },
  );
}
