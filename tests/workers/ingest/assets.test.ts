// The asset inventory: alerts upsert the assets they are about, analysts set criticality, and a
// case touching a critical asset is raised to that priority.
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { assetOwner } from "../../../domain/case/enrichment.ts";
import { tenantDatabase } from "../../../domain/tenancy.ts";
import { assets } from "../../../schema/tenant.ts";
import { makeDetectionFinding } from "../../support/factories/findings.ts";
import { deliver, ocsfConnector } from "../../support/ingest.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, tokenFor } from "../../support/world.ts";

interface AssetView {
  id: string;
  kind: string;
  uid: string;
  name: string | null;
  criticality: string | null;
}

const metadata = { product: { name: "Defender", vendor_name: "Microsoft" } };
const rule = { analytic: { name: "LSASS access", uid: "rule-lsass", type_id: 1 } };

describe("/v1/assets", () => {
  it("lists the devices and users alerts were about, once each", async () => {
    const c = await ocsfConnector();
    const token = await tokenFor(c.tenant, { scopes: ["alerts:read", "alerts:write"] });
    const device = { uid: "dc-01", hostname: "dc-01.corp.example", type_id: 1 };
    const actor = { user: { uid: "u-42", name: "alice" } };
    await deliver(
      c,
      JSON.stringify([
        makeDetectionFinding({ device, actor, metadata }, 1),
        makeDetectionFinding({ device, actor, metadata }, 2),
      ]),
    );

    const page = (await (await call("GET", "/v1/assets?kind=device", { token })).json()) as {
      data: AssetView[];
    };
    expect(page.data.filter((a) => a.uid === "dc-01")).toEqual([
      expect.objectContaining({
        kind: "device",
        uid: "dc-01",
        name: "dc-01.corp.example",
        criticality: null,
      }),
    ]);
    const users = (await (await call("GET", "/v1/assets?kind=user", { token })).json()) as {
      data: AssetView[];
    };
    expect(users.data.map((a) => a.uid)).toContain("u-42");
  });

  it("keeps what the finding said of the asset, so its owner can be shown; the newest delivery wins", async () => {
    const c = await ocsfConnector();
    const owner = (name: string) => ({ uid: "dc-02", hostname: "dc-02", type_id: 1, owner: { name } });
    await deliver(c, JSON.stringify(makeDetectionFinding({ device: owner("Facilities IT"), metadata }, 1)));
    await deliver(c, JSON.stringify(makeDetectionFinding({ device: owner("Identity team"), metadata }, 2)));
    const [row] = await drizzle(tenantDatabase(testEnv(), c.tenant))
      .select()
      .from(assets)
      .where(eq(assets.uid, "dc-02"));
    expect(row && assetOwner(row.kind, row.details)).toBe("Identity team");
  });

  it("a critical asset raises the priority of the case its alerts open", async () => {
    const c = await ocsfConnector();
    const token = await tokenFor(c.tenant, { scopes: ["alerts:read", "alerts:write", "cases:read"] });
    const device = { uid: "pay-db-01", hostname: "pay-db-01", type_id: 1 };
    const base = Date.UTC(2026, 10, 21, 9, 0);
    await deliver(
      c,
      JSON.stringify(
        makeDetectionFinding({ device, metadata, finding_info: rule, severity_id: 2, time: base }, 3),
      ),
    );
    const [asset] = (
      (await (await call("GET", "/v1/assets?kind=device", { token })).json()) as { data: AssetView[] }
    ).data;
    const patched = await call("PATCH", `/v1/assets/${asset?.id}`, {
      token,
      body: { criticality: "critical" },
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as AssetView).criticality).toBe("critical");

    await deliver(
      c,
      JSON.stringify(
        makeDetectionFinding(
          { device, metadata, finding_info: rule, severity_id: 2, time: base + 60_000 },
          4,
        ),
      ),
    );
    const cases = (await (await call("GET", "/v1/cases", { token })).json()) as {
      data: Array<{ id: string }>;
    };
    const id = cases.data[0]?.id;
    const got = (await (await call("GET", `/v1/cases/${id}`, { token })).json()) as {
      priority: string;
      alerts: unknown[];
    };
    expect(got.alerts).toHaveLength(2);
    expect(got.priority).toBe("P1");
  });

  it("names bad input, hides other tenants' assets, and needs alerts:write to change one", async () => {
    const c = await ocsfConnector();
    const token = await tokenFor(c.tenant, { scopes: ["alerts:read", "alerts:write"] });
    await deliver(
      c,
      JSON.stringify(
        makeDetectionFinding({ device: { uid: "ws-9", hostname: "ws-9", type_id: 2 }, metadata }, 5),
      ),
    );
    const [asset] = (
      (await (await call("GET", "/v1/assets?kind=device", { token })).json()) as { data: AssetView[] }
    ).data;

    const bad = await call("PATCH", `/v1/assets/${asset?.id}`, {
      token,
      body: { criticality: "apocalyptic" },
    });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: Array<{ field: string }> }).errors[0]?.field).toBe("criticality");
    expect((await call("PATCH", "/v1/assets/nope", { token, body: { criticality: "low" } })).status).toBe(
      422,
    );

    const other = await tokenFor(await createTenant(), { scopes: ["alerts:read", "alerts:write"] });
    expect(
      (await call("PATCH", `/v1/assets/${asset?.id}`, { token: other, body: { criticality: "low" } })).status,
    ).toBe(404);
    const reader = await tokenFor(c.tenant, { scopes: ["alerts:read"] });
    expect(
      (await call("PATCH", `/v1/assets/${asset?.id}`, { token: reader, body: { criticality: "low" } }))
        .status,
    ).toBe(403);
  });
});
