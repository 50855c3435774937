// A tenant's own SLA policy against the real local CONTROL_DB: saved as an audited change that new
// cases pick up, refused whole when a field is invalid, and previewed as the due times a case
// opened at a given moment would get under its calendar.
import { describe, expect, it } from "vitest";
import { dueTimesFor, saveSlaPolicy, tenantSlaPolicy } from "../../../domain/administration/sla-policy.ts";
import { loadCaseConfig } from "../../../domain/case/config.ts";
import { PhoenixError } from "../../../domain/errors.ts";
import { formatDuration, parseDuration } from "../../../domain/sla/durations.ts";
import { DEFAULT_SLA_POLICY } from "../../../domain/sla/policy.ts";
import type { SlaPolicy } from "../../../domain/sla/types.ts";
import { testEnv } from "../../support/test-env.ts";
import { createTenant } from "../../support/world.ts";

const HOUR = 3_600_000;
const ADMIN = { kind: "user", id: "prn_test_admin" } as const;
const BERLIN_HOURS: SlaPolicy["calendar"] = {
  kind: "business_hours",
  timeZone: "Europe/Berlin",
  weekdays: [1, 2, 3, 4, 5],
  start: "09:00",
  end: "17:00",
  holidays: ["2026-12-07"],
};

describe("SLA durations", () => {
  it("reads what people write and writes it back exactly", () => {
    expect(parseDuration("15m")).toBe(15 * 60_000);
    expect(parseDuration("1d 4h 30m")).toBe(28.5 * HOUR);
    expect(parseDuration(" 4H ")).toBe(4 * HOUR);
    for (const bad of ["", "4", "h", "4h 1d", "-1h", "1.5h"]) expect(parseDuration(bad)).toBeNull();
    for (const ms of [15 * 60_000, 4 * HOUR, 28.5 * HOUR, 30 * 24 * HOUR]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});

describe("saveSlaPolicy", () => {
  it("replaces the default for new cases, and records the change in the administration audit", async () => {
    // Given a tenant on the default policy
    const tenant = await createTenant();
    const db = testEnv().CONTROL_DB;
    expect((await tenantSlaPolicy(db, tenant.id)).own).toBe(false);

    // When an admin saves business hours in Berlin and a tighter critical acknowledgement
    const policy: SlaPolicy = {
      ...DEFAULT_SLA_POLICY,
      calendar: BERLIN_HOURS,
      targets: {
        ...DEFAULT_SLA_POLICY.targets,
        critical: { ...DEFAULT_SLA_POLICY.targets.critical, acknowledgeMs: 600_000 },
      },
    };
    await saveSlaPolicy(db, tenant.id, policy, ADMIN, Date.UTC(2026, 11, 4));

    // Then a case opened now would get it, and the audit says who changed what
    expect((await loadCaseConfig(db, tenant.id)).slaPolicy).toEqual(policy);
    const audit = await db
      .prepare("SELECT action, actor_id, before FROM admin_audit WHERE tenant_id = ? ORDER BY seq")
      .bind(tenant.id)
      .all<{ action: string; actor_id: string; before: string | null }>();
    expect(audit.results).toEqual([{ action: "sla_policy.updated", actor_id: ADMIN.id, before: null }]);
  });

  it("keeps the audit exact under concurrent saves: each record's before is the policy it replaced", async () => {
    // Given a tenant, and four admins saving four different warning points at once
    const tenant = await createTenant();
    const db = testEnv().CONTROL_DB;
    const ratios = [0.5, 0.6, 0.7, 0.8];
    await Promise.all(
      ratios.map((warningRatio) =>
        saveSlaPolicy(db, tenant.id, { ...DEFAULT_SLA_POLICY, warningRatio }, ADMIN, Date.now()),
      ),
    );

    // Then every save is recorded, in an order where each one replaced the one before it
    const audit = await db
      .prepare("SELECT before, after FROM admin_audit WHERE tenant_id = ? ORDER BY seq")
      .bind(tenant.id)
      .all<{ before: string | null; after: string }>();
    const chain = audit.results.map((r) => ({
      before: r.before === null ? null : (JSON.parse(r.before) as SlaPolicy).warningRatio,
      after: (JSON.parse(r.after) as SlaPolicy).warningRatio,
    }));
    expect(chain).toHaveLength(4);
    expect(chain[0]?.before).toBeNull();
    for (let i = 1; i < chain.length; i++) expect(chain[i]?.before).toBe(chain[i - 1]?.after);
    expect(new Set(chain.map((c) => c.after))).toEqual(new Set(ratios));
    expect((await tenantSlaPolicy(db, tenant.id)).policy.warningRatio).toBe(chain[3]?.after);
  });

  it("refuses a policy with an invalid field, naming it, and stores nothing", async () => {
    const tenant = await createTenant();
    const db = testEnv().CONTROL_DB;
    const bad = { ...DEFAULT_SLA_POLICY, calendar: { ...BERLIN_HOURS, timeZone: "Mars/Olympus_Mons" } };

    const refused = await saveSlaPolicy(db, tenant.id, bad, ADMIN, Date.now()).catch((e: unknown) => e);

    expect(refused).toBeInstanceOf(PhoenixError);
    expect((refused as PhoenixError).code).toBe("validation_failed");
    expect((refused as PhoenixError).errors?.map((e) => e.field)).toEqual(["calendar.timeZone"]);
    expect((await tenantSlaPolicy(db, tenant.id)).own).toBe(false);
  });
});

describe("dueTimesFor", () => {
  it("counts business hours only: a case opened late on Friday is due after the weekend and the holiday", () => {
    // Friday 4 December 2026, 16:00 in Berlin (15:00 UTC), four working hours to acknowledge a high
    const openedAt = Date.UTC(2026, 11, 4, 15);
    const policy: SlaPolicy = {
      ...DEFAULT_SLA_POLICY,
      calendar: BERLIN_HOURS,
      targets: {
        ...DEFAULT_SLA_POLICY.targets,
        high: { acknowledgeMs: 4 * HOUR, containMs: 8 * HOUR, resolveMs: 72 * HOUR },
      },
    };

    const due = dueTimesFor(policy, openedAt);

    // One hour on Friday, none on the weekend or Monday's holiday, three on Tuesday: 12:00 Berlin
    expect(due.high.acknowledge.dueAt).toBe(Date.UTC(2026, 11, 8, 11));
    // Around the clock, the same target is simply four hours later
    expect(dueTimesFor({ ...policy, calendar: { kind: "24x7" } }, openedAt).high.acknowledge.dueAt).toBe(
      openedAt + 4 * HOUR,
    );
  });
});
