// Correlation: alerts sharing a correlation key are grouped into one case. The rules live here,
// over two ports: the store (the key's claim in the tenant database, which makes concurrent alerts
// for one key open exactly one case) and the case gateway. Alerts whose correlation did not finish
// stay owed and are picked up again. Work is grouped by key: one claim, one case-object call and
// one update per key, however many of its alerts arrive together.
import { PhoenixError } from "../errors.ts";
import { newId } from "../ids.ts";
import type { CaseGateway, CommandOutcome, CommandRequest } from "./gateway.ts";
import {
  type Actor,
  CASE_SEVERITIES,
  type CaseCommand,
  type CaseConfig,
  type CasePriority,
  type CaseSeverity,
} from "./model.ts";

const CORRELATOR: Actor = { kind: "system", id: "correlation" };
/** Keys worked at once: each is its own case object, so they do not wait on one another. */
const KEYS_IN_FLIGHT = 8;
/** Alerts marked correlated in one write, once their groups are in their cases. */
const MARK_EVERY = 100;

export interface OwedAlert {
  id: string;
  key: string;
  severityId: number;
  title: string;
}

/** Where correlation keeps its claims and reads what it needs (d1CorrelationStore in production). */
export interface CorrelationStore {
  /** Alerts still owed a case among `alertIds`, or the oldest owed ones; oldest first. */
  owedAlerts(alertIds?: readonly string[]): Promise<OwedAlert[]>;
  /** Claims `key` for `candidateCaseId` unless it is taken; answers the case that owns the key. */
  claim(key: string, candidateCaseId: string, now: number): Promise<string>;
  /** `claim` for several keys in one round trip: answers each key's owner. */
  claimAll(
    claims: ReadonlyArray<{ key: string; candidateCaseId: string }>,
    now: number,
  ): Promise<ReadonlyMap<string, string>>;
  /** Re-points `key` from `fromCaseId` to `toCaseId` unless it moved meanwhile; answers its owner. */
  repoint(key: string, fromCaseId: string, toCaseId: string, now: number): Promise<string>;
  /**
   * Per alert touching a high or critical asset, or carrying an observable whose current verdict is
   * Malicious, the priority its case should have at least, and why.
   */
  priorityFloors(alertIds: readonly string[], now: number): Promise<ReadonlyMap<string, PriorityFloor>>;
  markCorrelated(alertIds: readonly string[], now: number): Promise<void>;
}

export interface CorrelationContext {
  store: CorrelationStore;
  gateway: CaseGateway;
  tenant: { id: string; d1Binding: string };
  /** Read only when some alert is owed, so an empty pass costs no control-database read. */
  loadConfig: () => Promise<CaseConfig>;
  now: number;
}

export interface CorrelationOutcome {
  /** Alerts that opened a case (one per case opened). */
  opened: number;
  /** Alerts linked to a case that was already open, or opened with another alert of their key. */
  linked: number;
  /** Alerts left owed for a later pass, with why, per key. */
  failed: number;
  failures: Array<{ key: string; alerts: number; error: string }>;
}

/** OCSF severity_id on the case scale: informational counts as low, fatal as critical. */
export function caseSeverityOf(severityId: number): CaseSeverity {
  if (severityId >= 5) return "critical";
  if (severityId === 4) return "high";
  if (severityId === 3) return "medium";
  return "low";
}

/** A case's severity is the highest of its alerts'. */
export function highestSeverity(severities: readonly CaseSeverity[]): CaseSeverity {
  return severities.reduce<CaseSeverity>(
    (a, b) => (CASE_SEVERITIES.indexOf(b) > CASE_SEVERITIES.indexOf(a) ? b : a),
    "low",
  );
}

/** The highest priority any alert's asset asks for ("P1" sorts before "P2"), with that alert. */
/** The priority a case must have at least because of one of its alerts, and why. */
export interface PriorityFloor {
  priority: CasePriority;
  reason: string;
}

export function priorityFloor(
  alertIds: readonly string[],
  floors: ReadonlyMap<string, PriorityFloor>,
): (PriorityFloor & { alertId: string }) | null {
  let best: (PriorityFloor & { alertId: string }) | null = null;
  for (const alertId of alertIds) {
    const floor = floors.get(alertId);
    if (floor && (best === null || floor.priority < best.priority)) best = { ...floor, alertId };
  }
  return best;
}

