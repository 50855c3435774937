// The newcomer's path, for real: `npm start` on a copy of this working tree, the printed token
// against the API, then `phoenix tenant create acme` and a restart giving an isolated second tenant.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerAdminJourneys } from "./admin-journeys.ts";
import { freePort } from "./free-port.ts";
import { registerWorkbenchJourneys } from "./workbench-journeys.ts";
import { copyWorkingTree, PROJECT_ROOT as root } from "./working-tree-copy.ts";

let origin = "";
const node = join(root, "node_modules/.bin/node");
const examplesDir = resolve(root, "../shared/ocsf/examples");
// The stack must run on its own .dev.vars, whatever the calling shell exports.
const { PHOENIX_SIGNING_JWK: _ignored, ...inherited } = process.env;
const childEnv: NodeJS.ProcessEnv = {
  ...inherited,
  PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH}`,
};
let work: string;
const started: ChildProcess[] = [];

async function start(): Promise<Running> {
  const child = spawn(node, ["scripts/start.ts"], {
    cwd: work,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  started.push(child);
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const token = await new Promise<string>((resolveToken, reject) => {
    const timer = setInterval(() => {
      const match = /export PHOENIX_TOKEN='([^']+)'/.exec(output);
      if (match?.[1]) {
        clearInterval(timer);
        resolveToken(match[1]);
      }
    }, 200);
    child.on("exit", (code) => {
      clearInterval(timer);
      reject(new Error(`npm start exited with ${code}:\n${output}`));
    });
  });
  return { child, output: () => output, token };
}

/**
 * A real browser through the development IdP: sign in as the demo analyst, see who I am, check the
 * session cookie's flags, sign out, and find the old cookie refused by the API.
 */
async function signInAndOutInABrowser(): Promise<void> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    // /auth/login sends a development browser on to the development IdP.
    await page.getByRole("link", { name: "Sign in" }).click();
    await page.waitForURL(/\/auth\/dev/);
    await page.getByRole("button", { name: "Sign in as Ana Analyst" }).click();
    await page.waitForURL(`${origin}/`);

    // The workbench's top bar names who is signed in; Ana's queue is there.
    await expect.poll(() => page.getByTestId("display-name").textContent()).toBe("Ana Analyst");
    await page.getByRole("heading", { name: "Queue" }).waitFor();

    const cookie = (await context.cookies(origin)).find((c) => c.name === "__Host-phoenix_session");
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/" });
    const held = `__Host-phoenix_session=${cookie?.value}`;
    // The session is a way into /v1 for the page's own requests; Ana holds two grants, so she names one.
    const session = (await (await page.request.get(`${origin}/auth/session`)).json()) as {
      grants: { tenant_id: string }[];
    };
    const tenant = { "x-phoenix-tenant": session.grants[0]?.tenant_id ?? "" };
    expect((await page.request.get(`${origin}/v1/alerts?limit=1`, { headers: tenant })).status()).toBe(200);
    expect(
      (await fetch(`${origin}/v1/alerts?limit=1`, { headers: { cookie: held, ...tenant } })).status,
    ).toBe(200);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("link", { name: "Sign in" }).waitFor();
    expect((await context.cookies(origin)).some((c) => c.name === "__Host-phoenix_session")).toBe(false);
    // A copy of the cookie kept from before sign-out is refused: the session row is revoked.
    expect(
      (await fetch(`${origin}/v1/alerts?limit=1`, { headers: { cookie: held, ...tenant } })).status,
    ).toBe(401);
    console.log("browser: signed in through /auth/dev as the analyst, signed out, old cookie refused");
  } finally {
    await browser.close();
  }
}

async function stop(running: Running): Promise<void> {
  const exited = new Promise((r) => running.child.once("exit", r));
  if (running.child.pid) process.kill(-running.child.pid, "SIGINT");
  await exited;
}

function phoenix(...args: string[]): string {
  return execFileSync(node, ["cli/phoenix.ts", ...args], {
    cwd: work,
    encoding: "utf8",
    env: childEnv,
  });
}

async function api(path: string, token: string, init: RequestInit = {}): Promise<Response> {
  const send = () =>
    fetch(`${origin}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
  try {
    return await send();
  } catch (error) {
    // A kept-alive connection the server closed while the test ran the CLI: a GET goes again on a
    // new one, as any HTTP client would send an idempotent request again.
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if ((init.method ?? "GET") !== "GET" || code !== "UND_ERR_SOCKET") throw error;
    return send();
  }
}

beforeAll(async () => {
  work = copyWorkingTree(".phoenix-e2e-");
  const port = await freePort();
  origin = `http://localhost:${port}`;
  childEnv.PHOENIX_PORT = String(port);
});
afterAll(() => {
  // Whatever happened, leave no wrangler or workerd behind.
  for (const child of started) {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
  }
  rmSync(work, { recursive: true, force: true });
});

