// A busy case page: 200 linked alerts and 500 timeline events, server-rendered for an analyst. The
// case is built through the API (alerts posted, the case opened with them, then commented on), so
// its object holds a real log and audit chain.
import { signInThroughDevIdp } from "../../scripts/seed/dev-sign-in.ts";
import { api, type CaseRef } from "../api.ts";
import { benchFinding } from "../findings.ts";
import type { Scenario } from "../scenario.ts";
import { BENCH_ANALYST } from "../seed-workbench.ts";
import { everyRequestRendered } from "./rendered-afresh.ts";

const busyCase: Scenario["setup"] = async (ctx) => {
  const alerts = ctx.quick ? 20 : 200;
  const events = ctx.quick ? 50 : 500;
  const now = Date.now();
  const findings = Array.from({ length: alerts }, (_, i) =>
    benchFinding({ uid: `workbench-${now}-${i}`, time: now - i * 60_000, rule: i % 50, device: i, seq: i }),
  );
  const stored = await api<{ alerts: Array<{ id: string }> }>(ctx, "POST", "/v1/alerts", {
    token: ctx.tokens.writer,
    body: findings,
  });
  let ref = await api<CaseRef>(ctx, "POST", "/v1/cases", {
    token: ctx.tokens.writer,
    body: {
      title: "Workbench bench: a busy case",
      severity: "high",
      alert_ids: stored.alerts.map((a) => a.id),
    },
  });
  // The opening is one event (its alerts ride in it); comments, one event each, fill the rest.
  for (let i = 1; i < events; i++) {
    ref = await api<CaseRef>(ctx, "POST", `/v1/cases/${ref.id}/commands`, {
      token: ctx.tokens.writer,
      headers: { "if-match": `"${ref.version}"` },
      body: {
        type: "comment",
        body: `Note ${i}: checked **host-${i % 97}**, nothing new.`,
        visibility: "internal",
      },
    });
  }
  const session = await signInThroughDevIdp(ctx.origin, BENCH_ANALYST.displayName);
  return { cookie: session.cookie, caseId: ref.id };
};

/** Loaded again while the case stands still: served from the rendered-page cache (decision 050). */
export const workbenchCase: Scenario = {
  name: "workbench case page",
  measures:
    "GET /cases/{id} signed in: a case with 200 alerts and 500 events, server-rendered (HTML), unchanged",
  phase: "workbench",
  setup: busyCase,
  requests: (ctx) => ({
    requests: [
      {
        method: "GET",
        path: `/cases/${String(ctx.data.caseId)}`,
        headers: { cookie: String(ctx.data.cookie) },
      },
    ],
  }),
};

/** What the same page costs when the case changed between two loads: every request renders. */
export const workbenchCaseRendered: Scenario = {
  name: "workbench case page, rendered",
  measures: "GET /cases/{id} as workbench case page, with every request rendered afresh",
  phase: "workbench",
  setup: busyCase,
  requests: (ctx) => everyRequestRendered(`/cases/${String(ctx.data.caseId)}`, String(ctx.data.cookie)),
};
