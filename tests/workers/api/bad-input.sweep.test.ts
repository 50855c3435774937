// The bad-input sweep (decision 028): generated hostile input aimed at every /v1 operation in the
// route catalog and at the ingest route. It covers lone surrogates, NUL, RTL overrides, huge strings,
// deep nesting, numbers past 2^53, wrong types, wrong content types and codings, and loose query
// numbers. Every answer must be below 500. Every 4xx must be problem+json. A rejected request must
// leave the tenant byte-for-byte as it was. It prints what it tried, so an empty run shows.
import { describe, expect, it } from "vitest";
import { makeDetectionFinding } from "../../support/factories/findings.ts";
import { correlationSettled, ocsfConnector, signedHeaders } from "../../support/ingest.ts";
import { type Probe, ROUTES, TenantFixtures } from "../../support/route-catalog.ts";
import { settledState, stateDifference, tenantStateTables } from "../../support/tenant-state.ts";
import { call, createTenant } from "../../support/world.ts";

// Stands for a number literal JSON.stringify cannot write: the raw text replaces it after encoding.
const BEYOND_2_53 = "__beyond_2^53__";
const BEYOND_2_53_LITERAL = "123456789012345678901234567890";

function nested(depth: number): unknown {
  let v: unknown = "bottom";
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { d: v };
  return v;
}

const TEXTS = [
  "\ud800",
  "x\udfffy",
  "\udbff\ud800",
  "\u0000",
  "nul\u0000inside",
  "\u202eevil\u202c.exe",
  "x".repeat(70_000),
  "",
  "   ",
];
const VALUES: unknown[] = [
  ...TEXTS,
  BEYOND_2_53,
  -1,
  1e308,
  0.5,
  true,
  null,
  [],
  {},
  { $gt: "" },
  ["\ud800"],
  nested(100),
];
const QUERY_VALUES = [
  "",
  "0x10",
  "1e2",
  "-1",
  "1.5",
  "99999999999999999999",
  "NaN",
  "%00",
  "%ED%A0%80",
  "%E2%80%AE",
  "x".repeat(5000),
];
const RAW_BODIES = [
  "",
  "null",
  "[]",
  '"just a string"',
  "{",
  "{}}",
  "\ufeff{}",
  '{"a":1,"a":2}',
  "[".repeat(20_000) + "]".repeat(20_000),
  `${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`,
  "\u0000",
  '{"x":"\\ud800"}',
  `{"n":${BEYOND_2_53_LITERAL}}`,
];
const CONTENT_HEADERS: Array<Record<string, string>> = [
  { "content-type": "text/plain" },
  { "content-type": "application/json; charset=utf-16" },
  { "content-type": "application/json; charset=latin1" },
  { "content-type": "application/x-www-form-urlencoded" },
  { "content-type": "multipart/form-data; boundary=x" },
  { "content-type": "application/json", "content-encoding": "gzip" },
  { "content-type": "application/json", "content-encoding": "br" },
];

function encode(body: unknown): string {
  return JSON.stringify(body).replaceAll(`"${BEYOND_2_53}"`, BEYOND_2_53_LITERAL);
}

interface Attempt {
  label: string;
  method: string;
  path: string;
  rawBody?: string;
  headers: Record<string, string>;
}

/** Every mutation of one valid probe: its body's fields, the whole body, its headers, query and path. */
function mutationsOf(label: string, probe: Probe, queryParams: string[]): Attempt[] {
  const base = { method: probe.method, path: probe.path, headers: { ...(probe.headers ?? {}) } };
  const json = { ...base.headers, "content-type": "application/json" };
  const out: Attempt[] = [];
  const body = probe.body;
  if (body !== undefined && typeof body === "object" && body !== null && !Array.isArray(body)) {
    const fields = [...Object.keys(body), "unexpected_field"];
    for (const field of fields) {
      for (const [i, value] of VALUES.entries()) {
        out.push({
          ...base,
          label: `${label} body.${field}=#${i}`,
          rawBody: encode({ ...body, [field]: value }),
          headers: json,
        });
      }
    }
  }
  if (probe.method !== "GET" && probe.method !== "DELETE") {
    for (const [i, raw] of RAW_BODIES.entries()) {
      out.push({ ...base, label: `${label} raw body #${i}`, rawBody: raw, headers: json });
    }
    for (const headers of CONTENT_HEADERS) {
      out.push({
        ...base,
        label: `${label} ${JSON.stringify(headers)}`,
        rawBody: encode(body ?? {}),
        headers: { ...base.headers, ...headers },
      });
    }
    for (const bad of ["", '"x"', "*", 'W/"1"', '"99999999999999999999"', '"-1"']) {
      out.push({
        ...base,
        label: `${label} if-match ${bad}`,
        rawBody: encode(body ?? {}),
        headers: { ...json, "if-match": bad },
      });
    }
    out.push({
      ...base,
      label: `${label} idempotency-key too long`,
      rawBody: encode(body ?? {}),
      headers: { ...json, "idempotency-key": "k".repeat(1000) },
    });
  }
  const [path, query = ""] = probe.path.split("?");
  for (const param of queryParams) {
    for (const value of QUERY_VALUES) {
      const q = new URLSearchParams(query);
      const search = `${q.toString()}${q.size ? "&" : ""}${param}=${value}`;
      out.push({ ...base, label: `${label} ?${param}=${value.slice(0, 12)}`, path: `${path}?${search}` });
    }
  }
  for (const segment of (path ?? "").split("/")) {
    if (!/^[a-z]+_[0-9a-z]{26}$/.test(segment)) continue;
    for (const bad of [
      "%ED%A0%80",
      "x".repeat(3000),
      "..%2F..%2Fadmin",
      `${segment}%00`,
      segment.toUpperCase(),
    ]) {
      out.push({
        ...base,
        label: `${label} path ${bad.slice(0, 12)}`,
        path: probe.path.replace(segment, bad),
      });
    }
  }
  return out;
}

