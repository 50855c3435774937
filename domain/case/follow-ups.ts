// Follow-ups: what a source says after a case exists, applied to that case. Three kinds, each kept
// owed in the tenant database until applied, so a crash or a refused command only delays it:
// - a join of two correlation keys (an XDR sighting is a member of an incident): the sighting's own
//   case is merged into the incident's, or the incident's key is claimed for it;
// - a new judgement version: cases holding an observable whose verdict is now Malicious are raised
//   to P2 at least (decision 033);
// - a new version of a finding from its source: the change is recorded in the case timeline, a
//   raised severity raises the case, and a source closing its record is shown as a suggestion.
import {
  laterState,
  type SourceChange,
  severityIdOf,
  sourceChanges,
  sourceClosedAs,
} from "../alerts/source-versions.ts";
import { PhoenixError } from "../errors.ts";
import type { CorrelationContext, PriorityFloor } from "./correlation.ts";
import { caseSeverityOf, priorityFloor } from "./correlation.ts";
import type { CommandRequest } from "./gateway.ts";
import type { Actor, CaseCommand } from "./model.ts";

const FOLLOW_UP: Actor = { kind: "system", id: "source-updates" };

type Json = Record<string, unknown>;

export interface OwedJoin {
  fromKey: string;
  intoKey: string;
  reason: string;
}

export interface OwedSourceUpdates {
  alertId: string;
  caseId: string;
  /** Every version of the alert, oldest source time first. */
  versions: Array<{ source: string; sourceTime: number; state: Json; applied: boolean }>;
}

/** Where follow-ups are kept (d1FollowUpStore in production). */
export interface FollowUpStore {
  owedJoins(): Promise<OwedJoin[]>;
  ownerOf(key: string): Promise<string | null>;
  /** True while an alert of `key` is stored but not yet grouped (its pass may not see the join). */
  keyOwed(key: string): Promise<boolean>;
  markJoinApplied(join: OwedJoin, now: number): Promise<void>;
  /** Judgement versions not yet applied, and the alerts in open cases holding their observables. */
  owedVerdicts(): Promise<{ judgementIds: string[]; alerts: Array<{ alertId: string; caseId: string }> }>;
  markJudgementsApplied(ids: readonly string[], now: number): Promise<void>;
  owedSourceUpdates(): Promise<OwedSourceUpdates[]>;
  markSourceVersionsApplied(alertId: string, sourceTimes: readonly number[], now: number): Promise<void>;
}

export interface FollowUpOutcome {
  /** Cases merged into another, or keys claimed, because a source joined two keys. */
  joined: number;
  /** Cases whose priority a verdict raised. */
  raised: number;
  /** Source updates recorded in a case timeline. */
  recorded: number;
  failures: Array<{ what: string; error: string }>;
}

export async function applyFollowUps(
  ctx: CorrelationContext & { followUps: FollowUpStore },
): Promise<FollowUpOutcome> {
  const outcome: FollowUpOutcome = { joined: 0, raised: 0, recorded: 0, failures: [] };
  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      outcome.failures.push({ what, error: String(error) });
    }
  };
  for (const join of await ctx.followUps.owedJoins()) {
    await attempt(`join ${join.fromKey} → ${join.intoKey}`, async () => {
      const applied = await applyJoin(ctx, join);
      if (applied === "later") return;
      if (applied === "joined") outcome.joined++;
      await ctx.followUps.markJoinApplied(join, ctx.now);
    });
  }
  await attempt("verdicts", async () => {
    outcome.raised += await applyVerdicts(ctx);
  });
  for (const owed of await ctx.followUps.owedSourceUpdates()) {
    await attempt(`source updates of ${owed.alertId}`, async () => {
      outcome.recorded += await applySourceUpdates(ctx, owed);
    });
  }
  return outcome;
}

/** "joined" when a case was merged or a key claimed; "later" when an alert of the key is in flight. */
async function applyJoin(
  ctx: CorrelationContext & { followUps: FollowUpStore },
  join: OwedJoin,
): Promise<"joined" | "nothing" | "later"> {
  const from = await ctx.followUps.ownerOf(join.fromKey);
  if (from === null) {
    // A pass that read the joins before this one landed may still open a case for the key.
    if (await ctx.followUps.keyOwed(join.fromKey)) return "later";
    // No case for the joined key: its alerts will be grouped under the other key when they come.
    return "nothing";
  }
  // Claimed for this case unless the other key has a case already.
  const into = await ctx.store.claim(join.intoKey, from, ctx.now);
  if (into === from) return "joined";
  try {
    await ctx.gateway.command(
      ctx.tenant.id,
      from,
      system({ type: "merge_into", targetCaseId: into }, join.reason),
    );
  } catch (error) {
    if (!(error instanceof PhoenixError)) throw error;
    // Claimed by a pass that has not opened the case yet, while alerts of the key are owed: it is
    // merged once open. With none owed, no case will open under the claim, so it is re-pointed.
    if (error.code === "not_found" && (await ctx.followUps.keyOwed(join.fromKey))) return "later";
    // A case already closed or merged keeps what it holds.
    if (error.code !== "not_found" && error.code !== "invalid_transition") throw error;
  }
  // Alerts of the joined key that arrive later go straight to the other case.
  await ctx.store.repoint(join.fromKey, from, into, ctx.now);
  return "joined";
}

