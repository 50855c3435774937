// The workbench's home page as an analyst with grants on five tenants sees it: the server-rendered
// queue (50 rows, most urgent SLA first) read from CONTROL_DB's work queue. Twice: as it is loaded
// again while the queue stands still (served from the rendered-page cache, decision 043), and as a
// queue that changed between loads costs (each request a page of its own, so every one renders).
import { signInThroughDevIdp } from "../../scripts/seed/dev-sign-in.ts";
import type { Scenario } from "../scenario.ts";
import { BENCH_ANALYST } from "../seed-workbench.ts";
import { everyRequestRendered } from "./rendered-afresh.ts";

const signedIn: Scenario["setup"] = async (ctx) => {
  const session = await signInThroughDevIdp(ctx.origin, BENCH_ANALYST.displayName);
  return { cookie: session.cookie };
};

export const workbenchQueue: Scenario = {
  name: "workbench queue page",
  measures: "GET / signed in: the queue across 5 tenants' cases, server-rendered (HTML), queue unchanged",
  phase: "workbench",
  setup: signedIn,
  requests: (ctx) => ({
    requests: [{ method: "GET", path: "/", headers: { cookie: String(ctx.data.cookie) } }],
  }),
};

export const workbenchQueueRendered: Scenario = {
  name: "workbench queue page, rendered",
  measures: "GET / signed in, as workbench queue page, with every request rendered afresh",
  phase: "workbench",
  setup: signedIn,
  requests: (ctx) => everyRequestRendered("/", String(ctx.data.cookie)),
};
