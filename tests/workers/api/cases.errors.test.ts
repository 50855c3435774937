// Bad input, wrong state, stale versions and other tenants: each answered with problem+json,
// and none of them changes the case.
import { describe, expect, it } from "vitest";
import { call, createTenant, tokenFor } from "../../support/world.ts";

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: Array<{ field: string }>;
}

async function expectProblem(res: Response, status: number, code: string): Promise<Problem> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = (await res.json()) as Problem;
  expect(body.code).toBe(code);
  return body;
}

async function world() {
  const tenant = await createTenant();
  const token = await tokenFor(tenant);
  const res = await call("POST", "/v1/cases", {
    token,
    body: { title: "Beaconing host", severity: "medium" },
  });
  const { id } = (await res.json()) as { id: string };
  return { tenant, token, id };
}

async function versionOf(token: string, id: string): Promise<number> {
  return ((await (await call("GET", `/v1/cases/${id}`, { token })).json()) as { version: number }).version;
}

const command = (token: string, id: string, body: unknown, ifMatch: string | null = '"1"') =>
  call("POST", `/v1/cases/${id}/commands`, {
    token,
    body,
    headers: ifMatch === null ? {} : { "if-match": ifMatch },
  });

describe("validation", () => {
  it("POST /v1/cases names the invalid fields", async () => {
    const { token } = await world();
    const body = await expectProblem(
      await call("POST", "/v1/cases", { token, body: { title: "", severity: "apocalyptic", extra: 1 } }),
      422,
      "validation_failed",
    );
    expect(body.errors?.map((e) => e.field)).toEqual(expect.arrayContaining(["title", "severity"]));
  });

  it("a command with missing or wrong arguments is 422 and changes nothing", async () => {
    const { token, id } = await world();
    const noResolution = await expectProblem(
      await command(token, id, { type: "resolve" }),
      422,
      "validation_failed",
    );
    expect(noResolution.errors?.map((e) => e.field)).toContain("resolution");
    await expectProblem(await command(token, id, { type: "teleport" }), 422, "validation_failed");
    const noReason = await expectProblem(
      await command(token, id, { type: "escalate", tier: "L2" }),
      422,
      "validation_failed",
    );
    expect(noReason.errors?.map((e) => e.field)).toContain("reason");
    expect(await versionOf(token, id)).toBe(1);
  });

  it("malformed JSON is 400 and a non-JSON body 415", async () => {
    const { token, id } = await world();
    const bad = await call("POST", `/v1/cases/${id}/commands`, {
      token,
      rawBody: "{",
      headers: { "content-type": "application/json", "if-match": '"1"' },
    });
    await expectProblem(bad, 400, "invalid_json");
    const text = await call("POST", `/v1/cases/${id}/commands`, {
      token,
      rawBody: "acknowledge",
      headers: { "content-type": "text/plain", "if-match": '"1"' },
    });
    await expectProblem(text, 415, "unsupported_media_type");
    expect(await versionOf(token, id)).toBe(1);
  });

  it("a malformed case id is 422", async () => {
    const { token } = await world();
    await expectProblem(await call("GET", "/v1/cases/not-a-case", { token }), 422, "validation_failed");
  });
});

describe("versions", () => {
  it("a command without If-Match is 428, with a stale one 412, and neither changes the case", async () => {
    const { token, id } = await world();
    const missing = await expectProblem(
      await command(token, id, { type: "acknowledge" }, null),
      428,
      "precondition_required",
    );
    expect(missing.errors?.[0]?.field).toBe("If-Match");
    expect((await command(token, id, { type: "acknowledge" })).status).toBe(200);
    const stale = await expectProblem(
      await command(token, id, { type: "start" }, '"1"'),
      412,
      "precondition_failed",
    );
    expect(stale.detail).toContain("version 2");
    expect(await versionOf(token, id)).toBe(2);
  });
});

describe("wrong state", () => {
  it("a command the state does not allow is 409 naming the state and the command", async () => {
    const { token, id } = await world();
    const body = await expectProblem(await command(token, id, { type: "close" }), 409, "invalid_transition");
    expect(body.detail).toContain("close");
    expect(body.detail).toContain("new");
    expect(await versionOf(token, id)).toBe(1);
  });

  it("closing with unreviewed alerts or without a resolution is refused", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const alert = (await (
      await call("POST", "/v1/alerts", {
        token,
        body: {
          class_uid: 2004,
          category_uid: 2,
          activity_id: 1,
          type_uid: 200401,
          severity_id: 3,
          time: Date.now(),
          finding_info: { uid: crypto.randomUUID(), title: "t" },
          metadata: { product: { name: "p", vendor_name: "v" }, version: "1.8.0" },
        },
      })
    ).json()) as { alerts: Array<{ id: string }> };
    const opened = (await (
      await call("POST", "/v1/cases", {
        token,
        body: { title: "x", severity: "low", alert_ids: [alert.alerts[0]?.id] },
      })
    ).json()) as { id: string };
    let v = 1;
    for (const cmd of [{ type: "start" }, { type: "resolve", resolution: "false_positive" }]) {
      expect((await command(token, opened.id, cmd, `"${v}"`)).status).toBe(200);
      v++;
    }
    const blocked = await expectProblem(
      await command(token, opened.id, { type: "close" }, `"${v}"`),
      409,
      "closure_blocked",
    );
    expect(blocked.detail).toMatch(/review/i);
  });
});

