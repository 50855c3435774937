import { describe, expect, it } from "vitest";
import { DEFAULT_SLA_POLICY, slaPolicySchema } from "../../../domain/sla/policy.ts";

const businessPolicy = {
  ...DEFAULT_SLA_POLICY,
  calendar: {
    kind: "business_hours",
    timeZone: "Europe/Berlin",
    weekdays: [1, 2, 3, 4, 5],
    start: "09:00",
    end: "17:00",
    holidays: ["2026-05-01", "2026-12-25"],
  },
};

/** The dotted paths of every issue a candidate policy raises. */
function issuePaths(candidate: unknown): string[] {
  const result = slaPolicySchema.safeParse(candidate);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join("."));
}

function withCalendar(patch: Record<string, unknown>): unknown {
  return { ...businessPolicy, calendar: { ...businessPolicy.calendar, ...patch } };
}

describe("the default SLA policy", () => {
  it("gives more severe cases shorter targets, and each clock more time than the one before it", () => {
    const order = ["critical", "high", "medium", "low"] as const;
    for (const clock of ["acknowledgeMs", "containMs", "resolveMs"] as const) {
      const targets = order.map((severity) => DEFAULT_SLA_POLICY.targets[severity][clock]);
      expect(targets, clock).toEqual([...targets].sort((a, b) => a - b));
      expect(new Set(targets).size, clock).toBe(targets.length);
    }
    for (const severity of order) {
      const t = DEFAULT_SLA_POLICY.targets[severity];
      expect(t.acknowledgeMs < t.containMs && t.containMs < t.resolveMs, severity).toBe(true);
    }
  });

  it("warns before it breaches, and never pauses the acknowledge clock", () => {
    expect(DEFAULT_SLA_POLICY.warningRatio).toBeGreaterThan(0);
    expect(DEFAULT_SLA_POLICY.warningRatio).toBeLessThan(1);
    expect(DEFAULT_SLA_POLICY.pausedIn.acknowledge).toEqual([]);
  });

  it("passes its own schema unchanged", () => {
    expect(slaPolicySchema.parse(DEFAULT_SLA_POLICY)).toEqual(DEFAULT_SLA_POLICY);
  });
});

