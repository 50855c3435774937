// The analyst journeys through the workbench, in a real Chromium against a running `npm start`.
// tests/e2e/local-stack.test.ts registers them on its first server, so the slow start is shared.
import { join } from "node:path";
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import {
  ARTEFACTS,
  contains,
  hasAttribute,
  hasCount,
  hasText,
  hydrated,
  journeyBrowser,
  lacks,
  SETTLE,
} from "./browser-journey.ts";

export { ARTEFACTS };

const BREACH_WAIT_MS = 150_000;

export function registerWorkbenchJourneys(originOf: () => string): void {
  const { signedIn, axeCount, signedOut } = journeyBrowser(originOf);

  const rowsOf = (page: Page) => page.getByRole("table", { name: /Cases, one per row/ }).locator("tbody tr");
  const tenantsIn = async (page: Page) =>
    new Set(await rowsOf(page).locator("td:nth-child(4)").allTextContents());

  it("signs the analyst in and shows the queue across their tenants, most urgent SLA first, filtered by the URL", async () => {
    const page = await signedIn("Ana Analyst");
    await expect.poll(() => rowsOf(page).count()).toBeGreaterThan(10);
    // Ana holds grants on Demo Corp and Northwind Health only.
    expect([...(await tenantsIn(page))].sort()).toEqual(["Demo Corp", "Northwind Health"]);
    await page.screenshot({ path: join(ARTEFACTS, "queue.png") });
    expect(await axeCount(page, "queue")).toBe(0);

    // The URL is the view: critical cases of Northwind only.
    const northwindId = await page
      .locator("select[name=tenant] option", { hasText: "Northwind Health" })
      .getAttribute("value");
    await page.goto(`${originOf()}/?tenant=${northwindId}&severity=critical`);
    await expect.poll(() => rowsOf(page).count()).toBeGreaterThan(0);
    expect([...(await tenantsIn(page))]).toEqual(["Northwind Health"]);
    const severities = await rowsOf(page).locator("td:nth-child(2)").allTextContents();
    expect(severities.every((s) => s.toLowerCase().startsWith("critical"))).toBe(true);
    console.log(`queue: ${await rowsOf(page).count()} critical Northwind cases by URL`);
  }, 120_000);

  it(
    "opens a breached case with the keyboard alone, then works it: acknowledge, assign, comment, contain, resolve; the lead closes it",
    async () => {
      const page = await signedIn("Ana Analyst");
      // Northwind's contract breaches an unacknowledged critical case a minute after it opened.
      const firstSla = async () =>
        (await rowsOf(page).first().locator("td:nth-child(7)").textContent()) ?? "";
      const deadline = Date.now() + BREACH_WAIT_MS;
      while (!/over|breached/.test(await firstSla()) && Date.now() < deadline) {
        await page.waitForTimeout(5_000);
        await page.reload();
      }
      // Most urgent first: the first row is breached. j and k move, Enter opens.
      expect(await firstSla(), "the first row is breached").toMatch(/over|breached/);
      await hydrated(page);
      await page.keyboard.press("j");
      await page.keyboard.press("k");
      const title = (await rowsOf(page).first().locator("a[data-case-link]").textContent()) ?? "";
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/cases\/case_/);
      await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe(title);
      const caseUrl = page.url();

      // The lead watches the same case, and the queue, in a second browser: nothing is reloaded.
      const leadQueue = await signedIn("Lee Lead");
      const leadCase = await leadQueue.context().newPage();
      await leadCase.goto(caseUrl);
      for (const watcher of [leadQueue, leadCase]) {
        await hasText(watcher.locator("[data-live]"), "Live");
        await watcher.evaluate(() => {
          (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
        });
      }

      const timeline = page.getByRole("list", { name: "Events, newest first" });
      const act = async (label: string, fill?: () => Promise<void>) => {
        const before = await timeline.locator("li").count();
        if (fill) await fill();
        else
          await page
            .getByRole("toolbar", { name: "Case actions" })
            .getByRole("button", { name: label, exact: true })
            .click();
        await expect.poll(() => timeline.locator("li").count(), { timeout: 15_000 }).toBeGreaterThan(before);
      };
      await act("Acknowledge");
      await contains(timeline, "acknowledged");
      await act("Assign to me");
      await contains(timeline, "assigned it to Ana Analyst");
      await act("comment", async () => {
        await page.keyboard.press("c");
        await page.keyboard.type(
          "Found **persistence** via `schtasks`:\n\n- [x] host isolated\n- [ ] creds reset",
        );
        await page.getByRole("button", { name: "Comment", exact: true }).click();
      });
      await hasText(timeline.locator("strong"), "persistence");
      await act("Contain");
      await act("resolve", async () => {
        await page.getByText("Resolve ▾").click();
        await page.getByLabel("Resolution").selectOption("true_positive");
        await page.getByRole("button", { name: "Resolve", exact: true }).click();
      });
      await contains(timeline, "resolved it as true positive");
      // The analyst cannot close it, and the page says whose step that is.
      await contains(page.locator("main"), "Closing this case is a lead's step");
      // Closing is a lead's decision: Ana is not offered it.
      await hasCount(page.getByRole("button", { name: "Close", exact: true }), 0);
      await page.screenshot({ path: join(ARTEFACTS, "case-light.png"), fullPage: true });
      expect(await axeCount(page, "case page")).toBe(0);

      // Every step reached the lead's case page and queue row live, without a reload.
      const leadTimeline = leadCase.getByRole("list", { name: "Events, newest first" });
      for (const step of [
        "acknowledged",
        "assigned it to Ana Analyst",
        "persistence",
        "contained",
        "resolved it as true positive",
      ]) {
        await contains(leadTimeline, step);
      }
      await contains(leadQueue.locator("tbody tr", { hasText: title }), "Resolved");
      for (const watcher of [leadQueue, leadCase]) {
        expect(
          await watcher.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded),
        ).toBe(true);
      }
      await leadCase.getByRole("button", { name: "Close", exact: true }).click();
      await contains(leadTimeline, "(resolved → closed)");
      console.log(
        "journey: breached case opened by keyboard, worked to resolved (seen live by the lead), closed by the lead",
      );
    },
    BREACH_WAIT_MS + 120_000,
  );

  it("shows a stale edit's conflict and succeeds on retry", async () => {
    // Without JavaScript nothing refreshes the page, so the lead's change makes Ana's page stale.
    const analyst = await signedIn("Ana Analyst", { javaScript: false });
    await analyst.goto(`${originOf()}/?state=new&assignee=unassigned`);
    const link = rowsOf(analyst).first().locator("a[data-case-link]");
    await link.click();
    await analyst.waitForURL(/\/cases\//);
    const caseUrl = analyst.url();

    const lead = await signedIn("Lee Lead");
    await lead.goto(caseUrl);
    await lead.getByRole("button", { name: "Acknowledge" }).click();
    await contains(lead.getByRole("list", { name: "Events, newest first" }), "acknowledged");

    // Ana's page still shows version 1: her command meets the lead's change.
    await analyst.getByRole("button", { name: "Assign to me" }).click();
    const conflict = analyst.getByRole("alert");
    await contains(conflict, "Someone else changed this case first");
    await contains(conflict, "acknowledged");
    await conflict.getByRole("button", { name: /Retry/ }).click();
    await contains(analyst.getByRole("list", { name: "Events, newest first" }), "assigned it to Ana Analyst");
    console.log("conflict: shown with the lead's change, retried on the current version");
  }, 120_000);

  it("keeps tenants apart: no Globex case for the analyst by queue or URL; the customer viewer only reads, without internal comments", async () => {
    const lead = await signedIn("Lee Lead");
    const globexId = await lead
      .locator("select[name=tenant] option", { hasText: "Globex Retail" })
      .getAttribute("value");
    await lead.goto(`${originOf()}/?tenant=${globexId}`);
    const globexCase = await rowsOf(lead).first().locator("a[data-case-link]").getAttribute("href");
    expect(globexCase).toMatch(/^\/cases\/case_/);

    const analyst = await signedIn("Ana Analyst");
    expect(await tenantsIn(analyst)).not.toContain("Globex Retail");
    // Not through the palette either: Globex's titles find nothing for Ana.
    await analyst.keyboard.press("Control+k");
    await analyst.keyboard.type("Card-skimming");
    await contains(
      analyst.getByRole("dialog", { name: "Jump to a case" }),
      "No case of your tenants matches",
    );
    await analyst.keyboard.press("Escape");
    const response = await analyst.goto(`${originOf()}${globexCase}`);
    expect(response?.status()).toBe(404);
    await hasText(analyst.getByRole("heading", { level: 1 }), "Not found");
    expect(await axeCount(analyst, "error page")).toBe(0);
    // A tenant filter naming Globex shows nothing rather than Globex's cases.
    await analyst.goto(`${originOf()}/?tenant=${globexId}`);
    expect(await rowsOf(analyst).count()).toBe(0);

    const viewer = await signedIn("Vera Viewer");
    expect([...(await tenantsIn(viewer))]).toEqual(["Demo Corp"]);
    await viewer.getByRole("link", { name: /Encoded PowerShell spawned by WINWORD/ }).click();
    await viewer.waitForURL(/\/cases\//);
    await hasCount(viewer.getByRole("toolbar", { name: "Case actions" }), 0);
    await hasCount(viewer.getByRole("form", { name: "Comment" }), 0);
    const timeline = viewer.getByRole("list", { name: "Events, newest first" });
    await contains(timeline, "The affected host is isolated");
    await lacks(timeline, "Host isolated at");
    console.log("tenancy: Globex 404 for the analyst; the viewer reads customer comments only");
  }, 120_000);

  it("works without JavaScript: sign in, open a case, acknowledge and comment", async () => {
    const page = await signedIn("Ana Analyst", { javaScript: false });
    await page.goto(`${originOf()}/?state=new`);
    await rowsOf(page).first().locator("a[data-case-link]").click();
    await page.waitForURL(/\/cases\//);
    await page.getByRole("button", { name: "Acknowledge" }).click();
    await page.waitForLoadState();
    // Nothing refreshes a page without JavaScript: an SLA warning recorded since it loaded makes the
    // command meet a newer version, and the page offers the retry a person would take.
    const conflict = page.getByRole("alert").filter({ hasText: "Someone else changed this case first" });
    if ((await conflict.count()) > 0) {
      await conflict.getByRole("button", { name: /Retry/ }).click();
      await page.waitForLoadState();
    }
    const timeline = page.getByRole("list", { name: "Events, newest first" });
    await contains(timeline, "acknowledged");
    await page.getByRole("textbox", { name: /Comment/ }).fill("Checked without JavaScript.");
    await page.getByRole("button", { name: "Comment", exact: true }).click();
    await page.waitForLoadState();
    await contains(timeline, "Checked without JavaScript.");
    console.log("no JavaScript: signed in, acknowledged and commented through plain form posts");
  }, 120_000);

  it("offers every shortcut in the help, a dark theme, and an accessible sign-in page", async () => {
    const page = await signedIn("Lee Lead", { dark: true });
    await page.getByRole("combobox", { name: "Theme" }).selectOption("dark");
    await page.waitForURL(`${originOf()}/`);
    await hasAttribute(page.locator("html"), "data-theme", "dark");
    await hydrated(page);
    // Ctrl K jumps to any case of the lead's tenants by title.
    await page.keyboard.press("Control+k");
    const palette = page.getByRole("dialog", { name: "Jump to a case" });
    await palette.waitFor();
    await page.keyboard.type("Card-skimming");
    await contains(palette.getByRole("listbox"), "Card-skimming script injected on the checkout page");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/cases\//);
    await hasText(
      page.getByRole("heading", { level: 1 }),
      "Card-skimming script injected on the checkout page",
    );
    await page.goto(`${originOf()}/`);
    await rowsOf(page).first().locator("a[data-case-link]").click();
    await page.waitForURL(/\/cases\//);
    await page.screenshot({ path: join(ARTEFACTS, "case-dark.png"), fullPage: true });
    await page.keyboard.press("Shift+?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await help.waitFor();
    await contains(help, "Assign to me");
    await page.screenshot({ path: join(ARTEFACTS, "shortcuts.png") });

    const signIn = await signedOut();
    await signIn.goto(`${originOf()}/`);
    expect(await axeCount(signIn, "sign-in page")).toBe(0);
    console.log(`screenshots in ${ARTEFACTS}`);
  }, 120_000);

  it("acts on several selected cases at once, across the keyboard, each row reporting its own outcome", async () => {
    const page = await signedIn("Lee Lead");
    const globexId = await page
      .locator("select[name=tenant] option", { hasText: "Globex Retail" })
      .getAttribute("value");
    await page.goto(`${originOf()}/?tenant=${globexId}&state=new`);
    await expect.poll(() => rowsOf(page).count()).toBeGreaterThan(1);
    await hydrated(page);
    const picked = [
      (await rowsOf(page).nth(0).locator("a[data-case-link]").textContent()) ?? "",
      (await rowsOf(page).nth(1).locator("a[data-case-link]").textContent()) ?? "",
    ];
    await page.keyboard.press("x");
    await page.keyboard.press("j");
    await page.keyboard.press("x");
    const bulk = page.getByRole("form", { name: "Bulk actions" });
    await contains(bulk, "2 selected");
    await bulk.getByRole("button", { name: "Acknowledge" }).click();
    const results = page.getByRole("status", { name: "Bulk results" });
    await contains(results, "Acknowledge: 2 of 2 done");
    for (const title of picked) await contains(results, title);

    // Acknowledging an acknowledged case is refused for that row alone.
    await page.goto(`${originOf()}/?tenant=${globexId}&state=acknowledged`);
    await rowsOf(page).first().locator("input[type=checkbox]").check();
    await page
      .getByRole("form", { name: "Bulk actions" })
      .getByRole("button", { name: "Acknowledge" })
      .click();
    await contains(
      page.getByRole("status", { name: "Bulk results" }),
      "Not allowed in its state or for your role",
    );
    console.log("bulk: 2 of 2 acknowledged across the keyboard; a wrong-state row reported on its own");
  }, 120_000);

  it("saves a named view, assigns to a person in bulk, opens an alert's finding and raw payload and the case's observables, and switches single-key shortcuts off", async () => {
    const page = await signedIn("Lee Lead");
    const demoId = await page
      .locator("select[name=tenant] option", { hasText: "Demo Corp" })
      .getAttribute("value");
    await page.goto(`${originOf()}/?tenant=${demoId}&state=acknowledged&sort=severity`);
    const views = page.getByRole("navigation", { name: "Saved views" });
    await views.getByRole("textbox", { name: "Name for this view" }).fill("Demo, acknowledged");
    await views.getByRole("button", { name: "Save view" }).click();
    await hasAttribute(views.getByRole("link", { name: "Demo, acknowledged" }), "aria-current", "page");
    // From the default queue the saved view is one click away, and it is the same address.
    await page.goto(`${originOf()}/`);
    await views.getByRole("link", { name: "Demo, acknowledged" }).click();
    await page.waitForURL(`${originOf()}/?tenant=${demoId}&state=acknowledged&sort=severity`);
    // The URL changes before the rows do: wait for the view's rows before picking one.
    await expect.poll(async () => [...(await tenantsIn(page))], SETTLE).toEqual(["Demo Corp"]);

    const title = (await rowsOf(page).first().locator("a[data-case-link]").textContent()) ?? "";
    await rowsOf(page).first().locator("input[type=checkbox]").check();
    const bulk = page.getByRole("form", { name: "Bulk actions" });
    await bulk.getByRole("combobox", { name: /Person to assign/ }).selectOption({ label: "Ana Analyst" });
    await bulk.getByRole("button", { name: "Assign", exact: true }).click();
    const results = page.getByRole("status", { name: "Bulk results" });
    await contains(results, "Assign to: 1 of 1 done");
    await contains(results, title);

    await page.goto(`${originOf()}/?state=all&q=${encodeURIComponent("Encoded PowerShell")}`);
    await rowsOf(page).first().locator("a[data-case-link]").click();
    await page.waitForURL(/\/cases\//);
    const alerts = page.getByRole("region", { name: /Linked alerts/ });
    await alerts.locator("summary").first().click();
    await alerts.getByRole("region", { name: "Raw payload" }).waitFor(SETTLE);
    await contains(alerts.getByRole("region", { name: "OCSF finding" }), '"class_uid": 2004');
    // Each alert's review button joins the alerts' one form; the timeline names the alert reviewed.
    const reviewButtons = alerts.getByRole("button", { name: "Mark reviewed" });
    const unreviewed = await reviewButtons.count();
    expect(unreviewed).toBeGreaterThan(0);
    await reviewButtons.first().click();
    await hasCount(reviewButtons, unreviewed - 1);
    await contains(page.getByRole("list", { name: "Events, newest first" }), "reviewed alert");
    // The observables panel fills itself in once the page is up.
    await hasCount(page.getByRole("link", { name: "Show observables and assets" }), 0);

    await page.keyboard.press("Shift+?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    // The switch shows at once, before the preference is saved: wait for the save, or the next
    // page load can read the old preference (seen under CI's load).
    const saved = page.waitForResponse(
      (r) => r.request().method() === "POST" && new URL(r.url()).pathname.startsWith("/preferences"),
    );
    await help.getByRole("button", { name: "Switch single-key shortcuts off" }).click();
    await contains(help, "Single-key shortcuts are off");
    expect((await saved).status()).toBeLessThan(400);
    await page.keyboard.press("Escape");
    await page.goto(`${originOf()}/`);
    await hydrated(page);
    // Which queue row holds the focus (-1 for none), read in the page.
    const focusedRow = () =>
      page.evaluate(
        `(() => { const row = document.activeElement?.closest("tr"); return row ? [...row.parentElement.children].indexOf(row) : -1; })()`,
      ) as Promise<number>;
    await expect.poll(focusedRow, SETTLE).toBe(0);
    await page.keyboard.press("j");
    await page.waitForTimeout(300);
    expect(await focusedRow()).toBe(0);
    // "?" is a single key too: with them off, the top bar's Shortcuts button opens the help.
    await page.keyboard.press("Shift+?");
    await hasCount(help, 0);
    await page.getByRole("button", { name: /Shortcuts/ }).click();
    await help.getByRole("button", { name: "Switch single-key shortcuts on" }).click();
    await contains(help, "Single-key shortcuts are on");
    await page.keyboard.press("Escape");
    // The switch shows at once; j works again once the saved preference has come back.
    await expect
      .poll(async () => {
        await page.keyboard.press("j");
        return focusedRow();
      }, SETTLE)
      .toBeGreaterThan(0);
    console.log(
      "saved view reopened; 1 of 1 assigned to Ana; alert finding and raw payload shown; single keys off and on",
    );
  }, 120_000);

  it("shows what XDR changed after the fact, and XDR's close as a suggestion the analyst takes with one click", async () => {
    const page = await signedIn("Ana Analyst");
    // The demo's XDR bundle incident, which XDR later closed as a false positive (status-changed).
    await page.goto(`${originOf()}/?state=all&q=${encodeURIComponent("browser download")}`);
    await rowsOf(page).first().locator("a[data-case-link]").click();
    await page.waitForURL(/\/cases\//);
    const suggestion = page.getByRole("region", { name: "Source suggestion" });
    // Applied by the correlation queue a moment after the demo's webhooks: reload until it shows.
    await expect
      .poll(async () => {
        if ((await suggestion.count()) > 0) return true;
        await page.reload();
        return false;
      }, SETTLE)
      .toBe(true);
    await contains(suggestion, "XDR closed the incident as False Positive");
    const timeline = page.getByRole("list", { name: "Events, newest first" });
    await contains(timeline, "closed the incident as False Positive");
    await page.screenshot({ path: join(ARTEFACTS, "case-source-suggestion.png"), fullPage: true });
    // A new case is acknowledged before it can be resolved; the suggestion says so.
    const acknowledge = page
      .getByRole("toolbar", { name: "Case actions" })
      .getByRole("button", { name: "Acknowledge" });
    if ((await acknowledge.count()) > 0) {
      await contains(suggestion, "Acknowledge it first");
      await acknowledge.click();
    }
    await suggestion.getByRole("button", { name: "Resolve as false positive" }).click();
    await contains(timeline, "resolved it as false positive");
    await hasCount(suggestion, 0);

    // The incident XDR raised and assigned: each change on its own line, spoken by XDR.
    await page.goto(`${originOf()}/?state=all&q=${encodeURIComponent("Cobalt Strike beacon and SMB")}`);
    await rowsOf(page).first().locator("a[data-case-link]").click();
    await page.waitForURL(/\/cases\//);
    await contains(timeline, "severity High → Critical");
    await contains(timeline, "assignees: added tier2-oncall@demo.example");
    console.log("XDR's update shown line by line; its close suggested and taken as a false positive");
  }, 120_000);

  it("tells the analyst live, with a count in the header, when a lead assigns her a case, and marks it read", async () => {
    const ana = await signedIn("Ana Analyst");
    await ana.goto(`${originOf()}/notifications`);
    await ana.getByRole("heading", { level: 1, name: "Notifications" }).waitFor();
    const markRead = ana.getByRole("button", { name: "Mark all as read" });
    if ((await markRead.count()) > 0) await markRead.click();
    await hasCount(markRead, 0);
    const count = ana.getByTestId("notifications-count");
    const unread = async () => ((await count.count()) > 0 ? Number(await count.textContent()) : 0);
    const before = await unread();

    // The lead assigns her a new Demo Corp case from the queue, in another browser.
    const lee = await signedIn("Lee Lead");
    const demoId = await lee
      .locator("select[name=tenant] option", { hasText: "Demo Corp" })
      .getAttribute("value");
    await lee.goto(`${originOf()}/?tenant=${demoId}&state=new`);
    await expect.poll(() => rowsOf(lee).count(), SETTLE).toBeGreaterThan(0);
    const title = ((await rowsOf(lee).first().locator("a[data-case-link]").textContent()) ?? "").trim();
    await rowsOf(lee).first().locator("input[type=checkbox]").check();
    const bulk = lee.getByRole("form", { name: "Bulk actions" });
    await bulk.getByRole("combobox", { name: /Person to assign/ }).selectOption({ label: "Ana Analyst" });
    await bulk.getByRole("button", { name: "Assign", exact: true }).click();
    await contains(lee.getByRole("status", { name: "Bulk results" }), "1 of 1 done");

    // Without a reload, her header counts it and her notifications list it.
    await expect.poll(unread, { timeout: 20_000 }).toBeGreaterThan(before);
    const list = ana.getByRole("list", { name: "Notifications, newest first" });
    const item = list.locator("li", { hasText: title }).filter({ hasText: "Assigned to you by Lee Lead" });
    await item.waitFor(SETTLE);
    await hasAttribute(item, "data-unread", "true");
    await ana.screenshot({ path: join(ARTEFACTS, "notifications.png"), fullPage: true });
    expect(await axeCount(ana, "notifications")).toBe(0);
    await ana.getByRole("button", { name: "Mark all as read" }).click();
    await expect.poll(() => item.getAttribute("data-unread"), SETTLE).toBeNull();
    await item.getByRole("link", { name: title }).click();
    await ana.waitForURL(/\/cases\//);
    console.log(
      `notifications: "${title}" assigned by the lead reached the analyst live (${before} → more unread), then read`,
    );
  }, 120_000);

  it("shows a lead the dashboard in both themes, filtered by the URL, and follows a breach to its case", async () => {
    const page = await signedIn("Lee Lead");
    await page
      .getByRole("navigation", { name: "Workbench" })
      .getByRole("link", { name: "Dashboard" })
      .click();
    await page.waitForURL(`${originOf()}/dashboard`);
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    await hasCount(page.getByRole("img", { name: /SLA commitments by tenant and severity/ }), 1);
    await hasCount(page.getByRole("img", { name: /Alert volume per day/ }), 1);

    // The breach list fills once Northwind's one-minute contract has breached a demo case.
    const breaches = page.getByRole("region", { name: "Breaches in the last 24 hours" }).getByRole("link");
    const deadline = Date.now() + BREACH_WAIT_MS;
    while ((await breaches.count()) === 0 && Date.now() < deadline) {
      await page.waitForTimeout(5_000);
      await page.reload();
    }
    expect(await breaches.count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTEFACTS, "dashboard-light.png"), fullPage: true });
    expect(await axeCount(page, "dashboard")).toBe(0);

    // The filters are the URL: a week, one tenant.
    const northwindId = await page
      .locator("select[name=tenant] option", { hasText: "Northwind Health" })
      .getAttribute("value");
    await page.goto(`${originOf()}/dashboard?period=7d&tenant=${northwindId}`);
    await hasAttribute(page.locator("select[name=period] option:checked"), "value", "7d");
    await contains(page.getByRole("heading", { level: 1 }).locator(".."), "Northwind Health");

    await page.getByRole("combobox", { name: "Theme" }).selectOption("dark");
    await hasAttribute(page.locator("html"), "data-theme", "dark");
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: join(ARTEFACTS, "dashboard-dark.png"), fullPage: true });
    expect(await axeCount(page, "dashboard, dark")).toBe(0);

    const listed = await breaches.count();
    const first = breaches.first();
    const title = ((await first.textContent()) ?? "").trim();
    await first.click();
    await page.waitForURL(/\/cases\//);
    await hasText(page.getByRole("heading", { level: 1 }), title);
    console.log(`dashboard: charts drawn, ${listed} breaches listed, followed "${title}"`);
  }, 240_000);

  it("lets an analyst triage alerts: filter by the URL, link three into a new case, read one in full and link it to another case", async () => {
    const page = await signedIn("Ana Analyst");
    await page.getByRole("navigation", { name: "Workbench" }).getByRole("link", { name: "Alerts" }).click();
    await page.waitForURL(/\/alerts/);
    const alertRows = page.getByRole("table", { name: /Alerts, one per row/ }).locator("tbody tr");
    await expect.poll(() => alertRows.count(), SETTLE).toBeGreaterThan(3);
    await page.screenshot({ path: join(ARTEFACTS, "alerts.png") });
    expect(await axeCount(page, "alerts")).toBe(0);

    // The filters are the URL: high and above from one source, then back to every alert.
    const source = await page.locator("select[name=source] option").nth(1).getAttribute("value");
    await page.getByRole("combobox", { name: "Source" }).selectOption(source ?? "");
    await page.waitForURL(/source=/);
    await expect
      .poll(async () => new Set(await alertRows.locator("td:nth-child(4)").allTextContents()), SETTLE)
      .toEqual(new Set([source]));
    await page.goto(`${originOf()}/alerts`);
    await expect.poll(() => alertRows.count(), SETTLE).toBeGreaterThan(3);

    // Three alerts picked with the keyboard open one new case (keys bind once the page is hydrated).
    await hydrated(page);
    const triage = page.getByRole("form", { name: "Act on the selected alerts" });
    const titles: string[] = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) await page.keyboard.press("j");
      await page.keyboard.press("x");
      await contains(triage, `${i + 1} selected`);
      titles.push((await alertRows.nth(i).locator("a[data-alert-link]").textContent()) ?? "");
    }
    await triage.getByRole("textbox", { name: "Title for the new case" }).fill("Three alerts, one intrusion");
    await triage.getByRole("button", { name: "Open case" }).click();
    await page.waitForURL(/\/cases\/case_/);
    await hasText(page.getByRole("heading", { level: 1 }), "Three alerts, one intrusion");
    const linked = page.getByRole("region", { name: /Linked alerts/ });
    await hasCount(linked.locator("summary"), 3);
    for (const title of titles) await contains(linked, title);
    const newCase = page.url();

    // Back in triage, the three rows name the new case; one opens in full.
    await page.goto(`${originOf()}/alerts`);
    await contains(alertRows.first().locator("td:nth-child(6)"), "Three alerts, one intrusion");
    await alertRows.nth(1).locator("a[data-alert-link]").click();
    await page.waitForURL(/\/alerts\/alrt_/);
    await page.getByRole("region", { name: "Observables and verdicts" }).waitFor();
    await contains(page.getByRole("region", { name: "OCSF finding" }), '"class_uid": 2004');
    await page.getByRole("region", { name: "Raw payload" }).waitFor();
    await contains(page.getByRole("complementary", { name: "Case" }), "Three alerts, one intrusion");
    await page.screenshot({ path: join(ARTEFACTS, "alert.png"), fullPage: true });
    expect(await axeCount(page, "alert")).toBe(0);

    // Linked to another open case, the alert names that case as its own.
    const choice = page.getByRole("combobox", { name: "Case" });
    const target = (await choice.locator("option").nth(1).textContent()) ?? "";
    await choice.selectOption({ index: 1 });
    await page.getByRole("button", { name: "Link to case" }).click();
    await contains(page.getByRole("status"), "Linked to");
    await page.reload();
    await contains(page.getByRole("complementary", { name: "Case" }), target.replace(/^\w+ · /, ""));
    expect(newCase).toMatch(/\/cases\/case_/);
    console.log(
      `triage: 3 alerts opened "Three alerts, one intrusion"; one read in full and linked to "${target}"`,
    );
  }, 120_000);

  it("lets an admin invite someone, change their role, revoke and restore them, never remove the last admin, and verify the audit chain", async () => {
    const page = await signedIn("Adi Admin");
    await page.getByRole("navigation", { name: "Workbench" }).getByRole("link", { name: "Admin" }).click();
    await page.waitForURL(/\/admin\/people/);
    await page.getByRole("heading", { level: 1, name: "People and grants" }).waitFor();
    expect(await axeCount(page, "admin people")).toBe(0);

    // Invite, as an analyst.
    const invite = page.getByRole("form", { name: "Invite someone" });
    await invite.getByLabel("Email").fill(`jo.newhire.${Date.now()}@demo.example`);
    await invite.getByLabel("Name").fill("Jo Newhire");
    await invite.getByLabel("Role").selectOption("analyst");
    await invite.getByRole("button", { name: "Invite" }).click();
    await contains(page.getByRole("status"), "Invited Jo Newhire as analyst");
    const jo = page.getByRole("row", { name: /Jo Newhire/ });

    // Promote to lead, revoke, restore.
    await jo.getByRole("combobox", { name: "Role of Jo Newhire" }).selectOption("lead");
    await jo.getByRole("button", { name: "Save role" }).click();
    await contains(page.getByRole("status"), "Jo Newhire is now lead");
    await jo.getByRole("button", { name: "Revoke Jo Newhire's access" }).click();
    await contains(page.getByRole("status"), "Revoked Jo Newhire's access");
    await contains(jo, "Revoked");
    await page.screenshot({ path: join(ARTEFACTS, "admin-people.png"), fullPage: true });
    await jo.getByRole("button", { name: "Restore Jo Newhire's access" }).click();
    await contains(page.getByRole("status"), "Restored Jo Newhire's access as lead");

    // Adi is Demo Corp's only admin: removing him is refused, and he stays admin.
    // (His name is also in Jo's row, as who granted it: the button names whose access it revokes.)
    const revokeAdi = page.getByRole("button", { name: "Revoke Adi Admin's access" });
    await revokeAdi.click();
    await contains(page.getByRole("alert"), "last admin");
    await hasCount(revokeAdi, 1);

    // A machine client: registered with two scopes, its secret shown once, which gets a token; revoked, it gets none.
    await page
      .getByRole("navigation", { name: "Administration" })
      .getByRole("link", { name: "Machine clients" })
      .click();
    await page.waitForURL(/\/admin\/clients/);
    const register = page.getByRole("form", { name: "Register a machine client" });
    await register.getByLabel("Name").fill("Journey Platform");
    await register.getByRole("checkbox", { name: "alerts:read" }).check();
    await register.getByRole("checkbox", { name: "cases:read" }).check();
    const answered = page.waitForResponse(
      (r) => r.request().method() === "POST" && r.url().includes("/admin/clients"),
    );
    await register.getByRole("button", { name: "Register" }).click();
    // The one answer holding the secret is kept by no browser or cache.
    expect((await answered).headers()["cache-control"]).toContain("no-store");
    await contains(page.getByRole("status"), "Copy the secret now");
    const secret = ((await page.locator("[data-secret]").textContent()) ?? "").trim();
    const clientId = ((await page.getByRole("status").locator("code").first().textContent()) ?? "").trim();
    expect(await axeCount(page, "admin clients")).toBe(0);
    const tokenFor = () =>
      fetch(`${originOf()}/v1/oauth/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${btoa(`${clientId}:${secret}`)}`,
        },
        body: "grant_type=client_credentials",
      });
    const issued = await tokenFor();
    expect(issued.status).toBe(200);
    expect(((await issued.json()) as { scope: string }).scope).toBe("alerts:read cases:read");
    // Reloaded, the page no longer holds the secret anywhere.
    await page.reload();
    expect(await page.content()).not.toContain(secret);
    await page.getByRole("button", { name: "Revoke Journey Platform" }).click();
    await contains(page.getByRole("status"), "Revoked Journey Platform");
    expect((await tokenFor()).status).toBe(401);

    // The SLA calendar: business hours in Berlin and a two-hour critical acknowledgement, previewed, then saved.
    await page
      .getByRole("navigation", { name: "Administration" })
      .getByRole("link", { name: "SLA policy" })
      .click();
    await page.waitForURL(/\/admin\/sla/);
    const criticalAck = page.locator("[data-due-times] tr").first().locator("td").first();
    const before = (await criticalAck.textContent()) ?? "";
    const sla = page.getByRole("form", { name: "SLA policy" });
    await sla.getByLabel("Business hours").check();
    await sla.getByLabel("Time zone").fill("Europe/Berlin");
    await sla.getByRole("textbox", { name: "time to acknowledge, critical" }).fill("2h");
    await sla.getByRole("button", { name: "Preview due times" }).click();
    await contains(page.getByRole("status"), "Preview of these settings");
    await contains(page.getByRole("region", { name: "A case opened now" }), "Europe/Berlin");
    await expect.poll(() => criticalAck.textContent(), SETTLE).not.toBe(before);
    await page.screenshot({ path: join(ARTEFACTS, "admin-sla.png"), fullPage: true });
    expect(await axeCount(page, "admin SLA policy")).toBe(0);
    await page.getByRole("form", { name: "SLA policy" }).getByRole("button", { name: "Save policy" }).click();
    await contains(page.getByRole("status"), "Saved");
    await page.reload();
    await hasAttribute(page.getByRole("textbox", { name: "time to acknowledge, critical" }), "value", "2h");
    await contains(page.getByRole("region", { name: "A case opened now" }), "Europe/Berlin");

    // Every change is in the tenant's hash chain, which verifies.
    await page
      .getByRole("navigation", { name: "Administration" })
      .getByRole("link", { name: "Audit chain" })
      .click();
    await page.waitForURL(/\/admin\/audit/);
    await contains(page.getByRole("status"), "Chain verified");
    const records = page.getByRole("table", { name: /Administration changes/ });
    for (const action of [
      "user.invited",
      "grant.changed",
      "grant.revoked",
      "grant.created",
      "client.created",
      "client.revoked",
    ]) {
      await contains(records, action);
    }
    await page.screenshot({ path: join(ARTEFACTS, "admin-audit.png"), fullPage: true });
    expect(await axeCount(page, "admin audit")).toBe(0);
    console.log(
      "admin: invited, promoted, revoked and restored Jo; last admin kept; a client's secret got a token until revoked; SLA calendar previewed and saved; audit chain verified",
    );
  }, 120_000);
}