// One copy of the tree and two starts of it, shared by the steps below in order: each step is its
// own test, so a failure names what a newcomer would have seen break.
describe("npm start from a fresh copy", () => {
  let first: Running;
  let seededCount = 0;
  const afterFirst: { demoAlerts: number } = { demoAlerts: 0 };

  it("starts, and serves /healthz, /docs and the workbench", async () => {
    first = await start();
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    const docs = await fetch(`${origin}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("/v1/openapi.json");
    expect((await fetch(`${origin}/`)).status).toBe(200);
    expect(first.output()).toContain(`Sign in: ${origin}/auth/dev`);
  }, 240_000);

  it("serves /docs interactively with every request off this origin blocked", async () => {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    try {
      const context = await browser.newContext();
      const blocked: string[] = [];
      // The network is unplugged: only this origin answers.
      await context.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith(origin)) return route.continue();
        blocked.push(url);
        return route.abort("internetdisconnected");
      });
      const page = await context.newPage();
      await page.goto(`${origin}/docs`);
      // The reference rendered the document: an operation is listed, and choosing it moves there.
      await page.getByRole("heading", { name: "Phoenix API" }).first().waitFor({ timeout: 30_000 });
      const operation = page.getByText("List alerts, newest first").first();
      await operation.waitFor({ timeout: 30_000 });
      await operation.click();
      await expect.poll(() => new URL(page.url()).hash).not.toBe("");
      console.log(`docs offline: rendered and navigable, requests off this origin: ${blocked.length}`);
      expect(blocked).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it("seeds the demo tenant and prints a token that works with the README's curl", async () => {
    const listed = await api("/v1/alerts?limit=200", first.token);
    const seeded = (await listed.json()) as { data: unknown[] };
    expect(listed.status, `${JSON.stringify(seeded)}\n${first.output()}`).toBe(200);
    expect(seeded.data.length).toBeGreaterThanOrEqual(8);
    // The seeded findings, and the samples the demo connectors sent as signed webhooks.
    const posted = Number(/seeded (\d+) alerts/.exec(first.output())?.[1]);
    expect(posted).toBeGreaterThan(0);
    expect(seeded.data.length).toBeGreaterThan(posted);
    const example = readFileSync(
      join(examplesDir, "detection_finding.edr-encoded-powershell.create.json"),
      "utf8",
    );
    const created = await api("/v1/alerts", first.token, { method: "POST", body: example });
    expect(created.status).toBe(201);
    seededCount = seeded.data.length;
    console.log(`first start: ${seededCount} demo alerts, example POST ${created.status}`);
  });

  registerWorkbenchJourneys(() => origin);
  registerAdminJourneys(() => origin);

  it("signs in and out in a browser", async () => {
    try {
      await signInAndOutInABrowser();
      // What the first run holds at its end, journeys' alerts included, is what a restart must keep.
      const held = (await (await api("/v1/alerts?limit=200", first.token)).json()) as { data: unknown[] };
      afterFirst.demoAlerts = held.data.length;
    } finally {
      await stop(first);
    }
  }, 120_000);

  it("a restart keeps every alert, seeds nothing twice, and a second tenant sees none of the demo's", async () => {
    expect(seededCount).toBeGreaterThan(0);
    phoenix("tenant", "create", "acme");
    const second = await start();
    try {
      expect(second.output()).not.toMatch(/seeded \d+ alerts/);
      // The demo people and their cases are seeded once and kept across restarts.
      expect(second.output()).toMatch(/Demo people and their grants\S* kept \d+/);
      expect(second.output()).toMatch(/Demo cases\S* demo: kept, northwind: kept, globex: kept/);
      const demoAlerts = (await (await api("/v1/alerts?limit=200", second.token)).json()) as {
        data: unknown[];
      };
      // Everything from the first run is still there: the seed and the example posted to it.
      expect(afterFirst.demoAlerts).toBeGreaterThan(seededCount);
      expect(demoAlerts.data).toHaveLength(afterFirst.demoAlerts);

      const acmeToken = phoenix("token", "--tenant", "acme", "--scopes", "alerts:read alerts:write").trim();
      const acmeList = await api("/v1/alerts?limit=200", acmeToken);
      expect(acmeList.status).toBe(200);
      expect(((await acmeList.json()) as { data: unknown[] }).data).toEqual([]);
      // A demo alert id is a 404 for acme, and acme's own writes stay in acme.
      const demoId = (demoAlerts.data[0] as { unmapped: { phoenix: { alert_id: string } } }).unmapped.phoenix
        .alert_id;
      expect((await api(`/v1/alerts/${demoId}`, acmeToken)).status).toBe(404);
      const example = readFileSync(join(examplesDir, "detection_finding.nids-c2-beacon.close.json"), "utf8");
      expect((await api("/v1/alerts", acmeToken, { method: "POST", body: example })).status).toBe(201);
      const demoAfter = (await (await api("/v1/alerts?limit=200", second.token)).json()) as {
        data: unknown[];
      };
      expect(demoAfter.data).toHaveLength(afterFirst.demoAlerts);
      console.log(`after restart: demo ${demoAfter.data.length} alerts, acme sees 0 of them`);
    } finally {
      await stop(second);
    }
  }, 240_000);
});
interface Running {
  child: ChildProcess;
  output: () => string;
  token: string;
}
