// The cron entry of the pull path: every active cisco-xdr connector with pull settings, and only
// those, in its own file because it pulls every such connector in CONTROL_DB.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryBudgetStore, RequestBudget } from "../../../../domain/connectors/xdr-budget.ts";
import { TokenCache } from "../../../../workers/ingest/cisco-xdr/oauth.ts";
import { pullAllXdrConnectors } from "../../../../workers/ingest/cisco-xdr/pull.ts";
import { FakeXdr, uninstallFakeXdr } from "../../../support/fake-xdr.ts";
import { call, createTenant, tokenFor } from "../../../support/world.ts";
import { alertTotals, noSleep, pullingConnector, seedIncident } from "./setup.ts";

afterEach(() => {
  vi.restoreAllMocks();
  uninstallFakeXdr();
});

describe("pullAllXdrConnectors", () => {
  it("pulls every active pulling connector, skips the rest, and one failure does not stop the others", async () => {
    // Two tenants share one EU org, each through its own API client.
    const fake = new FakeXdr({ region: "eu" }).install();
    seedIncident(fake, Date.now() - 10 * 60_000, 2);
    const first = await pullingConnector(fake);
    const second = await pullingConnector(fake);
    const refused = await pullingConnector(fake, {
      client: { ...fake.addClient(), clientPassword: "wrong" },
    });
    const disabled = await pullingConnector(fake);
    await call("PATCH", `/v1/connectors/${disabled.id}`, {
      token: disabled.admin,
      body: { status: "disabled" },
    });
    // A push-only connector has no pull settings.
    const pushOnly = await createTenant();
    await call("POST", "/v1/connectors", {
      token: await tokenFor(pushOnly, { scopes: ["admin"] }),
      body: { kind: "cisco-xdr", name: "push only" },
    });

    const outcomes = await pullAllXdrConnectors(env, Date.now(), {
      budget: new RequestBudget(new MemoryBudgetStore()),
      tokens: new TokenCache(),
      sleep: noSleep,
    });
    const byId = new Map(outcomes.map((o) => [o.connectorId, o]));
    expect([...byId.keys()].sort()).toEqual([first.id, second.id, refused.id].sort());
    expect(byId.get(first.id)).toMatchObject({ status: "done", accepted: 3 });
    expect(byId.get(second.id)).toMatchObject({ status: "done", accepted: 3 });
    expect(byId.get(refused.id)?.status).toBe("failed");
    expect(await alertTotals(first.db)).toEqual({ alerts: 3, occurrences: 3 });
    expect(await alertTotals(second.db)).toEqual({ alerts: 3, occurrences: 3 });
    expect(await alertTotals(disabled.db)).toEqual({ alerts: 0, occurrences: 0 });
    // Each pulled connector keeps its last run for its page (and /v1), failures with their cause.
    const lastRun = async (c: { id: string; admin: string }) =>
      (
        (await (await call("GET", `/v1/connectors/${c.id}`, { token: c.admin })).json()) as {
          config: { pull: { lastRun?: Record<string, unknown> } };
        }
      ).config.pull.lastRun;
    expect(await lastRun(first)).toMatchObject({ status: "done", accepted: 3, requests: expect.any(Number) });
    expect(await lastRun(refused)).toMatchObject({ status: "failed", error: expect.stringContaining("XDR") });
    expect(await lastRun(disabled)).toBeUndefined();
    // Every request went to the EU hosts.
    expect(new Set(fake.requests.map((r) => r.host))).toEqual(
      new Set(["visibility.eu.amp.cisco.com", "private.intel.eu.amp.cisco.com"]),
    );
  });
});
