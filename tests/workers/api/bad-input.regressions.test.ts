// Each input a hostile-client probe once answered with a 500 (issue 11), through the real Worker:
// the exact status, a problem naming the field or parameter, and a tenant left byte-for-byte as it
// was. Decision 028 states the rules these hold.
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_FINDING_BYTES } from "../../../domain/input/limits.ts";
import { makeDetectionFinding, makeDetectionFindings } from "../../support/factories/findings.ts";
import { deliver, ocsfConnector } from "../../support/ingest.ts";
import { TenantFixtures } from "../../support/route-catalog.ts";
import { tenantStateDigest } from "../../support/tenant-state.ts";
import { call, createTenant, tenantDb } from "../../support/world.ts";

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: Array<{ field: string; message: string }>;
}

const LONE = ["\ud800", "x\udfffy"];

let w: TenantFixtures;
beforeAll(async () => {
  w = await TenantFixtures.create(await createTenant());
  // Something of everything, so "nothing changed" is checked against a tenant with data.
  for (const kind of ["case", "connector", "user", "client", "quarantined"] as const) await w.shared(kind);
});

/** Sends the request and checks the problem and that the tenant did not change. */
async function refused(
  send: () => Promise<Response>,
  status: number,
  code: string,
  field?: string,
): Promise<Problem> {
  const before = await tenantStateDigest(w.tenant);
  const res = await send();
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = (await res.json()) as Problem;
  expect({ status: res.status, code: body.code }).toEqual({ status, code });
  if (field !== undefined) expect(body.errors?.map((e) => e.field)).toContain(field);
  expect(await tenantStateDigest(w.tenant)).toBe(before);
  return body;
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call("POST", path, { token: w.setup, body, headers });

describe("lone surrogates are refused in every text field, naming it", () => {
  it("case reason, title and description on POST /v1/cases", async () => {
    for (const text of LONE) {
      await refused(
        () => post("/v1/cases", { title: "ok", severity: "low", reason: text }),
        422,
        "validation_failed",
        "reason",
      );
      await refused(
        () => post("/v1/cases", { title: text, severity: "low" }),
        422,
        "validation_failed",
        "title",
      );
    }
  });

  it("command reason and comment body on case commands", async () => {
    const id = await w.shared("case");
    for (const text of LONE) {
      const version = await w.caseVersion(id);
      await refused(
        () =>
          post(`/v1/cases/${id}/commands`, { type: "acknowledge", reason: text }, { "if-match": version }),
        422,
        "validation_failed",
        "reason",
      );
      await refused(
        () => post(`/v1/cases/${id}/commands`, { type: "comment", body: text }, { "if-match": version }),
        422,
        "validation_failed",
        "body",
      );
    }
  });

  it("connector, client and user names", async () => {
    const connector = await w.shared("connector");
    for (const text of LONE) {
      await refused(
        () => post("/v1/connectors", { kind: "ocsf", name: text }),
        422,
        "validation_failed",
        "name",
      );
      await refused(
        () => call("PATCH", `/v1/connectors/${connector}`, { token: w.setup, body: { name: text } }),
        422,
        "validation_failed",
        "name",
      );
      await refused(
        () => post("/v1/clients", { name: text, scopes: ["alerts:read"] }),
        422,
        "validation_failed",
        "name",
      );
      await refused(
        () =>
          post("/v1/users", { email: "someone@x.test", display_name: text, kind: "staff", role: "analyst" }),
        422,
        "validation_failed",
        "display_name",
      );
    }
  });

  it("a finding's fields on POST /v1/alerts, and object keys anywhere", async () => {
    const finding = makeDetectionFinding({ device: { uid: "x\udfffy" } } as never);
    await refused(
      () => post("/v1/alerts", [makeDetectionFinding(), finding]),
      422,
      "validation_failed",
      "[1].device.uid",
    );
    await refused(
      () => post("/v1/alerts", { ...makeDetectionFinding(), unmapped: { "k\ud800": 1 } }),
      422,
      "validation_failed",
      'unmapped."k\\ud800"',
    );
  });
});

describe("a poisoned finding never fails its delivery", () => {
  it("a signed delivery of 1,000 findings with one lone surrogate stores 999 and quarantines one", async () => {
    const c = await ocsfConnector();
    const findings = makeDetectionFindings(1000).map((f) => ({
      ...f,
      raw_data: undefined,
      message: undefined,
    }));
    const poisoned = findings[500] as (typeof findings)[number];
    findings[500] = { ...poisoned, device: { ...poisoned.device, uid: "host-\ud800" } } as typeof poisoned;
    const res = await deliver(c, JSON.stringify(findings), { settle: false });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 999, duplicates: 0, quarantined: 1, ignored: 0, intel: 0 });
    const db = tenantDb(c.tenant);
    expect(await db.prepare("SELECT count(*) AS n FROM alerts").first("n")).toBe(999);
    const held = await db
      .prepare("SELECT reason, payload FROM quarantine")
      .all<{ reason: string; payload: string }>();
    expect(held.results).toHaveLength(1);
    expect(held.results[0]?.reason).toMatch(/^device\.uid contains a lone UTF-16 surrogate/);
    expect(held.results[0]?.payload).toContain("host-\\ud800");
  });
});

