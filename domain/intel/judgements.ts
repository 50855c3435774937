// Threat intelligence Phoenix keeps: what a source says about an observable (CTIM judgements and
// verdicts). Stored per source and identity, newest version wins; read for the case page's
// observables and for the verdict that counts right now.
import type { BatchItem } from "drizzle-orm/batch";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { intelJudgements } from "../../schema/tenant.ts";
import { normaliseObservableValue, observableId } from "../observables.ts";
import { newestVersionWins } from "./versions.ts";

/** CTIM dispositions, by number. */
export const DISPOSITIONS: Readonly<Record<number, string>> = {
  1: "Clean",
  2: "Malicious",
  3: "Suspicious",
  4: "Common",
  5: "Unknown",
};

/** A judgement or verdict as a connector maps it, before it is stored. */
export interface JudgementInput {
  id: string;
  kind: "judgement" | "verdict";
  source: string;
  /** The observable as OCSF types it, so it matches the observables alerts carry. */
  observable: { typeId: number; type: string; value: string };
  disposition: number;
  dispositionName: string;
  priority: number | null;
  severity: string | null;
  confidence: string | null;
  reason: string | null;
  reasonUri: string | null;
  validFrom: number | null;
  validUntil: number | null;
  sourceTime: number;
  data: Record<string, unknown>;
}

/** One upsert per record; a version older than the stored one changes nothing. */
export async function judgementStatements(
  d: DrizzleD1Database,
  records: readonly JudgementInput[],
  ctx: { connectorId: string | null; now: number },
): Promise<BatchItem<"sqlite">[]> {
  const statements: BatchItem<"sqlite">[] = [];
  for (const r of records) {
    const value = normaliseObservableValue(r.observable.typeId, r.observable.value);
    statements.push(
      newestVersionWins(d, intelJudgements, {
        id: r.id,
        kind: r.kind,
        sourceConnectorId: ctx.connectorId,
        source: r.source,
        observableId: await observableId(r.observable.typeId, value),
        observableType: r.observable.type,
        observableValue: value,
        disposition: r.disposition,
        dispositionName: r.dispositionName,
        priority: r.priority,
        severity: r.severity,
        confidence: r.confidence,
        reason: r.reason,
        reasonUri: r.reasonUri,
        validFrom: r.validFrom,
        validUntil: r.validUntil,
        sourceTime: r.sourceTime,
        data: r.data,
        firstSeenAt: ctx.now,
        lastSeenAt: ctx.now,
        // A new version is owed a look from the cases holding its observable (their priority).
        appliedAt: null,
      }),
    );
  }
  return statements;
}

/** What queries joining judgements to their observables read of each, for currentVerdict. */
export const judgementColumns = {
  observableId: intelJudgements.observableId,
  observableType: intelJudgements.observableType,
  observableValue: intelJudgements.observableValue,
  source: intelJudgements.source,
  disposition: intelJudgements.disposition,
  dispositionName: intelJudgements.dispositionName,
  priority: intelJudgements.priority,
  reason: intelJudgements.reason,
  validFrom: intelJudgements.validFrom,
  validUntil: intelJudgements.validUntil,
  sourceTime: intelJudgements.sourceTime,
};

export interface Verdict {
  source: string;
  disposition: number;
  dispositionName: string;
  priority: number | null;
  reason: string | null;
  validUntil: number | null;
}

// CTIA's rule for the verdict of an observable: among judgements valid now, the highest priority
// wins; on a tie, Clean beats Malicious beats Suspicious beats Common beats Unknown.
const TIE_ORDER = [1, 2, 3, 4, 5];

/** The judgement that counts now, or null when none is valid (expired ones stop counting). */
export function currentVerdict<T extends Verdict & { validFrom: number | null }>(
  judgements: readonly T[],
  now: number,
): T | null {
  const valid = judgements.filter(
    (j) => (j.validFrom === null || j.validFrom <= now) && (j.validUntil === null || now < j.validUntil),
  );
  valid.sort(
    (a, b) =>
      (b.priority ?? 0) - (a.priority ?? 0) ||
      TIE_ORDER.indexOf(a.disposition) - TIE_ORDER.indexOf(b.disposition),
  );
  return valid[0] ?? null;
}
