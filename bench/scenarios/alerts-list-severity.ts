// A filtered alert list: high severity only, walking the (severity_id, time, id) index.
import type { Scenario } from "../scenario.ts";

export const alertsListSeverity: Scenario = {
  name: "alert list, high only",
  measures: "GET /v1/alerts?limit=50&severity_id=4: the filtered variant of the list",
  phase: "populated",
  requests: (ctx) => ({
    requests: [
      {
        method: "GET",
        path: "/v1/alerts?limit=50&severity_id=4",
        headers: { authorization: `Bearer ${ctx.tokens.reader}` },
      },
    ],
  }),
};
