import { exportJWK, generateKeyPair, UnsecuredJWT } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TENANT_CACHE_TTL_MS } from "../../../workers/auth/tenant-cache.ts";
import { makeDetectionFinding } from "../../support/factories/findings.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, signRaw, standardClaims, tenantDb, tokenFor } from "../../support/world.ts";

async function alertCount(db: D1Database): Promise<number> {
  return (await db.prepare("SELECT count(*) AS n FROM alerts").first<{ n: number }>())?.n ?? -1;
}

async function expectUnauthenticated(res: Response): Promise<void> {
  expect(res.status).toBe(401);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.headers.get("www-authenticate")).toContain("Bearer");
  expect(((await res.json()) as { code: string }).code).toBe("unauthenticated");
}

/** Posts a finding with the given token and checks it was refused with 401 and stored nothing. */
async function expectPostRefused(token: string | undefined): Promise<void> {
  const tenant = await createTenant();
  const db = tenantDb(tenant);
  const before = await alertCount(db);
  const res = await call("POST", "/v1/alerts", { token: token ?? "", body: makeDetectionFinding() });
  await expectUnauthenticated(res);
  expect(await alertCount(db)).toBe(before);
}

describe("bearer tokens", () => {
  it("no token: 401", async () => {
    await expectUnauthenticated(await call("GET", "/v1/alerts"));
    await expectPostRefused(undefined);
  });

  it("a token that is not a JWT: 401", async () => {
    await expectUnauthenticated(await call("GET", "/v1/alerts", { token: "not.a.jwt" }));
  });

  it("a bad signature: 401", async () => {
    const tenant = await createTenant();
    const valid = await tokenFor(tenant);
    const [header, payload, signature = ""] = valid.split(".");
    const flipped = `${signature.slice(0, -2)}${signature.endsWith("AA") ? "BB" : "AA"}`;
    await expectUnauthenticated(
      await call("GET", "/v1/alerts", { token: `${header}.${payload}.${flipped}` }),
    );

    // Signed by an attacker's key that claims Phoenix's kid.
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const forged = await signRaw(
      standardClaims(tenant.id),
      {},
      { ...(await exportJWK(privateKey)), kid: "test-signing-key", alg: "ES256" },
    );
    await expectUnauthenticated(await call("GET", "/v1/alerts", { token: forged }));
  });

  it("an expired token: 401", async () => {
    const tenant = await createTenant();
    const past = Math.floor(Date.now() / 1000) - 3600;
    const token = await signRaw(standardClaims(tenant.id, { iat: past - 600, nbf: past - 600, exp: past }));
    await expectUnauthenticated(await call("GET", "/v1/alerts", { token }));
  });

  it("a token not yet valid: 401", async () => {
    const tenant = await createTenant();
    const future = Math.floor(Date.now() / 1000) + 3600;
    const token = await signRaw(standardClaims(tenant.id, { nbf: future, exp: future + 600 }));
    await expectUnauthenticated(await call("GET", "/v1/alerts", { token }));
  });

  it("the wrong audience: 401", async () => {
    const tenant = await createTenant();
    const token = await signRaw(standardClaims(tenant.id, { aud: "someone-else" }));
    await expectUnauthenticated(await call("GET", "/v1/alerts", { token }));
  });

  it("an untrusted issuer: 401", async () => {
    const tenant = await createTenant();
    const token = await signRaw(standardClaims(tenant.id, { iss: "https://evil.example" }));
    await expectUnauthenticated(await call("GET", "/v1/alerts", { token }));
  });

  it("an algorithm outside the allow-list: 401 (HS256 and none)", async () => {
    const tenant = await createTenant();
    const secret = new TextEncoder().encode("a-shared-secret-that-must-never-work-here");
    const { SignJWT } = await import("jose");
    const hs256 = await new SignJWT(standardClaims(tenant.id))
      .setProtectedHeader({ alg: "HS256", kid: "test-signing-key" })
      .sign(secret);
    await expectUnauthenticated(await call("GET", "/v1/alerts", { token: hs256 }));

    const none = new UnsecuredJWT(standardClaims(tenant.id)).encode();
    await expectUnauthenticated(await call("GET", "/v1/alerts", { token: none }));
  });

  it("a token without a tenant, or for an unknown or suspended tenant: 401", async () => {
    const tenant = await createTenant();
    await expectUnauthenticated(
      await call("GET", "/v1/alerts", {
        token: await signRaw(standardClaims(tenant.id, { tid: undefined })),
      }),
    );
    await expectUnauthenticated(
      await call("GET", "/v1/alerts", { token: await tokenFor({ id: "tnt_doesnotexist" }) }),
    );

    await testEnv()
      .CONTROL_DB.prepare("UPDATE tenants SET status = 'suspended' WHERE id = ?")
      .bind(tenant.id)
      .run();
    await expectUnauthenticated(await call("GET", "/v1/alerts", { token: await tokenFor(tenant) }));
  });

  describe("a tenant suspended while its tokens are in use", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("is refused within the tenant cache's lifetime (10 s), never later", async () => {
      const tenant = await createTenant();
      const token = await tokenFor(tenant);
      const start = Date.now();
      vi.useFakeTimers({ now: start, toFake: ["Date"] });
      expect((await call("GET", "/v1/alerts", { token })).status).toBe(200);
      await testEnv()
        .CONTROL_DB.prepare("UPDATE tenants SET status = 'suspended' WHERE id = ?")
        .bind(tenant.id)
        .run();
      // Still cached in this isolate: the documented bound, not a leak.
      vi.setSystemTime(start + TENANT_CACHE_TTL_MS - 1_000);
      expect((await call("GET", "/v1/alerts", { token })).status).toBe(200);
      vi.setSystemTime(start + TENANT_CACHE_TTL_MS + 1);
      await expectUnauthenticated(await call("GET", "/v1/alerts", { token }));
    });
  });
});

