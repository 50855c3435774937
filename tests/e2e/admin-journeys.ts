// The administrator's journeys through connectors and sinks, in a real Chromium against a running
// `npm start`: a connector's signed example curl sent as it is copied, and a Jira sink (a local Jira
// Cloud on a free port, tests/e2e/vendors/local-jira.ts) failing on bad credentials, fixed and replayed.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { signWebhook } from "../../domain/webhooks/standard-webhooks.ts";
import { ARTEFACTS, contains, journeyBrowser, SETTLE } from "./browser-journey.ts";
import { serveJira } from "./vendors/local-jira.ts";

/** The words of a curl command as a POSIX shell splits them: single quotes, `\'`, line continuations. */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i] as string;
    if (ch === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new Error("unterminated quote");
      word = (word ?? "") + command.slice(i + 1, end);
      i = end;
    } else if (ch === "\\") {
      const next = command[i + 1];
      i++;
      if (next !== "\n") word = (word ?? "") + (next ?? "");
    } else if (/\s/.test(ch)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? "") + ch;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** Sends what a copied `curl -X POST url -H … --data-binary body` would send. */
async function sendCurl(command: string): Promise<Response> {
  const words = shellWords(command);
  expect(words[0]).toBe("curl");
  const headers: Record<string, string> = {};
  let url = "";
  let body = "";
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (w === "-H") {
      const [name, ...value] = (words[++i] ?? "").split(": ");
      headers[name ?? ""] = value.join(": ");
    } else if (w === "--data-binary") body = words[++i] ?? "";
    else if (w === "-X") i++;
    else if (w?.startsWith("http")) url = w;
  }
  return fetch(url, { method: "POST", headers, body });
}

