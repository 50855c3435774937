// Correlation: alerts sharing a correlation key are grouped into one case. The key is claimed in
// the tenant database under its primary key, so concurrent alerts for one key open exactly one
// case; later alerts are linked through that case's CaseObject. Alerts whose correlation did not
// finish (a crash, an unreachable object) keep `correlated_at` null and are picked up again.
// Work is grouped by key: one claim, one case-object call and one update per key, however many
// of its alerts arrive together (a storm of 10,000 alerts for 100 keys is 100 groups per pass).
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
import type { CaseObject } from "../../durable-objects/case-object.ts";
import { alertAssets, alerts, assets, correlations } from "../../schema/tenant.ts";

const CORRELATOR: Actor = { kind: "system", id: "correlation" };
/** Alerts the sweep takes per tenant and pass (the rest wait for the next pass). */
const SWEEP_BATCH = 1000;
/** Ids per `IN (…)` list: D1 allows 100 bound parameters per statement. */
const IDS_PER_STATEMENT = 90;
/** Keys worked at once: each is its own case object, so they do not wait on one another. */
const KEYS_IN_FLIGHT = 4;

/** OCSF severity_id on the case scale: informational counts as low, fatal as critical. */
export function caseSeverityOf(severityId: number): CaseSeverity {
  if (severityId >= 5) return "critical";
  if (severityId === 4) return "high";
  if (severityId === 3) return "medium";
  return "low";
}

export interface CorrelationOutcome {
  /** Alerts that opened a case (one per case opened). */
  opened: number;
  /** Alerts linked to a case that was already open, or opened with another alert of their key. */
  linked: number;
  /** Alerts left owed for a later pass. */
  failed: number;
}

interface PendingAlert {
  id: string;
  key: string;
  severityId: number;
  title: string;
}

type CaseConfig = Awaited<ReturnType<typeof loadCaseConfig>>;

