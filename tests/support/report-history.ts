// A seeded tenant history for the report tests: months of findings (duplicates included) and cases
// that are acknowledged, held, contained, escalated, resolved, reopened and merged under a
// business-hours SLA policy, committed as the case object commits them (decide, evolve, SLA timers
// firing when due) and projected through the same writes its outbox runs. Beside it, the reports
// computed the slow way: straight from that history, without the aggregates.

import { drizzle } from "drizzle-orm/d1";
import { storeFindings } from "../../domain/alerts/store.ts";
import { decide, evolve } from "../../domain/case/index.ts";
import type { CaseCommand, CaseConfig, CaseEvent, CaseSeverity, CaseState } from "../../domain/case/model.ts";
import { projectCase } from "../../domain/case/projection.ts";
import { actorLabel, caseProjectionWrites, type TimelineEntry } from "../../domain/case/read-models.ts";
import { fireSlaTimers } from "../../domain/case/sla-timers.ts";
import { newId } from "../../domain/ids.ts";
import { dedupKeyFor, normaliseFinding } from "../../domain/ocsf/detection-finding.ts";
import { bucketStart, type Grain } from "../../domain/reports/buckets.ts";
import { binOf } from "../../domain/reports/histogram.ts";
import type { SlaPolicy } from "../../domain/sla/types.ts";
import { makeDetectionFinding } from "./factories/findings.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Working hours in Berlin with a holiday, and targets short enough that some clocks breach. */
export const BUSINESS_POLICY: SlaPolicy = {
  targets: {
    critical: { acknowledgeMs: 30 * MINUTE, containMs: 4 * HOUR, resolveMs: 16 * HOUR },
    high: { acknowledgeMs: 1 * HOUR, containMs: 8 * HOUR, resolveMs: 24 * HOUR },
    medium: { acknowledgeMs: 4 * HOUR, containMs: 16 * HOUR, resolveMs: 40 * HOUR },
    low: { acknowledgeMs: 8 * HOUR, containMs: 24 * HOUR, resolveMs: 80 * HOUR },
  },
  warningRatio: 0.75,
  calendar: {
    kind: "business_hours",
    timeZone: "Europe/Berlin",
    weekdays: [1, 2, 3, 4, 5],
    start: "09:00",
    end: "17:00",
    holidays: ["2026-04-03", "2026-04-06"],
  },
  pausedIn: { acknowledge: [], contain: ["on_hold"], resolve: ["on_hold"] },
};
const CONFIG: CaseConfig = { slaPolicy: BUSINESS_POLICY, reopenWindowMs: 30 * DAY };
const SEVERITIES: CaseSeverity[] = ["critical", "high", "medium", "low"];

/** A small deterministic generator (mulberry32), so a failing history can be rebuilt from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Delivery {
  at: number;
  dedupKey: string;
  severity: string;
  source: string;
  connector: string;
}

export interface SeededCase {
  id: string;
  /** One entry per commit, oldest first, as the case object committed them. */
  commits: CaseEvent[][];
}

export interface History {
  deliveries: Delivery[];
  cases: SeededCase[];
  /** Each alert's dimensions, by id, for counting the alerts cases took in. */
  alertDims: Map<string, { severity: string; source: string; connector: string }>;
  projections: number;
}

/**
 * Seeds `db` with `caseCount` case lives and their findings, starting at `start`. Every projection
 * is written twice, the second time in shuffled order, as a retried and late outbox would.
 */