/** The query parameters each operation documents, from the OpenAPI document the API serves. */
async function documentedQueryParams(): Promise<Map<string, string[]>> {
  const doc = (await (await call("GET", "/v1/openapi.json")).json()) as {
    paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>>;
  };
  const params = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const names = (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
      params.set(`${method.toUpperCase()} ${path}`, names.length ? names : ["limit"]);
    }
  }
  return params;
}

describe("bad-input sweep", () => {
  it("no 5xx, every 4xx a problem, and no rejected request changes anything", async () => {
    const w = await TenantFixtures.create(await createTenant());
    const connector = await ocsfConnector(w.tenant);
    const queryParams = await documentedQueryParams();

    const attempts: Attempt[] = [];
    for (const route of ROUTES) {
      const probe = await route.own(w);
      attempts.push(...mutationsOf(route.route, probe, queryParams.get(route.route) ?? []));
    }
    attempts.push(...webhookAttempts(connector));
    await correlationSettled(w.tenant);

    const tally = { tried: 0, rejected: 0, accepted: 0, fiveHundreds: 0, notProblem: 0, stateChanges: 0 };
    const failures: string[] = [];
    let before = await settledState(w.tenant);
    for (const attempt of attempts) {
      const res = await call(attempt.method, attempt.path, {
        token: attempt.path.startsWith("/ingest/") ? undefined : w.setup,
        rawBody: attempt.rawBody,
        headers: attempt.headers,
      });
      tally.tried++;
      const contentType = res.headers.get("content-type");
      await res.body?.cancel();
      if (res.status >= 500) {
        tally.fiveHundreds++;
        failures.push(`${res.status} ${attempt.label}`);
      }
      if (res.status >= 400 && res.status < 500 && contentType !== "application/problem+json") {
        tally.notProblem++;
        failures.push(`${res.status} not problem+json (${contentType}) ${attempt.label}`);
      }
      if (res.status >= 400) {
        tally.rejected++;
        const changed = stateDifference(before, await tenantStateTables(w.tenant));
        if (changed !== "") {
          tally.stateChanges++;
          failures.push(`${res.status} changed state: ${attempt.label}: ${changed}`);
          before = await settledState(w.tenant);
        }
      } else {
        // Accepted (unusual but valid text is stored faithfully): what it set off settles first.
        tally.accepted++;
        before = await settledState(w.tenant);
      }
    }
    console.log(
      `bad inputs tried: ${tally.tried} across ${ROUTES.length} /v1 operations and the ingest route; rejected ${tally.rejected}, accepted ${tally.accepted}; 5xx: ${tally.fiveHundreds}, 4xx not problem+json: ${tally.notProblem}, state changes on rejected requests: ${tally.stateChanges}`,
    );
    expect(failures.slice(0, 20)).toEqual([]);
    expect(tally.tried).toBeGreaterThanOrEqual(2000);
    expect(tally.rejected).toBeGreaterThan(tally.tried / 2);
    // Some 2,700 requests, each with a state digest before and after: minutes on a loaded CI box.
  }, 240_000);
});

/** Signed deliveries whose findings carry each bad value, and deliveries refused before parsing. */
function webhookAttempts(c: { id: string; secret: string }): Attempt[] {
  const signed = (label: string, body: string, extra: Record<string, string> = {}, id?: string): Attempt => ({
    label: `POST /ingest ${label}`,
    method: "POST",
    path: `/ingest/${c.id}`,
    rawBody: body,
    headers: { ...signedHeaders(c.secret, body, id === undefined ? {} : { id }), ...extra },
  });
  const out: Attempt[] = [];
  const finding = makeDetectionFinding() as unknown as Record<string, unknown>;
  for (const field of [
    "message",
    "time",
    "severity_id",
    "device",
    "finding_info",
    "metadata",
    "observables",
  ]) {
    for (const [i, value] of VALUES.entries()) {
      out.push(
        signed(`finding.${field}=#${i}`, encode([makeDetectionFinding(), { ...finding, [field]: value }])),
      );
    }
  }
  for (const [i, raw] of RAW_BODIES.entries()) out.push(signed(`raw body #${i}`, raw));
  for (const headers of CONTENT_HEADERS) out.push(signed(JSON.stringify(headers), encode(finding), headers));
  out.push(signed("webhook-id of 10,000 characters", encode(finding), {}, "m".repeat(10_000)));
  out.push(signed("over the body cap", encode({ ...finding, message: "x".repeat(4 * 1024 * 1024 + 1) })));
  const unsigned = signed("tampered", encode(finding));
  out.push({ ...unsigned, rawBody: `${unsigned.rawBody} ` });
  return out;
}
