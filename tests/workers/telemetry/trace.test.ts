// W3C Trace Context: which traceparent headers are accepted, and that every request Phoenix makes
// to Cisco XDR (token mint included) carries the trace it was given, or one per pull run.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryBudgetStore, RequestBudget } from "../../../domain/connectors/xdr-budget.ts";
import { TokenCache } from "../../../workers/ingest/cisco-xdr/oauth.ts";
import { pullConnector } from "../../../workers/ingest/cisco-xdr/pull.ts";
import {
  continueTrace,
  parseTraceparent,
  propagateTrace,
  traceparentOf,
} from "../../../workers/telemetry/trace.ts";
import { FakeXdr, uninstallFakeXdr } from "../../support/fake-xdr.ts";
import { noSleep, pullingConnector, seedIncident } from "../ingest/cisco-xdr-pull/setup.ts";

afterEach(() => {
  vi.restoreAllMocks();
  uninstallFakeXdr();
});

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";

describe("traceparent parsing", () => {
  it("accepts version 00 exactly and later versions with extra fields", () => {
    expect(parseTraceparent(`00-${TRACE_ID}-${PARENT}-01`)).toEqual({
      traceId: TRACE_ID,
      parentId: PARENT,
      flags: "01",
    });
    expect(parseTraceparent(`01-${TRACE_ID}-${PARENT}-00-future-field`)?.traceId).toBe(TRACE_ID);
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["uppercase hex", `00-${TRACE_ID.toUpperCase()}-${PARENT}-01`],
    ["all-zero trace id", `00-${"0".repeat(32)}-${PARENT}-01`],
    ["all-zero parent id", `00-${TRACE_ID}-${"0".repeat(16)}-01`],
    ["forbidden version ff", `ff-${TRACE_ID}-${PARENT}-01`],
    ["version 00 with an extra field", `00-${TRACE_ID}-${PARENT}-01-extra`],
    ["short trace id", `00-${TRACE_ID.slice(1)}-${PARENT}-01`],
    ["not hex", `00-${"g".repeat(32)}-${PARENT}-01`],
  ])("rejects %s", (_what, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });

  it("continues a valid trace with a span of its own, keeps tracestate, and drops an oversized one", () => {
    const trace = continueTrace(`00-${TRACE_ID}-${PARENT}-01`, "vendor=abc");
    expect(trace).toMatchObject({ traceId: TRACE_ID, flags: "01", tracestate: "vendor=abc" });
    expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.spanId).not.toBe(PARENT);
    expect(traceparentOf(trace)).toBe(`00-${TRACE_ID}-${trace.spanId}-01`);

    expect(continueTrace(`00-${TRACE_ID}-${PARENT}-01`, "x".repeat(513)).tracestate).toBeUndefined();
    // A tracestate without a valid traceparent belongs to nobody's trace.
    expect(continueTrace("bogus", "vendor=abc").tracestate).toBeUndefined();

    const headers = new Headers({ tracestate: "stale=1" });
    propagateTrace(headers, continueTrace(null));
    expect(headers.get("traceparent")).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(headers.has("tracestate")).toBe(false);
  });
});

describe("propagation to Cisco XDR", () => {
  async function pull(trace?: ReturnType<typeof continueTrace>) {
    const fake = new FakeXdr().install();
    seedIncident(fake, Date.now() - 60_000, 2);
    const c = await pullingConnector(fake);
    const outcome = await pullConnector(env, c.id, Date.now(), {
      budget: new RequestBudget(new MemoryBudgetStore()),
      tokens: new TokenCache(),
      sleep: noSleep,
      ...(trace ? { trace } : {}),
    });
    expect(outcome.status).toBe("done");
    const outbound = vi
      .mocked(globalThis.fetch)
      // The client passes a Request (its body already sent); its headers are what went out.
      .mock.calls.map(([input]) => input)
      .filter((r): r is Request => r instanceof Request)
      .filter((r) => r.url.includes("cisco.com"));
    return { fake, outbound };
  }

  it("every XDR request of a run carries the trace it was given, token mint included", async () => {
    const trace = continueTrace(`00-${TRACE_ID}-${PARENT}-01`);
    const { fake, outbound } = await pull(trace);
    expect(fake.tokenMints).toBe(1);
    // Token, incident search, relationship search, two sightings.
    expect(outbound.length).toBeGreaterThanOrEqual(5);
    expect(outbound.some((r) => r.url.endsWith("/iroh/oauth2/token"))).toBe(true);
    for (const request of outbound) {
      expect(request.headers.get("traceparent")).toBe(`00-${TRACE_ID}-${trace.spanId}-01`);
    }
  });

  it("a cron run without a caller starts one trace for the run and logs it", async () => {
    const logged: string[] = [];
    const original = console.log.bind(console);
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(" "));
      original(...args);
    });
    const { outbound } = await pull();
    const traceIds = new Set(outbound.map((r) => r.headers.get("traceparent")?.split("-")[1]));
    expect(traceIds.size).toBe(1);
    const [traceId] = [...traceIds];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const runLine = logged.find((l) => l.includes('"msg":"xdr pull"'));
    expect(runLine && (JSON.parse(runLine) as { trace_id?: string }).trace_id).toBe(traceId);
  });
});