export async function seedHistory(
  db: D1Database,
  seed: number,
  start: number,
  caseCount: number,
): Promise<History> {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const deliveries: Delivery[] = [];
  const alertDims = new Map<string, { severity: string; source: string; connector: string }>();
  const cases: SeededCase[] = [];
  const projections: Array<Parameters<typeof caseProjectionWrites>> = [];
  const connectors = ["", "conn_01reportsa0000000000000000", "conn_01reportsb0000000000000000"];

  let clock = start;
  for (let g = 0; g < caseCount; g++) {
    clock += Math.floor(rnd() * 40 * HOUR);
    // Findings for this case, some delivered again later (a duplicate is one more occurrence).
    const alertIds: string[] = [];
    for (let f = 0; f < 1 + Math.floor(rnd() * 3); f++) {
      const finding = makeDetectionFinding(
        {
          metadata: {
            product: { name: pick(["XDR", "Umbrella", "AI Defense"]), vendor_name: "Cisco" },
            version: "1.8.0",
          },
        },
        seed * 1000 + g * 10 + f,
      );
      const connector = pick(connectors);
      const at = clock + f * MINUTE;
      const repeats = rnd() < 0.3 ? 2 : 1;
      for (let r = 0; r < repeats; r++) {
        const when = at + r * 3 * HOUR;
        const stored = await storeFindings(db, [finding], {
          now: when,
          sourceConnectorId: connector === "" ? null : connector,
          claim: null,
        });
        const normalised = normaliseFinding(finding, when);
        const dims = {
          severity: String(normalised.severityId),
          source: normalised.productName ?? "",
          connector,
        };
        deliveries.push({ at: when, dedupKey: await dedupKeyFor(finding), ...dims });
        const id = stored.alerts[0]?.id ?? "";
        alertDims.set(id, dims);
        if (r === 0) alertIds.push(id);
      }
    }
    const life = caseLife(g, clock + 5 * MINUTE, alertIds, rnd, cases);
    cases.push(life.seeded);
    projections.push(...life.projections.map((p) => [db, ...p] as Parameters<typeof caseProjectionWrites>));
  }

  for (const args of projections) await drizzle(db).batch(caseProjectionWrites(...args));
  // The same projections again, shuffled: replays and late arrivals must count nothing twice.
  const replay = [...projections].sort(() => rnd() - 0.5);
  for (const args of replay) await drizzle(db).batch(caseProjectionWrites(...args));
  return { deliveries, cases, alertDims, projections: projections.length * 2 };
}

/** One case's commands, at business-like spacings, with every SLA timer firing when it falls due. */
function caseLife(g: number, openedAt: number, alertIds: string[], rnd: () => number, earlier: SeededCase[]) {
  const id = newId("case", openedAt);
  const analyst = { kind: "user" as const, id: `analyst-${g % 7}` };
  const plan: Array<{ after: number; command: CaseCommand }> = [];
  const step = (after: number, command: CaseCommand) => plan.push({ after, command });
  step(0, {
    type: "open",
    caseId: id,
    title: `Report case ${g}`,
    severity: SEVERITIES[g % SEVERITIES.length] ?? "medium",
    alertIds,
  });
  const minutes = (max: number) => Math.floor(rnd() * max) * MINUTE + MINUTE;
  if (rnd() < 0.9) step(minutes(300), { type: "acknowledge" });
  if (rnd() < 0.3)
    step(minutes(120), { type: "change_severity", severity: SEVERITIES[(g + 1) % 4] ?? "low" });
  if (rnd() < 0.7) step(minutes(240), { type: "start" });
  if (rnd() < 0.3) {
    step(minutes(180), { type: "hold" });
    step(minutes(2000), { type: "resume" });
  }
  if (rnd() < 0.25) step(minutes(240), { type: "escalate", tier: "L2" });
  if (rnd() < 0.6) step(minutes(600), { type: "contain" });
  const target = earlier.length > 0 && rnd() < 0.08 ? earlier[earlier.length - 1] : undefined;
  if (target) step(minutes(600), { type: "merge_into", targetCaseId: target.id });
  else if (rnd() < 0.85) {
    step(minutes(3000), {
      type: "resolve",
      resolution:
        (["true_positive", "benign_positive", "false_positive", "duplicate"] as const)[g % 4] ??
        "true_positive",
    });
    if (rnd() < 0.3) {
      step(minutes(4000), { type: "reopen" });
      if (rnd() < 0.5) step(minutes(600), { type: "hold" });
      step(minutes(1500), { type: "resume" });
      step(minutes(3000), { type: "resolve", resolution: "true_positive" });
    }
    if (rnd() < 0.5) step(minutes(600), { type: "close" });
  }

  let state: CaseState | null = null;
  let at = openedAt;
  const commits: CaseEvent[][] = [];
  for (const { after, command } of plan) {
    at += after;
    if (state) state = fireSlaTimers(state, at, commits);
    const actor = command.type === "open" ? { kind: "system" as const, id: "report-seed" } : analyst;
    const decision = decide({ command, actor }, state, {
      now: at,
      config: CONFIG,
      newCommentId: () => newId("comment", at),
    });
    // A step the state no longer allows (resume without a hold) is simply not taken.
    if (!decision.ok || decision.events.length === 0) continue;
    state = decision.events.reduce<CaseState | null>(evolve, state);
    commits.push(decision.events);
  }
  if (!state) throw new Error(`report case ${g} was never opened`);
  // The clocks still running keep firing for two more weeks of history.
  state = fireSlaTimers(state, at + 14 * DAY, commits);

  const projections: Array<[ReturnType<typeof projectCase>, TimelineEntry[]]> = [];
  let seq = 1;
  let replayed: CaseState | null = null;
  for (const [i, events] of commits.entries()) {
    replayed = events.reduce<CaseState | null>(evolve, replayed);
    if (!replayed) throw new Error("no state");
    const timeline = events.map((e) => ({
      seq: seq++,
      type: e.type,
      actor: actorLabel(e.actor),
      at: e.at,
      data: e,
    }));
    projections.push([projectCase(replayed, i + 1), timeline]);
  }
  return { seeded: { id, commits }, projections };
}

