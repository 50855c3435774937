import { afterEach, describe, expect, it, vi } from "vitest";
import { SESSION_IDLE_TIMEOUT_MS } from "../../../domain/auth/sessions.ts";
import {
  browserCall,
  createPerson,
  type SignedInBrowser,
  sessionHeaders,
  signIn,
} from "../../support/sessions.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

const NEW_CASE = { title: "Suspicious sign-in", severity: "high" };

function openCase(browser: SignedInBrowser, extra: Record<string, string> = {}) {
  return call("POST", "/v1/cases", { body: NEW_CASE, headers: sessionHeaders(browser, extra) });
}

async function problemOf(res: Response) {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return (await res.json()) as { code: string; errors?: Array<{ field: string }> };
}

async function caseCount(tenant: Parameters<typeof tenantDb>[0]): Promise<number> {
  const row = await tenantDb(tenant).prepare("SELECT count(*) AS n FROM cases").first<{ n: number }>();
  return row?.n ?? 0;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("a workbench session on /v1", () => {
  it("acts with the role's permissions: a viewer reads but cannot open a case, an analyst can", async () => {
    const tenant = await createTenant();
    const viewer = await signIn((await createPerson([{ tenant, role: "viewer" }], { kind: "customer" })).id);
    const analystPerson = await createPerson([{ tenant, role: "analyst" }]);
    const analyst = await signIn(analystPerson.id);

    expect((await call("GET", "/v1/alerts", { headers: { cookie: viewer.cookie } })).status).toBe(200);
    const refused = await openCase(viewer);
    expect(refused.status).toBe(403);
    expect((await problemOf(refused)).code).toBe("forbidden");
    expect(await caseCount(tenant)).toBe(0);

    const opened = await openCase(analyst);
    expect(opened.status).toBe(201);
    const body = (await opened.json()) as { id: string };
    expect(await caseCount(tenant)).toBe(1);
    // The case is visible to the viewer, in the same tenant.
    expect((await call("GET", `/v1/cases/${body.id}`, { headers: { cookie: viewer.cookie } })).status).toBe(
      200,
    );
  });

  it("requires the CSRF token and a same-origin Origin on every mutation; nothing changes otherwise", async () => {
    const tenant = await createTenant();
    const analyst = await signIn((await createPerson([{ tenant, role: "analyst" }])).id);
    const attempts: Array<Record<string, string>> = [
      { cookie: analyst.cookie },
      { cookie: analyst.cookie, "x-csrf-token": "" },
      { cookie: analyst.cookie, "x-csrf-token": `${analyst.session.csrfToken}x` },
      { cookie: analyst.cookie, "x-csrf-token": analyst.session.csrfToken, origin: "https://evil.example" },
      {
        cookie: analyst.cookie,
        "x-csrf-token": analyst.session.csrfToken,
        origin: "http://phoenix.test:8080",
      },
    ];
    for (const headers of attempts) {
      const res = await call("POST", "/v1/cases", { body: NEW_CASE, headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect((await problemOf(res)).code).toBe("csrf_rejected");
    }
    expect(await caseCount(tenant)).toBe(0);
    // Without an Origin header (older browsers, same-origin GET-forms) the token alone suffices.
    const noOrigin = await call("POST", "/v1/cases", {
      body: NEW_CASE,
      headers: { cookie: analyst.cookie, "x-csrf-token": analyst.session.csrfToken },
    });
    expect(noOrigin.status).toBe(201);
  });

  it("a tenant named in X-Phoenix-Tenant without a grant is a 404, like a tenant that does not exist", async () => {
    const [mine, theirs] = [await createTenant(), await createTenant()];
    const analyst = await signIn((await createPerson([{ tenant: mine, role: "analyst" }])).id);
    const theirCase = (await (
      await call("POST", "/v1/cases", { token: await tokenFor(theirs), body: NEW_CASE })
    ).json()) as { id: string };

    for (const tenantId of [theirs.id, "tnt_01jzzzzzzzzzzzzzzzzzzzzzzz"]) {
      const read = await call("GET", "/v1/alerts", {
        headers: { cookie: analyst.cookie, "x-phoenix-tenant": tenantId },
      });
      expect(read.status).toBe(404);
      expect((await problemOf(read)).code).toBe("not_found");
      const write = await openCase(analyst, { "x-phoenix-tenant": tenantId });
      expect(write.status).toBe(404);
    }
    expect(await caseCount(theirs)).toBe(1);
    // Their case id, from my tenant: not found either.
    const probe = await call("GET", `/v1/cases/${theirCase.id}`, { headers: { cookie: analyst.cookie } });
    expect(probe.status).toBe(404);
  });

  it("with grants on several tenants, X-Phoenix-Tenant is required and picks the tenant and role", async () => {
    const [a, b] = [await createTenant(), await createTenant()];
    const person = await createPerson([
      { tenant: a, role: "analyst" },
      { tenant: b, role: "viewer" },
    ]);
    const browser = await signIn(person.id);

    const ambiguous = await call("GET", "/v1/alerts", { headers: { cookie: browser.cookie } });
    expect(ambiguous.status).toBe(422);
    expect((await problemOf(ambiguous)).errors?.map((e) => e.field)).toEqual(["X-Phoenix-Tenant"]);

    const inA = await openCase(browser, { "x-phoenix-tenant": a.id });
    expect(inA.status).toBe(201);
    const caseInA = (await inA.json()) as { id: string };
    expect((await openCase(browser, { "x-phoenix-tenant": b.id })).status).toBe(403);
    // A's case is not reachable through the session's B tenant.
    const crossed = await call("GET", `/v1/cases/${caseInA.id}`, {
      headers: { cookie: browser.cookie, "x-phoenix-tenant": b.id },
    });
    expect(crossed.status).toBe(404);
    expect([await caseCount(a), await caseCount(b)]).toEqual([1, 0]);
  });

  it("ends access the moment the grant is revoked", async () => {
    const tenant = await createTenant();
    const person = await createPerson([{ tenant, role: "analyst" }]);
    const browser = await signIn(person.id);
    expect((await call("GET", "/v1/alerts", { headers: { cookie: browser.cookie } })).status).toBe(200);

    await testEnv()
      .CONTROL_DB.prepare("UPDATE grants SET revoked_at = ? WHERE principal_id = ? AND tenant_id = ?")
      .bind(Date.now(), person.id, tenant.id)
      .run();
    expect((await call("GET", "/v1/alerts", { headers: { cookie: browser.cookie } })).status).toBe(403);
    const named = await call("GET", "/v1/alerts", {
      headers: { cookie: browser.cookie, "x-phoenix-tenant": tenant.id },
    });
    expect(named.status).toBe(404);
    expect((await openCase(browser)).status).toBe(403);
    expect(await caseCount(tenant)).toBe(0);
  });

  it("refuses an idle session (fake clock) and a revoked one with 401", async () => {
    const tenant = await createTenant();
    const person = await createPerson([{ tenant, role: "analyst" }]);
    const idle = await signIn(person.id);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + SESSION_IDLE_TIMEOUT_MS + 1 });
    const res = await call("GET", "/v1/alerts", { headers: { cookie: idle.cookie } });
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe("unauthenticated");
    vi.useRealTimers();

    const revoked = await signIn(person.id);
    await testEnv()
      .CONTROL_DB.prepare("UPDATE sessions SET revoked_at = ? WHERE id = ?")
      .bind(Date.now(), revoked.session.id)
      .run();
    expect((await call("GET", "/v1/alerts", { headers: { cookie: revoked.cookie } })).status).toBe(401);
  });

  it("is not consulted when an Authorization header is present: a bad bearer token stays a 401", async () => {
    const tenant = await createTenant();
    const browser = await signIn((await createPerson([{ tenant, role: "admin" }])).id);
    const res = await call("GET", "/v1/alerts", {
      headers: { cookie: browser.cookie, authorization: "Bearer not.a.jwt" },
    });
    expect(res.status).toBe(401);
    // And without either, the 401 says what is missing.
    expect((await call("GET", "/v1/alerts")).status).toBe(401);
  });

  it("records the person as the actor of what they do", async () => {
    const tenant = await createTenant();
    const person = await createPerson([{ tenant, role: "analyst" }]);
    const browser = await signIn(person.id);
    const opened = (await (await openCase(browser)).json()) as { id: string };
    const detail = (await (
      await call("GET", `/v1/cases/${opened.id}`, { headers: { cookie: browser.cookie } })
    ).json()) as { timeline?: Array<{ actor?: { kind: string; id: string } }> };
    expect(detail.timeline?.[0]?.actor).toEqual({ kind: "user", id: person.id });
  });
});

describe("GET /auth/session", () => {
  it("names the signed-in person, their grants and the CSRF token their /v1 writes carry", async () => {
    const tenant = await createTenant();
    const person = await createPerson([{ tenant, role: "analyst" }]);
    const browser = await signIn(person.id);
    const res = await call("GET", "/auth/session", { headers: { cookie: browser.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as {
      principal: { id: string };
      grants: Array<{ tenant_id: string; role: string }>;
      csrf_token: string;
    };
    expect(body.principal.id).toBe(person.id);
    expect(body.grants).toEqual([expect.objectContaining({ tenant_id: tenant.id, role: "analyst" })]);
    expect(body.csrf_token).toBe(browser.session.csrfToken);
    // The token it hands out is the one a session write needs.
    const opened = await openCase({
      ...browser,
      session: { ...browser.session, csrfToken: body.csrf_token },
    });
    expect(opened.status).toBe(201);
  });

  it("is a 401 problem without a live session, and for a forged or signed-out cookie", async () => {
    const tenant = await createTenant();
    const browser = await signIn((await createPerson([{ tenant, role: "analyst" }])).id);
    const forged = `${browser.cookie.slice(0, -2)}xx`;
    const attempts: Record<string, string>[] = [{}, { cookie: forged }];
    for (const headers of attempts) {
      const res = await call("GET", "/auth/session", { headers });
      expect(res.status).toBe(401);
      expect((await problemOf(res)).code).toBe("unauthenticated");
    }
    const out = await browserCall("POST", "/auth/logout", { headers: sessionHeaders(browser) });
    expect(out.status).toBe(303);
    expect((await call("GET", "/auth/session", { headers: { cookie: browser.cookie } })).status).toBe(401);
  });
});
