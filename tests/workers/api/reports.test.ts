// /v1/reports: the figures the aggregates give must equal the ones computed the slow way, straight
// from a seeded history with business-hours SLAs, paused clocks, breaches, reopened and merged cases,
// duplicates and replayed projections. Then the routes' own behaviour: validation, tenancy.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { sessionCaller } from "../../support/callers.ts";
import { makeDetectionFinding } from "../../support/factories/findings.ts";
import {
  bruteAlertVolume,
  bruteCaseOutcomes,
  bruteMttx,
  bruteSlaCompliance,
  type History,
  seedHistory,
} from "../../support/report-history.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const bySeverityClock = (a: { severity: string; clock: string }, b: { severity: string; clock: string }) =>
  `${a.severity}|${a.clock}`.localeCompare(`${b.severity}|${b.clock}`);

async function report<T>(token: string, path: string): Promise<T> {
  const res = await call("GET", `/v1/reports/${path}`, { token });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe("report figures", () => {
  let token = "";
  let history: History;
  beforeAll(async () => {
    const tenant = await createTenant();
    token = await tokenFor(tenant, { scopes: ["reports:read"] });
    history = await seedHistory(tenantDb(tenant), 16, day("2026-01-05"), 80);
  }, 120_000);

  it("seeds what the reports must get right: business hours, pauses, breaches, reopens, merges, duplicates", () => {
    const events = history.cases.flatMap((c) => c.commits.flat());
    const count = (type: string) => events.filter((e) => e.type === type).length;
    const seen = {
      cases: history.cases.length,
      events: events.length,
      projections: history.projections,
      holds: count("case.held"),
      warnings: count("sla.warning"),
      breaches: count("sla.breached"),
      met: count("sla.met"),
      reopens: count("case.reopened"),
      merges: count("case.merged"),
      escalations: count("case.escalated"),
      duplicates: history.deliveries.length - new Set(history.deliveries.map((d) => d.dedupKey)).size,
    };
    console.log(`report history: ${JSON.stringify(seen)}`);
    for (const [what, n] of Object.entries(seen)) expect(n, what).toBeGreaterThan(0);
    // Business time and wall time must differ for the check to mean anything.
    const met = events.filter((e) => e.type === "sla.met");
    expect(met.some((e) => e.type === "sla.met" && (e.wallMs ?? 0) > e.elapsedMs)).toBe(true);
  });

  for (const [from, to] of [
    ["2026-01-01", "2026-05-01"],
    ["2026-01-20", "2026-03-10"],
  ] as const) {
    it(`sla-compliance and case-outcomes from ${from} to ${to} equal the brute-force figures`, async () => {
      const sla = await report<{ data: Array<{ severity: string; clock: string }> }>(
        token,
        `sla-compliance?from=${from}&to=${to}`,
      );
      expect([...sla.data].sort(bySeverityClock)).toEqual(
        (bruteSlaCompliance(history, day(from), day(to)) as Array<{ severity: string; clock: string }>).sort(
          bySeverityClock,
        ),
      );
      const outcomes = await report<{ resolutions: unknown[]; escalations: unknown[] }>(
        token,
        `case-outcomes?from=${from}&to=${to}`,
      );
      expect({ resolutions: outcomes.resolutions, escalations: outcomes.escalations }).toEqual(
        bruteCaseOutcomes(history, day(from), day(to)),
      );
    });

    for (const grain of ["day", "week", "month"] as const) {
      it(`mttx and alert-volume by ${grain} from ${from} to ${to} equal the brute-force figures`, async () => {
        const mttx = await report<{ data: Array<{ bucket: string; severity: string; clock: string }> }>(
          token,
          `mttx?from=${from}&to=${to}&bucket=${grain}`,
        );
        const key = (r: { bucket: string; severity: string; clock: string }) =>
          `${r.bucket}|${r.severity}|${r.clock}`;
        const expected = bruteMttx(history, day(from), day(to), grain) as Array<{
          bucket: string;
          severity: string;
          clock: string;
        }>;
        expect(mttx.data.length).toBeGreaterThan(0);
        expect([...mttx.data].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
          expected.sort((a, b) => key(a).localeCompare(key(b))),
        );
        const volume = await report<{ data: unknown[] }>(
          token,
          `alert-volume?from=${from}&to=${to}&bucket=${grain}`,
        );
        expect(volume.data).toEqual(bruteAlertVolume(history, day(from), day(to), grain));
      });
    }
  }
});

describe("GET /v1/reports/*", () => {
  it("counts a case resolved through the API in today's outcomes and volume", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const opened = (await (
      await call("POST", "/v1/cases", { token, body: { title: "Reported", severity: "high" } })
    ).json()) as { id: string };
    for (const [version, body] of [
      [1, { type: "acknowledge" }],
      [3, { type: "resolve", resolution: "false_positive" }],
    ] as const) {
      const res = await call("POST", `/v1/cases/${opened.id}/commands`, {
        token,
        body,
        headers: { "if-match": `"${version === 3 ? 2 : version}"` },
      });
      expect(res.status).toBe(200);
    }
    await env.CASES.getByName(`${tenant.id}:${opened.id}`).flush();
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const outcomes = await report<{ resolutions: unknown[]; tenants: string[] }>(
      token,
      `case-outcomes?from=${today}&to=${tomorrow}`,
    );
    expect(outcomes).toMatchObject({
      tenants: [tenant.id],
      resolutions: [{ resolution: "false_positive", total: 1, escalated: 0, not_escalated: 1 }],
    });
    const sla = await report<{ data: Array<{ clock: string; met: number }> }>(
      token,
      `sla-compliance?from=${today}&to=${tomorrow}`,
    );
    expect(sla.data.map((r) => [r.clock, r.met])).toEqual([
      ["acknowledge", 1],
      ["contain", 1],
      ["resolve", 1],
    ]);
  });

  it("refuses a bad period or bucket with 400 naming the parameter", async () => {
    const token = await tokenFor(await createTenant());
    for (const [query, field] of [
      ["from=2026-13-01&to=2027-01-01", "from"],
      ["from=2026-02-30&to=2026-03-01", "from"],
      ["from=2026-03-01&to=2026-03-01", "to"],
      ["from=2020-01-01&to=2026-01-01", "to"],
      ["to=2026-03-01", "from"],
    ] as const) {
      const res = await call("GET", `/v1/reports/case-outcomes?${query}`, { token });
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { errors: Array<{ field: string }> }).errors[0]?.field).toBe(field);
    }
    const tooMany = await call("GET", "/v1/reports/mttx?from=2025-01-01&to=2026-06-01&bucket=day", { token });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { errors: Array<{ field: string }> }).errors[0]?.field).toBe("bucket");
  });

  it("answers another tenant as not found, and sums the tenants a person holds grants on", async () => {
    const a = await createTenant();
    const b = await createTenant();
    for (const tenant of [a, b]) {
      const token = await tokenFor(tenant);
      await call("POST", "/v1/alerts", { token, body: makeDetectionFinding() });
    }
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const path = `/v1/reports/alert-volume?from=${today}&to=${tomorrow}&bucket=day`;

    const machine = await tokenFor(a, { scopes: ["reports:read"] });
    const foreign = await call("GET", `${path}&tenant=${a.id},${b.id}`, { token: machine });
    expect(foreign.status).toBe(404);

    const lead = await sessionCaller(a, "lead", [b]);
    const both = await lead.send({ method: "GET", path: `${path}&tenant=${a.id},${b.id}` });
    expect(both.status).toBe(200);
    const body = (await both.json()) as {
      tenants: string[];
      data: Array<{ deliveries: number; alerts: number }>;
    };
    expect(body.tenants).toEqual([a.id, b.id]);
    expect(body.data[0]).toMatchObject({ deliveries: 2, alerts: 2 });

    const outsider = await sessionCaller(a, "lead");
    const refused = await outsider.send({ method: "GET", path: `${path}&tenant=${a.id},${b.id}` });
    expect(refused.status).toBe(404);
  });
});