describe("scopes", () => {
  it("writing without alerts:write is 403 and stores nothing", async () => {
    const tenant = await createTenant();
    const db = tenantDb(tenant);
    const before = await alertCount(db);
    const token = await tokenFor(tenant, { scopes: ["alerts:read"] });
    const res = await call("POST", "/v1/alerts", { token, body: makeDetectionFinding() });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(((await res.json()) as { detail: string }).detail).toContain("alerts.submit");
    expect(await alertCount(db)).toBe(before);
  });

  it("reading without alerts:read is 403", async () => {
    const tenant = await createTenant();
    const writer = await tokenFor(tenant, { scopes: ["alerts:write"] });
    const posted = (await (
      await call("POST", "/v1/alerts", { token: writer, body: makeDetectionFinding() })
    ).json()) as {
      alerts: Array<{ id: string }>;
    };
    expect((await call("GET", "/v1/alerts", { token: writer })).status).toBe(403);
    expect((await call("GET", `/v1/alerts/${posted.alerts[0]?.id}`, { token: writer })).status).toBe(403);
  });
});

describe("tenant isolation", () => {
  it("another tenant's alert id is a 404 and never shows in its list", async () => {
    const alpha = await createTenant();
    const beta = await createTenant();
    const alphaToken = await tokenFor(alpha);
    const betaToken = await tokenFor(beta);
    const posted = (await (
      await call("POST", "/v1/alerts", { token: alphaToken, body: makeDetectionFinding() })
    ).json()) as {
      alerts: Array<{ id: string }>;
    };
    const id = posted.alerts[0]?.id;

    expect((await call("GET", `/v1/alerts/${id}`, { token: alphaToken })).status).toBe(200);
    const cross = await call("GET", `/v1/alerts/${id}`, { token: betaToken });
    expect(cross.status).toBe(404);
    expect(cross.headers.get("content-type")).toBe("application/problem+json");

    const betaPage = (await (await call("GET", "/v1/alerts?limit=200", { token: betaToken })).json()) as {
      data: Array<{ unmapped: { phoenix: { alert_id: string } } }>;
    };
    expect(betaPage.data.map((a) => a.unmapped.phoenix.alert_id)).not.toContain(id);
    expect(
      await tenantDb(beta).prepare("SELECT count(*) AS n FROM alerts WHERE id = ?").bind(id).first("n"),
    ).toBe(0);
  });
});
