// 1,000 findings in one POST /v1/alerts, one batch at a time: the per-batch latency is what the
// "a batch stored in under 1 s" target reads.
import { benchFinding, runTag } from "../findings.ts";
import type { Scenario } from "../scenario.ts";

const BATCH = 1000;

export const batchIngest: Scenario = {
  name: "batch ingest, 1,000 alerts",
  measures: "POST /v1/alerts with 1,000 new findings: validation and one D1 batch; latency per batch",
  phase: "api",
  requests: (ctx) => {
    const tag = `batch-${Date.now().toString(36)}-${runTag()}`;
    let batch = 0;
    return {
      connections: 1,
      warmupSeconds: 0,
      // Quick: one batch, however long it takes on a busy machine.
      maxRequests: ctx.quick ? 1 : 30,
      durationSeconds: ctx.quick ? 30 : 60,
      itemsPerRequest: BATCH,
      requests: [
        {
          method: "POST",
          path: "/v1/alerts",
          setupRequest: (request) => {
            const b = batch++;
            const now = Date.now();
            const findings = Array.from({ length: BATCH }, (_, i) =>
              benchFinding({ uid: `${tag}-${b}-${i}`, time: now - i, rule: i % 50, device: i % 500, seq: i }),
            );
            return {
              ...request,
              body: JSON.stringify(findings),
              headers: { authorization: `Bearer ${ctx.tokens.writer}`, "content-type": "application/json" },
            };
          },
        },
      ],
    };
  },
};