describe("sizes", () => {
  it("a finding over the per-finding limit is 422 naming it; one just under is stored", async () => {
    const over = { ...makeDetectionFinding(), message: "a".repeat(MAX_FINDING_BYTES) };
    const body = await refused(
      () => post("/v1/alerts", [makeDetectionFinding(), over]),
      422,
      "validation_failed",
      "[1]",
    );
    expect(body.errors?.[0]?.message).toContain(`at most ${MAX_FINDING_BYTES} bytes`);
    const under = { ...makeDetectionFinding(), message: "a".repeat(MAX_FINDING_BYTES / 2 - 8_000) };
    expect((await post("/v1/alerts", under)).status).toBe(201);
  });

  it("a body over the cap is 413 on /v1 as on webhooks", async () => {
    const huge = { ...makeDetectionFinding(), message: "a".repeat(4 * 1024 * 1024) };
    await refused(() => post("/v1/alerts", huge), 413, "payload_too_large");
  });

  it("a finding over the limit sent by webhook is quarantined, and the rest of the delivery stored", async () => {
    const c = await ocsfConnector();
    const big = { ...makeDetectionFinding(), message: "b".repeat(MAX_FINDING_BYTES) };
    const res = await deliver(c, JSON.stringify([makeDetectionFinding(), big]), { settle: false });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 1, quarantined: 1 });
    const held = await tenantDb(c.tenant).prepare("SELECT reason FROM quarantine").first<string>("reason");
    expect(held).toContain(`at most ${MAX_FINDING_BYTES} bytes`);
  });

  it("alert lists leave out raw_data unless asked and stop before 1 MiB", async () => {
    const tenant = await createTenant();
    const f = await TenantFixtures.create(tenant);
    // Eight findings of about 240 KB each, 200 KB of it outside raw_data: over 1.6 MB without it.
    for (let i = 0; i < 8; i++) {
      const res = await call("POST", "/v1/alerts", {
        token: f.setup,
        body: { ...makeDetectionFinding(), message: "m".repeat(200_000), raw_data: "r".repeat(40_000) },
      });
      expect(res.status).toBe(201);
    }
    const first = await call("GET", "/v1/alerts?limit=200", { token: f.setup });
    const text = await first.text();
    const page = JSON.parse(text) as { data: Array<Record<string, unknown>>; next_cursor: string | null };
    expect(text.length).toBeLessThanOrEqual(1024 * 1024);
    expect(page.data.every((a) => !("raw_data" in a))).toBe(true);
    expect(page.next_cursor).not.toBeNull();

    const uidOf = (a: Record<string, unknown>) => (a.finding_info as { uid: string }).uid;
    const seen = new Set(page.data.map(uidOf));
    let cursor = page.next_cursor;
    let pages = 1;
    while (cursor) {
      const next = (await (
        await call("GET", `/v1/alerts?limit=200&include=raw_data&cursor=${encodeURIComponent(cursor)}`, {
          token: f.setup,
        })
      ).json()) as typeof page;
      for (const a of next.data) {
        expect(a.raw_data).toBe("r".repeat(40_000));
        seen.add(uidOf(a));
      }
      cursor = next.next_cursor;
      pages++;
    }
    expect({ alerts: seen.size, morePagesThanOne: pages > 1 }).toEqual({ alerts: 8, morePagesThanOne: true });
  });
});

describe("query numbers are decimal integers in range, else 400 naming the parameter", () => {
  const cases: Array<[string, string]> = [
    ["/v1/alerts?limit=0x10", "limit"],
    ["/v1/alerts?limit=1e2", "limit"],
    ["/v1/alerts?limit=", "limit"],
    ["/v1/alerts?limit=-1", "limit"],
    ["/v1/alerts?limit=%2010", "limit"],
    ["/v1/alerts?time_to=", "time_to"],
    ["/v1/alerts?time_from=1.5", "time_from"],
    ["/v1/alerts?status_id=", "status_id"],
    ["/v1/alerts?severity_id=99999999999999999999", "severity_id"],
    ["/v1/cases?updated_since=", "updated_since"],
    ["/v1/cases?limit=Infinity", "limit"],
    ["/v1/users?limit=0", "limit"],
    ["/v1/quarantine?limit=1e1", "limit"],
    ["/v1/assets?limit=+5", "limit"],
    ["/v1/audit?limit=0b1", "limit"],
  ];
  it.each(cases)("%s", async (path, field) => {
    await refused(() => call("GET", path, { token: w.setup }), 400, "invalid_parameter", field);
  });

  it("a well-formed number still works", async () => {
    expect((await call("GET", "/v1/alerts?limit=10&time_from=0", { token: w.setup })).status).toBe(200);
  });
});

