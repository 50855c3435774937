// The follow-up store on a tenant's D1 database: joins of correlation keys, judgement versions and
// alert source versions still owed to the cases that exist (applied_at null), and their marks.
import { and, asc, eq, inArray, isNotNull, isNull, ne, or } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import {
  alertObservables,
  alertSourceVersions,
  alerts,
  cases,
  correlationJoins,
  correlations,
  intelJudgements,
} from "../../schema/tenant.ts";
import { chunks } from "../chunks.ts";
import type { FollowUpStore } from "./follow-ups.ts";

/** Rows of each kind one pass takes (the rest wait for the next pass). */
const PASS_BATCH = 200;
/** Alerts one pass looks at for the verdicts it applies. */
const ALERTS_PER_PASS = 2000;
/** Ids per `IN (…)` list: D1 allows 100 bound parameters per statement. */
const IDS_PER_STATEMENT = 90;
const MALICIOUS = 2;

export function d1FollowUpStore(db: D1Database): FollowUpStore {
  const d = drizzle(db);
  /**
   * The case of each grouped alert. The alert's own case_id is written by the case object's outbox a
   * moment after grouping; until then the claim on its (joined) correlation key names the case.
   */
  const withCases = async (
    rows: ReadonlyArray<{ alertId: string; caseId: string | null; key: string | null }>,
  ): Promise<Array<{ alertId: string; caseId: string }>> => {
    const pending = rows.filter((r) => r.caseId === null && r.key !== null);
    const joined = await joinedKeys(db, [...new Set(pending.map((r) => r.key as string))]);
    const keys = [...new Set(pending.map((r) => joined.get(r.key as string) ?? (r.key as string)))];
    const owners = new Map<string, string>();
    for (const chunk of chunks(keys, IDS_PER_STATEMENT)) {
      const claimed = await d
        .select({ key: correlations.key, caseId: correlations.caseId })
        .from(correlations)
        .where(inArray(correlations.key, chunk));
      for (const c of claimed) owners.set(c.key, c.caseId);
    }
    return rows.flatMap((r) => {
      const caseId = r.caseId ?? (r.key !== null ? owners.get(joined.get(r.key) ?? r.key) : undefined);
      return caseId === undefined ? [] : [{ alertId: r.alertId, caseId }];
    });
  };
  return {
    async owedJoins() {
      return d
        .select({
          fromKey: correlationJoins.fromKey,
          intoKey: correlationJoins.intoKey,
          reason: correlationJoins.reason,
        })
        .from(correlationJoins)
        .where(isNull(correlationJoins.appliedAt))
        .orderBy(asc(correlationJoins.createdAt))
        .limit(PASS_BATCH);
    },

    async ownerOf(key) {
      const [row] = await d
        .select({ caseId: correlations.caseId })
        .from(correlations)
        .where(eq(correlations.key, key));
      return row?.caseId ?? null;
    },

    async keyOwed(key) {
      const [row] = await d
        .select({ id: alerts.id })
        .from(alerts)
        .where(and(isNull(alerts.correlatedAt), eq(alerts.correlationKey, key)))
        .limit(1);
      return row !== undefined;
    },

    async markJoinApplied(join, now) {
      await d
        .update(correlationJoins)
        .set({ appliedAt: now })
        .where(and(eq(correlationJoins.fromKey, join.fromKey), eq(correlationJoins.intoKey, join.intoKey)));
    },

    async owedVerdicts() {
      const owed = await d
        .select({
          id: intelJudgements.id,
          observableId: intelJudgements.observableId,
          disposition: intelJudgements.disposition,
        })
        .from(intelJudgements)
        .where(isNull(intelJudgements.appliedAt))
        .limit(PASS_BATCH);
      // Only a Malicious judgement can raise a priority; the others are marked and done.
      const observableIds = [
        ...new Set(owed.filter((j) => j.disposition === MALICIOUS).map((j) => j.observableId)),
      ];
      const found: Array<{ alertId: string; caseId: string | null; key: string | null }> = [];
      for (const ids of chunks(observableIds, IDS_PER_STATEMENT)) {
        found.push(
          ...(await d
            .selectDistinct({ alertId: alerts.id, caseId: alerts.caseId, key: alerts.correlationKey })
            .from(alertObservables)
            .innerJoin(alerts, eq(alerts.id, alertObservables.alertId))
            .leftJoin(cases, eq(cases.id, alerts.caseId))
            .where(
              and(
                inArray(alertObservables.observableId, ids),
                isNotNull(alerts.correlatedAt),
                or(isNull(cases.state), ne(cases.state, "closed")),
              ),
            )
            .limit(ALERTS_PER_PASS)),
        );
      }
      return { judgementIds: owed.map((j) => j.id), alerts: await withCases(found) };
    },

    async markJudgementsApplied(ids, now) {
      const [head, ...rest] = chunks(ids, IDS_PER_STATEMENT).map((chunk) =>
        d
          .update(intelJudgements)
          .set({ appliedAt: now })
          .where(and(inArray(intelJudgements.id, chunk), isNull(intelJudgements.appliedAt))),
      );
      if (head) await d.batch([head, ...rest]);
    },

    async owedSourceUpdates() {
      // Alerts with a version not yet applied that are in a case; an alert not yet grouped waits.
      const owing = await withCases(
        await d
          .selectDistinct({
            alertId: alertSourceVersions.alertId,
            caseId: alerts.caseId,
            key: alerts.correlationKey,
          })
          .from(alertSourceVersions)
          .innerJoin(alerts, eq(alerts.id, alertSourceVersions.alertId))
          .where(and(isNull(alertSourceVersions.appliedAt), isNotNull(alerts.correlatedAt)))
          .limit(PASS_BATCH),
      );
      const versions = (
        await Promise.all(
          chunks(
            owing.map((o) => o.alertId),
            IDS_PER_STATEMENT,
          ).map((ids) =>
            d
              .select()
              .from(alertSourceVersions)
              .where(inArray(alertSourceVersions.alertId, ids))
              .orderBy(asc(alertSourceVersions.sourceTime)),
          ),
        )
      ).flat();
      return owing.flatMap((o) =>
        o.caseId === null
          ? []
          : [
              {
                alertId: o.alertId,
                caseId: o.caseId,
                versions: versions
                  .filter((v) => v.alertId === o.alertId)
                  .map((v) => ({
                    source: v.source,
                    sourceTime: v.sourceTime,
                    state: v.state,
                    applied: v.appliedAt !== null,
                  })),
              },
            ],
      );
    },

    async markSourceVersionsApplied(alertId, sourceTimes, now) {
      if (sourceTimes.length === 0) return;
      const [head, ...rest] = chunks(sourceTimes, IDS_PER_STATEMENT).map((times) =>
        d
          .update(alertSourceVersions)
          .set({ appliedAt: now })
          .where(
            and(eq(alertSourceVersions.alertId, alertId), inArray(alertSourceVersions.sourceTime, times)),
          ),
      );
      if (head) await d.batch([head, ...rest]);
    },
  };
}

