// The correlation store on a tenant's D1 database: claims on `correlations` (its primary key decides
// who owns a key), owed alerts (`correlated_at` null) and the priority floors (asset criticality,
// Malicious verdicts).
import { and, asc, eq, inArray, isNotNull, isNull } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import {
  alertAssets,
  alertObservables,
  alerts,
  assets,
  correlations,
  intelJudgements,
} from "../../schema/tenant.ts";
import { chunks } from "../chunks.ts";
import { currentVerdict, judgementColumns } from "../intel/judgements.ts";
import type { CorrelationStore, OwedAlert, PriorityFloor } from "./correlation.ts";
import { joinedKeys } from "./follow-up-store.ts";
import type { CasePriority } from "./model.ts";

/** Alerts the sweep takes per tenant and pass (the rest wait for the next pass). */
const SWEEP_BATCH = 1000;
/** Ids per `IN (…)` list: D1 allows 100 bound parameters per statement. */
const IDS_PER_STATEMENT = 90;

const PRIORITY_FOR_CRITICALITY: Record<string, CasePriority> = { critical: "P1", high: "P2" };
const MALICIOUS = 2;
const MALICIOUS_FLOOR: CasePriority = "P2";

export function d1CorrelationStore(db: D1Database): CorrelationStore {
  const d = drizzle(db);
  const ownerOf = (key: string) =>
    d.select({ caseId: correlations.caseId }).from(correlations).where(eq(correlations.key, key));
  const owner = (rows: Array<{ caseId: string }>, key: string): string => {
    const row = rows[0];
    if (!row) throw new Error(`correlation ${key} vanished`);
    return row.caseId;
  };

  return {
    async owedAlerts(alertIds) {
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
        ? (
            await Promise.all(chunks([...new Set(alertIds)], IDS_PER_STATEMENT).map((ids) => select(ids)))
          ).flat()
        : await select().limit(SWEEP_BATCH);
      const owed = rows.filter((r): r is OwedAlert => r.key !== null);
      // A key a source joined to another (an XDR sighting that is a member of an incident) is
      // grouped under the key it joined, whichever of them arrived first.
      const joined = await joinedKeys(db, [...new Set(owed.map((r) => r.key))]);
      // Oldest first, so a key's case is opened with (and titled after) its first alert.
      return owed
        .map((r) => ({ ...r, key: joined.get(r.key) ?? r.key }))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    async claim(key, candidateCaseId, now) {
      // Claim and read back in one round trip: whoever inserted first owns the key.
      const [, rows] = await d.batch([
        d
          .insert(correlations)
          .values({ key, caseId: candidateCaseId, createdAt: now, updatedAt: now })
          .onConflictDoNothing(),
        ownerOf(key),
      ]);
      return owner(rows, key);
    },

    async claimAll(claims, now) {
      // Multi-row claims (4 parameters a row; D1 binds at most 100), then the owners read back, in
      // one batch: whoever inserted a key first owns it.
      const inserts = chunks(claims, 24).map((part) =>
        d
          .insert(correlations)
          .values(
            part.map((c) => ({ key: c.key, caseId: c.candidateCaseId, createdAt: now, updatedAt: now })),
          )
          .onConflictDoNothing(),
      );
      const reads = chunks(
        claims.map((c) => c.key),
        IDS_PER_STATEMENT,
      ).map((keys) =>
        d
          .select({ key: correlations.key, caseId: correlations.caseId })
          .from(correlations)
          .where(inArray(correlations.key, keys)),
      );
      const [first, ...rest] = [...inserts, ...reads];
      if (!first) return new Map();
      const results = await d.batch([first, ...rest]);
      const owners = new Map<string, string>();
      for (const rows of results.slice(inserts.length) as Array<Array<{ key: string; caseId: string }>>)
        for (const row of rows) owners.set(row.key, row.caseId);
      return owners;
    },

    async repoint(key, fromCaseId, toCaseId, now) {
      const [, rows] = await d.batch([
        d
          .update(correlations)
          .set({ caseId: toCaseId, updatedAt: now })
          .where(and(eq(correlations.key, key), eq(correlations.caseId, fromCaseId))),
        ownerOf(key),
      ]);
      return owner(rows, key);
    },

    async priorityFloors(alertIds, now) {
      const rows = (
        await Promise.all(
          chunks(alertIds, IDS_PER_STATEMENT).map((ids) =>
            d
              .select({ alertId: alertAssets.alertId, criticality: assets.criticality })
              .from(alertAssets)
              .innerJoin(assets, eq(assets.id, alertAssets.assetId))
              .where(
                and(
                  inArray(alertAssets.alertId, [...ids]),
                  inArray(assets.criticality, ["critical", "high"]),
                ),
              ),
          ),
        )
      ).flat();
      const floors = new Map<string, PriorityFloor>();
      const raise = (alertId: string, floor: PriorityFloor) => {
        const current = floors.get(alertId);
        if (current === undefined || floor.priority < current.priority) floors.set(alertId, floor);
      };
      for (const row of rows) {
        const priority = row.criticality ? PRIORITY_FOR_CRITICALITY[row.criticality] : undefined;
        if (priority) raise(row.alertId, { priority, reason: `${row.criticality} asset criticality` });
      }
      for (const [alertId, floor] of await maliciousFloors(d, alertIds, now)) raise(alertId, floor);
      return floors;
    },

    async markCorrelated(alertIds, now) {
      const [head, ...rest] = chunks(alertIds, IDS_PER_STATEMENT).map((ids) =>
        d
          .update(alerts)
          .set({ correlatedAt: now })
          .where(inArray(alerts.id, [...ids])),
      );
      if (head) await d.batch([head, ...rest]);
    },
  };
}

/**
 * Alerts carrying an observable whose verdict now (CTIA's rule over every valid judgement, all
 * sources) is Malicious: their cases are worked at P2 at least (decision 033).
 */
async function maliciousFloors(
  d: DrizzleD1Database,
  alertIds: readonly string[],
  now: number,
): Promise<Map<string, PriorityFloor>> {
  const rows = (
    await Promise.all(
      chunks(alertIds, IDS_PER_STATEMENT).map((ids) =>
        d
          .select({ alertId: alertObservables.alertId, ...judgementColumns })
          .from(alertObservables)
          .innerJoin(intelJudgements, eq(intelJudgements.observableId, alertObservables.observableId))
          .where(inArray(alertObservables.alertId, [...ids])),
      ),
    )
  ).flat();
  const floors = new Map<string, PriorityFloor>();
  const byAlertAndObservable = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.alertId}\u0000${row.observableId}`;
    byAlertAndObservable.set(key, [...(byAlertAndObservable.get(key) ?? []), row]);
  }
  for (const judgements of byAlertAndObservable.values()) {
    const verdict = currentVerdict(judgements, now);
    if (verdict?.disposition !== MALICIOUS) continue;
    floors.set(verdict.alertId, {
      priority: MALICIOUS_FLOOR,
      reason: `Malicious verdict on ${verdict.observableType} ${verdict.observableValue} from ${verdict.source}${verdict.reason ? ` (${verdict.reason})` : ""}`,
    });
  }
  return floors;
}
