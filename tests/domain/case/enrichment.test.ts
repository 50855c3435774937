// The case page's observables and assets panel, read from a real local tenant D1: sightings in and
// beyond the case, verdicts, asset owners, and the other open cases sharing an indicator or asset.
import { drizzle } from "drizzle-orm/d1";
import { beforeAll, describe, expect, it } from "vitest";
import { alertObservableVerdicts, assetOwner, caseEnrichment } from "../../../domain/case/enrichment.ts";
import { newId } from "../../../domain/ids.ts";
import {
  alertAssets,
  alertObservables,
  alerts,
  assets,
  cases,
  intelJudgements,
  observables,
} from "../../../schema/tenant.ts";
import { createTenant, tenantDb } from "../../support/world.ts";

const NOW = Date.UTC(2026, 11, 3, 12);
const MIN = 60_000;

let db: D1Database;
beforeAll(async () => {
  db = tenantDb(await createTenant());
});

const unique = () => crypto.randomUUID().slice(0, 8);

async function givenCase(row: Partial<typeof cases.$inferInsert> = {}): Promise<string> {
  const id = newId("case", NOW);
  await drizzle(db)
    .insert(cases)
    .values({
      id,
      title: `Case ${id.slice(-6)}`,
      severity: "medium",
      priority: "P3",
      state: "new",
      queue: "triage",
      version: 1,
      openedAt: NOW,
      updatedAt: NOW,
      ...row,
    });
  return id;
}

/** An alert in `caseId` (or in none) carrying the given observables and assets. */
async function givenAlert(
  caseId: string | null,
  links: { observables?: string[]; assets?: string[] } = {},
): Promise<string> {
  const id = newId("alert", NOW);
  const d = drizzle(db);
  await d.insert(alerts).values({
    id,
    dedupKey: id,
    classUid: 2004,
    categoryUid: 2,
    activityId: 1,
    typeUid: 200401,
    severityId: 3,
    time: NOW,
    title: "Suspicious thing",
    findingUid: id,
    findingInfo: { uid: id, title: "Suspicious thing" },
    metadata: {},
    attributes: {},
    rawData: "{}",
    firstSeenAt: NOW,
    lastSeenAt: NOW,
    caseId,
    createdAt: NOW,
    updatedAt: NOW,
  });
  for (const observableId of links.observables ?? [])
    await d.insert(alertObservables).values({ alertId: id, observableId });
  for (const assetId of links.assets ?? []) await d.insert(alertAssets).values({ alertId: id, assetId });
  return id;
}

async function givenObservable(value: string, typeId = 2, type = "IP Address"): Promise<string> {
  const id = `obs_${unique()}${unique()}`;
  await drizzle(db)
    .insert(observables)
    .values({ id, typeId, type, value, firstSeenAt: NOW - 60 * MIN, lastSeenAt: NOW });
  return id;
}

async function givenAsset(
  row: Partial<typeof assets.$inferInsert> & Pick<typeof assets.$inferInsert, "kind">,
) {
  const id = `ast_${unique()}${unique()}`;
  await drizzle(db)
    .insert(assets)
    .values({ id, uid: `uid-${id}`, firstSeenAt: NOW - 60 * MIN, lastSeenAt: NOW, ...row });
  return id;
}

