// Fairness (issue 18, decision 053): tenant A floods 20,000 alerts as signed webhooks of 50 while
// tenant B sends 100 single-alert webhooks, one every 100 ms from two seconds in. B's sender and a
// watcher run in the harness beside the load; verify() reports how long each of B's alerts took
// from its send to its case, against the bound the decision states.
import { signedHeaders } from "../../cli/connectors.ts";
import { type ConnectorSecret, createOcsfConnector, ingestDrainSeconds } from "../api.ts";
import { benchFinding } from "../findings.ts";
import type { BenchContext, Scenario } from "../scenario.ts";
import { batchedWebhooks, sourceOf, webhookSource } from "../webhook-load.ts";

/** Decision 053: each of B's alerts is in its case within this many seconds of its 202. */
export const FAIRNESS_BOUND_SECONDS = 10;

const HOUR = 3_600_000;
// Devices of their own, so the flood's keys are not another scenario's.
const FLOOD_DEVICE = 20_000;
const QUIET_DEVICE = 30_000;

function size(quick: boolean) {
  return quick
    ? { flood: 1_000, perDelivery: 20, quiet: 20 }
    : { flood: 20_000, perDelivery: 50, quiet: 100 };
}

interface QuietRun {
  sent: number;
  latenciesS: number[];
}

// In the harness process, from setup() to verify(): the quiet tenant's run beside the flood.
let quiet: Promise<QuietRun> | null = null;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** B's deliveries, and a watcher that notes when each of B's alerts is first seen in a case. */
async function quietTenant(
  ctx: BenchContext,
  b: ConnectorSecret,
  tag: string,
  count: number,
): Promise<QuietRun> {
  await sleep(2_000);
  const sentAt = new Map<string, number>();
  const inCaseAt = new Map<string, number>();
  let sending = true;
  const sender = (async () => {
    for (let i = 0; i < count; i++) {
      const uid = `quiet-${tag}-${i}`;
      const now = Date.now();
      const body = JSON.stringify(
        benchFinding({ uid, time: now, rule: i % 5, device: QUIET_DEVICE + (i % 5), seq: i }),
      );
      const res = await fetch(`${ctx.origin}/ingest/${b.connectorId}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...signedHeaders(b.secret, body, now) },
        body,
      });
      await res.arrayBuffer();
      // From the 202: what the source is told is the moment Phoenix holds the alert.
      if (res.status === 202) sentAt.set(`meta-${uid}`, performance.now());
      await sleep(100);
    }
    sending = false;
  })();
  const deadline = performance.now() + 300_000;
  while ((sending || inCaseAt.size < sentAt.size) && performance.now() < deadline) {
    const res = await fetch(`${ctx.origin}/v1/alerts?limit=200`, {
      headers: { authorization: `Bearer ${ctx.other.admin}` },
    });
    const seen = performance.now();
    const listed = (await res.json()) as {
      data: Array<{ metadata: { uid: string }; unmapped?: { phoenix?: { case_id?: string } } }>;
    };
    for (const alert of listed.data) {
      const uid = alert.metadata.uid;
      if (alert.unmapped?.phoenix?.case_id && sentAt.has(uid) && !inCaseAt.has(uid)) inCaseAt.set(uid, seen);
    }
    await sleep(200);
  }
  await sender;
  return {
    sent: sentAt.size,
    latenciesS: [...inCaseAt].map(([uid, at]) => (at - (sentAt.get(uid) ?? at)) / 1000),
  };
}

export const fairness: Scenario = {
  name: "fairness, one tenant flooding",
  measures:
    "tenant A: 20,000 alerts as signed webhooks of 50; tenant B meanwhile: 100 single-alert webhooks; seconds from B's 202 to its case",
  phase: "api",
  setup: async (ctx) => {
    const a = await webhookSource(ctx, "bench flooding source");
    const b = await createOcsfConnector(ctx, "bench quiet source", ctx.other.admin);
    quiet = quietTenant(ctx, b, a.tag, size(ctx.quick).quiet);
    return { ...a };
  },
  requests: (ctx) => {
    const source = sourceOf(ctx);
    const { flood, perDelivery } = size(ctx.quick);
    const time = Math.floor(Date.now() / HOUR) * HOUR;
    return batchedWebhooks(ctx, source, {
      alerts: flood,
      perDelivery,
      finding: (i) =>
        benchFinding({
          uid: `flood-${source.tag}-${i}`,
          time,
          rule: i % 10,
          device: FLOOD_DEVICE + (Math.floor(i / 10) % 10),
          seq: i,
        }),
    });
  },
  verify: async (ctx, measured) => {
    const { connectorId, sentIds } = sourceOf(ctx);
    const run = quiet ? await quiet : { sent: 0, latenciesS: [] };
    quiet = null;
    const drain = await ingestDrainSeconds(ctx, connectorId, sentIds);
    const sorted = [...run.latenciesS].sort((x, y) => x - y);
    const p95 = sorted[Math.max(0, Math.ceil(sorted.length * 0.95) - 1)] ?? Number.NaN;
    return {
      quiet_sent: run.sent,
      quiet_in_cases: sorted.length,
      quiet_p95_s: Number(p95.toFixed(2)),
      quiet_max_s: Number((sorted.at(-1) ?? Number.NaN).toFixed(2)),
      flood_alerts_in_cases_per_s: Number(
        ((measured.ok * measured.itemsPerRequest) / (measured.durationSeconds + drain)).toFixed(1),
      ),
    };
  },
};