/** The correlation keys `keys` are joined into (following joins of joins), for alerts arriving after. */
export async function joinedKeys(db: D1Database, keys: readonly string[]): Promise<Map<string, string>> {
  const d = drizzle(db);
  const resolved = new Map<string, string>();
  // Each key's current end, while it may still lead further.
  let active = new Map([...new Set(keys)].map((k) => [k, k]));
  // A sighting joins an incident, which joins nothing further: a few hops cover every real chain.
  for (let hop = 0; hop < 4 && active.size > 0; hop++) {
    const ends = [...new Set(active.values())];
    const rows = (
      await Promise.all(
        chunks(ends, IDS_PER_STATEMENT).map((ids) =>
          d
            .select({ fromKey: correlationJoins.fromKey, intoKey: correlationJoins.intoKey })
            .from(correlationJoins)
            .where(inArray(correlationJoins.fromKey, ids))
            .orderBy(asc(correlationJoins.createdAt), asc(correlationJoins.intoKey)),
        ),
      )
    ).flat();
    // The first join a source stated wins, so every alert of a key lands in one place.
    const into = new Map<string, string>();
    for (const row of rows) if (!into.has(row.fromKey)) into.set(row.fromKey, row.intoKey);
    const next = new Map<string, string>();
    for (const [key, end] of active) {
      const further = into.get(end);
      if (further === undefined || further === key) continue;
      resolved.set(key, further);
      next.set(key, further);
    }
    active = next;
  }
  return resolved;
}
