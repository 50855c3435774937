import { describe, expect, it } from "vitest";
import {
  resolveSession,
  revokeSession,
  SESSION_ABSOLUTE_TIMEOUT_MS,
  SESSION_COOKIE,
  SESSION_IDLE_TIMEOUT_MS,
  signSessionCookie,
} from "../../../domain/auth/sessions.ts";
import { safeRedirectPath, signedInResponse } from "../../../workers/auth/session-cookie.ts";
import {
  browserCall,
  cookieFrom,
  createPerson,
  sessionHeaders,
  sessionRow,
  signIn,
} from "../../support/sessions.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant } from "../../support/world.ts";

const MINUTE = 60_000;

function browserRequest(cookie: string | null): Request {
  return new Request("http://phoenix.test/", cookie ? { headers: { cookie } } : {});
}

async function analyst() {
  const tenant = await createTenant();
  const person = await createPerson([{ tenant, role: "analyst" }]);
  return { tenant, person };
}

describe("the session cookie", () => {
  it("is __Host-, HttpOnly, Secure, SameSite=Lax, Path=/, set on a 303 to a same-origin path", async () => {
    const { person } = await analyst();
    const { session } = await signIn(person.id);
    const res = await signedInResponse(testEnv(), session, "/cases?queue=mine");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/cases?queue=mine");
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? "";
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
    // The value is the session id and its signature, nothing about the person.
    expect(cookie.split(";")[0]).toMatch(new RegExp(`^${SESSION_COOKIE}=${session.id}\\.[A-Za-z0-9_-]{43}$`));
  });

  it("never redirects off the site", () => {
    for (const target of [
      "https://evil.example/",
      "//evil.example/x",
      "/\\evil.example",
      "/\t/evil.example",
      "javascript:alert(1)",
      "",
    ]) {
      expect(safeRedirectPath(target), target).toBe("/");
    }
    expect(safeRedirectPath("/cases/case_1#timeline")).toBe("/cases/case_1#timeline");
  });
});

describe("resolveSession", () => {
  it("yields the session, the principal and their active grants", async () => {
    const { tenant, person } = await analyst();
    const { cookie, session } = await signIn(person.id);
    const signedIn = await resolveSession(testEnv(), browserRequest(cookie), Date.now());
    expect(signedIn?.session.id).toBe(session.id);
    expect(signedIn?.principal).toMatchObject({ id: person.id, email: person.email, status: "active" });
    expect(signedIn?.grants).toEqual([expect.objectContaining({ tenantId: tenant.id, role: "analyst" })]);
  });

  it("refuses a missing, tampered, unsigned or foreign-key cookie", async () => {
    const { person } = await analyst();
    const { cookie, session } = await signIn(person.id);
    const env = testEnv();
    const now = Date.now();
    const value = cookie.slice(SESSION_COOKIE.length + 1);
    const [id, mac] = value.split(".") as [string, string];
    const otherKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const forged = [
      null,
      `${SESSION_COOKIE}=${session.id}`,
      `${SESSION_COOKIE}=${id}.`,
      `${SESSION_COOKIE}=${id}.${mac.slice(0, -2)}`,
      `${SESSION_COOKIE}=${id}.${mac[0] === "A" ? "B" : "A"}${mac.slice(1)}`,
      `${SESSION_COOKIE}=${id.slice(0, -1)}${id.endsWith("0") ? "1" : "0"}.${mac}`,
      `${SESSION_COOKIE}=${await signSessionCookie(otherKey, session.id)}`,
      `phoenix_session=${value}`,
    ];
    for (const c of forged) expect(await resolveSession(env, browserRequest(c), now), String(c)).toBeNull();
    expect(await resolveSession(env, browserRequest(cookie), now)).not.toBeNull();
  });

  it("expires after 30 idle minutes, and use slides the idle expiry", async () => {
    const { person } = await analyst();
    const t0 = Date.now();
    const idle = await signIn(person.id, t0);
    expect(
      await resolveSession(testEnv(), browserRequest(idle.cookie), t0 + SESSION_IDLE_TIMEOUT_MS),
    ).toBeNull();

    const used = await signIn(person.id, t0);
    const t20 = t0 + 20 * MINUTE;
    expect(await resolveSession(testEnv(), browserRequest(used.cookie), t20)).not.toBeNull();
    expect((await sessionRow(used.session.id))?.idle_expires_at).toBe(t20 + SESSION_IDLE_TIMEOUT_MS);
    // Past the first idle deadline, but within 30 minutes of the last use.
    expect(await resolveSession(testEnv(), browserRequest(used.cookie), t0 + 45 * MINUTE)).not.toBeNull();
  });

  it("writes last_seen_at at most once a minute", async () => {
    const { person } = await analyst();
    const t0 = Date.now();
    const { cookie, session } = await signIn(person.id, t0);
    await resolveSession(testEnv(), browserRequest(cookie), t0 + 30_000);
    expect((await sessionRow(session.id))?.last_seen_at).toBe(t0);
    await resolveSession(testEnv(), browserRequest(cookie), t0 + 61_000);
    expect((await sessionRow(session.id))?.last_seen_at).toBe(t0 + 61_000);
  });

  it("ends at the absolute expiry (12 h) however recently it was used", async () => {
    const { person } = await analyst();
    const t0 = Date.now();
    const { cookie } = await signIn(person.id, t0);
    let t = t0;
    for (; t + 20 * MINUTE < t0 + SESSION_ABSOLUTE_TIMEOUT_MS; t += 20 * MINUTE) {
      expect(
        await resolveSession(testEnv(), browserRequest(cookie), t),
        `at +${(t - t0) / MINUTE} min`,
      ).not.toBeNull();
    }
    // Used 20 minutes ago, so idle-wise alive, but 12 h old.
    expect(
      await resolveSession(testEnv(), browserRequest(cookie), t0 + SESSION_ABSOLUTE_TIMEOUT_MS),
    ).toBeNull();
  });

  it("refuses a revoked session and a disabled principal", async () => {
    const { person } = await analyst();
    const revoked = await signIn(person.id);
    await revokeSession(testEnv().CONTROL_DB, revoked.session.id, Date.now());
    expect(await resolveSession(testEnv(), browserRequest(revoked.cookie), Date.now())).toBeNull();

    const live = await signIn(person.id);
    await testEnv()
      .CONTROL_DB.prepare("UPDATE principals SET status = 'disabled' WHERE id = ?")
      .bind(person.id)
      .run();
    expect(await resolveSession(testEnv(), browserRequest(live.cookie), Date.now())).toBeNull();
  });
});

