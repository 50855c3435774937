// A storm: 10,000 alerts for 100 correlation keys (10 rules × 10 devices, one window), delivered as
// signed webhooks of 50. Each 202 comes once the delivery is queued (decision 052);
// verify() waits until they are all in cases, reports how long that took and the end-to-end rate,
// and counts the cases the storm opened and the alerts they hold.
import { allCases, ingestDrainSeconds } from "../api.ts";
import { benchFinding } from "../findings.ts";
import type { Scenario } from "../scenario.ts";
import { batchedWebhooks, sourceOf, webhookSource } from "../webhook-load.ts";

const KEYS = { rules: 10, devices: 10 };
// Devices no other scenario uses: a key is rule + asset + window, whichever connector sent the alert.
const FIRST_DEVICE = 10_000;
const HOUR = 3_600_000;

function size(quick: boolean) {
  return quick ? { alerts: 200, perDelivery: 20 } : { alerts: 10_000, perDelivery: 50 };
}

export const correlationStorm: Scenario = {
  name: "correlation storm",
  measures: "10,000 alerts for 100 keys as signed webhooks of 50: stored, then until all are in cases",
  phase: "api",
  setup: async (ctx) => ({ ...(await webhookSource(ctx, "bench storm source")) }),
  requests: (ctx) => {
    const source = sourceOf(ctx);
    // One correlation window for the whole storm, whenever it runs.
    const time = Math.floor(Date.now() / HOUR) * HOUR;
    return batchedWebhooks(ctx, source, {
      ...size(ctx.quick),
      finding: (i) => {
        const rule = i % KEYS.rules;
        return benchFinding({
          uid: `storm-${source.tag}-${i}`,
          time,
          rule,
          device: FIRST_DEVICE + (Math.floor(i / KEYS.rules) % KEYS.devices),
          seq: i,
          title: `Storm ${source.tag} rule ${rule}`,
        });
      },
    });
  },
  verify: async (ctx, measured) => {
    const { tag, connectorId, sentIds } = sourceOf(ctx);
    const stored = measured.ok * measured.itemsPerRequest;
    const drain = await ingestDrainSeconds(ctx, connectorId, sentIds);
    // Projections land after each reply (the case object's outbox): wait until they add up.
    const deadline = Date.now() + 30_000;
    let cases: Array<{ title: string; alert_count: number }> = [];
    let linked = 0;
    do {
      cases = (await allCases<{ title: string; alert_count: number }>(ctx)).filter((c) =>
        c.title.startsWith(`Storm ${tag} `),
      );
      linked = cases.reduce((sum, c) => sum + c.alert_count, 0);
      if (linked >= stored) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    } while (Date.now() < deadline);
    return {
      alerts_stored: stored,
      cases_opened: cases.length,
      alerts_in_cases: linked,
      correlated_within_s: Number(drain.toFixed(2)),
      alerts_in_cases_per_s: Number((stored / (measured.durationSeconds + drain)).toFixed(1)),
    };
  },
};
