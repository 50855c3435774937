// The SOC dashboard as a lead of the populated tenant sees it over the last year (100,000 cases and
// 1,000,000 alerts at the largest size): the report aggregates, the queue's open work, and the charts
// drawn on the server (decision 044). Twice: loaded again while no case changes (served from the
// rendered-page cache, decision 049), and as a dashboard whose cases changed between loads costs.
import { signInThroughDevIdp } from "../../scripts/seed/dev-sign-in.ts";
import type { Scenario } from "../scenario.ts";
import { BENCH_LEAD } from "../seed-workbench.ts";
import { everyRequestRendered } from "./rendered-afresh.ts";

const PATH = "/dashboard?period=365d";

const signedIn: Scenario["setup"] = async (ctx) => {
  const session = await signInThroughDevIdp(ctx.origin, BENCH_LEAD.displayName);
  return { cookie: session.cookie };
};

export const workbenchDashboard: Scenario = {
  name: "workbench dashboard",
  measures: `GET ${PATH} signed in as a lead: every chart and table, server-rendered, cases unchanged`,
  phase: "populated",
  setup: signedIn,
  requests: (ctx) => ({
    requests: [{ method: "GET", path: PATH, headers: { cookie: String(ctx.data.cookie) } }],
  }),
};

export const workbenchDashboardRendered: Scenario = {
  name: "workbench dashboard, rendered",
  measures: `GET ${PATH} as workbench dashboard, with every request rendered afresh`,
  phase: "populated",
  setup: signedIn,
  requests: (ctx) => everyRequestRendered(PATH, String(ctx.data.cookie)),
};
