// What one binding call costs on this machine, beside the bare route (issue 18): every D1 read or
// queue send a request makes before it answers costs about this much, so ingest is read against
// all three. Both run whenever the bare route does.
import type { Scenario } from "../scenario.ts";

export const oneD1Read: Scenario = {
  name: "bare route + one D1 read",
  measures: "GET /readyz: the bare route plus one read of the control database",
  phase: "api",
  requests: () => ({ requests: [{ method: "GET", path: "/readyz" }] }),
};

export const oneQueueSend: Scenario = {
  name: "bare route + one queue send",
  measures: "POST /healthz/queue (local only): the bare route plus one send to the ingest queue",
  phase: "api",
  requests: () => ({ requests: [{ method: "POST", path: "/healthz/queue" }] }),
};