async function applyVerdicts(ctx: CorrelationContext & { followUps: FollowUpStore }): Promise<number> {
  const owed = await ctx.followUps.owedVerdicts();
  if (owed.judgementIds.length === 0) return 0;
  const floors = await ctx.store.priorityFloors(
    owed.alerts.map((a) => a.alertId),
    ctx.now,
  );
  const byCase = new Map<string, string[]>();
  for (const { alertId, caseId } of owed.alerts) byCase.set(caseId, [...(byCase.get(caseId) ?? []), alertId]);
  let raised = 0;
  for (const [caseId, alertIds] of byCase) {
    const floor = priorityFloor(alertIds, floors);
    if (floor === null) continue;
    if (await raisePriority(ctx, caseId, floor)) raised++;
  }
  await ctx.followUps.markJudgementsApplied(owed.judgementIds, ctx.now);
  return raised;
}

async function raisePriority(
  ctx: CorrelationContext,
  caseId: string,
  floor: PriorityFloor & { alertId: string },
): Promise<boolean> {
  const outcome = await tolerateRefusal(() =>
    ctx.gateway.command(
      ctx.tenant.id,
      caseId,
      system(
        { type: "change_priority", priority: floor.priority, raiseOnly: true },
        `${floor.reason} (alert ${floor.alertId})`,
      ),
    ),
  );
  return (outcome?.events.length ?? 0) > 0;
}

/**
 * Replays the alert's versions in source-time order from the newest one already applied. A version
 * older than that arrived late: it is kept on the alert but changes nothing in the case.
 */
async function applySourceUpdates(
  ctx: CorrelationContext & { followUps: FollowUpStore },
  owed: OwedSourceUpdates,
): Promise<number> {
  const applied = owed.versions.filter((v) => v.applied);
  // Nothing applied yet: the oldest version is the alert as first seen, the baseline.
  const baseline = applied.length > 0 ? applied : owed.versions.slice(0, 1);
  let state: Json = {};
  for (const v of baseline) state = laterState(state, v.state);
  const since = baseline.at(-1)?.sourceTime ?? Number.NEGATIVE_INFINITY;
  const done: number[] = baseline.filter((v) => !v.applied).map((v) => v.sourceTime);
  let recorded = 0;
  for (const version of owed.versions) {
    if (version.applied || done.includes(version.sourceTime)) continue;
    if (version.sourceTime < since) {
      done.push(version.sourceTime);
      continue;
    }
    const changes = sourceChanges(state, version.state);
    const closedAs = changes.some((c) => c.field === "status") ? sourceClosedAs(version.state.status) : null;
    state = laterState(state, version.state);
    if (changes.length > 0) {
      const outcome = await tolerateRefusal(() =>
        ctx.gateway.command(
          ctx.tenant.id,
          owed.caseId,
          system(
            {
              type: "record_source_update",
              alertId: owed.alertId,
              source: version.source,
              sourceTime: version.sourceTime,
              changes,
              ...(closedAs !== null ? { closedAs } : {}),
            },
            `${version.source} updated what it sent`,
          ),
        ),
      );
      if ((outcome?.events.length ?? 0) > 0) recorded++;
      await raiseSeverity(ctx, owed.caseId, version.source, changes);
    }
    done.push(version.sourceTime);
  }
  await ctx.followUps.markSourceVersionsApplied(owed.alertId, done, ctx.now);
  return recorded;
}

/** A source raising its severity raises the case's (never lowers it: the analyst may have raised it). */
async function raiseSeverity(
  ctx: CorrelationContext,
  caseId: string,
  source: string,
  changes: readonly SourceChange[],
): Promise<void> {
  const raisedTo = severityIdOf(changes.find((c) => c.field === "severity")?.to);
  // Unknown (0) and Other (99) say nothing about how bad it is.
  if (raisedTo === null || raisedTo === 0 || raisedTo === 99) return;
  await tolerateRefusal(() =>
    ctx.gateway.command(
      ctx.tenant.id,
      caseId,
      system(
        { type: "change_severity", severity: caseSeverityOf(raisedTo), raiseOnly: true },
        `${source} raised the severity`,
      ),
    ),
  );
}

/** A closed or merged case refuses follow-ups: what the source said stays on the alert. */
async function tolerateRefusal<T>(command: () => Promise<T>): Promise<T | null> {
  try {
    return await command();
  } catch (error) {
    if (error instanceof PhoenixError && (error.code === "invalid_transition" || error.code === "not_found"))
      return null;
    throw error;
  }
}

function system(command: CaseCommand, reason: string): CommandRequest {
  return { expectedVersion: null, envelope: { command, actor: FOLLOW_UP, reason } };
}
