// A case command through the API: assign, alternating between two analysts so every request is a
// real change (a version bump, an audit record, a projection). Each in-flight request holds its case,
// so concurrent connections never race on one If-Match.
import { type CaseRef, openCase, pool } from "../api.ts";
import type { Scenario } from "../scenario.ts";

type Held = CaseRef & { assignee: string | null };

export const caseCommand: Scenario = {
  name: "case command (assign)",
  measures: "POST /v1/cases/{id}/commands with If-Match: decide, commit in the case object, reply",
  phase: "api",
  setup: async (ctx) => {
    // Several cases per connection, so a case is never wanted by two requests at once.
    const titles = Array.from({ length: ctx.bounds.connections * 8 }, (_, i) => `Bench command case ${i}`);
    const cases = await pool(titles, 4, (title) => openCase(ctx, title, "high"));
    return { cases };
  },
  requests: (ctx) => {
    // Each case remembers its assignee, so the next command always names the other analyst.
    const free: Held[] = (ctx.data.cases as CaseRef[]).map((c) => ({ ...c, assignee: null }));
    return {
      requests: [
        {
          method: "POST",
          setupRequest: (request, context) => {
            const held = free.shift();
            if (!held) throw new Error("every case is in flight: add cases in setup");
            const assignee = held.assignee === "analyst-a" ? "analyst-b" : "analyst-a";
            context.held = { ...held, assignee };
            return {
              ...request,
              path: `/v1/cases/${held.id}/commands`,
              body: JSON.stringify({ type: "assign", assignee }),
              headers: {
                authorization: `Bearer ${ctx.tokens.writer}`,
                "content-type": "application/json",
                "if-match": `"${held.version}"`,
              },
            };
          },
          // The reply carries the new version; the case goes back to the end of the line.
          onResponse: (status, body, context) => {
            const held = context.held as Held;
            if (status === 200) free.push({ ...held, version: (JSON.parse(body) as CaseRef).version });
          },
        },
      ],
    };
  },
};
