// The SOC dashboard as a lead of the populated tenant sees it over the last year (100,000 cases and
// 1,000,000 alerts at the largest size): the report aggregates, the queue's open work, and the charts
// drawn on the server (decision 044).
import { signInThroughDevIdp } from "../../scripts/seed/dev-sign-in.ts";
import type { Scenario } from "../scenario.ts";
import { BENCH_LEAD } from "../seed-workbench.ts";

export const workbenchDashboard: Scenario = {
  name: "workbench dashboard",
  measures: "GET /dashboard?period=365d signed in as a lead: every chart and table, server-rendered",
  phase: "populated",
  setup: async (ctx) => {
    const session = await signInThroughDevIdp(ctx.origin, BENCH_LEAD.displayName);
    return { cookie: session.cookie };
  },
  requests: (ctx) => ({
    requests: [
      { method: "GET", path: "/dashboard?period=365d", headers: { cookie: String(ctx.data.cookie) } },
    ],
  }),
};
