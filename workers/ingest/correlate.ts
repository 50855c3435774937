// Correlation: alerts sharing a correlation key are grouped into one case. The key is claimed in
// the tenant database under its primary key, so concurrent alerts for one key open exactly one
// case; later alerts are linked through that case's CaseObject. Alerts whose correlation did not
// finish (a crash, an unreachable object) keep `correlated_at` null and are picked up again.
import { and, asc, eq, inArray, isNotNull, isNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { loadCaseConfig } from "../../domain/case/config.ts";
import {
  type Actor,
  CASE_SEVERITIES,
  type CasePriority,
  type CaseSeverity,
} from "../../domain/case/model.ts";
import { newId } from "../../domain/ids.ts";
import { type Tenant, tenantDatabase } from "../../domain/tenancy.ts";
import { alertAssets, alerts, assets, correlations } from "../../schema/tenant.ts";

const CORRELATOR: Actor = { kind: "system", id: "correlation" };
const BATCH = 200;

/** OCSF severity_id on the case scale: informational counts as low, fatal as critical. */
export function caseSeverityOf(severityId: number): CaseSeverity {
  if (severityId >= 5) return "critical";
  if (severityId === 4) return "high";
  if (severityId === 3) return "medium";
  return "low";
}

export interface CorrelationOutcome {
  opened: number;
  linked: number;
  failed: number;
}

/** Correlates the given alerts, or every alert still owed correlation when `alertIds` is omitted. */
export async function correlateAlerts(
  env: Env,
  tenant: Tenant,
  alertIds?: readonly string[],
): Promise<CorrelationOutcome> {
  const db = tenantDatabase(env, tenant);
  const d = drizzle(db);
  const pending = await d
    .select({ id: alerts.id, key: alerts.correlationKey, severityId: alerts.severityId, title: alerts.title })
    .from(alerts)
    .where(
      and(
        isNull(alerts.correlatedAt),
        isNotNull(alerts.correlationKey),
        ...(alertIds ? [inArray(alerts.id, alertIds.slice(0, 90))] : []),
      ),
    )
    .orderBy(asc(alerts.createdAt))
    .limit(BATCH);

  const outcome: CorrelationOutcome = { opened: 0, linked: 0, failed: 0 };
  const config = pending.length > 0 ? await loadCaseConfig(env.CONTROL_DB, tenant.id) : null;
  for (const alert of pending) {
    if (!alert.key || !config) continue;
    try {
      const result = await correlateOne(env, tenant, db, config, {
        id: alert.id,
        key: alert.key,
        severityId: alert.severityId,
        title: alert.title,
      });
      outcome[result]++;
      await d.update(alerts).set({ correlatedAt: Date.now() }).where(eq(alerts.id, alert.id));
    } catch (error) {
      outcome.failed++;
      console.error(
        JSON.stringify({
          level: "error",
          msg: "correlation failed",
          tenant: tenant.id,
          alert: alert.id,
          error: String(error),
        }),
      );
    }
  }
  return outcome;
}

interface PendingAlert {
  id: string;
  key: string;
  severityId: number;
  title: string;
}

async function correlateOne(
  env: Env,
  tenant: Tenant,
  db: D1Database,
  config: Awaited<ReturnType<typeof loadCaseConfig>>,
  alert: PendingAlert,
): Promise<"opened" | "linked"> {
  const d = drizzle(db);
  const now = Date.now();
  const candidate = newId("case", now);
  await d
    .insert(correlations)
    .values({ key: alert.key, caseId: candidate, createdAt: now, updatedAt: now })
    .onConflictDoNothing();
  const [claimed] = await d
    .select({ caseId: correlations.caseId })
    .from(correlations)
    .where(eq(correlations.key, alert.key));
  if (!claimed) throw new Error(`correlation ${alert.key} vanished`);

  const stub = (caseId: string) => env.CASES.getByName(`${tenant.id}:${caseId}`);
  // Each path answers how the alert joined and which case it joined, so nothing is read twice.
  type Joined = { outcome: "opened" | "linked"; caseId: string };
  const open = async (caseId: string): Promise<Joined> => {
    const opened = await stub(caseId).open({
      tenantId: tenant.id,
      caseId,
      d1Binding: tenant.d1Binding,
      config,
      command: {
        type: "open",
        caseId,
        title: alert.title,
        severity: caseSeverityOf(alert.severityId),
        alertIds: [alert.id],
      },
      actor: CORRELATOR,
      reason: `correlation ${alert.key}`,
    });
    if (opened.ok) return { outcome: "opened", caseId };
    // Another alert of this key opened it first (its claim won, then it opened): link instead.
    if (opened.error.code === "conflict") return link(caseId);
    throw new Error(`opening ${caseId}: ${opened.error.code} ${opened.error.message}`);
  };
  const link = async (caseId: string): Promise<Joined> => {
    const linked = await stub(caseId).command({
      expectedVersion: null,
      envelope: {
        command: { type: "link_alert", alertId: alert.id },
        actor: CORRELATOR,
        reason: `correlation ${alert.key}`,
      },
      idempotencyKey: `correlate:${alert.id}`,
      requestHash: `correlate:${alert.id}`,
    });
    if (linked.ok) {
      // The case's severity is the highest of its alerts.
      const severity = caseSeverityOf(alert.severityId);
      if (CASE_SEVERITIES.indexOf(severity) > CASE_SEVERITIES.indexOf(linked.state.severity)) {
        await stub(caseId).command({
          expectedVersion: null,
          envelope: {
            command: { type: "change_severity", severity },
            actor: CORRELATOR,
            reason: `alert ${alert.id}`,
          },
        });
      }
      return { outcome: "linked", caseId };
    }
    // The claim's winner died before opening the case: open it now, with this alert.
    if (linked.error.code === "not_found") return open(caseId);
    // The case is closed (or merged away): this key starts a new case, if nobody re-pointed it first.
    if (linked.error.code === "invalid_transition") {
      const fresh = newId("case", Date.now());
      await d
        .update(correlations)
        .set({ caseId: fresh, updatedAt: Date.now() })
        .where(and(eq(correlations.key, alert.key), eq(correlations.caseId, caseId)));
      const [current] = await d
        .select({ caseId: correlations.caseId })
        .from(correlations)
        .where(eq(correlations.key, alert.key));
      if (!current) throw new Error(`correlation ${alert.key} vanished`);
      return current.caseId === fresh ? open(fresh) : link(current.caseId);
    }
    throw new Error(`linking ${alert.id} to ${caseId}: ${linked.error.code} ${linked.error.message}`);
  };

  const joined = await (claimed.caseId === candidate ? open(candidate) : link(claimed.caseId));
  await raisePriorityForAssets(env, tenant, db, alert.id, joined.caseId);
  return joined.outcome;
}

const PRIORITY_FOR_CRITICALITY: Record<string, CasePriority> = { critical: "P1", high: "P2" };

/** A case touching a high or critical asset is worked at least at that asset's priority. */
async function raisePriorityForAssets(
  env: Env,
  tenant: Tenant,
  db: D1Database,
  alertId: string,
  caseId: string,
): Promise<void> {
  const rows = await drizzle(db)
    .select({ criticality: assets.criticality })
    .from(alertAssets)
    .innerJoin(assets, eq(assets.id, alertAssets.assetId))
    .where(eq(alertAssets.alertId, alertId));
  const wanted = rows
    .map((r) => (r.criticality ? PRIORITY_FOR_CRITICALITY[r.criticality] : undefined))
    .filter((p): p is CasePriority => p !== undefined)
    .sort()[0];
  if (!wanted) return;
  const stub = env.CASES.getByName(`${tenant.id}:${caseId}`);
  const snapshot = await stub.snapshot();
  // "P1" sorts before "P2": a smaller string is a higher priority.
  if (!snapshot.ok || snapshot.state.priority <= wanted) return;
  await stub.command({
    expectedVersion: null,
    envelope: {
      command: { type: "change_priority", priority: wanted },
      actor: CORRELATOR,
      reason: `asset criticality (alert ${alertId})`,
    },
  });
}
