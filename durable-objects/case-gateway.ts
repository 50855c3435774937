// The case gateway over CaseObject stubs: the one place that addresses a case object and turns
// its refusals into the shared error vocabulary (domain/case/gateway.ts).

import type { CaseGateway, CaseResult, CommandRequest, OpenRequest } from "../domain/case/gateway.ts";
import { PhoenixError } from "../domain/errors.ts";

/** The object of one case: tenant first, so no id from one tenant can address another's case. */
export function caseObjectStub(env: Pick<Env, "CASES">, tenantId: string, caseId: string) {
  return env.CASES.getByName(`${tenantId}:${caseId}`);
}

export function caseGateway(env: Pick<Env, "CASES">): CaseGateway {
  return {
    open: async (request: OpenRequest) =>
      unwrap(await caseObjectStub(env, request.tenantId, request.caseId).open(request)),
    command: async (tenantId: string, caseId: string, request: CommandRequest) =>
      unwrap(await caseObjectStub(env, tenantId, caseId).command(request)),
    snapshot: async (tenantId, caseId) => unwrap(await caseObjectStub(env, tenantId, caseId).snapshot()),
    events: async (tenantId, caseId, afterSeq, limit) =>
      unwrap(await caseObjectStub(env, tenantId, caseId).events(afterSeq, limit)).events,
    audit: async (tenantId, caseId) => unwrap(await caseObjectStub(env, tenantId, caseId).audit()),
    verifyAudit: async (tenantId, caseId) =>
      unwrap(await caseObjectStub(env, tenantId, caseId).verifyAudit()).verification,
    page: async (tenantId, caseId, beforeSeq, limit) => {
      const { ok: _, ...page } = unwrap(await caseObjectStub(env, tenantId, caseId).page(beforeSeq, limit));
      return page;
    },
  };
}

/** A case object's result, or its refusal thrown as a PhoenixError with the same code. */
function unwrap<R extends { ok: boolean }>(result: R): Extract<R, { ok: true }> {
  if (result.ok) return result as Extract<R, { ok: true }>;
  const { code, message } = (result as unknown as Extract<CaseResult<object>, { ok: false }>).error;
  throw new PhoenixError(code, message);
}
