// One signed Standard Webhooks delivery carrying one finding per request, as a source pushing
// alerts one by one would: verified and queued before the 202 (decision 052). verify() then waits
// until the consumer has stored them and every alert is in its case, so that is reported too.
import { ingestDrainSeconds, signedRemembered } from "../api.ts";
import { benchFinding } from "../findings.ts";
import type { Scenario } from "../scenario.ts";
import { sourceOf, webhookSource } from "../webhook-load.ts";

// 10 rules on 100 devices: 1,000 correlation keys, so requests both open cases and join them.
const RULES = 10;
const DEVICES = 100;

export const webhookSingle: Scenario = {
  name: "signed webhook, 1 alert",
  measures:
    "POST /ingest/{connector}: signature check and one queue send for one new finding; then until all are stored and in cases",
  phase: "api",
  setup: async (ctx) => ({ ...(await webhookSource(ctx, "bench single-alert source")) }),
  requests: (ctx) => {
    const { connectorId, secret, tag, sentIds } = sourceOf(ctx);
    let seq = 0;
    return {
      requests: [
        {
          method: "POST",
          path: `/ingest/${connectorId}`,
          // Each request is a new webhook id and a new finding uid: no redelivery, no duplicate.
          setupRequest: (request) => {
            const n = seq++;
            const now = Date.now();
            const body = JSON.stringify(
              benchFinding({
                uid: `single-${tag}-${n}`,
                time: now,
                rule: n % RULES,
                device: n % DEVICES,
                seq: n,
              }),
            );
            return {
              ...request,
              body,
              headers: {
                "content-type": "application/json",
                ...signedRemembered(secret, body, now, sentIds),
              },
            };
          },
        },
      ],
    };
  },
  verify: async (ctx, measured) => {
    const { connectorId, sentIds } = sourceOf(ctx);
    const drain = await ingestDrainSeconds(ctx, connectorId, sentIds);
    // Warm-up alerts are owed too; they are few and only make this figure more conservative.
    return {
      correlated_within_s: Number(drain.toFixed(2)),
      alerts_in_cases_per_s: Number((measured.ok / (measured.durationSeconds + drain)).toFixed(1)),
    };
  },
};
