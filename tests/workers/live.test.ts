// GET /live/:tenantId: the workbench's WebSocket for a tenant's case changes. Only a signed-in person
// with a grant on the tenant gets one, and every committed case change reaches it.
import { describe, expect, it } from "vitest";
import { createPerson, type SignedInBrowser, sessionHeaders, signIn } from "../support/sessions.ts";
import { call, createTenant, tokenFor } from "../support/world.ts";

function openSocket(tenantId: string, headers: Record<string, string>) {
  return call("GET", `/live/${tenantId}`, { headers: { upgrade: "websocket", ...headers } });
}

/** Accepts the socket and collects its messages; `next` waits for the first one matching. */
function listen(response: Response) {
  const socket = response.webSocket;
  if (!socket) throw new Error(`no WebSocket in the ${response.status} response`);
  socket.accept();
  const messages: Array<Record<string, unknown>> = [];
  const waiting: Array<{
    match: (m: Record<string, unknown>) => boolean;
    resolve: (m: Record<string, unknown>) => void;
  }> = [];
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as Record<string, unknown>;
    messages.push(message);
    for (const w of waiting.splice(0)) {
      if (w.match(message)) w.resolve(message);
      else waiting.push(w);
    }
  });
  return {
    socket,
    messages,
    next(match: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
      const seen = messages.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiting.push({ match, resolve }));
    },
  };
}

async function analystOf() {
  const tenant = await createTenant();
  const person = await createPerson([{ tenant, role: "analyst" }]);
  return { tenant, person, browser: await signIn(person.id) };
}

function cookieOf(browser: SignedInBrowser) {
  return { cookie: browser.cookie, origin: "http://phoenix.test" };
}

describe("GET /live/:tenantId", () => {
  it("streams every committed change of the tenant's cases to a granted person", async () => {
    const { tenant, browser } = await analystOf();
    const response = await openSocket(tenant.id, cookieOf(browser));
    expect(response.status).toBe(101);
    const live = listen(response);
    await live.next((m) => m.kind === "hello");

    const opened = await call("POST", "/v1/cases", {
      body: { title: "Live case", severity: "high" },
      headers: sessionHeaders(browser),
    });
    expect(opened.status).toBe(201);
    const { id } = (await opened.json()) as { id: string };
    const first = await live.next((m) => m.caseId === id);
    expect(first).toMatchObject({
      kind: "case.changed",
      tenantId: tenant.id,
      version: 1,
      eventTypes: ["case.opened"],
    });
    expect(first.row).toMatchObject({ title: "Live case", severity: "high", state: "new" });

    const acked = await call("POST", `/v1/cases/${id}/commands`, {
      body: { type: "acknowledge" },
      headers: sessionHeaders(browser, { "if-match": '"1"' }),
    });
    expect(acked.status).toBe(200);
    const second = await live.next((m) => m.caseId === id && m.version === 2);
    expect(second.eventTypes).toContain("case.acknowledged");
    // Changes carry no event content: comments are read through the page, with its permissions.
    expect(JSON.stringify(live.messages)).not.toContain("body");
    live.socket.close();
  });

  it("is a 404 for a tenant without a grant, so a subscription never carries another tenant's cases", async () => {
    const { browser } = await analystOf();
    const other = await createTenant();
    const response = await openSocket(other.id, cookieOf(browser));
    expect(response.status).toBe(404);
    expect(response.webSocket).toBeNull();
    expect((await openSocket("tnt_not-an-id", cookieOf(browser))).status).toBe(404);
  });

  it("needs a session (a bearer token is not one), the site's own origin, and an upgrade", async () => {
    const { tenant, browser } = await analystOf();
    expect((await openSocket(tenant.id, {})).status).toBe(401);
    const token = await tokenFor(tenant);
    expect((await openSocket(tenant.id, { authorization: `Bearer ${token}` })).status).toBe(401);
    expect(
      (await openSocket(tenant.id, { cookie: browser.cookie, origin: "https://evil.example" })).status,
    ).toBe(403);
    const plain = await call("GET", `/live/${tenant.id}`, { headers: cookieOf(browser) });
    expect(plain.status).toBe(400);
    expect(plain.headers.get("content-type")).toBe("application/problem+json");
  });

  it("closes a person's sockets on the tenant the moment their grant is revoked, and only theirs", async () => {
    const { tenant, person, browser } = await analystOf();
    const colleague = await createPerson([{ tenant, role: "analyst" }]);
    const theirs = listen(await openSocket(tenant.id, cookieOf(browser)));
    const kept = listen(await openSocket(tenant.id, cookieOf(await signIn(colleague.id))));
    await theirs.next((m) => m.kind === "hello");
    await kept.next((m) => m.kind === "hello");
    const closed = new Promise<number>((resolve) =>
      theirs.socket.addEventListener("close", (event) => resolve(event.code)),
    );
    let keptClosed = false;
    kept.socket.addEventListener("close", () => {
      keptClosed = true;
    });

    const admin = await tokenFor(tenant, { scopes: ["admin"] });
    const revoked = await call("POST", `/v1/users/${person.id}/revoke`, { token: admin });
    expect(revoked.status).toBe(200);
    expect(await closed).toBe(4403);
    // The colleague still hears the tenant's changes.
    const opened = await call("POST", "/v1/cases", {
      body: { title: "After the revocation", severity: "low" },
      token: await tokenFor(tenant),
    });
    expect(opened.status).toBe(201);
    const { id } = (await opened.json()) as { id: string };
    await kept.next((m) => m.caseId === id);
    expect(keptClosed).toBe(false);
    // And the revoked person cannot open a new one.
    expect((await openSocket(tenant.id, cookieOf(browser))).status).toBe(404);
    kept.socket.close();
  });
});
