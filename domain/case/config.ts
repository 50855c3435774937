// A tenant's case configuration: its SLA policy (or the default) and the reopen window.
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { slaPolicies } from "../../schema/control.ts";
import { DEFAULT_SLA_POLICY, slaPolicySchema } from "../sla/policy.ts";
import { DEFAULT_REOPEN_WINDOW_MS } from "./decide.ts";
import type { CaseConfig } from "./model.ts";

export async function loadCaseConfig(controlDb: D1Database, tenantId: string): Promise<CaseConfig> {
  const [row] = await drizzle(controlDb)
    .select()
    .from(slaPolicies)
    .where(eq(slaPolicies.tenantId, tenantId))
    .limit(1);
  if (!row) return { slaPolicy: DEFAULT_SLA_POLICY, reopenWindowMs: DEFAULT_REOPEN_WINDOW_MS };
  // Stored policies were validated on write; parsing again keeps a bad row from reaching a case.
  return { slaPolicy: slaPolicySchema.parse(row.policy), reopenWindowMs: row.reopenWindowMs };
}