/** Correlates the given alerts, or every alert still owed correlation when `alertIds` is omitted. */
export async function correlateAlerts(
  env: Env,
  tenant: Tenant,
  alertIds?: readonly string[],
): Promise<CorrelationOutcome> {
  const db = tenantDatabase(env, tenant);
  const pending = await owedAlerts(db, alertIds);
  const outcome: CorrelationOutcome = { opened: 0, linked: 0, failed: 0 };
  if (pending.length === 0) return outcome;

  const config = await loadCaseConfig(env.CONTROL_DB, tenant.id);
  const wantedPriority = await priorityForAssets(
    db,
    pending.map((a) => a.id),
  );
  const groups = [...groupByKey(pending).values()];
  let next = 0;
  const worker = async () => {
    for (let g = groups[next++]; g !== undefined; g = groups[next++]) {
      try {
        const joined = await correlateGroup(env, tenant, db, config, g, wantedPriority);
        if (joined === "opened") {
          outcome.opened++;
          outcome.linked += g.length - 1;
        } else outcome.linked += g.length;
        await markCorrelated(
          db,
          g.map((a) => a.id),
        );
      } catch (error) {
        outcome.failed += g.length;
        console.error(
          JSON.stringify({
            level: "error",
            msg: "correlation failed",
            tenant: tenant.id,
            key: g[0]?.key,
            alerts: g.length,
            error: String(error),
          }),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(KEYS_IN_FLIGHT, groups.length) }, worker));
  return outcome;
}

async function owedAlerts(db: D1Database, alertIds?: readonly string[]): Promise<PendingAlert[]> {
  const d = drizzle(db);
  const select = (ids?: readonly string[]) =>
    d
      .select({
        id: alerts.id,
        key: alerts.correlationKey,
        severityId: alerts.severityId,
        title: alerts.title,
      })
      .from(alerts)
      .where(
        and(
          isNull(alerts.correlatedAt),
          isNotNull(alerts.correlationKey),
          ...(ids ? [inArray(alerts.id, [...ids])] : []),
        ),
      )
      .orderBy(asc(alerts.createdAt), asc(alerts.id));
  const rows = alertIds
    ? (await Promise.all(chunks([...new Set(alertIds)], IDS_PER_STATEMENT).map((ids) => select(ids)))).flat()
    : await select().limit(SWEEP_BATCH);
  // Oldest first, so a key's case is opened with (and titled after) its first alert.
  return rows
    .filter((r): r is typeof r & { key: string } => r.key !== null)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function groupByKey(pending: PendingAlert[]): Map<string, PendingAlert[]> {
  const groups = new Map<string, PendingAlert[]>();
  for (const alert of pending) {
    const group = groups.get(alert.key);
    if (group) group.push(alert);
    else groups.set(alert.key, [alert]);
  }
  return groups;
}

/** Opens or joins the case of one key with all of `group` (non-empty, one key). */
async function correlateGroup(
  env: Env,
  tenant: Tenant,
  db: D1Database,
  config: CaseConfig,
  group: PendingAlert[],
  wantedPriority: ReadonlyMap<string, CasePriority>,
): Promise<"opened" | "linked"> {
  const d = drizzle(db);
  const first = group[0] as PendingAlert;
  const key = first.key;
  const alertIds = group.map((a) => a.id);
  const severity = group
    .map((a) => caseSeverityOf(a.severityId))
    .reduce((a, b) => (CASE_SEVERITIES.indexOf(b) > CASE_SEVERITIES.indexOf(a) ? b : a));
  const reason = `correlation ${key}`;
  const stub = (caseId: string): DurableObjectStub<CaseObject> =>
    env.CASES.getByName(`${tenant.id}:${caseId}`);

  // Claim and read back in one round trip: whoever inserted first owns the key.
  const now = Date.now();
  const candidate = newId("case", now);
  const [, claimedRows] = await d.batch([
    d
      .insert(correlations)
      .values({ key, caseId: candidate, createdAt: now, updatedAt: now })
      .onConflictDoNothing(),
    d.select({ caseId: correlations.caseId }).from(correlations).where(eq(correlations.key, key)),
  ]);
  const claimed = claimedRows[0];
  if (!claimed) throw new Error(`correlation ${key} vanished`);

  type Joined = { outcome: "opened" | "linked"; caseId: string; priority: CasePriority };
  const open = async (caseId: string): Promise<Joined> => {
    const opened = await stub(caseId).open({
      tenantId: tenant.id,
      caseId,
      d1Binding: tenant.d1Binding,
      config,
      command: { type: "open", caseId, title: first.title, severity, alertIds },
      actor: CORRELATOR,
      reason,
    });
    if (opened.ok) return { outcome: "opened", caseId, priority: opened.state.priority };
    // Another pass opened it first (its claim won, then it opened): link instead.
    if (opened.error.code === "conflict") return link(caseId);
    throw new Error(`opening ${caseId}: ${opened.error.code} ${opened.error.message}`);
  };
  const link = async (caseId: string): Promise<Joined> => {
    const linked = await stub(caseId).command({
      expectedVersion: null,
      envelope: { command: { type: "link_alerts", alertIds }, actor: CORRELATOR, reason },
    });
    if (linked.ok) {
      // The case's severity is the highest of its alerts.
      if (CASE_SEVERITIES.indexOf(severity) > CASE_SEVERITIES.indexOf(linked.state.severity)) {
        await stub(caseId).command({
          expectedVersion: null,
          envelope: { command: { type: "change_severity", severity }, actor: CORRELATOR, reason },
        });
      }
      return { outcome: "linked", caseId, priority: linked.state.priority };
    }
    // The claim's winner died before opening the case: open it now, with these alerts.
    if (linked.error.code === "not_found") return open(caseId);
    // The case is closed (or merged away): this key starts a new case, if nobody re-pointed it first.
    if (linked.error.code === "invalid_transition") {
      const fresh = newId("case", Date.now());
      const [, currentRows] = await d.batch([
        d
          .update(correlations)
          .set({ caseId: fresh, updatedAt: Date.now() })
          .where(and(eq(correlations.key, key), eq(correlations.caseId, caseId))),
        d.select({ caseId: correlations.caseId }).from(correlations).where(eq(correlations.key, key)),
      ]);
      const current = currentRows[0];
      if (!current) throw new Error(`correlation ${key} vanished`);
      return current.caseId === fresh ? open(fresh) : link(current.caseId);
    }
    throw new Error(
      `linking ${alertIds.length} alerts to ${caseId}: ${linked.error.code} ${linked.error.message}`,
    );
  };

  const joined = await (claimed.caseId === candidate ? open(candidate) : link(claimed.caseId));
  // A case touching a high or critical asset is worked at least at that asset's priority.
  // "P1" sorts before "P2": a smaller string is a higher priority.
  const wanted = alertIds
    .map((id) => wantedPriority.get(id))
    .filter((p): p is CasePriority => p !== undefined)
    .sort()[0];
  if (wanted && joined.priority > wanted) {
    await stub(joined.caseId).command({
      expectedVersion: null,
      envelope: {
        command: { type: "change_priority", priority: wanted },
        actor: CORRELATOR,
        reason: `asset criticality (alert ${alertIds.find((id) => wantedPriority.get(id) === wanted)})`,
      },
    });
  }
  return joined.outcome;
}

const PRIORITY_FOR_CRITICALITY: Record<string, CasePriority> = { critical: "P1", high: "P2" };

/** Per alert touching a high or critical asset, the priority its case should have at least. */
async function priorityForAssets(
  db: D1Database,
  alertIds: readonly string[],
): Promise<Map<string, CasePriority>> {
  const d = drizzle(db);
  const rows = (
    await Promise.all(
      chunks(alertIds, IDS_PER_STATEMENT).map((ids) =>
        d
          .select({ alertId: alertAssets.alertId, criticality: assets.criticality })
          .from(alertAssets)
          .innerJoin(assets, eq(assets.id, alertAssets.assetId))
          .where(
            and(inArray(alertAssets.alertId, [...ids]), inArray(assets.criticality, ["critical", "high"])),
          ),
      ),
    )
  ).flat();
  const wanted = new Map<string, CasePriority>();
  for (const row of rows) {
    const priority = row.criticality ? PRIORITY_FOR_CRITICALITY[row.criticality] : undefined;
    const current = wanted.get(row.alertId);
    if (priority && (current === undefined || priority < current)) wanted.set(row.alertId, priority);
  }
  return wanted;
}

async function markCorrelated(db: D1Database, alertIds: readonly string[]): Promise<void> {
  const d = drizzle(db);
  const at = Date.now();
  const updates = chunks(alertIds, IDS_PER_STATEMENT).map((ids) =>
    d
      .update(alerts)
      .set({ correlatedAt: at })
      .where(inArray(alerts.id, [...ids])),
  );
  const [head, ...rest] = updates;
  if (head) await d.batch([head, ...rest]);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