/** Correlates the given alerts, or every alert still owed correlation when `alertIds` is omitted. */
export async function correlateAlerts(
  ctx: CorrelationContext,
  alertIds?: readonly string[],
): Promise<CorrelationOutcome> {
  const outcome: CorrelationOutcome = { opened: 0, linked: 0, failed: 0, failures: [] };
  const pending = alertIds?.length === 0 ? [] : await ctx.store.owedAlerts(alertIds);
  if (pending.length === 0) return outcome;

  const config = await ctx.loadConfig();
  const floors = await ctx.store.priorityFloors(
    pending.map((a) => a.id),
    ctx.now,
  );
  const groups = [...groupByKey(pending).values()];
  // Every key claimed in one round trip; a claim whose case is never opened is opened by the next
  // alert of its key (correlateGroup's link, not_found).
  const candidates = new Map(groups.map((g) => [(g[0] as OwedAlert).key, newId("case", ctx.now)]));
  const owners = await ctx.store.claimAll(
    [...candidates].map(([key, candidateCaseId]) => ({ key, candidateCaseId })),
    ctx.now,
  );
  let next = 0;
  const worker = async () => {
    for (let g = groups[next++]; g !== undefined; g = groups[next++]) {
      try {
        const key = (g[0] as OwedAlert).key;
        const owner = owners.get(key);
        if (owner === undefined) throw new Error(`correlation ${key} was not claimed`);
        const joined = await correlateGroup(ctx, config, g, floors, {
          owner,
          ours: owner === candidates.get(key),
        });
        if (joined === "opened") {
          outcome.opened++;
          outcome.linked += g.length - 1;
        } else outcome.linked += g.length;
        done.push(g);
        if (done.reduce((n, d) => n + d.length, 0) >= MARK_EVERY) await mark();
      } catch (error) {
        outcome.failed += g.length;
        outcome.failures.push({ key: g[0]?.key ?? "", alerts: g.length, error: String(error) });
      }
    }
  };
  // Groups in their case, marked a hundred alerts at a time rather than one key at a time. An
  // alert left unmarked by a crash is linked again by a later pass, which changes nothing.
  const done: OwedAlert[][] = [];
  const mark = async () => {
    const marking = done.splice(0);
    const ids = marking.flatMap((g) => g.map((a) => a.id));
    if (ids.length === 0) return;
    try {
      await ctx.store.markCorrelated(ids, ctx.now);
    } catch (error) {
      // Linked, but still owed: the next pass links them again.
      outcome.failed += ids.length;
      for (const g of marking)
        outcome.failures.push({
          key: g[0]?.key ?? "",
          alerts: g.length,
          error: `not marked: ${String(error)}`,
        });
    }
  };
  await Promise.all(Array.from({ length: Math.min(KEYS_IN_FLIGHT, groups.length) }, worker));
  await mark();
  return outcome;
}

function groupByKey(pending: readonly OwedAlert[]): Map<string, OwedAlert[]> {
  const groups = new Map<string, OwedAlert[]>();
  for (const alert of pending) {
    const group = groups.get(alert.key);
    if (group) group.push(alert);
    else groups.set(alert.key, [alert]);
  }
  return groups;
}

type Joined = { outcome: "opened" | "linked"; caseId: string; priority: CasePriority };

/** Opens or joins the case of one key with all of `group` (non-empty, one key, oldest first). */
async function correlateGroup(
  ctx: CorrelationContext,
  config: CaseConfig,
  group: OwedAlert[],
  floors: ReadonlyMap<string, PriorityFloor>,
  claim: { owner: string; ours: boolean },
): Promise<"opened" | "linked"> {
  const { gateway, store, tenant, now } = ctx;
  const first = group[0] as OwedAlert;
  const key = first.key;
  const alertIds = group.map((a) => a.id);
  const severity = highestSeverity(group.map((a) => caseSeverityOf(a.severityId)));
  const reason = `correlation ${key}`;
  const system = (command: CaseCommand, why = reason): CommandRequest => ({
    expectedVersion: null,
    envelope: { command, actor: CORRELATOR, reason: why },
  });

  const open = async (caseId: string): Promise<Joined> => {
    let opened: CommandOutcome;
    try {
      opened = await gateway.open({
        tenantId: tenant.id,
        caseId,
        d1Binding: tenant.d1Binding,
        config,
        command: { type: "open", caseId, title: first.title, severity, alertIds },
        actor: CORRELATOR,
        reason,
      });
    } catch (error) {
      // Another pass opened it first (its claim won, then it opened): link instead.
      if (codeOf(error) === "conflict") return link(caseId);
      throw error;
    }
    return { outcome: "opened", caseId, priority: opened.state.priority };
  };
  const link = async (caseId: string): Promise<Joined> => {
    let linked: CommandOutcome;
    try {
      linked = await gateway.command(tenant.id, caseId, system({ type: "link_alerts", alertIds }));
    } catch (error) {
      // The claim's winner died before opening the case: open it now, with these alerts.
      if (codeOf(error) === "not_found") return open(caseId);
      // The case is closed (or merged away): this key starts a new case, unless re-pointed meanwhile.
      if (codeOf(error) === "invalid_transition") {
        const fresh = newId("case", now);
        const owner = await store.repoint(key, caseId, fresh, now);
        return owner === fresh ? open(fresh) : link(owner);
      }
      throw error;
    }
    if (highestSeverity([linked.state.severity, severity]) !== linked.state.severity) {
      await gateway.command(tenant.id, caseId, system({ type: "change_severity", severity }));
    }
    return { outcome: "linked", caseId, priority: linked.state.priority };
  };

  // A key this pass claimed opens its case; a key claimed before joins the case it names.
  const joined = await (claim.ours ? open(claim.owner) : link(claim.owner));
  // A case touching a high or critical asset, or an observable judged Malicious now, is worked at
  // least at that priority; the reason lands in its timeline.
  const floor = priorityFloor(alertIds, floors);
  if (floor && joined.priority > floor.priority) {
    await gateway.command(
      tenant.id,
      joined.caseId,
      system(
        { type: "change_priority", priority: floor.priority },
        `${floor.reason} (alert ${floor.alertId})`,
      ),
    );
  }
  return joined.outcome;
}

function codeOf(error: unknown): string | undefined {
  return error instanceof PhoenixError ? error.code : undefined;
}
