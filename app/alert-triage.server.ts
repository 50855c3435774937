// A signed-in person triaging alerts: finding one alert among the tenants whose alerts they may
// read, and acting on selected alerts. Alerts live in each tenant's own database, so every read
// names its tenant; an ungranted tenant and an unknown alert are the same 404, as in /v1.
import { redirect } from "react-router";
import { findAlertRefs, getAlert } from "../domain/alerts/queries.ts";
import type { Alert } from "../domain/alerts/store.ts";
import { actorOf, requirePermission } from "../domain/auth/principal.ts";
import { loadCaseConfig } from "../domain/case/config.ts";
import { caseSeverityOf, highestSeverity } from "../domain/case/correlation.ts";
import { commandRefusal, createCase } from "../domain/case/service.ts";
import { CASE_SEVERITIES, type CaseSeverity } from "../domain/case-vocabulary.ts";
import { PhoenixError } from "../domain/errors.ts";
import { isIdOf } from "../domain/ids.ts";
import { caseGateway } from "../durable-objects/case-gateway.ts";
import { caseAccess, commandAsPerson } from "./case-commands.server.ts";
import { type TenantAccess, tenantAccess, tenantsAllowing } from "./tenant-access.server.ts";
import { requireSignedIn, type WorkbenchArgs } from "./workbench.server.ts";

/** How many alerts one action may take: a case opened from more is a correlation rule's job. */
export const SELECT_LIMIT = 100;

export type TriageAccess = TenantAccess;

/** The person in `requested` (else their first tenant whose alerts they read), allowed to read alerts. */
export function triageAccess(
  args: WorkbenchArgs,
  requested: string | null,
  now: number,
): Promise<TriageAccess> {
  return tenantAccess(args, "alerts.read", requested, now);
}

/**
 * One alert, in `tenantHint` when given, else looked up in each tenant the person may read (an
 * alert id pasted from a ticket carries no tenant). Unknown or not theirs: 404.
 */
export async function findAlertForPerson(
  args: WorkbenchArgs,
  alertId: string,
  tenantHint: string | null,
  now: number,
): Promise<{ access: TriageAccess; alert: Alert }> {
  const notFound = () => new PhoenixError("not_found", "no such alert");
  if (!isIdOf("alert", alertId)) throw notFound();
  const signedIn = await requireSignedIn(args, now);
  const candidates = tenantHint ? [tenantHint] : tenantsAllowing(signedIn, "alerts.read").map((t) => t.id);
  const found = await Promise.all(
    candidates.map(async (tenantId) => {
      try {
        const access = await triageAccess(args, tenantId, now);
        const alert = await getAlert(access.db, alertId);
        return alert ? { access, alert } : null;
      } catch (error) {
        if (error instanceof PhoenixError && error.code === "not_found") return null;
        throw error;
      }
    }),
  );
  const hit = found.find((f) => f !== null);
  if (!hit) throw notFound();
  return hit;
}

export type TriageOutcome =
  | {
      ok: true;
      caseId: string;
      caseTitle: string;
      linked: number;
      refused: { alertId: string; message: string }[];
    }
  /** A request the analyst can put right on the same page: nothing selected, no case named. */
  | { ok: false; message: string };

/**
 * Open a case from the selected alerts (a redirect to it), or link them to an open case. The alerts
 * must be the tenant's own (else 404, as /v1); each link is its own command, so one refusal stops
 * no other. Both go through the case service and permissions of POST /v1/cases and link_alert.
 */