// --- the slow way -----------------------------------------------------------------------------

const inPeriod = (at: number, from: number, to: number) => at >= from && at < to;
const pct = (part: number, total: number) => (total === 0 ? 0 : Math.round((part / total) * 1000) / 10);

/** SLA outcomes replayed case by case, clock period by clock period. */
export function bruteSlaCompliance(history: History, from: number, to: number) {
  const counts = new Map<string, { met: number; warned: number; breached: number }>();
  const add = (severity: string, clock: string, outcome: "met" | "warned" | "breached") => {
    const key = `${severity}|${clock}`;
    const c = counts.get(key) ?? { met: 0, warned: 0, breached: 0 };
    c[outcome]++;
    counts.set(key, c);
  };
  for (const c of history.cases) {
    let severity = "";
    const warned = new Set<string>();
    const breached = new Set<string>();
    for (const e of c.commits.flat()) {
      if (e.type === "case.opened") severity = e.severity;
      if (e.type === "case.severity_changed") severity = e.to;
      if (e.type === "case.reopened") {
        warned.delete("resolve");
        breached.delete("resolve");
      }
      if (e.type === "sla.warning") warned.add(e.clock);
      if (e.type === "sla.breached") {
        breached.add(e.clock);
        if (inPeriod(e.at, from, to)) add(severity, e.clock, "breached");
      }
      if (e.type === "sla.met" && !breached.has(e.clock) && inPeriod(e.at, from, to)) {
        add(severity, e.clock, e.at > e.dueAt ? "breached" : warned.has(e.clock) ? "warned" : "met");
      }
    }
  }
  return [...counts.entries()].map(([key, c]) => {
    const [severity, clock] = key.split("|");
    const total = c.met + c.warned + c.breached;
    return {
      severity,
      clock,
      ...c,
      total,
      met_pct: pct(c.met, total),
      warned_pct: pct(c.warned, total),
      breached_pct: pct(c.breached, total),
    };
  });
}

/** Every met clock's durations, its wall time measured from the events themselves. */
export function bruteMttx(history: History, from: number, to: number, grain: Grain) {
  const groups = new Map<string, { business: number[]; wall: number[] }>();
  for (const c of history.cases) {
    let severity = "";
    let openedAt = 0;
    let resolveStartedAt = 0;
    for (const e of c.commits.flat()) {
      if (e.type === "case.opened") {
        severity = e.severity;
        openedAt = e.at;
        resolveStartedAt = e.at;
      }
      if (e.type === "case.severity_changed") severity = e.to;
      if (e.type === "case.reopened") resolveStartedAt = e.at;
      if (e.type !== "sla.met") continue;
      const bucket = bucketStart(grain, e.at);
      if (bucket < bucketStart(grain, from) || bucket >= to) continue;
      const key = `${bucket}|${severity}|${e.clock}`;
      const g = groups.get(key) ?? { business: [], wall: [] };
      g.business.push(e.elapsedMs);
      g.wall.push(e.at - (e.clock === "resolve" ? resolveStartedAt : openedAt));
      groups.set(key, g);
    }
  }
  const nearestRank = (values: number[], q: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return binOf(sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] ?? 0) * 1000;
  };
  const figures = (values: number[]) => ({
    mean_ms: Math.round(values.reduce((s, v) => s + v, 0) / values.length),
    p50_ms: nearestRank(values, 0.5),
    p90_ms: nearestRank(values, 0.9),
  });
  return [...groups.entries()].map(([key, g]) => {
    const [bucket, severity, clock] = key.split("|");
    return {
      bucket: new Date(Number(bucket)).toISOString().slice(0, 10),
      severity,
      clock,
      count: g.business.length,
      business: figures(g.business),
      wall: figures(g.wall),
    };
  });
}

