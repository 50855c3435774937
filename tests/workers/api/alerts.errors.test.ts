import { describe, expect, it } from "vitest";
import { makeDetectionFinding, makeDetectionFindings } from "../../support/factories/findings.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: Array<{ field: string; message: string }>;
}

async function expectProblem(res: Response, status: number, code: string): Promise<ProblemBody> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = (await res.json()) as ProblemBody;
  expect(body).toMatchObject({ status, code });
  expect(body.type).toBe(`/problems/${code.replaceAll("_", "-")}`);
  return body;
}

async function alertCount(db: D1Database): Promise<number> {
  return (await db.prepare("SELECT count(*) AS n FROM alerts").first<{ n: number }>())?.n ?? -1;
}

async function world() {
  const tenant = await createTenant();
  const token = await tokenFor(tenant);
  const db = tenantDb(tenant);
  // Something already stored, so "changes nothing" is checked against a non-empty table.
  await call("POST", "/v1/alerts", { token, body: makeDetectionFinding() });
  return { tenant, token, db, before: await alertCount(db) };
}

describe("POST /v1/alerts rejects bad input and changes nothing", () => {
  it("malformed JSON is a 400", async () => {
    const { token, db, before } = await world();
    const res = await call("POST", "/v1/alerts", {
      token,
      rawBody: '{"class_uid": 2004,',
      headers: { "content-type": "application/json" },
    });
    await expectProblem(res, 400, "invalid_json");
    expect(await alertCount(db)).toBe(before);
  });

  it("a missing required attribute is a 422 naming the field", async () => {
    const { token, db, before } = await world();
    const finding = makeDetectionFinding();
    const { uid: _uid, ...withoutUid } = finding.finding_info;
    const body = await expectProblem(
      await call("POST", "/v1/alerts", { token, body: { ...finding, finding_info: withoutUid } }),
      422,
      "validation_failed",
    );
    expect(body.errors?.map((e) => e.field)).toContain("finding_info.uid");
    expect(await alertCount(db)).toBe(before);
  });

  it("one bad item in an array rejects the whole array and names the item", async () => {
    const { token, db, before } = await world();
    const findings: unknown[] = makeDetectionFindings(5);
    findings[3] = { ...(findings[3] as object), class_uid: 3001 };
    const body = await expectProblem(
      await call("POST", "/v1/alerts", { token, body: findings }),
      422,
      "validation_failed",
    );
    expect(body.errors?.map((e) => e.field)).toContain("[3].class_uid");
    expect(await alertCount(db)).toBe(before);
  });

  it("wrong types are named: time as a string, severity outside the enum", async () => {
    const { token, db, before } = await world();
    const body = await expectProblem(
      await call("POST", "/v1/alerts", {
        token,
        body: makeDetectionFinding({ time: "yesterday" as never, severity_id: 42 }),
      }),
      422,
      "validation_failed",
    );
    expect(body.errors?.map((e) => e.field)).toEqual(expect.arrayContaining(["time", "severity_id"]));
    expect(await alertCount(db)).toBe(before);
  });

  it("an empty array, a scalar and more than 1,000 findings are refused", async () => {
    const { token, db, before } = await world();
    await expectProblem(await call("POST", "/v1/alerts", { token, body: [] }), 422, "validation_failed");
    await expectProblem(await call("POST", "/v1/alerts", { token, body: 42 }), 422, "validation_failed");
    const tooMany = Array.from({ length: 1001 }, () => ({}));
    const body = await expectProblem(
      await call("POST", "/v1/alerts", { token, body: tooMany }),
      422,
      "validation_failed",
    );
    expect(body.detail).toContain("1000");
    expect(await alertCount(db)).toBe(before);
  });

  it("a body that is not JSON is a 415", async () => {
    const { token, db, before } = await world();
    const res = await call("POST", "/v1/alerts", {
      token,
      rawBody: JSON.stringify(makeDetectionFinding()),
      headers: { "content-type": "text/plain" },
    });
    await expectProblem(res, 415, "unsupported_media_type");
    expect(await alertCount(db)).toBe(before);
  });

  it("a body over the size cap is a 413", async () => {
    const { token, db, before } = await world();
    const huge = JSON.stringify({ ...makeDetectionFinding(), padding: "x".repeat(11 * 1024 * 1024) });
    const res = await call("POST", "/v1/alerts", {
      token,
      rawBody: huge,
      headers: { "content-type": "application/json" },
    });
    await expectProblem(res, 413, "payload_too_large");
    expect(await alertCount(db)).toBe(before);
  });

  it("an Idempotency-Key reused for a different body is a 422 and stores nothing", async () => {
    const { token, db, before } = await world();
    const headers = { "idempotency-key": "k-1" };
    expect((await call("POST", "/v1/alerts", { token, body: makeDetectionFinding(), headers })).status).toBe(
      201,
    );
    const res = await call("POST", "/v1/alerts", { token, body: makeDetectionFinding(), headers });
    const body = await expectProblem(res, 422, "idempotency_key_reused");
    expect(body.errors?.[0]?.field).toBe("Idempotency-Key");
    expect(await alertCount(db)).toBe(before + 1);
  });
});