describe("POST /auth/logout", () => {
  async function logout(headers: Record<string, string>, form: Record<string, string>) {
    return browserCall("POST", "/auth/logout", { headers, form });
  }

  it("revokes the session, clears the cookie and sends the browser home; the old cookie is dead", async () => {
    const { person } = await analyst();
    const browser = await signIn(person.id);
    expect((await call("GET", "/v1/alerts", { headers: { cookie: browser.cookie } })).status).toBe(200);

    const res = await logout(
      { cookie: browser.cookie, origin: "http://phoenix.test" },
      { csrf: browser.session.csrfToken },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? "";
    expect(cleared).toMatch(/Max-Age=0/);
    expect(cookieFrom(res.headers.getSetCookie(), SESSION_COOKIE)).toBe(`${SESSION_COOKIE}=`);
    expect((await sessionRow(browser.session.id))?.revoked_at).not.toBeNull();

    // A browser (or thief) that kept the cookie gets nothing.
    const after = await call("GET", "/v1/alerts", { headers: { cookie: browser.cookie } });
    expect(after.status).toBe(401);
    expect(await resolveSession(testEnv(), browserRequest(browser.cookie), Date.now())).toBeNull();
  });

  it("takes the token from X-CSRF-Token too", async () => {
    const { person } = await analyst();
    const browser = await signIn(person.id);
    const res = await browserCall("POST", "/auth/logout", { headers: sessionHeaders(browser) });
    expect(res.status).toBe(303);
    expect((await sessionRow(browser.session.id))?.revoked_at).not.toBeNull();
  });

  it("refuses a missing or wrong CSRF token, or a foreign Origin, with 403 and leaves the session alive", async () => {
    const { person } = await analyst();
    const browser = await signIn(person.id);
    const attempts: Array<[Record<string, string>, Record<string, string>]> = [
      [{ cookie: browser.cookie }, {}],
      [{ cookie: browser.cookie }, { csrf: "" }],
      [{ cookie: browser.cookie }, { csrf: "not-the-token" }],
      [{ cookie: browser.cookie, origin: "https://evil.example" }, { csrf: browser.session.csrfToken }],
      [{ cookie: browser.cookie, origin: "null" }, { csrf: browser.session.csrfToken }],
    ];
    for (const [headers, form] of attempts) {
      const res = await logout(headers, form);
      expect(res.status, JSON.stringify({ headers, form })).toBe(403);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(((await res.json()) as { code: string }).code).toBe("csrf_rejected");
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    expect((await sessionRow(browser.session.id))?.revoked_at).toBeNull();
    expect(await resolveSession(testEnv(), browserRequest(browser.cookie), Date.now())).not.toBeNull();
  });

  it("without a live session only clears the cookie", async () => {
    const res = await logout({}, {});
    expect(res.status).toBe(303);
    expect(cookieFrom(res.headers.getSetCookie(), SESSION_COOKIE)).toBe(`${SESSION_COOKIE}=`);
  });
});