describe("smaller things", () => {
  it("a charset other than UTF-8 is 415 on /v1 and on webhooks", async () => {
    for (const charset of ["utf-16", "iso-8859-1", '"UTF-16LE"']) {
      await refused(
        () =>
          call("POST", "/v1/cases", {
            token: w.setup,
            rawBody: JSON.stringify({ title: "t", severity: "low" }),
            headers: { "content-type": `application/json; charset=${charset}` },
          }),
        415,
        "unsupported_media_type",
        "content-type",
      );
    }
    expect(
      (
        await post(
          "/v1/cases",
          { title: "utf-8 is fine", severity: "low" },
          {
            "content-type": "application/json; charset=UTF-8",
          },
        )
      ).status,
    ).toBe(201);
    const c = await ocsfConnector(w.tenant);
    await refused(
      () =>
        deliver(c, JSON.stringify(makeDetectionFinding()), {
          headers: { "content-type": "application/json; charset=utf-16" },
        }),
      415,
      "unsupported_media_type",
      "content-type",
    );
  });

  it("a compressed webhook is 415 naming the encoding, not a signature failure", async () => {
    const c = await ocsfConnector(w.tenant);
    const body = await refused(
      () => deliver(c, JSON.stringify(makeDetectionFinding()), { headers: { "content-encoding": "gzip" } }),
      415,
      "unsupported_media_type",
      "content-encoding",
    );
    expect(body.detail).toContain("gzip");
  });

  it("a webhook-id over 256 characters is 400 and not stored", async () => {
    const c = await ocsfConnector(w.tenant);
    await refused(
      () => deliver(c, JSON.stringify(makeDetectionFinding()), { id: "m".repeat(10_000), settle: false }),
      400,
      "bad_request",
      "webhook-id",
    );
    expect(
      (await deliver(c, JSON.stringify(makeDetectionFinding()), { id: "m".repeat(256), settle: false }))
        .status,
    ).toBe(202);
  });

  it("times before 1970 or more than a day ahead are refused, naming the field", async () => {
    await refused(
      () => post("/v1/alerts", { ...makeDetectionFinding(), time: -1 }),
      422,
      "validation_failed",
      "time",
    );
    await refused(
      () => post("/v1/alerts", { ...makeDetectionFinding(), end_time: Date.now() + 3 * 86_400_000 }),
      422,
      "validation_failed",
      "end_time",
    );
    await refused(
      () => post("/v1/alerts", [makeDetectionFinding(), { ...makeDetectionFinding(), time: 99_999_999_999 }]),
      422,
      "validation_failed",
      "[1].time",
    );
  });

  it("connector configuration is strict per kind: an unknown key is 422 naming it", async () => {
    const connector = await w.shared("connector");
    await refused(
      () => post("/v1/connectors", { kind: "ocsf", name: "n", config: { apiKey: "s3cret" } }),
      422,
      "validation_failed",
      "config.apiKey",
    );
    await refused(
      () =>
        call("PATCH", `/v1/connectors/${connector}`, { token: w.setup, body: { config: { password: "x" } } }),
      422,
      "validation_failed",
      "config.password",
    );
    await refused(
      () => post("/v1/connectors", { kind: "cisco-xdr", name: "n", config: { token: "x" } }),
      422,
      "validation_failed",
      "config.token",
    );
  });

  it("duplicate JSON keys: the last one wins, and the raw body keeps both", async () => {
    const finding = makeDetectionFinding({ severity_id: 2 } as never);
    const { raw_data: _raw, ...withoutRaw } = finding as typeof finding & { raw_data?: string };
    const text = JSON.stringify(withoutRaw).replace('"severity_id":2', '"severity_id":2,"severity_id":5');
    expect(text).toContain('"severity_id":2,"severity_id":5');
    const res = await call("POST", "/v1/alerts", {
      token: w.setup,
      rawBody: text,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(201);
    const { alerts } = (await res.json()) as { alerts: Array<{ id: string }> };
    const stored = (await (await call("GET", `/v1/alerts/${alerts[0]?.id}`, { token: w.setup })).json()) as {
      severity_id: number;
    };
    expect(stored.severity_id).toBe(5);
  });
});
