// Bulk commands and bulk alert review: each item is the single command it names, with its own
// version check, permission and outcome; a retry with the same Idempotency-Key repeats nothing.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sessionCaller } from "../../support/callers.ts";
import { makeDetectionFindings } from "../../support/factories/findings.ts";
import { tenantStateDigest } from "../../support/tenant-state.ts";
import { call, createTenant, tokenFor } from "../../support/world.ts";

interface Item {
  index: number;
  case_id: string | null;
  alert_id?: string;
  status: number;
  replayed?: boolean;
  case?: { id: string; version: number; state: string; severity: string };
  problem?: { status: number; code: string; detail: string; errors?: Array<{ field: string }> };
}
interface Result {
  succeeded: number;
  failed: number;
  results: Item[];
}

async function world() {
  const tenant = await createTenant();
  return { tenant, token: await tokenFor(tenant) };
}

async function openCases(token: string, n: number, alertIds: string[][] = []): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await call("POST", "/v1/cases", {
      token,
      body: { title: `Bulk ${i}`, severity: "medium", ...(alertIds[i] ? { alert_ids: alertIds[i] } : {}) },
    });
    expect(res.status).toBe(201);
    ids.push(((await res.json()) as { id: string }).id);
  }
  return ids;
}

async function bulk(token: string, commands: unknown[], headers: Record<string, string> = {}) {
  return call("POST", "/v1/cases/bulk-commands", { token, body: { commands }, headers });
}

async function stateOf(token: string, id: string) {
  const res = await call("GET", `/v1/cases/${id}`, { token });
  return (await res.json()) as {
    state: string;
    version: number;
    alerts: Array<{ id: string; reviewed: boolean }>;
  };
}

