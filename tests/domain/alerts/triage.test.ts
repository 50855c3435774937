// What the triage page reads, from a real local tenant D1 with alerts stored the way ingest stores
// them: the filtered, newest-first list with each alert's case, the sources to filter by, an alert's
// key facts, and the open cases alerts can be linked to.
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { beforeEach, describe, expect, it } from "vitest";
import { alertFacts } from "../../../domain/alerts/facts.ts";
import { alertSources, getAlert, listAlertSummaries } from "../../../domain/alerts/queries.ts";
import { storeFindings } from "../../../domain/alerts/store.ts";
import { openCaseChoices } from "../../../domain/case/queries.ts";
import { PhoenixError } from "../../../domain/errors.ts";
import { newId } from "../../../domain/ids.ts";
import { alerts, cases } from "../../../schema/tenant.ts";
import { type FindingOverrides, makeDetectionFinding } from "../../support/factories/findings.ts";
import { createTenant, tenantDb } from "../../support/world.ts";

const NOW = Date.UTC(2026, 11, 4, 12);
const HOUR = 3_600_000;

let db: D1Database;
beforeEach(async () => {
  db = tenantDb(await createTenant());
});

/** One finding stored as ingest stores it, `hoursAgo` before NOW; its alert id. */
async function given(hoursAgo: number, overrides: FindingOverrides = {}): Promise<string> {
  const finding = makeDetectionFinding({ time: NOW - hoursAgo * HOUR, ...overrides });
  const stored = await storeFindings(db, [finding], { now: NOW, sourceConnectorId: null, claim: null });
  return stored.alerts[0]?.id as string;
}

async function givenCase(title: string, state = "new"): Promise<string> {
  const id = newId("case", NOW);
  await drizzle(db).insert(cases).values({
    id,
    title,
    severity: "high",
    priority: "P2",
    state,
    queue: "triage",
    version: 1,
    openedAt: NOW,
    updatedAt: NOW,
  });
  return id;
}

/** As the case's read model records a link (domain/case/read-models.ts). */
async function linkTo(alertId: string, caseId: string): Promise<void> {
  await drizzle(db).update(alerts).set({ caseId }).where(eq(alerts.id, alertId));
}

const page = (query: Partial<Parameters<typeof listAlertSummaries>[1]> = {}) =>
  listAlertSummaries(db, { limit: 50, ...query });

describe("listAlertSummaries", () => {
  it("lists newest first with each alert's case, title and state, and none for an alert in no case", async () => {
    // Given an older alert in a case and a newer one in none
    const older = await given(3);
    const newer = await given(1);
    const caseId = await givenCase("Beaconing from the finance VLAN", "in_progress");
    await linkTo(older, caseId);

    // When the list is read
    const { items, nextCursor } = await page();

    // Then the newer comes first, and the older names its case
    expect(items.map((a) => a.id)).toEqual([newer, older]);
    expect(items[0]).toMatchObject({ caseId: null, caseTitle: null, caseState: null });
    expect(items[1]).toMatchObject({
      caseId,
      caseTitle: "Beaconing from the finance VLAN",
      caseState: "in_progress",
    });
    expect(nextCursor).toBeNull();
  });

  it("filters by source, severity, time and whether the alert is in a case", async () => {
    // Given alerts from two products, of two severities, hours apart, one of them in a case
    const edrHigh = await given(1, { severity_id: 4, metadata: { product: { name: "Secure Endpoint" } } });
    const edrLow = await given(30, { severity_id: 2, metadata: { product: { name: "Secure Endpoint" } } });
    const ndrHigh = await given(2, {
      severity_id: 4,
      metadata: { product: { name: "Secure Network Analytics" } },
    });
    await linkTo(ndrHigh, await givenCase("NDR case"));
    const ids = async (query: Partial<Parameters<typeof listAlertSummaries>[1]>) =>
      (await page(query)).items.map((a) => a.id);

    // Then each filter keeps only what it names, and filters combine
    expect(await ids({ productName: "Secure Endpoint" })).toEqual([edrHigh, edrLow]);
    expect(await ids({ severityId: 4 })).toEqual([edrHigh, ndrHigh]);
    expect(await ids({ timeFrom: NOW - 24 * HOUR })).toEqual([edrHigh, ndrHigh]);
    expect(await ids({ inCase: true })).toEqual([ndrHigh]);
    expect(await ids({ inCase: false })).toEqual([edrHigh, edrLow]);
    expect(await ids({ inCase: false, severityId: 4, productName: "Secure Endpoint" })).toEqual([edrHigh]);
  });

  it("pages with a cursor that only continues the filters it was issued for", async () => {
    // Given five alerts
    const made: string[] = [];
    for (let h = 5; h >= 1; h--) made.unshift(await given(h));

    // When read two at a time
    const first = await page({ limit: 2 });
    const second = await page({ limit: 2, cursor: first.nextCursor ?? undefined });
    const third = await page({ limit: 2, cursor: second.nextCursor ?? undefined });

    // Then every alert shows once, newest first, and the last page says there is no more
    expect([...first.items, ...second.items, ...third.items].map((a) => a.id)).toEqual(made);
    expect(third.nextCursor).toBeNull();
    // A cursor offered with another filter is refused rather than skipping or repeating alerts
    const refused = await page({ limit: 2, cursor: first.nextCursor ?? undefined, inCase: false }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(PhoenixError);
    expect((refused as PhoenixError).code).toBe("invalid_parameter");
  });
});

describe("alertSources", () => {
  it("names every product the tenant received alerts from, once, from the volume counters", async () => {
    // Given three alerts from two products
    await given(1, { metadata: { product: { name: "Secure Endpoint" } } });
    await given(2, { metadata: { product: { name: "Secure Endpoint" } } });
    await given(3, { metadata: { product: { name: "Umbrella" } } });

    // Then each product is named once, in order
    expect(await alertSources(db)).toEqual(["Secure Endpoint", "Umbrella"]);
  });
});

describe("alertFacts", () => {
  it("reads the key OCSF fields an analyst triages by, and leaves out what the source did not send", async () => {
    // Given an alert with a device, a user and an ATT&CK technique, but no analytic
    const id = await given(1, {
      metadata: { product: { name: "Secure Endpoint", vendor_name: "Cisco" } },
      device: { hostname: "fin-ws-042", ip: "10.20.30.42" },
      actor: { user: { name: "j.doe" } },
      finding_info: {
        analytic: undefined,
        attacks: [{ technique: { uid: "T1059.001", name: "PowerShell" } }],
      },
    });
    const facts = alertFacts((await getAlert(db, id)) as NonNullable<Awaited<ReturnType<typeof getAlert>>>);
    const byLabel = Object.fromEntries(facts.map((f) => [f.label, f.value]));

    // Then it names the source, device, user and technique
    expect(byLabel).toMatchObject({
      Source: "Secure Endpoint by Cisco",
      Device: "fin-ws-042 · 10.20.30.42",
      User: "j.doe",
      Techniques: "T1059.001 PowerShell",
    });
    expect(byLabel.Analytic).toBeUndefined();
  });
});

describe("openCaseChoices", () => {
  it("offers the tenant's cases that are neither closed nor merged", async () => {
    // Given an open, a closed and a merged case
    const open = await givenCase("Open one");
    await givenCase("Closed one", "closed");
    const merged = await givenCase("Merged one");
    await drizzle(db).update(cases).set({ mergedInto: open }).where(eq(cases.id, merged));

    // Then only the open one is offered
    expect((await openCaseChoices(db, 50)).map((c) => c.title)).toEqual(["Open one"]);
  });
});
