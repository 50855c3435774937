// The operator tools reach D1 with SQL built by drizzle from the schema, locally in one Miniflare
// over the files wrangler keeps (cli/local-d1.ts): checked here against a real local CONTROL_DB of
// their own, as `phoenix tenant …` and `phoenix keys …` use it, and against wrangler's own view of it.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, d1Through, inlineParams, type Target, wranglerD1Through } from "../../cli/d1.ts";
import { listKeys, pullHandoverForward } from "../../cli/keys.ts";
import { ensureTenant, findTenantBySlug, listTenants, setDailyIngestQuota } from "../../cli/tenants.ts";
import { PROJECT_ROOT, WRANGLER_TOML, wrangler } from "../../cli/wrangler.ts";
import { CONTROL_DB_BINDING } from "../../cli/wrangler-config.ts";
import { signingKeys, tenants } from "../../schema/control.ts";

describe("inlineParams", () => {
  it("binds each placeholder as a literal, quoting strings and leaving quoted text alone", () => {
    expect(
      inlineParams(`select "a?" from t where x = ? and y = ? and z = ? and s = 'it''s?' and n = ?`, [
        "o'brien",
        42,
        null,
        true,
      ]),
    ).toBe(`select "a?" from t where x = 'o''brien' and y = 42 and z = NULL and s = 'it''s?' and n = 1`);
  });

  it("refuses a mismatch between placeholders and parameters, and values SQL cannot hold", () => {
    expect(() => inlineParams("select ?", [])).toThrow(/more placeholders/);
    expect(() => inlineParams("select 1", [1])).toThrow(/more parameters/);
    expect(() => inlineParams("select ?", [Number.NaN])).toThrow(/cannot send/);
  });
});

describe("the operator's CONTROL_DB", () => {
  let dir: string;
  let target: Target;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "phoenix-operator-d1-"));
    target = { persistTo: dir };
    await applyMigrations(CONTROL_DB_BINDING, target);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("applies local migrations as wrangler records them: wrangler finds none left, and again applies none", async () => {
    const listed = await wrangler([
      "d1",
      "migrations",
      "list",
      CONTROL_DB_BINDING,
      "-c",
      WRANGLER_TOML,
      "--local",
      "--persist-to",
      dir,
    ]);
    expect(listed).toContain("No migrations to apply");
    expect(await applyMigrations(CONTROL_DB_BINDING, target)).toEqual([]);
    // Through the proxy a row comes back as its values.
    const applied = await d1Through(CONTROL_DB_BINDING, target).all<[string]>(
      sql`SELECT name FROM d1_migrations ORDER BY id`,
    );
    expect(applied.map(([name]) => name)).toEqual(
      readdirSync(join(PROJECT_ROOT, "migrations/control"))
        .filter((f) => f.endsWith(".sql"))
        .sort(),
    );
  });

  it("registers a tenant once, finds it by slug and lists it", async () => {
    const first = await ensureTenant({ slug: "acme", name: "Acme", binding: "TENANT_ACME" }, target, 1_000);
    const again = await ensureTenant({ slug: "acme", name: "Acme", binding: "TENANT_ACME" }, target, 2_000);
    expect(first.created).toBe(true);
    expect(again).toEqual({ row: first.row, created: false });
    expect(first.row).toMatchObject({
      slug: "acme",
      name: "Acme",
      status: "active",
      d1Binding: "TENANT_ACME",
    });
    expect(await findTenantBySlug("acme", target)).toEqual(first.row);
    expect(await findTenantBySlug("nobody", target)).toBeNull();
    expect((await listTenants(target)).map((t) => t.slug)).toEqual(["acme"]);

    // Another slug on a binding already taken is refused, not registered.
    await expect(
      ensureTenant({ slug: "acme-two", name: "Acme 2", binding: "TENANT_ACME" }, target),
    ).rejects.toThrow(/already belongs to another tenant/);
  }, 60_000);

  it("sets and clears a tenant's daily ingest quota", async () => {
    const row = await findTenantBySlug("acme", target);
    if (!row) throw new Error("acme was not registered");
    const db = d1Through(CONTROL_DB_BINDING, target);
    await setDailyIngestQuota(row.id, 500, target, 3_000);
    expect(await db.select().from(tenants).get()).toMatchObject({ dailyIngestQuota: 500, updatedAt: 3_000 });
    await setDailyIngestQuota(row.id, null, target, 4_000);
    expect(await db.select().from(tenants).get()).toMatchObject({ dailyIngestQuota: null, updatedAt: 4_000 });
  }, 60_000);

  it("reads and writes the same rows through wrangler, as the tools reach production", async () => {
    const viaWrangler = wranglerD1Through(CONTROL_DB_BINDING, target);
    const row = await viaWrangler.select().from(tenants).where(eq(tenants.slug, "acme")).get();
    expect(row).toEqual(await d1Through(CONTROL_DB_BINDING, target).select().from(tenants).get());
    // A batch is one script: a write and the read after it, with a quote and a ? in the text.
    const [, [renamed]] = await viaWrangler.batch([
      viaWrangler.update(tenants).set({ name: "Acme's ? team" }).where(eq(tenants.slug, "acme")),
      viaWrangler.select({ name: tenants.name }).from(tenants).where(eq(tenants.slug, "acme")),
    ]);
    expect(renamed).toEqual({ name: "Acme's ? team" });
    expect((await findTenantBySlug("acme", target))?.name).toBe("Acme's ? team");
  }, 60_000);

  it("brings the key handover forward, and reports the next key's earliest handover", async () => {
    expect(await pullHandoverForward(target, 5_000)).toBeNull();
    const db = d1Through(CONTROL_DB_BINDING, target);
    const key = { alg: "ES256", publicJwk: { kty: "EC" } };
    await db.insert(signingKeys).values([
      { ...key, kid: "k-current", status: "current", createdAt: 1_000, rotateAt: 90_000_000_000 },
      { ...key, kid: "k-next", status: "next", createdAt: 4_000 },
    ]);
    const plan = await pullHandoverForward(target, 5_000);
    expect(plan?.current).toMatchObject({ kid: "k-current", rotateAt: 5_000 });
    expect(plan?.next?.kid).toBe("k-next");
    expect(plan?.handoverFrom).toBeGreaterThan(5_000);
    expect((await listKeys(target)).map((k) => k.kid)).toEqual(["k-next", "k-current"]);
  }, 60_000);
});
