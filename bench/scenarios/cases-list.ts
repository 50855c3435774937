// The case list most recently updated first, the workbench's default view.
import type { Scenario } from "../scenario.ts";

export const casesList: Scenario = {
  name: "case list",
  measures: "GET /v1/cases?limit=50: the projection, most recently updated first",
  phase: "populated",
  requests: (ctx) => ({
    requests: [
      {
        method: "GET",
        path: "/v1/cases?limit=50",
        headers: { authorization: `Bearer ${ctx.tokens.reader}` },
      },
    ],
  }),
};