describe("tenant-supplied SLA policies", () => {
  it("given a valid business-hours policy, then it parses to the same value", () => {
    expect(slaPolicySchema.parse(businessPolicy)).toEqual(businessPolicy);
    expect(issuePaths(withCalendar({ end: "24:00", timeZone: "UTC" }))).toEqual([]);
  });

  it("given a target needing more than two years of its calendar's working time, then that target is named", () => {
    // One minute on Mondays: the default's 30-day resolve for low would take centuries to place
    const thin = withCalendar({ weekdays: [1], start: "09:00", end: "09:01" });
    expect(issuePaths(thin)).toContain("targets.low.resolveMs");
    expect(issuePaths(thin)).not.toContain("targets.critical.acknowledgeMs");
    // Around the clock, or in a working week, the default targets fit
    expect(issuePaths(businessPolicy)).toEqual([]);
  });

  it("given an unknown or offset-style time zone, then calendar.timeZone is named", () => {
    expect(issuePaths(withCalendar({ timeZone: "Mars/Olympus_Mons" }))).toEqual(["calendar.timeZone"]);
    expect(issuePaths(withCalendar({ timeZone: "+01:00" }))).toEqual(["calendar.timeZone"]);
    expect(issuePaths(withCalendar({ timeZone: "" }))).toEqual(["calendar.timeZone"]);
  });

  it("given malformed working hours, then the offending field is named", () => {
    expect(issuePaths(withCalendar({ start: "9:00" }))).toEqual(["calendar.start"]);
    expect(issuePaths(withCalendar({ start: "24:00" }))).toEqual(["calendar.start"]);
    expect(issuePaths(withCalendar({ end: "17:60" }))).toEqual(["calendar.end"]);
    expect(issuePaths(withCalendar({ start: "17:00", end: "09:00" }))).toEqual(["calendar.end"]);
    expect(issuePaths(withCalendar({ start: "09:00", end: "09:00" }))).toEqual(["calendar.end"]);
  });

  it("given weekdays out of 1..7, repeated or empty, then calendar.weekdays is named", () => {
    expect(issuePaths(withCalendar({ weekdays: [0, 1] }))).toEqual(["calendar.weekdays.0"]);
    expect(issuePaths(withCalendar({ weekdays: [1, 8] }))).toEqual(["calendar.weekdays.1"]);
    expect(issuePaths(withCalendar({ weekdays: [1, 1] }))).toEqual(["calendar.weekdays"]);
    expect(issuePaths(withCalendar({ weekdays: [] }))).toEqual(["calendar.weekdays"]);
    expect(issuePaths(withCalendar({ weekdays: [1.5] }))).toEqual(["calendar.weekdays.0"]);
  });

  it("given holidays that are not real YYYY-MM-DD dates, then the entry is named", () => {
    expect(issuePaths(withCalendar({ holidays: ["2026-02-30"] }))).toEqual(["calendar.holidays.0"]);
    expect(issuePaths(withCalendar({ holidays: ["2026-05-01", "1 May 2026"] }))).toEqual([
      "calendar.holidays.1",
    ]);
  });

  it("given a warning ratio outside (0, 1), then warningRatio is named", () => {
    expect(issuePaths({ ...DEFAULT_SLA_POLICY, warningRatio: 0 })).toEqual(["warningRatio"]);
    expect(issuePaths({ ...DEFAULT_SLA_POLICY, warningRatio: 1 })).toEqual(["warningRatio"]);
    expect(issuePaths({ ...DEFAULT_SLA_POLICY, warningRatio: 0.5 })).toEqual([]);
  });

  it("given a zero, negative, fractional or missing target, then that target is named", () => {
    const targets = (patch: Record<string, unknown>) => ({
      ...DEFAULT_SLA_POLICY,
      targets: { ...DEFAULT_SLA_POLICY.targets, high: { ...DEFAULT_SLA_POLICY.targets.high, ...patch } },
    });
    expect(issuePaths(targets({ acknowledgeMs: 0 }))).toEqual(["targets.high.acknowledgeMs"]);
    expect(issuePaths(targets({ containMs: -1 }))).toEqual(["targets.high.containMs"]);
    expect(issuePaths(targets({ resolveMs: 1.5 }))).toEqual(["targets.high.resolveMs"]);
    const { low: _low, ...withoutLow } = DEFAULT_SLA_POLICY.targets;
    expect(issuePaths({ ...DEFAULT_SLA_POLICY, targets: withoutLow })).toEqual(["targets.low"]);
  });

  it("given unknown states, repeated states or acknowledge paused in new, then pausedIn is named", () => {
    const pausedIn = (patch: Record<string, unknown>) => ({
      ...DEFAULT_SLA_POLICY,
      pausedIn: { ...DEFAULT_SLA_POLICY.pausedIn, ...patch },
    });
    expect(issuePaths(pausedIn({ resolve: ["waiting"] }))).toEqual(["pausedIn.resolve.0"]);
    expect(issuePaths(pausedIn({ resolve: ["on_hold", "on_hold"] }))).toEqual(["pausedIn.resolve"]);
    expect(issuePaths(pausedIn({ acknowledge: ["new"] }))).toEqual(["pausedIn.acknowledge"]);
  });

  it("given an unknown key or calendar kind, then it is rejected rather than ignored", () => {
    expect(issuePaths({ ...DEFAULT_SLA_POLICY, escalateTo: "lead" })).toEqual([""]);
    expect(issuePaths({ ...DEFAULT_SLA_POLICY, calendar: { kind: "lunar" } })).toEqual(["calendar.kind"]);
  });
});