describe("other tenants", () => {
  it("another tenant's case is 404 on every route", async () => {
    const { id } = await world();
    const other = await createTenant();
    const token = await tokenFor(other);
    await expectProblem(await call("GET", `/v1/cases/${id}`, { token }), 404, "not_found");
    await expectProblem(await call("GET", `/v1/cases/${id}/audit`, { token }), 404, "not_found");
    await expectProblem(await command(token, id, { type: "acknowledge" }), 404, "not_found");
    const list = (await (await call("GET", "/v1/cases", { token })).json()) as { data: unknown[] };
    expect(list.data).toEqual([]);
  });
});

describe("scopes", () => {
  it("cases:read cannot change a case, and alerts scopes cannot read one", async () => {
    const { tenant, id } = await world();
    const reader = await tokenFor(tenant, { scopes: ["cases:read"] });
    expect((await command(reader, id, { type: "acknowledge" })).status).toBe(403);
    const alertsOnly = await tokenFor(tenant, { scopes: ["alerts:read"] });
    expect((await call("GET", `/v1/cases/${id}`, { token: alertsOnly })).status).toBe(403);
    expect((await call("GET", "/v1/cases", { token: alertsOnly })).status).toBe(403);
  });
});

describe("more validation", () => {
  it("list filters and the audit and live routes name bad parameters", async () => {
    const { token } = await world();
    const list = await expectProblem(
      await call("GET", "/v1/cases?sla_status=late&sort=random", { token }),
      400,
      "invalid_parameter",
    );
    expect(list.errors?.map((e) => e.field).sort()).toEqual(["sla_status", "sort"]);
    await expectProblem(await call("GET", "/v1/cases/nope/audit", { token }), 422, "validation_failed");
    await expectProblem(
      await call("GET", "/v1/cases/nope/live", { token, headers: { upgrade: "websocket" } }),
      422,
      "validation_failed",
    );
  });

  it("merging into a case that does not exist is 404 naming target_case_id", async () => {
    const { token, id } = await world();
    const body = await expectProblem(
      await command(token, id, { type: "merge_into", target_case_id: "case_01jz0000000000000000000000" }),
      404,
      "not_found",
    );
    expect(body.errors?.[0]?.field).toBe("target_case_id");
  });
});

describe("Idempotency-Key on case POSTs", () => {
  it("the same key with a different body is 422, on create and on commands", async () => {
    const { token, id } = await world();
    const headers = { "idempotency-key": "k-1" };
    expect(
      (await call("POST", "/v1/cases", { token, body: { title: "a", severity: "low" }, headers })).status,
    ).toBe(201);
    await expectProblem(
      await call("POST", "/v1/cases", { token, body: { title: "b", severity: "low" }, headers }),
      422,
      "idempotency_key_reused",
    );
    const cmdHeaders = { "if-match": '"1"', "idempotency-key": "k-2" };
    const first = await call("POST", `/v1/cases/${id}/commands`, {
      token,
      body: { type: "acknowledge" },
      headers: cmdHeaders,
    });
    expect(first.status).toBe(200);
    const other = await call("POST", `/v1/cases/${id}/commands`, {
      token,
      body: { type: "assign", assignee: "x" },
      headers: cmdHeaders,
    });
    await expectProblem(other, 422, "idempotency_key_reused");
    expect(await versionOf(token, id)).toBe(2);
  });

  it("a key whose first request is still in progress is 409", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant, { subject: "slow-client" });
    const { testEnv } = await import("../../support/test-env.ts");
    const { requestHash } = await import("../../../domain/idempotency.ts");
    const body = { title: "in flight", severity: "low" };
    // The first request claimed the key and has not finished.
    await (testEnv()[tenant.d1Binding] as D1Database)
      .prepare(
        "INSERT INTO idempotency_records (principal, key, request_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
      )
      .bind(
        `${testEnv().PHOENIX_ISSUER}|slow-client`,
        "k-busy",
        await requestHash("POST", "/v1/cases", JSON.stringify(body)),
        Date.now(),
        Date.now() + 60_000,
      )
      .run();
    const res = await call("POST", "/v1/cases", { token, body, headers: { "idempotency-key": "k-busy" } });
    await expectProblem(res, 409, "idempotency_in_progress");
    expect(res.headers.get("retry-after")).toBe("1");
  });
});

describe("linked alerts belong to the tenant", () => {
  it("another tenant's alert id cannot be linked, at creation or later", async () => {
    const { token, id } = await world();
    const other = await createTenant();
    const otherToken = await tokenFor(other);
    const { makeDetectionFinding } = await import("../../support/factories/findings.ts");
    const foreign = (
      (await (
        await call("POST", "/v1/alerts", { token: otherToken, body: makeDetectionFinding() })
      ).json()) as {
        alerts: Array<{ id: string }>;
      }
    ).alerts[0]?.id;

    const create = await expectProblem(
      await call("POST", "/v1/cases", { token, body: { title: "x", severity: "low", alert_ids: [foreign] } }),
      404,
      "not_found",
    );
    expect(create.errors?.[0]?.field).toBe("alert_ids");
    const link = await expectProblem(
      await command(token, id, { type: "link_alert", alert_id: foreign }),
      404,
      "not_found",
    );
    expect(link.errors?.[0]?.field).toBe("alert_id");
    expect(await versionOf(token, id)).toBe(1);
  });
});
