// Sink test helpers: a sink only the test syncs (created disabled, so the real queue consumer
// passes it by), one sync round through the domain service the consumer calls, and the local
// vendors' control endpoints (tests/e2e/vendors).
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { expect, inject } from "vitest";
import { outboundPolicyFor } from "../../domain/sinks/outbound-url.ts";
import type { SinkRow } from "../../domain/sinks/service.ts";
import { type SyncOutcome, syncCaseToSinks } from "../../domain/sinks/sync.ts";
import type { Tenant } from "../../domain/tenancy.ts";
import { caseGateway } from "../../durable-objects/case-gateway.ts";
import { sinks } from "../../schema/control.ts";
import { testEnv } from "./test-env.ts";
import { call, tenantDb } from "./world.ts";

export const VENDORS = inject("vendorsUrl");

/** A sink created disabled, so only the test syncs to it; answers its row and any one-time secret. */
export async function disabledSink(
  adminToken: string,
  body: Record<string, unknown>,
): Promise<{ row: SinkRow; secret?: string }> {
  const res = await call("POST", "/v1/sinks", { token: adminToken, body: { ...body, status: "disabled" } });
  expect(res.status, await res.clone().text()).toBe(201);
  const created = (await res.json()) as { sink: { id: string }; secret?: string };
  const [row] = await drizzle(testEnv().CONTROL_DB).select().from(sinks).where(eq(sinks.id, created.sink.id));
  if (!row) throw new Error("the sink was not stored");
  return { row, ...(created.secret ? { secret: created.secret } : {}) };
}

/** One delivery of a sink message, as workers/sinks/consume.ts makes it. */
export function syncOnce(
  tenant: Tenant,
  sinkRows: SinkRow[],
  message: { caseId: string; version: number; attempts: number },
  options: { now?: number; timeoutMs?: number; throttle?: (key: string) => Promise<boolean> } = {},
): Promise<SyncOutcome> {
  const env = testEnv();
  return syncCaseToSinks(
    {
      db: tenantDb(tenant),
      gateway: caseGateway(env),
      tenantId: tenant.id,
      outbound: {
        policy: outboundPolicyFor("test"),
        resolve: async () => [],
        ...(options.throttle ? { throttle: options.throttle } : {}),
      },
      appUrl: "https://phoenix.example",
      now: options.now ?? Date.now(),
      // Long enough for a loaded CI machine; a lost answer waits it out (the fault suite passes a short one).
      timeoutMs: options.timeoutMs ?? 2_000,
    },
    sinkRows,
    env.SECRETS_ENCRYPTION_KEY,
    message,
  );
}

/** Sets a local vendor site's faults (and optionally starts it afresh). */
export async function vendorFaults(
  site: string,
  faults: { rate: number; seed: number; script?: Array<string | null> },
  reset = false,
): Promise<void> {
  await fetch(`${VENDORS}${site}/__control`, { method: "POST", body: JSON.stringify({ faults, reset }) });
}

export async function vendorState<T>(site: string): Promise<T> {
  return (await (await fetch(`${VENDORS}${site}/__state`)).json()) as T;
}

export const JIRA_TRANSITIONS = {
  acknowledged: "Acknowledge",
  in_progress: "Start Progress",
  contained: "Contain",
  on_hold: "Hold",
  resolved: "Resolve",
  closed: "Close",
  reopened: "Reopen",
};

/** A Jira sink config for a local site, as an admin would write it. */
export function localJiraConfig(site: string, overrides: Record<string, unknown> = {}) {
  return {
    site_url: `${VENDORS}${site}`,
    auth: { type: "api_token", email: "phoenix@example.com" },
    project_key: "SOC",
    issue_type: "Incident",
    priorities: { P1: "Highest", P2: "High", P3: "Medium", P4: "Low" },
    custom_fields: { severity: "customfield_10042", case_url: "customfield_10043" },
    transitions: JIRA_TRANSITIONS,
    ...overrides,
  };
}

export const LOCAL_JIRA_TOKEN = "jira-api-token";
export const LOCAL_SALESFORCE_SECRET = "salesforce-client-secret";