export async function triageAction(args: WorkbenchArgs, form: FormData, now: number): Promise<TriageOutcome> {
  {
    const access = await triageAccess(args, String(form.get("tenant") ?? "") || null, now);
    const picked = [...new Set(form.getAll("alert").filter((v): v is string => typeof v === "string"))];
    if (picked.length === 0 || picked.length > SELECT_LIMIT) {
      return {
        ok: false,
        message: `Select between 1 and ${SELECT_LIMIT} alerts (${picked.length} selected)`,
      };
    }
    if (!picked.every((id) => isIdOf("alert", id))) throw new PhoenixError("not_found", "no such alert");
    const refs = await findAlertRefs(access.db, picked);
    if (refs.length !== picked.length) throw new PhoenixError("not_found", "no such alert");
    const intent = String(form.get("intent") ?? "");
    if (intent === "open_case") {
      const caseId = await openCaseFrom(access, refs, form, now);
      throw redirect(`/cases/${caseId}`);
    }
    if (intent === "link") return linkTo(args, access, picked, String(form.get("case_id") ?? "").trim(), now);
    return { ok: false, message: "Choose what to do with the selected alerts" };
  }
}

async function openCaseFrom(
  access: TriageAccess,
  refs: Awaited<ReturnType<typeof findAlertRefs>>,
  form: FormData,
  now: number,
): Promise<string> {
  const { principal, env, db } = access;
  requirePermission(principal, "cases.create");
  const severity = String(form.get("severity") ?? "");
  const title = String(form.get("title") ?? "").trim();
  // Newest first, as the list shows them; the case is named after the first unless given a title.
  const [first] = refs;
  const request = {
    title: title || defaultTitle(refs.map((r) => r.title)),
    severity: (CASE_SEVERITIES as readonly string[]).includes(severity)
      ? (severity as CaseSeverity)
      : highestSeverity(refs.map((r) => caseSeverityOf(r.severityId))),
    alert_ids: refs.map((r) => r.id),
    reason: `opened from ${refs.length === 1 ? `alert ${first?.id}` : `${refs.length} alerts`} in triage`,
  };
  const key = form.get("idempotency_key");
  const opened = await createCase(
    { gateway: caseGateway(env), db, tenant: principal.tenant, now },
    { actor: actorOf(principal), idempotencyScope: principal.id },
    request,
    { key: typeof key === "string" && key ? key : undefined, raw: JSON.stringify(request) },
    () => loadCaseConfig(env.CONTROL_DB, principal.tenant.id),
    async (outcome) => outcome.caseId,
  );
  return opened.body;
}

/** "Title", or "Title (+2 more alerts)" when several differ: the analyst can rename it after. */
export function defaultTitle(titles: readonly string[]): string {
  const [first = "Alerts from triage", ...rest] = titles;
  const others = rest.filter((t) => t !== first).length;
  return others === 0 ? first : `${first} (+${others} more alert${others === 1 ? "" : "s"})`;
}

async function linkTo(
  args: WorkbenchArgs,
  access: TriageAccess,
  alertIds: readonly string[],
  caseId: string,
  now: number,
): Promise<TriageOutcome> {
  if (!caseId)
    return { ok: false, message: "Choose an open case, or paste a case id, to link the alerts to" };
  const unknown = { ok: false, message: `No case ${caseId} in ${access.principal.tenant.name}` } as const;
  const target = isIdOf("case", caseId) ? await caseAccess(args, caseId, now).catch(notFoundAsNull) : null;
  // A case of another tenant cannot hold these alerts: the same answer as an unknown case.
  if (!target || target.principal.tenant.id !== access.principal.tenant.id) return unknown;
  const refused: { alertId: string; message: string }[] = [];
  let linked = 0;
  for (const alertId of alertIds) {
    try {
      // Linking holds whatever the case's version: it adds to the case and never undoes a change.
      await commandAsPerson(target, caseId, { type: "link_alert", alert_id: alertId }, null, undefined, now);
      linked++;
    } catch (error) {
      const refusal = commandRefusal(error);
      if (!refusal) throw error;
      refused.push({
        alertId,
        message:
          refusal.kind === "not_allowed" ? "Not allowed in its state or for your role" : refusal.message,
      });
    }
  }
  return { ok: true, caseId, caseTitle: target.queued.title, linked, refused };
}

function notFoundAsNull(error: unknown): null {
  if (error instanceof PhoenixError && error.code === "not_found") return null;
  throw error;
}
