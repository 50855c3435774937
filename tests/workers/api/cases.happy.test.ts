import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { makeDetectionFindings } from "../../support/factories/findings.ts";
import { validateIncidentFinding } from "../../support/ocsf-validators.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

interface CaseBody {
  id: string;
  version: number;
  state: string;
  severity: string;
  priority: string;
  assignee: string | null;
  alerts: Array<{ id: string; reviewed: boolean; title: string | null }>;
  sla: { status: string; clocks: Array<{ name: string; due_at: number; met_at: number | null }> };
  timeline?: Array<{ type: string; seq: number }>;
  events?: Array<{ type: string }>;
}

async function world() {
  const tenant = await createTenant();
  const token = await tokenFor(tenant);
  return { tenant, token, db: tenantDb(tenant) };
}

async function openCase(token: string, body: Record<string, unknown> = {}) {
  const res = await call("POST", "/v1/cases", {
    token,
    body: { title: "Suspicious sign-in", severity: "high", ...body },
  });
  expect(res.status).toBe(201);
  return { res, body: (await res.json()) as CaseBody };
}

async function command(
  token: string,
  id: string,
  version: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return call("POST", `/v1/cases/${id}/commands`, {
    token,
    body,
    headers: { "if-match": `"${version}"`, ...headers },
  });
}

async function flush(tenantId: string, caseId: string) {
  await env.CASES.getByName(`${tenantId}:${caseId}`).flush();
}

describe("POST /v1/cases", () => {
  it("opens a case with linked alerts, SLA clocks and an ETag", async () => {
    const { token } = await world();
    const posted = (await (
      await call("POST", "/v1/alerts", { token, body: makeDetectionFindings(2, 7) })
    ).json()) as {
      alerts: Array<{ id: string }>;
    };
    const alertIds = posted.alerts.map((a) => a.id);
    const { res, body } = await openCase(token, { severity: "critical", alert_ids: alertIds });

    expect(res.headers.get("etag")).toBe('"1"');
    expect(body).toMatchObject({
      version: 1,
      state: "new",
      severity: "critical",
      priority: "P1",
      assignee: null,
    });
    expect(body.id).toMatch(/^case_[0-9a-z]{26}$/);
    expect(body.alerts.map((a) => a.id).sort()).toEqual([...alertIds].sort());
    expect(body.alerts.every((a) => a.title !== null && !a.reviewed)).toBe(true);
    expect(body.sla.status).toBe("ok");
    const ack = body.sla.clocks.find((c) => c.name === "acknowledge");
    // Critical: 15 minutes to acknowledge.
    expect(ack?.due_at).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(ack?.due_at).toBeLessThanOrEqual(Date.now() + 15 * 60_000);
  });

  it("replays a create with the same Idempotency-Key instead of opening a second case", async () => {
    const { token, tenant, db } = await world();
    const headers = { "idempotency-key": "open-1" };
    const first = await call("POST", "/v1/cases", {
      token,
      body: { title: "Once", severity: "low" },
      headers,
    });
    const second = await call("POST", "/v1/cases", {
      token,
      body: { title: "Once", severity: "low" },
      headers,
    });
    const a = (await first.json()) as CaseBody;
    const b = (await second.json()) as CaseBody;
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(b.id).toBe(a.id);
    await flush(tenant.id, a.id);
    expect(await db.prepare("SELECT count(*) AS n FROM cases").first("n")).toBe(1);
  });
});

describe("POST /v1/cases/{id}/commands", () => {
  it("walks a case from new to closed, projecting every step", async () => {
    const { tenant, token, db } = await world();
    const alertId = (
      (await (await call("POST", "/v1/alerts", { token, body: makeDetectionFindings(1, 8) })).json()) as {
        alerts: Array<{ id: string }>;
      }
    ).alerts[0]?.id;
    let { body: current } = await openCase(token, { alert_ids: [alertId] });
    const steps: Array<[Record<string, unknown>, string]> = [
      [{ type: "acknowledge" }, "acknowledged"],
      [{ type: "assign", assignee: "analyst-1" }, "acknowledged"],
      [{ type: "start" }, "in_progress"],
      [{ type: "comment", body: "Contacted the user; travel confirmed false." }, "in_progress"],
      [{ type: "contain", reason: "Session revoked" }, "contained"],
      [{ type: "review_alert", alert_id: alertId }, "contained"],
      [{ type: "resolve", resolution: "true_positive" }, "resolved"],
      [{ type: "close" }, "closed"],
    ];
    for (const [cmd, state] of steps) {
      const res = await command(token, current.id, current.version, cmd);
      expect(res.status, JSON.stringify(cmd)).toBe(200);
      const next = (await res.json()) as CaseBody;
      expect(next.state).toBe(state);
      expect(next.version).toBe(current.version + 1);
      expect(res.headers.get("etag")).toBe(`"${next.version}"`);
      current = next;
    }

    await flush(tenant.id, current.id);
    const row = await db
      .prepare("SELECT state, version, assignee_id, resolution FROM cases WHERE id = ?")
      .bind(current.id)
      .first();
    expect(row).toEqual({
      state: "closed",
      version: 9,
      assignee_id: "analyst-1",
      resolution: "true_positive",
    });
    const timeline = await db
      .prepare("SELECT type FROM case_timeline WHERE case_id = ? ORDER BY seq")
      .bind(current.id)
      .all();
    expect(timeline.results.map((r) => r.type)).toContain("case.closed");
    expect(await db.prepare("SELECT case_id FROM alerts WHERE id = ?").bind(alertId).first("case_id")).toBe(
      current.id,
    );
    expect(
      await db.prepare("SELECT count(*) AS n FROM comments WHERE case_id = ?").bind(current.id).first("n"),
    ).toBe(1);
    const queued = await env.CONTROL_DB.prepare(
      "SELECT state, version, tenant_id FROM work_queue WHERE case_id = ?",
    )
      .bind(current.id)
      .first();
    expect(queued).toEqual({ state: "closed", version: 9, tenant_id: tenant.id });
  });

  it("replays a command with the same Idempotency-Key", async () => {
    const { token } = await world();
    const { body } = await openCase(token);
    const headers = { "idempotency-key": "ack-1" };
    const first = await command(token, body.id, 1, { type: "acknowledge" }, headers);
    const again = await command(token, body.id, 1, { type: "acknowledge" }, headers);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(((await again.json()) as CaseBody).version).toBe(2);
  });
});

