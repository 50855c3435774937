// The work queue: cases by nearest SLA deadline, a report-like query over every case.
import type { Scenario } from "../scenario.ts";

export const casesListSla: Scenario = {
  name: "case list by SLA due",
  measures: "GET /v1/cases?limit=50&sort=sla_due: cases by nearest deadline",
  phase: "populated",
  requests: (ctx) => ({
    requests: [
      {
        method: "GET",
        path: "/v1/cases?limit=50&sort=sla_due",
        headers: { authorization: `Bearer ${ctx.tokens.reader}` },
      },
    ],
  }),
};
