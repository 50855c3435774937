// What one sync of one case into one sink works with, shared by the sink kinds (jira/, salesforce/,
// platform/) and the sync loop in sync.ts that runs them.
import type { sinkSync } from "../../schema/tenant.ts";
import type { CaseGateway, TimelineEvent } from "../case/gateway.ts";
import type { OutboundContext } from "./outbound-call.ts";
import type { SinkRow, StoredCredentials } from "./service.ts";

export interface SinkSyncContext {
  /** The tenant's database. */
  db: D1Database;
  gateway: CaseGateway;
  tenantId: string;
  outbound: OutboundContext;
  now: number;
  /** Phoenix's own origin, for links back to the case. */
  appUrl: string;
  /** Per outbound call. */
  timeoutMs?: number;
}

export type SyncRow = typeof sinkSync.$inferSelect;

/** What a sink kind's sync works with: the case, where the sink stands, and how to call out. */
export interface SinkRun {
  ctx: SinkSyncContext;
  sink: SinkRow;
  credentials: StoredCredentials;
  caseId: string;
  caseUrl: string;
  /** Where the sink stood when this sync began. */
  row: SyncRow | null;
  call: (url: string, init: RequestInit, expected?: readonly number[]) => Promise<Response>;
  /** Records progress at once, so a crash or a failed call later repeats none of it. */
  save: (progress: SyncProgress) => Promise<void>;
}

export interface SyncProgress {
  seq?: number;
  version?: number;
  externalId?: string;
  externalUrl?: string;
  detail?: Record<string, unknown>;
}

/** Events read from the case per round. */
const EVENTS_PER_READ = 100;

/** The case's events after `afterSeq`, oldest first, read a page at a time. */
export async function* caseEventsAfter(run: SinkRun, afterSeq: number): AsyncGenerator<TimelineEvent> {
  let seq = afterSeq;
  for (;;) {
    const events = await run.ctx.gateway.events(run.ctx.tenantId, run.caseId, seq, EVENTS_PER_READ);
    for (const event of events) {
      yield event;
      seq = event.seq;
    }
    if (events.length < EVENTS_PER_READ) return;
  }
}