describe("GET /v1/cases/{id}", () => {
  it("returns the case with its timeline, or an OCSF Incident Finding that validates", async () => {
    const { token } = await world();
    const { body } = await openCase(token);
    await command(token, body.id, 1, { type: "acknowledge" });

    const res = await call("GET", `/v1/cases/${body.id}`, { token });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"2"');
    const got = (await res.json()) as CaseBody;
    expect(got.timeline?.map((e) => e.type)).toEqual(["case.opened", "case.acknowledged", "sla.met"]);

    const ocsf = (await (await call("GET", `/v1/cases/${body.id}?format=ocsf`, { token })).json()) as Record<
      string,
      unknown
    >;
    expect(validateIncidentFinding(ocsf)).toEqual([]);
    expect(ocsf.class_uid).toBe(2005);
  });
});

describe("who acted", () => {
  it("a machine client is recorded by its issuer-qualified id, not its bare subject", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant, { subject: "platform" });
    const { body } = await openCase(token);
    const res = await call("GET", `/v1/cases/${body.id}/audit`, { token });
    const audit = (await res.json()) as {
      records: Array<{ record: { actor: { kind: string; id: string } } }>;
    };
    expect(audit.records[0]?.record.actor).toEqual({ kind: "client", id: `${env.PHOENIX_ISSUER}|platform` });
  });
});

describe("GET /v1/cases", () => {
  it("lists cases from the projection with filters and a cursor", async () => {
    const { tenant, token } = await world();
    const ids: string[] = [];
    for (const severity of ["low", "high", "high", "critical", "medium"]) {
      const { body } = await openCase(token, { severity, title: `Case ${severity}` });
      ids.push(body.id);
      await flush(tenant.id, body.id);
    }
    const high = (await (await call("GET", "/v1/cases?severity=high", { token })).json()) as {
      data: Array<{ id: string }>;
    };
    expect(high.data.map((c) => c.id).sort()).toEqual([ids[1], ids[2]].sort());

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = (await (await call("GET", `/v1/cases?limit=2&sort=sla_due${q}`, { token })).json()) as {
        data: Array<{ id: string; sla_due_at: number }>;
        next_cursor: string | null;
      };
      seen.push(...page.data.map((c) => c.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids].sort());
  });
});

describe("merging", () => {
  it("closes the merged case and moves its alerts to the target", async () => {
    const { tenant, token, db } = await world();
    const posted = (await (
      await call("POST", "/v1/alerts", { token, body: makeDetectionFindings(3, 9) })
    ).json()) as {
      alerts: Array<{ id: string }>;
    };
    const [a, b, c] = posted.alerts.map((x) => x.id);
    const { body: source } = await openCase(token, { alert_ids: [a, b] });
    const { body: target } = await openCase(token, { alert_ids: [c] });

    const res = await command(token, source.id, 1, {
      type: "merge_into",
      target_case_id: target.id,
      reason: "same incident",
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as CaseBody).state).toBe("closed");
    await flush(tenant.id, source.id);

    const after = (await (await call("GET", `/v1/cases/${target.id}`, { token })).json()) as CaseBody;
    expect(after.alerts.map((x) => x.id).sort()).toEqual([a, b, c].sort());
    await flush(tenant.id, target.id);
    const owners = await db
      .prepare("SELECT DISTINCT case_id FROM alerts WHERE id IN (?, ?, ?)")
      .bind(a, b, c)
      .all();
    expect(owners.results).toEqual([{ case_id: target.id }]);
  });
});

describe("SLA status in the list", () => {
  it("filters on ok, warning and breached as of now", async () => {
    const { tenant, token } = await world();
    const { body: critical } = await openCase(token, { severity: "critical" });
    const { body: low } = await openCase(token, { severity: "low" });
    await flush(tenant.id, critical.id);
    await flush(tenant.id, low.id);
    // Outlives the clock jumps below.
    const reader = await tokenFor(tenant, { ttlSeconds: 7200 });
    const ids = async (status: string) => {
      const res = await call("GET", `/v1/cases?sla_status=${status}`, { token: reader });
      const body = (await res.json()) as { data: Array<{ id: string }> };
      expect(res.status, JSON.stringify(body)).toBe(200);
      return body.data.map((x) => x.id);
    };
    expect((await ids("ok")).sort()).toEqual([critical.id, low.id].sort());
    try {
      // Twelve minutes on: past the critical case's 75% warning, inside its 15-minute target.
      vi.useFakeTimers({ now: Date.now() + 12 * 60_000, toFake: ["Date"] });
      expect(await ids("warning")).toEqual([critical.id]);
      vi.setSystemTime(Date.now() + 10 * 60_000);
      expect(await ids("breached")).toEqual([critical.id]);
      expect(await ids("ok")).toEqual([low.id]);
    } finally {
      vi.useRealTimers();
    }
  });
});
