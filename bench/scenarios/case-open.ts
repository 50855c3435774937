// Opening cases by hand through the API: what populating a tenant's cases through the API costs
// (a new CaseObject, its first commit, the read-model projection).
import type { Scenario } from "../scenario.ts";

const SEVERITIES = ["low", "medium", "high", "critical"] as const;

export const caseOpen: Scenario = {
  name: "case open",
  measures: "POST /v1/cases: a new case object, its first commit and its projection",
  phase: "api",
  requests: (ctx) => {
    let n = 0;
    return {
      requests: [
        {
          method: "POST",
          path: "/v1/cases",
          setupRequest: (request) => {
            const i = n++;
            return {
              ...request,
              body: JSON.stringify({ title: `Bench case ${i}`, severity: SEVERITIES[i % SEVERITIES.length] }),
              headers: { authorization: `Bearer ${ctx.tokens.writer}`, "content-type": "application/json" },
            };
          },
        },
      ],
    };
  },
  // What building the growth check's 100,000 cases through the API would take at this rate.
  verify: async (_ctx, measured) => ({
    minutes_for_100k: measured.ok > 0 ? 100_000 / (measured.ok / measured.durationSeconds) / 60 : Number.NaN,
  }),
};
