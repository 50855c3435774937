// A tenant's own SLA policy: reading it (or the default), replacing it as an audited administration
// change, and what it would mean for a case opened now. Cases copy the policy when they open, so a
// change applies to new cases only; open cases keep the clocks they started with.
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { slaPolicies } from "../../schema/control.ts";
import type { Actor } from "../actor.ts";
import { commitAdminChange } from "../admin-audit.ts";
import { DEFAULT_REOPEN_WINDOW_MS } from "../case/decide.ts";
import { CASE_SEVERITIES, type CaseSeverity } from "../case-vocabulary.ts";
import { failedWith, fieldErrorsFromIssues, PhoenixError } from "../errors.ts";
import { startSla } from "../sla/clocks.ts";
import { DEFAULT_SLA_POLICY, slaPolicySchema } from "../sla/policy.ts";
import { SLA_CLOCKS, type SlaClockName, type SlaPolicy } from "../sla/types.ts";

export interface TenantSlaPolicy {
  policy: SlaPolicy;
  /** False while the tenant uses Phoenix's default policy. */
  own: boolean;
  updatedAt: number | null;
}

export async function tenantSlaPolicy(controlDb: D1Database, tenantId: string): Promise<TenantSlaPolicy> {
  const [row] = await drizzle(controlDb).select().from(slaPolicies).where(eq(slaPolicies.tenantId, tenantId));
  if (!row) return { policy: DEFAULT_SLA_POLICY, own: false, updatedAt: null };
  return { policy: slaPolicySchema.parse(row.policy), own: true, updatedAt: row.updatedAt };
}

/** A policy as submitted, checked: invalid fields are a 422 naming each one, and nothing is stored. */
export function parseSlaPolicy(input: unknown): SlaPolicy {
  const parsed = slaPolicySchema.safeParse(input);
  if (!parsed.success) {
    throw new PhoenixError(
      "validation_failed",
      "the SLA policy is not valid",
      fieldErrorsFromIssues(parsed.error.issues),
    );
  }
  return parsed.data;
}

/** Replaces the tenant's policy for cases opened from now on; recorded in the administration audit. */
export async function saveSlaPolicy(
  controlDb: D1Database,
  tenantId: string,
  input: unknown,
  actor: Actor,
  now: number,
): Promise<TenantSlaPolicy> {
  const policy = parseSlaPolicy(input);
  const d = drizzle(controlDb);
  for (let attempt = 1; ; attempt++) {
    const [current] = await d.select().from(slaPolicies).where(eq(slaPolicies.tenantId, tenantId));
    const row = {
      policy: { ...policy },
      reopenWindowMs: current?.reopenWindowMs ?? DEFAULT_REOPEN_WINDOW_MS,
      updatedAt: now,
    };
    // Written only over the row that was read, so the audit's "before" is what was replaced: a
    // concurrent save leaves NULL here, fails the NOT NULL, and this one reads again.
    // Saves within one millisecond share an updated_at, so the stored policy itself is compared too.
    const unchangedSinceRead = current
      ? sql`${slaPolicies.updatedAt} = ${current.updatedAt} AND ${slaPolicies.policy} = ${JSON.stringify(current.policy)}`
      : sql`0`;
    try {
      await commitAdminChange(
        controlDb,
        {
          tenantId,
          actor,
          action: "sla_policy.updated",
          targetType: "sla_policy",
          targetId: tenantId,
          before: current ? current.policy : null,
          after: policy,
        },
        () => [
          d
            .insert(slaPolicies)
            .values({ tenantId, ...row })
            .onConflictDoUpdate({
              target: slaPolicies.tenantId,
              set: {
                ...row,
                policy: sql`CASE WHEN ${unchangedSinceRead} THEN ${JSON.stringify(row.policy)} END`,
              },
            }),
        ],
        now,
      );
      return { policy, own: true, updatedAt: now };
    } catch (error) {
      if (!failedWith(error, /NOT NULL constraint failed: sla_policies\.policy/)) throw error;
      if (attempt >= SAVE_ATTEMPTS) {
        throw new PhoenixError("conflict", "the SLA policy was changed concurrently; look again and retry");
      }
    }
  }
}

const SAVE_ATTEMPTS = 5;

export type DueTimes = Record<CaseSeverity, Record<SlaClockName, { warnAt: number; dueAt: number }>>;

/** When each clock of a case opened at `openedAt` would warn and fall due, per severity. */
export function dueTimesFor(policy: SlaPolicy, openedAt: number): DueTimes {
  const entries = CASE_SEVERITIES.map((severity) => {
    const { clocks } = startSla(policy, severity, openedAt);
    const byClock = Object.fromEntries(
      SLA_CLOCKS.map((name) => [name, { warnAt: clocks[name].warnAt, dueAt: clocks[name].dueAt }]),
    ) as DueTimes[CaseSeverity];
    return [severity, byClock] as const;
  });
  return Object.fromEntries(entries) as DueTimes;
}
