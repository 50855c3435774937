// The platform limit on this machine: a route that touches nothing but the router.
import type { Scenario } from "../scenario.ts";

export const healthz: Scenario = {
  name: "bare route",
  measures: "GET /healthz: workerd, wrangler dev and the Hono router, nothing else",
  phase: "api",
  requests: () => ({ requests: [{ method: "GET", path: "/healthz" }] }),
};
