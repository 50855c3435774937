// The Platform's typed client (contract/client), used the way the Platform will: every call below
// is checked against the committed contract at compile time, and answered by the real Worker.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createPhoenixClient, type PhoenixClient } from "../../../contract/client/index.ts";
import { createTenant, tokenFor } from "../../support/world.ts";

const viaWorker = (request: Request) => exports.default.fetch(request);

let analyst: PhoenixClient;
let admin: PhoenixClient;
let stranger: PhoenixClient;
let reporter: PhoenixClient;
beforeAll(async () => {
  const tenant = await createTenant();
  const other = await createTenant();
  const client = (token: string) =>
    createPhoenixClient({ baseUrl: "http://phoenix.test/v1", token, fetch: viaWorker });
  analyst = client(await tokenFor(tenant, { scopes: ["alerts:read", "cases:read", "cases:write"] }));
  admin = client(await tokenFor(tenant, { scopes: ["admin"] }));
  stranger = client(await tokenFor(other, { scopes: ["cases:read", "cases:write"] }));
  reporter = client(await tokenFor(tenant, { scopes: ["reports:read"] }));
});

describe("the Platform's typed client", () => {
  it("opens a case, acknowledges it with the version it read, and finds it in the list", async () => {
    const opened = await analyst.POST("/cases", {
      body: { title: "Suspicious login from a new ASN", severity: "high" },
    });
    expect(opened.response.status).toBe(201);
    if (!opened.data) throw new Error("no case");
    // Typed from the contract: a misspelt field here fails the compile, not the Platform in production.
    const { id, version, sla } = opened.data;
    expect(sla.clocks.map((clock) => clock.name).sort()).toEqual(["acknowledge", "contain", "resolve"]);
    const acked = await analyst.POST("/cases/{id}/commands", {
      params: { path: { id }, header: { "if-match": `"${version}"` } },
      body: { type: "acknowledge" },
    });
    expect(acked.data?.events.map((e) => e.type)).toContain("case.acknowledged");
    const read = await analyst.GET("/cases/{id}", { params: { path: { id } } });
    expect(read.data).toMatchObject({ id, state: "acknowledged", severity: "high" });
    const opening = read.data && "timeline" in read.data ? read.data.timeline[0] : undefined;
    expect(opening?.type === "case.opened" ? opening.slaPolicy.calendar.kind : null).toBe("24x7");
    const listed = await analyst.GET("/cases", { params: { query: { state: "acknowledged", limit: 50 } } });
    const row = listed.data?.data.find((c) => c.id === id);
    expect(row).toMatchObject({ state: "acknowledged", alert_count: 0, sla_status: "ok" });
  });

  it("gets the problem as a typed error: a stale version is 412, another tenant's case is 404", async () => {
    const opened = await analyst.POST("/cases", { body: { title: "Beacon", severity: "low" } });
    const id = opened.data?.id ?? "";
    const stale = await analyst.POST("/cases/{id}/commands", {
      params: { path: { id }, header: { "if-match": '"999"' } },
      body: { type: "acknowledge" },
    });
    expect(stale.response.status).toBe(412);
    expect(stale.error).toMatchObject({ status: 412 });
    const foreign = await stranger.GET("/cases/{id}", { params: { path: { id } } });
    expect(foreign.response.status).toBe(404);
  });

  it("acknowledges several cases in one bulk request and reads today's SLA report", async () => {
    const ids: Array<{ id: string; version: number }> = [];
    for (const title of ["Bulk one", "Bulk two"]) {
      const opened = await analyst.POST("/cases", { body: { title, severity: "medium" } });
      if (opened.data) ids.push({ id: opened.data.id, version: opened.data.version });
    }
    const bulk = await analyst.POST("/cases/bulk-commands", {
      params: { header: { "idempotency-key": crypto.randomUUID() } },
      body: {
        commands: ids.map((c) => ({
          case_id: c.id,
          if_match: c.version,
          command: { type: "acknowledge" as const },
        })),
      },
    });
    expect(bulk.data?.results.map((r) => [r.status, r.case?.state])).toEqual([
      [200, "acknowledged"],
      [200, "acknowledged"],
    ]);
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const report = await reporter.GET("/reports/sla-compliance", {
      params: { query: { from: today, to: tomorrow } },
    });
    expect(report.response.status).toBe(200);
    expect(report.data?.data.every((row) => row.total === row.met + row.warned + row.breached)).toBe(true);
  });

  it("reads the sink dead letters an operator replays", async () => {
    const letters = await admin.GET("/sinks/dead-letters", {
      params: { query: { include_replayed: "true" } },
    });
    expect(letters.response.status).toBe(200);
    expect(letters.data?.data).toEqual([]);
    expect(letters.data?.next_cursor).toBeNull();
  });
});
