// One signed Standard Webhooks delivery carrying one finding per request, as a source pushing
// alerts one by one would: verify, map, store, correlate into a case, all before the 202.
import { signedHeaders } from "../../cli/connectors.ts";
import { createOcsfConnector } from "../api.ts";
import { benchFinding, runTag } from "../findings.ts";
import type { Scenario } from "../scenario.ts";

// 10 rules on 100 devices: 1,000 correlation keys, so requests both open cases and join them.
const RULES = 10;
const DEVICES = 100;

export const webhookSingle: Scenario = {
  name: "signed webhook, 1 alert",
  measures: "POST /ingest/{connector}: signature, mapping, storage and correlation of one new finding",
  phase: "api",
  setup: async (ctx) => ({ ...(await createOcsfConnector(ctx, "bench single-alert source")), tag: runTag() }),
  requests: (ctx) => {
    const { connectorId, secret, tag } = ctx.data as { connectorId: string; secret: string; tag: string };
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
              headers: { "content-type": "application/json", ...signedHeaders(secret, body, now) },
            };
          },
        },
      ],
    };
  },
};
