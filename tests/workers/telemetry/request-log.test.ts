// The one log line per request: its fields, the route pattern rather than the path, the request id
// echoed as x-request-id, the inbound trace joined, and nothing secret or payload-bearing in any line.
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { toProblem } from "../../../workers/http/problem.ts";
import { requestTelemetry } from "../../../workers/telemetry/request-log.ts";
import { makeDetectionFinding } from "../../support/factories/findings.ts";
import { deliver, ocsfConnector } from "../../support/ingest.ts";
import { call, createTenant, tokenFor } from "../../support/world.ts";

interface RequestLine {
  level: string;
  msg: string;
  request_id: string;
  trace_id: string;
  span_id: string;
  tenant: string | null;
  route: string;
  method: string;
  status: number;
  duration_ms: number;
  principal_type: string;
}

let printed: string[] = [];

beforeEach(() => {
  // Spied, not silenced: the suite's secret scan still reads every line.
  const keep = (...args: unknown[]) => {
    printed.push(args.map(String).join(" "));
  };
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[method].bind(console);
    vi.spyOn(console, method).mockImplementation((...args) => {
      keep(...args);
      original(...args);
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  printed = [];
});

function requestLines(): RequestLine[] {
  return printed.flatMap((text) => {
    try {
      const parsed = JSON.parse(text) as { msg?: string };
      return parsed.msg === "request" ? [parsed as RequestLine] : [];
    } catch {
      return [];
    }
  });
}

/** The one request line a single call produced. */
async function lineOf(send: () => Promise<Response>): Promise<{ res: Response; line: RequestLine }> {
  printed = [];
  const res = await send();
  await res.arrayBuffer();
  const lines = requestLines();
  expect(lines).toHaveLength(1);
  return { res, line: lines[0] as RequestLine };
}

describe("request log line", () => {
  it("names the tenant, route pattern, method, status, duration and principal type, once per request", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const created = (await (
      await call("POST", "/v1/cases", { token, body: { title: "Log me", severity: "low" } })
    ).json()) as { id: string };

    const { res, line } = await lineOf(() => call("GET", `/v1/cases/${created.id}`, { token }));
    expect(res.status).toBe(200);
    expect(line).toEqual({
      level: "info",
      msg: "request",
      request_id: res.headers.get("x-request-id"),
      trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
      tenant: tenant.id,
      route: "/v1/cases/:id",
      method: "GET",
      status: 200,
      duration_ms: expect.any(Number),
      principal_type: "client",
    });
    expect(line.duration_ms).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(line)).not.toContain(created.id);
  });

  it("a request refused before its handler still names the route it was for, with no tenant", async () => {
    const { res, line } = await lineOf(() => call("GET", "/v1/cases/case_01jz0000000000000000000000"));
    expect(res.status).toBe(401);
    expect(line).toMatchObject({
      level: "warn",
      route: "/v1/cases/:id",
      status: 401,
      tenant: null,
      principal_type: "anonymous",
    });
    const missing = await lineOf(() => call("GET", "/v1/no-such-thing"));
    expect(missing.line).toMatchObject({ route: "/v1/*", status: missing.res.status });
    const health = await lineOf(() => call("GET", "/healthz"));
    expect(health.line).toMatchObject({ route: "/healthz", status: 200, principal_type: "anonymous" });
  });

  it("a webhook is logged as its connector's tenant, and no line carries a token, secret, query value or payload", async () => {
    const c = await ocsfConnector();
    const token = await tokenFor(c.tenant, { scopes: ["alerts:read"] });
    const canary = `canary-${crypto.randomUUID()}`;
    const finding = makeDetectionFinding({ finding_info: { title: canary } });

    printed = [];
    const delivered = await deliver(c, JSON.stringify(finding));
    expect(delivered.status).toBe(202);
    // The helper also reads the delivery's outcome from /v1; the webhook itself is one line.
    const ingestLines = requestLines().filter((l) => l.route === "/ingest/:connectorId");
    expect(ingestLines).toHaveLength(1);
    expect(ingestLines[0]).toMatchObject({
      route: "/ingest/:connectorId",
      method: "POST",
      status: 202,
      tenant: c.tenant.id,
      principal_type: "connector",
    });
    const listed = await call("GET", `/v1/alerts?limit=5&q=${canary}`, { token });
    await listed.arrayBuffer();
    const badSignature = await deliver(c, JSON.stringify(finding), { tamper: true });
    expect(badSignature.status).toBe(401);
    expect(requestLines().at(-1)).toMatchObject({ tenant: null, principal_type: "anonymous" });

    expect(printed.length).toBeGreaterThanOrEqual(3);
    for (const text of printed) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(c.secret);
      expect(text).not.toContain(c.secret.slice(6, 30));
      expect(text).not.toContain(canary);
      expect(text).not.toContain("limit=5");
    }
  });
});

describe("request id and trace", () => {
  it("echoes cf-ray as the request id, and generates one when it is missing or malformed", async () => {
    const ray = "8f1c2a3b4d5e6f70-LHR";
    const given = await lineOf(() => call("GET", "/healthz", { headers: { "cf-ray": ray } }));
    expect(given.res.headers.get("x-request-id")).toBe(ray);
    expect(given.line.request_id).toBe(ray);

    const forged = await lineOf(() =>
      call("GET", "/healthz", { headers: { "cf-ray": 'x", "level": "fake' } }),
    );
    expect(forged.line.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(forged.res.headers.get("x-request-id")).toBe(forged.line.request_id);

    const first = await lineOf(() => call("GET", "/healthz"));
    const second = await lineOf(() => call("GET", "/healthz"));
    expect(first.line.request_id).not.toBe(second.line.request_id);
  });

  it("joins a valid inbound traceparent and starts a new trace for an invalid one", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const joined = await lineOf(() =>
      call("GET", "/healthz", { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } }),
    );
    expect(joined.line.trace_id).toBe(traceId);
    expect(joined.line.span_id).not.toBe("00f067aa0ba902b7");

    for (const bad of [
      `00-${"0".repeat(32)}-00f067aa0ba902b7-01`,
      `00-${traceId.toUpperCase()}-00f067aa0ba902b7-01`,
      `ff-${traceId}-00f067aa0ba902b7-01`,
      "garbage",
    ]) {
      const { line } = await lineOf(() => call("GET", "/healthz", { headers: { traceparent: bad } }));
      expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(line.trace_id).not.toBe(traceId);
      expect(line.trace_id).not.toBe("0".repeat(32));
    }
  });

  it("an unexpected error's own log line carries the request's id", async () => {
    const app = new Hono();
    app.use("*", requestTelemetry());
    app.get("/boom/:id", () => {
      throw new Error("kaput");
    });
    app.onError(toProblem);

    const { res, line } = await lineOf(async () => app.request("/boom/123"));
    expect(res.status).toBe(500);
    expect(line).toMatchObject({ level: "error", route: "/boom/:id", status: 500 });
    const unhandled = printed
      .map((text) => JSON.parse(text) as { msg: string; request_id?: string })
      .find((l) => l.msg === "unhandled error");
    expect(unhandled?.request_id).toBe(line.request_id);
  });
});