describe("caseEnrichment observables", () => {
  it("counts sightings across the tenant and those outside this case", async () => {
    // Given an IP seen three times in this case, once in another case and once in no case yet
    const ip = await givenObservable(`10.0.0.${unique()}`);
    const mine = await givenCase();
    const other = await givenCase();
    for (let i = 0; i < 3; i++) await givenAlert(mine, { observables: [ip] });
    await givenAlert(other, { observables: [ip] });
    await givenAlert(null, { observables: [ip] });

    // When the case's enrichment is read
    const { observables: listed } = await caseEnrichment(db, mine, { now: NOW });

    // Then the IP shows five sightings, two of them outside the case
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id: ip,
      typeId: 2,
      type: "IP Address",
      sightings: 5,
      sightingsBefore: 2,
    });
  });

  it("lists the most widely seen observables first, then by value, and not another case's", async () => {
    // Given three observables of this case seen elsewhere 0, 2 and 0 times, and one only elsewhere
    const mine = await givenCase();
    const other = await givenCase();
    const [b, a, popular, foreign] = await Promise.all([
      givenObservable(`b-${unique()}.example`, 1, "Hostname"),
      givenObservable(`a-${unique()}.example`, 1, "Hostname"),
      givenObservable(`p-${unique()}.example`, 1, "Hostname"),
      givenObservable(`f-${unique()}.example`, 1, "Hostname"),
    ]);
    await givenAlert(mine, { observables: [b, a, popular] });
    await givenAlert(other, { observables: [popular, foreign] });
    await givenAlert(null, { observables: [popular] });

    // When the case's enrichment is read
    const { observables: listed } = await caseEnrichment(db, mine, { now: NOW });

    // Then the popular one leads, the rest follow by value, and the other case's own is absent
    expect(listed.map((o) => o.id)).toEqual([popular, a, b]);
    expect(listed.map((o) => o.sightingsBefore)).toEqual([2, 0, 0]);
  });

  it("caps the list", async () => {
    // Given a case with three observables
    const mine = await givenCase();
    const ids = await Promise.all([1, 2, 3].map(() => givenObservable(`cap-${unique()}`)));
    await givenAlert(mine, { observables: ids });

    // When it is read with a limit of two
    const { observables: listed } = await caseEnrichment(db, mine, { limit: 2, now: NOW });

    // Then two are listed
    expect(listed).toHaveLength(2);
  });

  it("carries each source's verdict that counts now, leaving expired and superseded judgements out", async () => {
    // Given a hash two sources have judged (Talos twice, its newer judgement expired), and one nobody has
    const mine = await givenCase();
    const hash = await givenObservable(`${unique()}${unique()}`, 8, "Hash");
    const plain = await givenObservable(`${unique()}`, 8, "Hash");
    await givenAlert(mine, { observables: [hash, plain] });
    const judged = (
      source: string,
      dispositionName: string,
      disposition: number,
      window: [number, number | null],
      priority = 90,
    ) => ({
      id: `judgement-${unique()}`,
      kind: "judgement" as const,
      source,
      observableId: hash,
      observableType: "sha256",
      observableValue: "x",
      disposition,
      dispositionName,
      priority,
      reason: `${source} says ${dispositionName}`,
      validFrom: window[0],
      validUntil: window[1],
      sourceTime: window[0],
      data: {},
      firstSeenAt: NOW,
      lastSeenAt: NOW,
    });
    await drizzle(db)
      .insert(intelJudgements)
      .values([
        judged("Talos", "Malicious", 2, [NOW - 60 * MIN, NOW + 60 * MIN]),
        judged("Talos", "Clean", 1, [NOW - 30 * MIN, NOW - MIN], 95),
        judged("Umbrella", "Suspicious", 3, [NOW - 2 * MIN, null], 50),
      ]);

    // When the case's enrichment is read
    const { observables: listed } = await caseEnrichment(db, mine, { now: NOW });

    // Then each source's current verdict shows, by source, and the other observable has none
    expect(listed.find((o) => o.id === hash)?.verdicts).toEqual([
      {
        provider: "Talos",
        verdict: "Malicious",
        fetchedAt: NOW - 60 * MIN,
        expiresAt: NOW + 60 * MIN,
        reason: "Talos says Malicious",
      },
      {
        provider: "Umbrella",
        verdict: "Suspicious",
        fetchedAt: NOW - 2 * MIN,
        expiresAt: null,
        reason: "Umbrella says Suspicious",
      },
    ]);
    expect(listed.find((o) => o.id === plain)?.verdicts).toEqual([]);
  });

  it("names the other open cases sharing it: newest first, at most five, never closed, merged or this one", async () => {
    // Given a domain in this case and in seven other cases: closed, merged, and six open ones
    const mine = await givenCase({ state: "in_progress" });
    const domain = await givenObservable(`shared-${unique()}.example`, 1, "Hostname");
    await givenAlert(mine, { observables: [domain] });
    const closed = await givenCase({ state: "closed", openedAt: NOW + 100 * MIN });
    const merged = await givenCase({ state: "closed", mergedInto: mine, openedAt: NOW + 101 * MIN });
    const open: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const id = await givenCase({ state: i === 6 ? "resolved" : "new", openedAt: NOW + i * MIN });
      open.push(id);
    }
    for (const id of [closed, merged, ...open]) await givenAlert(id, { observables: [domain] });
    // (two alerts of one case still name that case once)
    await givenAlert(open[5] as string, { observables: [domain] });

    // When the case's enrichment is read
    const { observables: listed } = await caseEnrichment(db, mine, { now: NOW });

    // Then the five newest open cases are named, newest first
    const others = listed[0]?.otherOpenCases ?? [];
    expect(others.map((c) => c.id)).toEqual(open.slice(1).reverse());
    expect(others[0]).toEqual({
      id: open[5],
      title: expect.any(String),
      state: "resolved",
      severity: "medium",
    });
  });
});