export function registerAdminJourneys(originOf: () => string): void {
  const { signedIn, axeCount } = journeyBrowser(originOf);
  let jira: Server;
  let jiraOrigin = "";

  beforeAll(async () => {
    jira = createServer((req, res) => {
      serveJira(req, res)
        .then((served) => {
          if (!served) res.writeHead(404).end();
        })
        .catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
    await new Promise<void>((resolve) => jira.listen(0, "127.0.0.1", resolve));
    jiraOrigin = `http://127.0.0.1:${(jira.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    jira?.closeAllConnections();
    await new Promise<void>((resolve) => (jira ? jira.close(() => resolve()) : resolve()));
  });

  const adminNav = (page: Page, label: string) =>
    page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: label }).click();

  it("lets an admin add a connector, send its signed example curl as copied, and find the alert in its case; the quarantine keeps what does not map", async () => {
    const page = await signedIn("Adi Admin");
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: originOf() });
    await page.goto(`${originOf()}/admin/people`);
    await adminNav(page, "Connectors");
    await page.waitForURL(/\/admin\/connectors/);

    const name = `Journey EDR ${Date.now()}`;
    const add = page.getByRole("form", { name: "Add a connector" });
    await add.getByLabel("Kind").selectOption("ocsf");
    await add.getByLabel("Name").fill(name);
    await add.getByRole("button", { name: "Add connector" }).click();
    await contains(page.getByRole("status"), `Added ${name}`);
    const secret = ((await page.locator("[data-secret]").textContent()) ?? "").trim();
    expect(secret).toMatch(/^whsec_/);
    expect(await axeCount(page, "admin connectors")).toBe(0);
    await page.getByRole("link", { name: `Open ${name}` }).click();
    await page.waitForURL(/\/admin\/connectors\/con/);
    await page.getByTestId("example-curl").waitFor();
    // The connector's page signs with the secret but never shows it.
    expect(await page.content()).not.toContain(secret);

    // Copied with the button, pasted as it is: the delivery verifies and is queued (decision 052).
    await page.getByRole("button", { name: "Copy the example curl" }).click();
    const curl = String(await page.evaluate("navigator.clipboard.readText()"));
    expect(curl).toBe(await page.getByTestId("example-curl").textContent());
    const sent = await sendCurl(curl);
    expect(sent.status, await sent.clone().text()).toBe(202);
    expect(await sent.json()).toMatchObject({ status: "queued" });
    const title = `Example detection from ${name}`;

    // A delivery that verifies but does not map waits in the connector's quarantine, with its reason and payload.
    const ingestUrl = ((await page.getByTestId("ingest-url").textContent()) ?? "").trim();
    const bad = JSON.stringify({ class_uid: 2004, note: "not a finding" });
    const id = `msg_journey_${Date.now()}`;
    const at = Math.floor(Date.now() / 1000);
    const kept = await fetch(ingestUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(at),
        "webhook-signature": signWebhook(secret, id, at, bad),
      },
      body: bad,
    });
    expect(await kept.json()).toMatchObject({ status: "queued" });
    // The consumer stores it a moment after the 202.
    const quarantine = page.getByRole("region", { name: /Quarantine/ });
    await expect
      .poll(async () => {
        await page.reload();
        return (await quarantine.textContent()) ?? "";
      }, SETTLE)
      .toContain("1 waiting");
    await quarantine.getByText("Payload").click();
    await contains(quarantine, "not a finding");
    await page.screenshot({ path: join(ARTEFACTS, "connector.png"), fullPage: true });
    expect(await axeCount(page, "admin connector")).toBe(0);
    await quarantine.getByRole("button", { name: /^Replay / }).click();
    await contains(page.getByRole("alert"), "still cannot be mapped");

    // The example is an alert among the tenant's, grouped into a case.
    await page.goto(`${originOf()}/alerts`);
    const row = page.getByRole("row", { name: new RegExp(title) });
    await row.waitFor(SETTLE);
    await row.getByRole("link", { name: title, exact: true }).click();
    await page.waitForURL(/\/alerts\/alrt_/);
    const inCase = page.getByRole("complementary", { name: "Case" });
    await expect
      .poll(async () => {
        await page.reload();
        return (await inCase.textContent()) ?? "";
      }, SETTLE)
      .not.toContain("Not in a case yet");
    expect(await inCase.getByRole("link").first().getAttribute("href")).toMatch(/^\/cases\/case_/);
    console.log(
      `connector: "${name}" added, its example curl sent as copied (202), alert in a case; a bad delivery quarantined and refused on replay`,
    );
  }, 120_000);

  it("lets an admin give the AI security connectors what they pull with, and never shows it back", async () => {
    const page = await signedIn("Adi Admin");
    for (const { kind, name, fill, save, saved, secret } of [
      {
        kind: "cisco-ai-defense",
        name: `AI Defense ${Date.now()}`,
        fill: async () => {
          await page.getByLabel("Region").selectOption("eu");
          await page.getByLabel(/Management API key/).fill("aid-journey-key-7f1c");
        },
        save: "Save pull key",
        saved: "Pull key saved",
        secret: "aid-journey-key-7f1c",
      },
      {
        kind: "m365-copilot",
        name: `Copilot audit ${Date.now()}`,
        fill: async () => {
          await page.getByLabel("Tenant id").fill("408e31c8-8f05-410a-9221-84335f0ce512");
          await page.getByLabel("Application (client) id").fill("5f0c2a1e-3b7d-4c55-9e21-0d8a4f7b1c01");
          await page.getByLabel(/Client secret/).fill("m365-journey-secret");
        },
        save: "Save app registration",
        saved: "App registration saved",
        secret: "m365-journey-secret",
      },
    ]) {
      await page.goto(`${originOf()}/admin/connectors`);
      const add = page.getByRole("form", { name: "Add a connector" });
      await add.getByLabel("Kind").selectOption(kind);
      await add.getByLabel("Name").fill(name);
      await add.getByRole("button", { name: "Add connector" }).click();
      await contains(page.getByRole("status"), `Added ${name}`);
      await page.getByRole("link", { name: `Open ${name}` }).click();
      await page.waitForURL(/\/admin\/connectors\/con/);
      // The example, in the product's own shape, verifies and is queued like any delivery.
      const sent = await sendCurl((await page.getByTestId("example-curl").textContent()) ?? "");
      expect(sent.status, await sent.clone().text()).toBe(202);
      await contains(page.getByRole("region", { name: /^Pull from/ }), "Not pulling: push only");
      await fill();
      await page.getByRole("button", { name: save }).click();
      await contains(page.getByRole("status"), saved);
      await contains(page.getByRole("region", { name: /^Pull from/ }), "Signs in as");
      expect(await page.content()).not.toContain(secret);
      await page.screenshot({ path: join(ARTEFACTS, `connector-${kind}.png`), fullPage: true });
      expect(await axeCount(page, `admin connector ${kind}`)).toBe(0);
    }
    console.log(
      "AI security connectors: cisco-ai-defense and m365-copilot examples sent (202), pull credentials saved from their pages, never shown back",
    );
  }, 120_000);

  it("lets an admin see a Jira sink fail on bad credentials, fix them, and replay its dead letters", async () => {
    const page = await signedIn("Adi Admin");
    await page.goto(`${originOf()}/admin/sinks`);
    await page.getByRole("heading", { level: 1, name: "Sinks" }).waitFor();

    const name = `Journey Jira ${Date.now()}`;
    const site = `${jiraOrigin}/site/journey-${Date.now()}`;
    const add = page.getByRole("form", { name: "Add a sink" });
    await add.getByLabel("Kind").selectOption("jira");
    await add.getByLabel("Name").fill(name);
    await add.getByLabel("Configuration (JSON)").fill(
      JSON.stringify({
        site_url: site,
        auth: { type: "api_token", email: "phoenix@example.com" },
        project_key: "SOC",
        issue_type: "Incident",
      }),
    );
    await add.getByLabel("API token (api_token auth)").fill("not-the-token");
    await add.getByRole("button", { name: "Add sink" }).click();
    await contains(page.getByRole("status"), `Added ${name}`);
    expect(await axeCount(page, "admin sinks")).toBe(0);
    await page.getByRole("link", { name: `Open ${name}` }).click();
    await page.waitForURL(/\/admin\/sinks\/snk/);

    // The connection test names what is wrong.
    await page.getByRole("button", { name: "Test connection" }).click();
    const refused = page.getByRole("alert");
    await contains(refused, "does not work as configured");
    await contains(refused.getByRole("list", { name: "Connection checks" }), "failed");

    // A case change goes to Jira, which refuses it: the case's sync fails and a dead letter waits.
    const sinkUrl = page.url();
    await page.goto(`${originOf()}/`);
    await page
      .getByRole("table", { name: /Cases, one per row/ })
      .locator("a[data-case-link]")
      .first()
      .click();
    await page.waitForURL(/\/cases\//);
    await page.getByRole("textbox", { name: /Comment/ }).fill("Sent to Jira from the sink journey.");
    await page.getByRole("button", { name: "Comment", exact: true }).click();
    await contains(
      page.getByRole("list", { name: "Events, newest first" }),
      "Sent to Jira from the sink journey.",
    );
    await page.goto(sinkUrl);
    const letters = page.getByRole("region", { name: /Dead letters/ });
    await expect
      .poll(
        async () => {
          await page.reload();
          return (await letters.textContent()) ?? "";
        },
        { timeout: 30_000 },
      )
      .toContain("401");
    await page.screenshot({ path: join(ARTEFACTS, "sink.png"), fullPage: true });
    expect(await axeCount(page, "admin sink")).toBe(0);

    // The right token: the test passes, the dead letters are replayed, and the case reaches Jira.
    const credentials = page.getByRole("region", { name: "Credentials" });
    await credentials.getByLabel("API token (api_token auth)").fill("jira-api-token");
    await credentials.getByRole("button", { name: "Replace credentials" }).click();
    await contains(page.getByRole("status"), "Credentials replaced");
    await page.getByRole("button", { name: "Test connection" }).click();
    await contains(page.getByRole("status"), "answers as configured");
    await letters.getByRole("button", { name: "Replay all" }).click();
    // Other demo cases may have changed meanwhile: each has its own letter, all replayed.
    await expect
      .poll(async () => (await page.getByRole("status").textContent()) ?? "", SETTLE)
      .toMatch(/Replaying \d+ dead letters?$/);
    const cases = page.getByRole("region", { name: /Cases in this sink/ });
    await expect
      .poll(
        async () => {
          await page.reload();
          return (await cases.textContent()) ?? "";
        },
        { timeout: 30_000 },
      )
      .toMatch(/SOC-\d+/);
    await contains(letters, "none");
    // Sinks and connectors are an admin's: the analyst finds no such page, as for another tenant.
    const analyst = await signedIn("Ana Analyst");
    for (const path of ["/admin/sinks", "/admin/connectors"]) {
      expect((await analyst.request.get(`${originOf()}${path}`)).status(), path).toBe(404);
    }
    console.log(
      `sink: "${name}" refused with 401, dead-lettered; token fixed, test passed, replayed into Jira`,
    );
  }, 150_000);
}
