// The Platform's reports over the populated tenant (100,000 cases, 1,000,000 alerts at the
// largest size): each reads its aggregates (decision 040), so its cost must not grow with history.
import type { Scenario } from "../scenario.ts";

const DAY_MS = 86_400_000;

/** The `days` up to and including today (UTC), as a report period; the seeded history ends now. */
function lastDays(days: number): string {
  const to = Math.floor(Date.now() / DAY_MS + 1) * DAY_MS;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return `from=${day(to - days * DAY_MS)}&to=${day(to)}`;
}

// The dashboard's usual questions: the last quarter by week, and the last year as one period.
function report(name: string, path: (period: { quarter: string; year: string }) => string): Scenario {
  return {
    name,
    measures: `GET /v1/reports/${path({ quarter: "<last 91 days>", year: "<last 365 days>" })}`,
    phase: "populated",
    requests: (ctx) => ({
      requests: [
        {
          method: "GET",
          path: `/v1/reports/${path({ quarter: lastDays(91), year: lastDays(365) })}`,
          headers: { authorization: `Bearer ${ctx.tokens.reader}` },
        },
      ],
    }),
  };
}

export const reportScenarios: Scenario[] = [
  report("report: sla compliance, a year", (p) => `sla-compliance?${p.year}`),
  report("report: mttx by week, a quarter", (p) => `mttx?${p.quarter}&bucket=week`),
  report("report: alert volume by week, a quarter", (p) => `alert-volume?${p.quarter}&bucket=week`),
  report("report: case outcomes, a year", (p) => `case-outcomes?${p.year}`),
];
