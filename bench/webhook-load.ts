// Signed webhook load shared by the ingest scenarios: a connector made in setup(), and batches of
// findings sent to it by autocannon, each webhook-id remembered for ingestDrainSeconds.
import { type ConnectorSecret, createOcsfConnector, signedRemembered } from "./api.ts";
import { runTag } from "./findings.ts";
import type { BenchContext, LoadPlan } from "./scenario.ts";

export interface WebhookSource extends ConnectorSecret {
  tag: string;
  /** The last webhook-ids sent (signedRemembered keeps a few). */
  sentIds: string[];
}

/** In setup(): a new OCSF connector of the bench tenant (or of the token's tenant) to send to. */
export async function webhookSource(
  ctx: BenchContext,
  name: string,
  token = ctx.tokens.admin,
): Promise<WebhookSource> {
  return { ...(await createOcsfConnector(ctx, name, token)), tag: runTag(), sentIds: [] };
}

/** The source setup() made, as it reaches requests() and verify(). */
export function sourceOf(ctx: BenchContext): WebhookSource {
  return ctx.data as unknown as WebhookSource;
}

/**
 * `alerts` findings as signed webhooks of `perDelivery`, four connections, every one counted (no
 * warm-up). `finding(i)` builds the i-th finding of the run.
 */
export function batchedWebhooks(
  ctx: BenchContext,
  source: WebhookSource,
  opts: { alerts: number; perDelivery: number; finding: (i: number) => Record<string, unknown> },
): LoadPlan {
  let sent = 0;
  return {
    connections: 4,
    warmupSeconds: 0,
    maxRequests: opts.alerts / opts.perDelivery,
    durationSeconds: ctx.quick ? 10 : 300,
    itemsPerRequest: opts.perDelivery,
    requests: [
      {
        method: "POST",
        path: `/ingest/${source.connectorId}`,
        setupRequest: (request) => {
          const body = JSON.stringify(Array.from({ length: opts.perDelivery }, () => opts.finding(sent++)));
          return {
            ...request,
            body,
            headers: {
              "content-type": "application/json",
              ...signedRemembered(source.secret, body, Date.now(), source.sentIds),
            },
          };
        },
      },
    ],
  };
}