describe("GET /v1/alerts validation", () => {
  it("refuses a page size over 200, naming limit", async () => {
    const { token } = await world();
    const body = await expectProblem(
      await call("GET", "/v1/alerts?limit=500", { token }),
      400,
      "invalid_parameter",
    );
    expect(body.errors?.map((e) => e.field)).toEqual(["limit"]);
  });

  it("refuses an in_case that is not true or false, and an empty product_name, naming each", async () => {
    const { token } = await world();
    for (const [query, field] of [
      ["in_case=maybe", "in_case"],
      ["product_name=", "product_name"],
    ] as const) {
      const body = await expectProblem(
        await call("GET", `/v1/alerts?${query}`, { token }),
        400,
        "invalid_parameter",
      );
      expect(body.errors?.map((e) => e.field)).toEqual([field]);
    }
  });

  it("refuses a forged cursor and a cursor reused with other filters", async () => {
    const { token } = await world();
    await call("POST", "/v1/alerts", { token, body: makeDetectionFindings(3) });
    const forged = await expectProblem(
      await call("GET", "/v1/alerts?cursor=not-a-cursor", { token }),
      400,
      "invalid_parameter",
    );
    expect(forged.errors?.[0]?.field).toBe("cursor");

    const page = (await (await call("GET", "/v1/alerts?limit=1", { token })).json()) as {
      next_cursor: string;
    };
    expect(page.next_cursor).toBeTruthy();
    const res = await call(
      "GET",
      `/v1/alerts?limit=1&severity_id=1&cursor=${encodeURIComponent(page.next_cursor)}`,
      { token },
    );
    const reused = await expectProblem(res, 400, "invalid_parameter");
    expect(reused.detail).toContain("different filters");
  });

  it("refuses a malformed alert id with 422 and an unknown one with 404", async () => {
    const { token } = await world();
    await expectProblem(await call("GET", "/v1/alerts/nope", { token }), 422, "validation_failed");
    await expectProblem(
      await call("GET", "/v1/alerts/alrt_01jzzzzzzzzzzzzzzzzzzzzzzz", { token }),
      404,
      "not_found",
    );
  });
});

describe("the full OCSF schema", () => {
  it("a finding Phoenix could not serve back as valid OCSF is refused, naming the nested field", async () => {
    const { token, db, before } = await world();
    const finding = makeDetectionFinding({}, 61) as Record<string, unknown>;
    // Valid at the top level, but an evidence file without the type_id OCSF requires.
    finding.evidences = [{ file: { name: "a.exe" } }];
    const body = await expectProblem(
      await call("POST", "/v1/alerts", { token, body: finding }),
      422,
      "validation_failed",
    );
    expect(body.errors).toContainEqual({
      field: "evidences[0].file.type_id",
      message: "is required by the OCSF schema",
    });
    expect(await alertCount(db)).toBe(before);
  });
});
