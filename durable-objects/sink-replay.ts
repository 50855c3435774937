// A sink's dead-letter replay and connection test as every edge runs them (/v1 and the sink page):
// replays go back through the sink queue against the case objects; the test uses stored credentials.
import { checkSink } from "../domain/sinks/checks.ts";
import type { ReplayContext } from "../domain/sinks/dead-letters.ts";
import { dnsOverHttpsResolver } from "../domain/sinks/dns-over-https.ts";
import { outboundPolicyFor } from "../domain/sinks/outbound-url.ts";
import { type SinkRow, sinkCredentials } from "../domain/sinks/service.ts";
import { caseGateway } from "./case-gateway.ts";

export function sinkReplayContext(env: Env, db: D1Database, tenantId: string, now: number): ReplayContext {
  return {
    db,
    controlDb: env.CONTROL_DB,
    gateway: caseGateway(env),
    tenantId,
    enqueue: async (message) => {
      await env.SINK_QUEUE.send(message);
    },
    now,
  };
}

export async function testSinkConnection(env: Env, row: SinkRow, now: number) {
  return checkSink(row, await sinkCredentials(row, env.SECRETS_ENCRYPTION_KEY), {
    policy: outboundPolicyFor(env.ENVIRONMENT),
    resolve: dnsOverHttpsResolver(),
    now,
  });
}