/** Each case's standing outcome (a reopen takes it back), and every escalation. */
export function bruteCaseOutcomes(history: History, from: number, to: number) {
  const resolutions = new Map<string, { escalated: number; not_escalated: number }>();
  const escalations = new Map<string, { auto: number; manual: number }>();
  for (const c of history.cases) {
    let escalated = false;
    let standing: { resolution: string; at: number; escalated: boolean } | null = null;
    for (const e of c.commits.flat()) {
      if (e.type === "case.escalated") {
        escalated ||= (e.tier ?? "L1") !== "L1" || e.queue === "lead";
        if (inPeriod(e.at, from, to)) {
          const key = e.tier ?? e.queue;
          const x = escalations.get(key) ?? { auto: 0, manual: 0 };
          x[e.auto ? "auto" : "manual"]++;
          escalations.set(key, x);
        }
      }
      if (e.type === "case.resolved") standing = { resolution: e.resolution, at: e.at, escalated };
      if (e.type === "case.merged") standing = { resolution: "duplicate", at: e.at, escalated };
      if (e.type === "case.reopened") standing = null;
    }
    if (standing && inPeriod(standing.at, from, to)) {
      const r = resolutions.get(standing.resolution) ?? { escalated: 0, not_escalated: 0 };
      r[standing.escalated ? "escalated" : "not_escalated"]++;
      resolutions.set(standing.resolution, r);
    }
  }
  return {
    resolutions: [...resolutions.entries()]
      .map(([resolution, r]) => ({ resolution, total: r.escalated + r.not_escalated, ...r }))
      .sort((a, b) => a.resolution.localeCompare(b.resolution)),
    escalations: [...escalations.entries()]
      .map(([target, x]) => ({ to: target, ...x }))
      .sort((a, b) => a.to.localeCompare(b.to)),
  };
}

/** Deliveries, first deliveries (new alerts), alerts taken into cases and cases opened, per bucket. */
export function bruteAlertVolume(history: History, from: number, to: number, grain: Grain) {
  type Counts = { deliveries: number; alerts: number; grouped: number };
  const first = new Set<string>();
  const buckets = new Map<number, Counts & { cases: number; by: Map<string, Counts> }>();
  const at = (t: number) => {
    const bucket = bucketStart(grain, t);
    if (bucket < bucketStart(grain, from) || bucket >= to) return null;
    const b = buckets.get(bucket) ?? { deliveries: 0, alerts: 0, grouped: 0, cases: 0, by: new Map() };
    buckets.set(bucket, b);
    return b;
  };
  const count = (
    t: number,
    dims: { severity: string; source: string; connector: string },
    what: keyof Counts,
  ) => {
    const b = at(t);
    if (!b) return;
    b[what]++;
    const key = JSON.stringify([dims.source, dims.connector, Number(dims.severity)]);
    const by = b.by.get(key) ?? { deliveries: 0, alerts: 0, grouped: 0 };
    by[what]++;
    b.by.set(key, by);
  };
  for (const d of [...history.deliveries].sort((a, b) => a.at - b.at)) {
    count(d.at, d, "deliveries");
    if (!first.has(d.dedupKey)) count(d.at, d, "alerts");
    first.add(d.dedupKey);
  }
  const dimsOf = (alertId: string) => {
    const dims = history.alertDims.get(alertId);
    if (!dims) throw new Error(`no dimensions for ${alertId}`);
    return dims;
  };
  for (const c of history.cases) {
    for (const e of c.commits.flat()) {
      if (e.type === "case.opened") {
        const b = at(e.at);
        if (b) b.cases++;
        for (const id of e.alertIds) count(e.at, dimsOf(id), "grouped");
      }
      if (e.type === "case.alert_linked" && !(e.actor.kind === "system" && e.actor.id.startsWith("merge:"))) {
        count(e.at, dimsOf(e.alertId), "grouped");
      }
    }
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([bucket, b]) => ({
      bucket: new Date(bucket).toISOString().slice(0, 10),
      deliveries: b.deliveries,
      alerts: b.alerts,
      duplicates: b.deliveries - b.alerts,
      grouped: b.grouped,
      cases: b.cases,
      noise_reduction: b.cases === 0 ? null : Math.round((b.deliveries / b.cases) * 100) / 100,
      by_source: [...b.by.entries()]
        .map(([key, x]) => {
          const [source, connector, severity] = JSON.parse(key) as [string, string, number];
          return {
            source,
            connector_id: connector === "" ? null : connector,
            severity_id: severity,
            ...x,
            duplicates: x.deliveries - x.alerts,
          };
        })
        .sort(
          (x, y) =>
            x.source.localeCompare(y.source) ||
            (x.connector_id ?? "").localeCompare(y.connector_id ?? "") ||
            x.severity_id - y.severity_id,
        ),
    }));
}