describe("caseEnrichment assets", () => {
  it("lists the most critical assets first, then by name, each with its owner", async () => {
    // Given a case whose alerts involve a low, an unrated, a critical and a high asset
    const mine = await givenCase();
    const low = await givenAsset({ kind: "device", name: "a-printer", criticality: "low" });
    const unrated = await givenAsset({ kind: "resource", name: "a-bucket", criticality: null });
    const dc = await givenAsset({
      kind: "device",
      name: "dc-01",
      criticality: "critical",
      details: { hostname: "dc-01", owner: { name: "Ops Team", uid: "u-ops" } },
    });
    const ceo = await givenAsset({
      kind: "user",
      name: "CEO",
      criticality: "high",
      details: { name: "CEO", email_addr: "ceo@corp.example" },
    });
    await givenAlert(mine, { assets: [low, unrated] });
    await givenAlert(mine, { assets: [dc, ceo] });

    // When the case's enrichment is read
    const { assets: listed } = await caseEnrichment(db, mine, { now: NOW });

    // Then criticality orders them, unrated last, and owners come from the details
    expect(listed.map((a) => a.id)).toEqual([dc, ceo, low, unrated]);
    expect(listed.map((a) => a.owner)).toEqual(["Ops Team", "ceo@corp.example", null, null]);
    expect(listed[0]).toMatchObject({ kind: "device", name: "dc-01", criticality: "critical" });
  });

  it("names the other open cases involving the asset, not closed ones nor this one", async () => {
    // Given a laptop in this case, in an open case and in a closed one
    const mine = await givenCase();
    const laptop = await givenAsset({ kind: "device", name: "laptop-7" });
    const open = await givenCase({ state: "acknowledged", severity: "high" });
    const closed = await givenCase({ state: "closed" });
    await givenAlert(mine, { assets: [laptop] });
    await givenAlert(open, { assets: [laptop] });
    await givenAlert(closed, { assets: [laptop] });

    // When the case's enrichment is read
    const { assets: listed } = await caseEnrichment(db, mine, { now: NOW });

    // Then only the open case is named
    expect(listed[0]?.otherOpenCases).toEqual([
      { id: open, title: expect.any(String), state: "acknowledged", severity: "high" },
    ]);
  });
});

