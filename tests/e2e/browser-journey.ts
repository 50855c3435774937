// What every browser journey shares: one Chromium per file run, people signed in through the
// development IdP, axe counts, and retrying assertions on what a page shows.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { PROJECT_ROOT } from "./working-tree-copy.ts";

/** Screenshots are test artefacts: kept after the run, ignored by git. */
export const ARTEFACTS = join(PROJECT_ROOT, "test-artifacts", "workbench");

export const SETTLE = { timeout: 15_000 };

// Retrying assertions on what the page shows (vitest's expect.poll over Playwright locators).
export const contains = (l: Locator, text: string) =>
  expect.poll(async () => (await l.textContent()) ?? "", SETTLE).toContain(text);
export const lacks = async (l: Locator, text: string) =>
  expect((await l.textContent()) ?? "").not.toContain(text);
export const hasText = (l: Locator, text: string) =>
  expect.poll(async () => ((await l.textContent()) ?? "").trim(), SETTLE).toBe(text);
export const hasCount = (l: Locator, n: number) => expect.poll(() => l.count(), SETTLE).toBe(n);
/** Until the page's scripts have taken over: a key pressed before then reaches no shortcut. */
export const hydrated = (page: Page) => page.locator("html[data-hydrated]").waitFor();
export const hasAttribute = (l: Locator, name: string, value: string) =>
  expect.poll(() => l.getAttribute(name), SETTLE).toBe(value);

export interface JourneyBrowser {
  signedIn(name: string, options?: { javaScript?: boolean; dark?: boolean }): Promise<Page>;
  axeCount(page: Page, label: string): Promise<number>;
  /** A page in a fresh context, signed in as nobody. */
  signedOut(): Promise<Page>;
}

/** A browser for the journeys registered after this call, closed after them. */
export function journeyBrowser(originOf: () => string): JourneyBrowser {
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(ARTEFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
      ],
    });
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
  });

  async function signedIn(
    name: string,
    options: { javaScript?: boolean; dark?: boolean } = {},
  ): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      javaScriptEnabled: options.javaScript ?? true,
      colorScheme: options.dark ? "dark" : "light",
    });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${originOf()}/`);
    await page.getByRole("link", { name: "Sign in" }).click();
    await page.waitForURL(/\/auth\/dev/);
    await page.getByRole("button", { name: `Sign in as ${name}` }).click();
    await page.waitForURL(`${originOf()}/`);
    await page.getByRole("heading", { name: "Queue" }).waitFor();
    if (options.javaScript ?? true) await hydrated(page);
    return page;
  }

  async function axeCount(page: Page, label: string): Promise<number> {
    const { violations } = await new AxeBuilder({ page }).analyze();
    const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    console.log(
      `axe ${label}: ${serious.length} serious or critical` +
        (serious.length ? ` (${serious.map((v) => `${v.id}: ${v.nodes[0]?.target}`).join("; ")})` : ""),
    );
    return serious.length;
  }

  async function signedOut(): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    return context.newPage();
  }

  return { signedIn, axeCount, signedOut };
}
