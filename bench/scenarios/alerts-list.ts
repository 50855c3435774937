// The newest page of alerts in a populated tenant: keyset pagination on (time, id).
import type { Scenario } from "../scenario.ts";

export const alertsList: Scenario = {
  name: "alert list",
  measures: "GET /v1/alerts?limit=50: newest first, rendered back as OCSF",
  phase: "populated",
  requests: (ctx) => ({
    requests: [
      {
        method: "GET",
        path: "/v1/alerts?limit=50",
        headers: { authorization: `Bearer ${ctx.tokens.reader}` },
      },
    ],
  }),
};
