// Sign-in against a real OpenID provider: oidc-provider, started by the workers project's
// globalSetup (tests/e2e/local-oidc-provider.ts). Its development login page accepts any login,
// which becomes the account's email; the Worker runs its whole authorization code + PKCE flow.
import { createExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { resolveSession, SESSION_COOKIE } from "../../../domain/auth/sessions.ts";
import { OIDC_COOKIE } from "../../../workers/auth/oidc.ts";
import worker from "../../../workers/index.ts";
import { cookieFrom, createPerson } from "../../support/sessions.ts";
import { testEnv } from "../../support/test-env.ts";
import { createTenant } from "../../support/world.ts";

type WorkerFetch = (request: Request) => Promise<Response>;

// Redirects are the browser's to follow: a service binding would follow them into the Worker itself.
const throughWorker: WorkerFetch = (request) =>
  exports.default.fetch(new Request(request, { redirect: "manual" }));

/** Like a browser: the Worker's login redirect, the provider's login and consent forms, the callback. */
async function signInAtProvider(fetchWorker: WorkerFetch, email: string): Promise<Response> {
  const login = await fetchWorker(new Request("http://phoenix.test/auth/login?return_to=/cases/open"));
  expect(login.status).toBe(302);
  const pending = cookieFrom(login.headers.getSetCookie(), OIDC_COOKIE);
  let url = login.headers.get("location") ?? "";
  expect(url.startsWith(`${inject("oidcIssuer")}/`)).toBe(true);

  const jar = new Map<string, string>();
  const send = async (target: string, init: RequestInit = {}) => {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    const res = await fetch(target, { ...init, redirect: "manual", headers: { ...init.headers, cookie } });
    for (const set of res.headers.getSetCookie()) {
      const [pair = "", ...attributes] = set.split(";");
      const [name = "", value = ""] = pair.split("=", 2);
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === "") jar.delete(name.trim());
      else jar.set(name.trim(), value);
    }
    return res;
  };

  for (let step = 0; step < 10 && !url.startsWith("http://phoenix.test/"); step++) {
    let res = await send(url);
    if (res.status === 200) {
      const page = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1] ?? "";
      const prompt = /name="prompt" value="([a-z]+)"/.exec(page)?.[1] ?? "";
      const form: Record<string, string> =
        prompt === "login" ? { prompt, login: email, password: "any password will do" } : { prompt };
      res = await send(new URL(action.replaceAll("&amp;", "&"), url).href, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(form).toString(),
      });
    }
    expect([302, 303]).toContain(res.status);
    url = new URL(res.headers.get("location") ?? "", url).href;
  }
  expect(url.startsWith("http://phoenix.test/auth/callback?")).toBe(true);
  return fetchWorker(new Request(url, { headers: { cookie: pending ?? "" } }));
}

async function expectSignedIn(callback: Response, principalId: string) {
  expect(callback.status).toBe(303);
  expect(callback.headers.get("location")).toBe("/cases/open");
  const session = cookieFrom(callback.headers.getSetCookie(), SESSION_COOKIE);
  expect(session).not.toBeNull();
  const signedIn = await resolveSession(
    testEnv(),
    new Request("http://phoenix.test/", { headers: { cookie: session ?? "" } }),
    Date.now(),
  );
  expect(signedIn?.principal.id).toBe(principalId);
  expect(signedIn?.session.method).toBe("oidc");
}

describe("OIDC sign-in against a local oidc-provider", () => {
  it("signs an invited person in as a confidential client (client_secret_basic + PKCE)", async () => {
    const tenant = await createTenant();
    const person = await createPerson([{ tenant, role: "analyst" }]);
    await expectSignedIn(await signInAtProvider(throughWorker, person.email), person.id);
  });

  it("signs in as a public client, with PKCE and no client secret", async () => {
    const tenant = await createTenant();
    const person = await createPerson([{ tenant, role: "viewer" }]);
    const env = { ...testEnv(), OIDC_CLIENT_ID: inject("oidcPublicClientId"), OIDC_CLIENT_SECRET: "" };
    const asPublicClient: WorkerFetch = async (request) =>
      worker.fetch(request, env, createExecutionContext());
    await expectSignedIn(await signInAtProvider(asPublicClient, person.email), person.id);
  });
});
