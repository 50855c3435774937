import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "../../../domain/auth/sessions.ts";
import { createSessionRoutes } from "../../../workers/auth/routes.ts";
import { LOGIN_CSRF_COOKIE } from "../../../workers/auth/session-cookie.ts";
import worker from "../../../workers/index.ts";
import { cookieFrom, createPerson, sessionCount } from "../../support/sessions.ts";
import { testEnv } from "../../support/test-env.ts";
import { createTenant } from "../../support/world.ts";

const ORIGIN = "http://phoenix.test";

async function fetchAs(
  environment: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; form?: Record<string, string> } = {},
): Promise<Response> {
  const env = { ...testEnv(), ENVIRONMENT: environment };
  const headers = new Headers(options.headers);
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  if (body !== undefined) headers.set("content-type", "application/x-www-form-urlencoded");
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${ORIGIN}${path}`, { method, headers, body, redirect: "manual" }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

/** GET /auth/dev as a browser: the page, and the login CSRF cookie and token it hands out. */
async function openDevIdp() {
  const page = await fetchAs("development", "GET", "/auth/dev");
  expect(page.status).toBe(200);
  const html = await page.text();
  const cookie = cookieFrom(page.headers.getSetCookie(), LOGIN_CSRF_COOKIE) ?? "";
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
  return { page, html, cookie, csrf };
}

describe("the development IdP outside development", () => {
  // The Worker answers unknown paths with the workbench (React Router), whose build is not part of
  // the workerd test bundle; here the routes are mounted in front of a stand-in for it.
  function withStandInWorkbench() {
    return new Hono<{ Bindings: Env }>()
      .route("/auth", createSessionRoutes())
      .all("*", (c) => c.text(`workbench: no page at ${c.req.path}`, 404));
  }

  // One person for every environment below: each test file can mint only 16 tenants.
  let admin: Promise<{ id: string }> | undefined;
  const someAdmin = () => {
    admin ??= createTenant().then((tenant) => createPerson([{ tenant, role: "admin" }]));
    return admin;
  };

  for (const environment of ["test", "production", "Development", ""]) {
    it(`is unreachable with ENVIRONMENT=${JSON.stringify(environment)}: the request falls through to unknown paths`, async () => {
      const person = await someAdmin();
      const before = await sessionCount();
      const env = { ...testEnv(), ENVIRONMENT: environment };
      const app = withStandInWorkbench();
      const get = await app.request("/auth/dev", {}, env);
      const post = await app.request(
        "/auth/dev",
        {
          method: "POST",
          headers: { cookie: `${LOGIN_CSRF_COOKIE}=x`, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ csrf: "x", principal_id: person.id }).toString(),
        },
        env,
      );
      for (const res of [get, post]) {
        expect(res.status).toBe(404);
        expect(await res.text()).toBe("workbench: no page at /auth/dev");
        expect(res.headers.getSetCookie()).toEqual([]);
      }
      expect(await sessionCount()).toBe(before);
    });

    it(`answers exactly like an unknown path through the Worker with ENVIRONMENT=${JSON.stringify(environment)}`, async () => {
      const person = await someAdmin();
      const before = await sessionCount();
      const unknown = await fetchAs(environment, "GET", "/auth/no-such-page");
      const unknownBody = (await unknown.text()).replaceAll("/auth/no-such-page", "/auth/dev");
      const get = await fetchAs(environment, "GET", "/auth/dev");
      const post = await fetchAs(environment, "POST", "/auth/dev", {
        headers: { cookie: `${LOGIN_CSRF_COOKIE}=x` },
        form: { csrf: "x", principal_id: person.id },
      });
      for (const res of [get, post]) {
        expect(res.status).toBe(unknown.status);
        expect(await res.text()).toBe(unknownBody);
        expect(res.headers.getSetCookie()).toEqual([]);
      }
      expect(await sessionCount()).toBe(before);
    });
  }
});

describe("the development IdP in development", () => {
  it("lists the people who can sign in, one form each, with a login CSRF cookie", async () => {
    const tenant = await createTenant();
    const viewer = await createPerson([{ tenant, role: "viewer" }], {
      kind: "customer",
      displayName: "Vera <Viewer>",
    });
    const analyst = await createPerson([{ tenant, role: "analyst" }], { displayName: "Ana Analyst" });
    const ungranted = await createPerson([], { displayName: "Nobody Granted" });

    const { page, html, cookie, csrf } = await openDevIdp();
    expect(html).toContain("Ana Analyst");
    expect(html).toContain(`value="${analyst.id}"`);
    expect(html).toContain(`value="${viewer.id}"`);
    // Names are escaped, never markup.
    expect(html).toContain("Vera &lt;Viewer&gt;");
    expect(html).not.toContain("Nobody Granted");
    expect(html).toContain(`analyst on ${tenant.name}`);
    expect(cookie).toBe(`${LOGIN_CSRF_COOKIE}=${csrf}`);
    const setCookie = page.headers.getSetCookie().find((c) => c.startsWith(`${LOGIN_CSRF_COOKIE}=`)) ?? "";
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(ungranted.id).not.toBe("");
  });

  it("signs in as the chosen person: a dev session, the session cookie, and /v1 answers as them", async () => {
    const tenant = await createTenant();
    const analyst = await createPerson([{ tenant, role: "analyst" }]);
    const { cookie, csrf } = await openDevIdp();

    const res = await fetchAs("development", "POST", "/auth/dev", {
      headers: { cookie, origin: ORIGIN },
      form: { csrf, principal_id: analyst.id, redirect_to: "/" },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? "";
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(setCookie).toMatch(/; Path=\//);
    // The login CSRF cookie is spent.
    expect(cookieFrom(res.headers.getSetCookie(), LOGIN_CSRF_COOKIE)).toBe(`${LOGIN_CSRF_COOKIE}=`);

    const session = cookieFrom(res.headers.getSetCookie(), SESSION_COOKIE) ?? "";
    const row = await testEnv()
      .CONTROL_DB.prepare("SELECT principal_id, method FROM sessions WHERE id = ?")
      .bind(session.slice(SESSION_COOKIE.length + 1).split(".")[0])
      .first();
    expect(row).toEqual({ principal_id: analyst.id, method: "dev" });
    const alerts = await fetchAs("development", "GET", "/v1/alerts", { headers: { cookie: session } });
    expect(alerts.status).toBe(200);
  });

  it("sends the browser only to same-origin paths after sign-in", async () => {
    const tenant = await createTenant();
    const lead = await createPerson([{ tenant, role: "lead" }]);
    const { cookie, csrf } = await openDevIdp();
    const res = await fetchAs("development", "POST", "/auth/dev", {
      headers: { cookie },
      form: { csrf, principal_id: lead.id, redirect_to: "https://evil.example/phish" },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
  });

  it("refuses login CSRF: no cookie, a mismatched token, or a foreign Origin, and creates no session", async () => {
    const tenant = await createTenant();
    const admin = await createPerson([{ tenant, role: "admin" }]);
    const { cookie, csrf } = await openDevIdp();
    const before = await sessionCount();
    const attempts: Array<{ headers: Record<string, string>; form: Record<string, string> }> = [
      { headers: {}, form: { csrf, principal_id: admin.id } },
      { headers: { cookie }, form: { principal_id: admin.id } },
      { headers: { cookie }, form: { csrf: `${csrf}x`, principal_id: admin.id } },
      { headers: { cookie, origin: "https://evil.example" }, form: { csrf, principal_id: admin.id } },
    ];
    for (const attempt of attempts) {
      const res = await fetchAs("development", "POST", "/auth/dev", attempt);
      expect(res.status, JSON.stringify(attempt)).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe("csrf_rejected");
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    expect(await sessionCount()).toBe(before);
  });

  it("refuses to sign in as no one, a disabled person or a person without a grant (422 naming principal_id)", async () => {
    const tenant = await createTenant();
    const disabled = await createPerson([{ tenant, role: "analyst" }], { status: "disabled" });
    const ungranted = await createPerson([]);
    const revoked = await createPerson([{ tenant, role: "analyst" }]);
    await testEnv()
      .CONTROL_DB.prepare("UPDATE grants SET revoked_at = ? WHERE principal_id = ?")
      .bind(Date.now(), revoked.id)
      .run();
    const { cookie, csrf } = await openDevIdp();
    const before = await sessionCount();
    for (const principalId of [undefined, "prn_does_not_exist", disabled.id, ungranted.id, revoked.id]) {
      const form: Record<string, string> = { csrf };
      if (principalId) form.principal_id = principalId;
      const res = await fetchAs("development", "POST", "/auth/dev", { headers: { cookie }, form });
      expect(res.status, String(principalId)).toBe(422);
      const problem = (await res.json()) as { code: string; errors: Array<{ field: string }> };
      expect(problem.code).toBe("validation_failed");
      expect(problem.errors.map((e) => e.field)).toEqual(["principal_id"]);
    }
    expect(await sessionCount()).toBe(before);
  });
});