describe("POST /v1/cases/bulk-commands", () => {
  it("runs each command on its case and answers one outcome per item, in order", async () => {
    const { token } = await world();
    const [a, b, c] = await openCases(token, 3);
    const res = await bulk(token, [
      { case_id: a, if_match: 1, command: { type: "acknowledge" } },
      { case_id: b, if_match: 1, command: { type: "assign", assignee: "analyst@soc.test" } },
      // Two commands on one case: the second acts on the version the first produced.
      { case_id: a, if_match: 2, command: { type: "start" } },
      { case_id: c, if_match: 1, command: { type: "change_priority", priority: "P1" } },
    ]);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Result;
    expect(body).toMatchObject({ succeeded: 4, failed: 0 });
    expect(body.results.map((r) => [r.index, r.case_id, r.status, r.case?.version, r.case?.state])).toEqual([
      [0, a, 200, 2, "acknowledged"],
      [1, b, 200, 2, "new"],
      [2, a, 200, 3, "in_progress"],
      [3, c, 200, 2, "new"],
    ]);
    expect((await stateOf(token, a ?? "")).state).toBe("in_progress");
  });

  it("refuses an item on its own: a stale version is 412, a wrong state 409, another tenant's case 404", async () => {
    const { token } = await world();
    const other = await world();
    const [foreign] = await openCases(other.token, 1);
    const [a, b, c] = await openCases(token, 3);
    const res = await bulk(token, [
      { case_id: a, if_match: 7, command: { type: "acknowledge" } },
      { case_id: b, if_match: 1, command: { type: "close" } },
      { case_id: foreign, if_match: 1, command: { type: "acknowledge" } },
      { case_id: c, if_match: 1, command: { type: "acknowledge" } },
    ]);
    const body = (await res.json()) as Result;
    expect(body).toMatchObject({ succeeded: 1, failed: 3 });
    expect(body.results.map((r) => [r.status, r.problem?.code])).toEqual([
      [412, "precondition_failed"],
      [409, "invalid_transition"],
      [404, "not_found"],
      [200, undefined],
    ]);
    // The refused items changed nothing; the other tenant's case is untouched.
    expect(await stateOf(token, a ?? "")).toMatchObject({ state: "new", version: 1 });
    expect(await stateOf(token, b ?? "")).toMatchObject({ state: "new", version: 1 });
    expect(await stateOf(other.token, foreign ?? "")).toMatchObject({ state: "new", version: 1 });
  });

  it("checks each item's permission: an analyst's close is 403 while the acknowledge beside it runs", async () => {
    const { tenant, token } = await world();
    const [a, b] = await openCases(token, 2);
    const analyst = await sessionCaller(tenant, "analyst");
    const res = await analyst.send({
      method: "POST",
      path: "/v1/cases/bulk-commands",
      body: {
        commands: [
          { case_id: a, if_match: 1, command: { type: "acknowledge" } },
          { case_id: b, if_match: 1, command: { type: "close" } },
        ],
      },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Result;
    expect(body.results.map((r) => [r.status, r.problem?.code])).toEqual([
      [200, undefined],
      [403, "forbidden"],
    ]);
  });

  it("replays every item on a retry with the same Idempotency-Key, and runs only the ones that had not happened", async () => {
    const { token } = await world();
    const [a, b] = await openCases(token, 2);
    const first = (await (
      await bulk(token, [{ case_id: a, if_match: 1, command: { type: "acknowledge" } }], {
        "idempotency-key": "bulk-retry-1",
      })
    ).json()) as Result;
    expect(first.results[0]).toMatchObject({ status: 200, replayed: false, case: { version: 2 } });

    // The retry carries the same first item (it happened) and a second one (it did not).
    const commands = [
      { case_id: a, if_match: 1, command: { type: "acknowledge" } },
      { case_id: b, if_match: 1, command: { type: "acknowledge" } },
    ];
    const retried = (await (
      await bulk(token, commands, { "idempotency-key": "bulk-retry-1" })
    ).json()) as Result;
    expect(retried.results.map((r) => [r.status, r.replayed, r.case?.version])).toEqual([
      [200, true, 2],
      [200, false, 2],
    ]);
    const again = (await (
      await bulk(token, commands, { "idempotency-key": "bulk-retry-1" })
    ).json()) as Result;
    expect(again.results.map((r) => r.replayed)).toEqual([true, true]);
    expect(await stateOf(token, a ?? "")).toMatchObject({ version: 2 });

    // The same key with a different item at a position already used is refused for that item.
    const changed = (await (
      await bulk(token, [{ case_id: a, if_match: 2, command: { type: "start" } }], {
        "idempotency-key": "bulk-retry-1",
      })
    ).json()) as Result;
    expect(changed.results[0]).toMatchObject({ status: 422, problem: { code: "idempotency_key_reused" } });
  });

  it("refuses a malformed request whole with 422 naming the field, changing nothing", async () => {
    const { tenant, token } = await world();
    const [a] = await openCases(token, 1);
    const before = await tenantStateDigest(tenant);
    const item = { case_id: a, if_match: 1, command: { type: "acknowledge" } };
    const cases: Array<[unknown, string]> = [
      [{ commands: [] }, "commands"],
      [{ commands: Array.from({ length: 101 }, () => item) }, "commands"],
      [{ commands: [{ case_id: a, command: { type: "acknowledge" } }] }, "commands[0].if_match"],
      [{ commands: [{ ...item, if_match: "1" }] }, "commands[0].if_match"],
      [{ commands: [{ ...item, command: { type: "explode" } }] }, "commands[0].command.type"],
      [{ commands: [{ ...item, case_id: "alrt_1" }] }, "commands[0].case_id"],
      [{ commands: [item], extra: true }, "extra"],
    ];
    for (const [body, field] of cases) {
      const res = await call("POST", "/v1/cases/bulk-commands", { token, body });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(422);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const problem = (await res.json()) as { errors: Array<{ field: string }> };
      expect(problem.errors.map((e) => e.field)).toContain(field);
    }
    expect(await tenantStateDigest(tenant)).toBe(before);
  });
});

describe("POST /v1/alerts/bulk-review", () => {
  it("marks alerts reviewed on their cases; an unknown alert is 404 and one outside any case 409", async () => {
    const { tenant, token } = await world();
    const posted = (await (
      await call("POST", "/v1/alerts", { token, body: makeDetectionFindings(3, 41) })
    ).json()) as { alerts: Array<{ id: string }> };
    const [x, y, loose] = posted.alerts.map((a) => a.id);
    const [caseId] = await openCases(token, 1, [[x ?? "", y ?? ""]]);
    // The alerts learn their case from the case object's projection, which lands after the reply.
    await env.CASES.getByName(`${tenant.id}:${caseId}`).flush();
    const other = await world();
    const foreign = (await (
      await call("POST", "/v1/alerts", { token: other.token, body: makeDetectionFindings(1, 42) })
    ).json()) as { alerts: Array<{ id: string }> };

    const review = () =>
      call("POST", "/v1/alerts/bulk-review", {
        token,
        body: { alert_ids: [x, loose, foreign.alerts[0]?.id, y], reason: "seen in the console" },
        headers: { "idempotency-key": "review-1" },
      });
    const res = await review();
    expect(res.status).toBe(200);
    const body = (await res.json()) as Result;
    expect(body.results.map((r) => [r.alert_id, r.case_id, r.status, r.replayed])).toEqual([
      [x, caseId, 200, false],
      [loose, null, 409, undefined],
      [foreign.alerts[0]?.id, null, 404, undefined],
      [y, caseId, 200, false],
    ]);
    const read = await stateOf(token, caseId ?? "");
    expect(read.alerts.every((a) => a.reviewed)).toBe(true);
    expect(read.version).toBe(3);

    // A retry with the same key repeats no review: both answer as they did, the version stays.
    const retried = (await (await review()).json()) as Result;
    expect(retried.results.map((r) => [r.status, r.replayed])).toEqual([
      [200, true],
      [409, undefined],
      [404, undefined],
      [200, true],
    ]);
    expect((await stateOf(token, caseId ?? "")).version).toBe(3);
  });

  it("refuses more than 100 ids, or none, with 422", async () => {
    const { token } = await world();
    for (const alert_ids of [[], Array.from({ length: 101 }, () => "alrt_01jv0000000000000000000000")]) {
      const res = await call("POST", "/v1/alerts/bulk-review", { token, body: { alert_ids } });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { errors: Array<{ field: string }> }).errors[0]?.field).toBe("alert_ids");
    }
  });
});