describe("caseEnrichment of an empty case", () => {
  it("gives empty lists for a case with no alerts, while other cases have plenty", async () => {
    // Given a case with no alerts next to a busy one
    const empty = await givenCase();
    const busy = await givenCase();
    await givenAlert(busy, {
      observables: [await givenObservable(`busy-${unique()}`)],
      assets: [await givenAsset({ kind: "user", name: "busy" })],
    });

    // When the empty case's enrichment is read, and that of a case that does not exist
    const result = await caseEnrichment(db, empty, { now: NOW });
    const missing = await caseEnrichment(db, newId("case", NOW), { now: NOW });

    // Then both lists are empty
    expect(result).toEqual({ observables: [], assets: [] });
    expect(missing).toEqual({ observables: [], assets: [] });
  });
});

describe("alertObservableVerdicts", () => {
  it("lists one alert's observables with their tenant-wide sightings and each source's current verdict", async () => {
    // Given an alert carrying a judged IP and an unjudged domain, the IP also seen in another alert
    const ip = await givenObservable(`192.0.2.${unique()}`);
    const domain = await givenObservable(`quiet-${unique()}.example`, 1, "Hostname");
    const other = await givenObservable(`not-${unique()}.example`, 1, "Hostname");
    const alert = await givenAlert(null, { observables: [ip, domain] });
    await givenAlert(await givenCase(), { observables: [ip, other] });
    await drizzle(db)
      .insert(intelJudgements)
      .values(
        (
          [
            ["Talos", "Malicious", 2, NOW + 60 * MIN],
            ["Umbrella", "Clean", 1, NOW - MIN],
          ] as const
        ).map(([source, dispositionName, disposition, validUntil]) => ({
          id: `judgement-${unique()}`,
          kind: "judgement" as const,
          source,
          observableId: ip,
          observableType: "ip",
          observableValue: "x",
          disposition,
          dispositionName,
          priority: 90,
          reason: `${source} says ${dispositionName}`,
          validFrom: NOW - 60 * MIN,
          validUntil,
          sourceTime: NOW - 60 * MIN,
          data: {},
          firstSeenAt: NOW,
          lastSeenAt: NOW,
        })),
      );

    // When the alert's observables are read
    const listed = await alertObservableVerdicts(db, alert, NOW);

    // Then both of its observables show (not the other alert's), by type; Umbrella's expired verdict is left out
    expect(listed.map((o) => [o.id, o.sightings])).toEqual([
      [domain, 1],
      [ip, 2],
    ]);
    expect(listed[1]?.verdicts.map((v) => `${v.provider}: ${v.verdict}`)).toEqual(["Talos: Malicious"]);
    expect(listed[0]?.verdicts).toEqual([]);
    // An alert without observables has none
    expect(await alertObservableVerdicts(db, await givenAlert(null), NOW)).toEqual([]);
  });
});

describe("assetOwner", () => {
  it("reads a device's owner: a user's name, else email, else uid", () => {
    expect(assetOwner("device", { owner: { name: "Ana", email_addr: "ana@x.example" } })).toBe("Ana");
    expect(assetOwner("device", { owner: { email_addr: "ana@x.example", uid: "u1" } })).toBe("ana@x.example");
    expect(assetOwner("device", { owner: { uid: "u1" } })).toBe("u1");
    expect(assetOwner("device", { hostname: "h" })).toBeNull();
  });

  it("reads a resource's owner, given as a user or a plain string", () => {
    expect(assetOwner("resource", { owner: "platform-team" })).toBe("platform-team");
    expect(assetOwner("resource", { owner: { name: "Data" } })).toBe("Data");
    expect(assetOwner("resource", { owner: "  " })).toBeNull();
  });

  it("reads a user's own email address, else their organisation", () => {
    expect(assetOwner("user", { email_addr: "bo@x.example", org: { name: "X" } })).toBe("bo@x.example");
    expect(assetOwner("user", { org: { name: "Finance" } })).toBe("Finance");
    // a user's `owner` field is not what owns them
    expect(assetOwner("user", { owner: "someone" })).toBeNull();
  });

  it("has nothing to say without details", () => {
    expect(assetOwner("device", null)).toBeNull();
  });
});
