// The workbench's home page as an analyst with grants on five tenants sees it: the server-rendered
// queue (50 rows, most urgent SLA first) read from CONTROL_DB's work queue.
import { signInThroughDevIdp } from "../../scripts/seed/dev-sign-in.ts";
import type { Scenario } from "../scenario.ts";
import { BENCH_ANALYST } from "../seed-workbench.ts";

export const workbenchQueue: Scenario = {
  name: "workbench queue page",
  measures: "GET / signed in: the queue across 5 tenants' cases, server-rendered (HTML)",
  phase: "workbench",
  setup: async (ctx) => {
    const session = await signInThroughDevIdp(ctx.origin, BENCH_ANALYST.displayName);
    return { cookie: session.cookie };
  },
  requests: (ctx) => ({
    requests: [{ method: "GET", path: "/", headers: { cookie: String(ctx.data.cookie) } }],
  }),
};
