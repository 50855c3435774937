// Cisco XDR material as Cisco documents it (CTIM entities, IROH and CTIA events, bundles for
// /ctia/bundle/import, XDR's OCSF export), family by family, through signed webhooks into real D1,
// case objects and queues. Each family runs in a tenant of its own so its counts are its own; the
// test prints them, then redelivers the whole corpus shuffled, with fresh transient and webhook
// ids, and expects nothing new.
import { describe, expect, it } from "vitest";
import type { Tenant } from "../../../../domain/tenancy.ts";
import { makeDetectionFinding } from "../../../support/factories/findings.ts";
import { type Connector, connectorOf, deliver, followUpsSettled } from "../../../support/ingest.ts";
import { validateDetectionFinding } from "../../../support/ocsf-validators.ts";
import { call, tenantDb, tokenFor } from "../../../support/world.ts";
import { ctiaUrl, makeCtiaEvent, makeIncident, makeIrohEvent, makeSighting } from "./fixtures.ts";

type Json = Record<string, unknown>;

/** Mints the bundle-local ids a sender would: fresh ones on every delivery of the corpus. */
class Transient {
  private n = 0;
  private readonly run: string;
  constructor(run: string) {
    this.run = run;
  }
  id(what: string): string {
    return `transient:${what}-${this.run}-${++this.n}`;
  }
}

// CTIA ids are stable across deliveries: they are what CTIA minted.
const uuid = () => crypto.randomUUID();
const T = (minute: number) => new Date(Date.UTC(2026, 10, 2, 10, minute)).toISOString();

const judgement = (over: Json = {}): Json => ({
  type: "judgement",
  schema_version: "1.3.28",
  observable: { type: "ip", value: "198.51.100.23" },
  disposition: 2,
  disposition_name: "Malicious",
  source: "Cisco Talos Intelligence",
  priority: 95,
  severity: "High",
  confidence: "High",
  reason: "Known C2 infrastructure",
  valid_time: { start_time: "2026-11-01T00:00:00.000Z", end_time: "2027-06-01T00:00:00.000Z" },
  timestamp: "2026-11-01T00:00:00.000Z",
  ...over,
});

const indicator = (over: Json = {}): Json => ({
  type: "indicator",
  schema_version: "1.3.28",
  title: "PowerShell download cradle",
  producer: "Cisco Talos",
  source: "Cisco Talos Intelligence",
  indicator_type: ["Malware Artifacts", "C2"],
  kill_chain_phases: [{ kill_chain_name: "lockheed-martin", phase_name: "command-and-control" }],
  confidence: "High",
  severity: "High",
  valid_time: { start_time: "2026-10-01T00:00:00.000Z", end_time: "2027-10-01T00:00:00.000Z" },
  timestamp: "2026-10-01T00:00:00.000Z",
  ...over,
});

const relationship = (type: string, source: string, target: string, over: Json = {}): Json => ({
  type: "relationship",
  schema_version: "1.3.28",
  relationship_type: type,
  source_ref: source,
  target_ref: target,
  timestamp: T(20),
  ...over,
});

/** A sighting as Cisco's relay modules send it: no id, no schema_version, just what was seen. */
const relaySighting = (title: string, ip: string): Json => ({
  type: "sighting",
  source: "Cisco Umbrella",
  source_uri: "https://dashboard.umbrella.com/o/1/#/reports/activity",
  title,
  confidence: "High",
  severity: "Medium",
  count: 2,
  observed_time: { start_time: T(5) },
  observables: [{ type: "ip", value: ip }],
  targets: [
    {
      type: "endpoint",
      observables: [{ type: "hostname", value: "wks-0201" }],
      observed_time: { start_time: T(5) },
    },
  ],
});

const exportedFinding = (uid: string): Json => {
  const base = makeDetectionFinding({}, 1404) as Json & { metadata: Json; finding_info: Json };
  return {
    ...base,
    time: Date.parse(T(16)),
    metadata: { ...base.metadata, version: "1.4.0", product: { name: "Cisco XDR", vendor_name: "Cisco" } },
    finding_info: { ...base.finding_info, uid, title: "Exported by an XDR Automate workflow" },
  };
};
const activityEvent = (classUid: number, name: string, i: number): Json => ({
  class_uid: classUid,
  class_name: name,
  category_uid: 1,
  activity_id: 1,
  type_uid: classUid * 100 + 1,
  severity_id: 3,
  time: Date.parse(T(15)) - i * 1000,
  message: `${name} ${i}`,
  metadata: {
    version: "1.4.0",
    uid: `evt-${classUid}-${i}`,
    product: { name: "Cisco Secure Endpoint", vendor_name: "Cisco" },
  },
});

interface Family {
  name: string;
  /** Valid material: nothing of it may be quarantined or stored as invalid OCSF. */
  valid: boolean;
  /** The deliveries, built with the run's transient ids; each is delivered and settled in order. */
  deliveries: (t: Transient) => string[];
}

// Ids shared by the families' deliveries across runs.
const ids = {
  memberOf: Array.from({ length: 6 }, () => ({ s: uuid(), i: uuid(), r: uuid() })),
  updated: uuid(),
  exported: uuid(),
  intelIndicator: uuid(),
  intelJudgement: uuid(),
  intelRelationship: uuid(),
};

/** The six orders three things can arrive in. */
const ORDERS = [
  ["s", "i", "r"],
  ["s", "r", "i"],
  ["i", "s", "r"],
  ["i", "r", "s"],
  ["r", "s", "i"],
  ["r", "i", "s"],
] as const;

const memberOfIncident = (incidentUuid: string, n: number) =>
  makeIncidentEvent(
    makeIncident({ id: ctiaUrl("incident", incidentUuid), short_id: `XDR-${3000 + n}`, severity: "High" }),
    "private-intel/incident/created",
  );

function makeIncidentEvent(incident: Json, eventType: string, extra: Json = {}): Json {
  return makeIrohEvent({ event_type: eventType, incident_id: incident.id, incident, ...extra });
}

const FAMILIES: Family[] = [
  {
    name: "bundles with transient ids",
    valid: true,
    deliveries: (t) => {
      const [s1, s2, inc, ind, jud] = [
        t.id("sighting"),
        t.id("sighting"),
        t.id("incident"),
        t.id("indicator"),
        t.id("judgement"),
      ];
      const bundle = {
        type: "bundle",
        source: "Cisco Secure Endpoint relay",
        sightings: [
          makeSighting({ id: s1 }),
          makeSighting({
            id: s2,
            title: "Outbound connection to a known C2 address",
            observables: [{ type: "ip", value: "198.51.100.23" }],
          }),
        ],
        incidents: [makeIncident({ id: inc, external_ids: ["xdr-incident-XDR-2077"] })],
        indicators: [indicator({ id: ind })],
        judgements: [judgement({ id: jud })],
        relationships: [
          relationship("member-of", s1, inc, { id: t.id("relationship") }),
          relationship("member-of", s2, inc, { id: t.id("relationship") }),
          relationship("sighting-of", s2, ind, { id: t.id("relationship") }),
          relationship("based-on", jud, ind, { id: t.id("relationship") }),
        ],
      };
      return [JSON.stringify(bundle)];
    },
  },
  {
    name: "sightings without an id",
    valid: true,
    deliveries: () => [
      JSON.stringify(relaySighting("Umbrella blocked a C2 callback", "198.51.100.61")),
      [
        relaySighting("Umbrella blocked a DNS tunnel", "198.51.100.62"),
        relaySighting("Umbrella blocked a phishing domain", "198.51.100.63"),
      ]
        .map((s) => JSON.stringify(s))
        .join("\n"),
      JSON.stringify({
        type: "bundle",
        source: "relay",
        sightings: [relaySighting("Bundled relay sighting", "198.51.100.64")],
      }),
    ],
  },
  {
    name: "intelligence alone and in bundles",
    valid: true,
    deliveries: (t) => {
      const jud = `judgement-${ids.intelJudgement}`;
      const ind = `indicator-${ids.intelIndicator}`;
      return [
        JSON.stringify(
          judgement({
            id: t.id("judgement"),
            source: "Umbrella",
            disposition: 3,
            disposition_name: "Suspicious",
          }),
        ),
        JSON.stringify(makeCtiaEvent({ ...judgement({ id: ctiaUrl("judgement", ids.intelJudgement) }) })),
        JSON.stringify(
          makeCtiaEvent({
            type: "verdict",
            observable: { type: "domain", value: "c2.example.net" },
            disposition: 2,
            disposition_name: "Malicious",
            valid_time: { start_time: "2026-11-02T00:00:00.000Z" },
            judgement_id: jud,
          }),
        ),
        JSON.stringify(indicator({ id: ctiaUrl("indicator", ids.intelIndicator) })),
        JSON.stringify(
          makeCtiaEvent(
            relationship("based-on", jud, ind, { id: ctiaUrl("relationship", ids.intelRelationship) }),
          ),
        ),
        JSON.stringify({
          type: "bundle",
          source: "Talos feed",
          judgements: [
            judgement({
              id: t.id("judgement"),
              observable: {
                type: "sha256",
                value: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
              },
            }),
          ],
          verdicts: [
            {
              type: "verdict",
              id: t.id("verdict"),
              observable: {
                type: "sha256",
                value: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
              },
              disposition: 2,
              disposition_name: "Malicious",
              valid_time: { start_time: "2026-11-02T00:00:00.000Z" },
            },
          ],
          indicators: [indicator({ id: t.id("indicator"), title: "Ransomware dropper hash" })],
        }),
      ];
    },
  },
  {
    name: "member-of in each arrival order",
    valid: true,
    deliveries: () =>
      ORDERS.flatMap((order, n) => {
        const { s, i, r } = ids.memberOf[n] as { s: string; i: string; r: string };
        const parts = {
          s: JSON.stringify(
            makeCtiaEvent(makeSighting({ id: ctiaUrl("sighting", s), title: `Sighting ${order.join("")}` })),
          ),
          i: JSON.stringify(memberOfIncident(i, n)),
          r: JSON.stringify(
            makeCtiaEvent(
              relationship("member-of", ctiaUrl("sighting", s), ctiaUrl("incident", i), {
                id: ctiaUrl("relationship", r),
              }),
            ),
          ),
        };
        return order.map((k) => parts[k]);
      }),
  },
  {
    name: "notes and lone observables",
    valid: true,
    deliveries: () => [
      JSON.stringify(
        makeIrohEvent({
          event_type: "private-intel/note/created",
          note_id: "note-1",
          note_class: "default",
          related_entities: [],
        }),
      ),
      JSON.stringify({
        type: "note",
        schema_version: "1.3.28",
        content: "Called the user; the host is a kiosk.",
        related_entities: [],
      }),
      JSON.stringify({ type: "ip", value: "198.51.100.99" }),
      JSON.stringify({
        type: "bundle",
        source: "analyst",
        notes: [{ type: "note", content: "see ticket 42" }],
      }),
    ],
  },
  {
    name: "an incident updated three times, one update late",
    valid: true,
    deliveries: () => {
      const id = ctiaUrl("incident", ids.updated);
      const base = {
        id,
        short_id: "XDR-4100",
        assignees: [] as string[],
        timestamp: T(30),
        modified: T(30),
        severity: "High",
        status: "New",
      };
      const created = makeIncidentEvent(makeIncident(base), "private-intel/incident/created");
      const raised = makeIncidentEvent(
        makeIncident({ ...base, severity: "Critical", timestamp: T(40), modified: T(40) }),
        "private-intel/incident/updated",
        { updated_fields: ["severity"] },
      );
      const assigned = makeIncidentEvent(
        makeIncident({
          ...base,
          severity: "Critical",
          assignees: ["jdoe@example.com"],
          timestamp: T(45),
          modified: T(45),
        }),
        "private-intel/incident/updated",
        { updated_fields: ["assignees"] },
      );
      const closed = makeIrohEvent(
        {
          event_type: "private-intel/incident/status-changed",
          incident_id: id,
          status_from: "New",
          status_to: "Closed: False Positive",
        },
        { created_at: T(50) },
      );
      // The assignment (10:45) is delivered after the close (10:50).
      return [created, raised, closed, assigned].map((e) => JSON.stringify(e));
    },
  },
  {
    name: "XDR OCSF 1.4 exports",
    valid: true,
    deliveries: () => {
      const incident = `incident-${ids.exported}`;
      return [
        JSON.stringify(exportedFinding("xdr-export-standalone")),
        JSON.stringify({
          count: 3,
          start_time: Date.parse(T(14)),
          end_time: Date.parse(T(16)),
          events: [
            activityEvent(1007, "Process Activity", 1),
            exportedFinding(incident),
            activityEvent(4001, "Network Activity", 2),
          ],
        }),
        // The same incident as CTIM: one alert, not two.
        JSON.stringify(
          makeIncidentEvent(
            makeIncident({ id: ctiaUrl("incident", ids.exported), short_id: "XDR-5000" }),
            "private-intel/incident/created",
          ),
        ),
      ];
    },
  },
  {
    name: "drift from the CTIA schema",
    valid: true,
    deliveries: () => {
      const drifted = {
        ...relaySighting("Relay sighting with a relation missing its origin", "198.51.100.71"),
        relations: [
          {
            relation: "Connected_To",
            source: { type: "ip", value: "10.0.0.5" },
            related: { type: "ip", value: "198.51.100.71" },
          },
        ],
      };
      const sighting = JSON.stringify(relaySighting("Hand-made bundle sighting", "198.51.100.72"));
      // A hand-made bundle that says "title" twice: JSON keeps the last, and so does Phoenix.
      const repeated = `{"type":"bundle","source":"hand-made","sightings":[${sighting.replace(
        '"title":',
        '"title":"A first title","title":',
      )}]}`;
      return [JSON.stringify(drifted), repeated];
    },
  },
  {
    name: "malformed material (control)",
    valid: false,
    deliveries: (t) => [
      JSON.stringify({ type: "sighting", id: "sighting-not-a-guid!", observed_time: { start_time: T(1) } }),
      JSON.stringify(relationship("member-of", t.id("sighting"), t.id("incident"))),
      JSON.stringify({ type: "judgement", observable: { type: "ip", value: "198.51.100.1" } }),
    ],
  },
];

interface Counts {
  sent: number;
  alerts: number;
  cases: number;
  intel: number;
  ignored: number;
  quarantined: number;
  invalid: number;
}

async function storedAlerts(c: Connector): Promise<Json[]> {
  const token = await tokenFor(c.tenant, { scopes: ["alerts:read"] });
  const page = (await (await call("GET", "/v1/alerts?limit=200", { token })).json()) as { data: Json[] };
  return page.data;
}

async function count(tenant: Tenant, sql: string): Promise<number> {
  return (await tenantDb(tenant).prepare(sql).first<number>("n")) ?? 0;
}

async function countsOf(c: Connector, sent: number, ignored: number): Promise<Counts> {
  const alerts = await storedAlerts(c);
  return {
    sent,
    alerts: alerts.length,
    cases: await count(c.tenant, "SELECT count(*) AS n FROM cases"),
    intel: await count(
      c.tenant,
      `SELECT (SELECT count(*) FROM intel_judgements) + (SELECT count(*) FROM intel_indicators)
            + (SELECT count(*) FROM intel_relationships) AS n`,
    ),
    ignored,
    quarantined: await count(c.tenant, "SELECT count(*) AS n FROM quarantine"),
    invalid: alerts.filter((a) => validateDetectionFinding(a).length > 0).length,
  };
}

async function deliverAll(c: Connector, payloads: readonly string[]): Promise<number> {
  let ignored = 0;
  for (const payload of payloads) {
    const res = await deliver(c, payload);
    expect(res.status).toBe(202);
    ignored += ((await res.json()) as { ignored: number }).ignored;
    // Each arrives after the last one's cases and follow-ups are done: the arrival order is real.
    await followUpsSettled(c.tenant);
  }
  return ignored;
}

function shuffled<T>(xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Whatever the order, each sighting's alert ends in its incident's case, and that case is open. */
async function expectMembershipHonoured(c: Connector): Promise<void> {
  const db = tenantDb(c.tenant);
  const pairs = ids.memberOf.map(({ s, i }) => [`sighting-${s}`, `incident-${i}`] as const);
  const caseOf = async (uid: string) =>
    db
      .prepare("SELECT case_id FROM alerts WHERE json_extract(finding_info, '$.uid') = ?")
      .bind(uid)
      .first<string | null>("case_id");
  // A merge moves alerts through the merged case's outbox, a moment after the follow-up.
  for (let waited = 0; waited < 10_000; waited += 50) {
    const together = await Promise.all(pairs.map(async ([s, i]) => (await caseOf(s)) === (await caseOf(i))));
    if (together.every(Boolean)) break;
    await scheduler.wait(50);
  }
  for (const [order, [s, i]] of pairs.entries()) {
    const caseId = await caseOf(i);
    expect({ order: ORDERS[order]?.join(" → "), sightingCase: await caseOf(s) }).toEqual({
      order: ORDERS[order]?.join(" → "),
      sightingCase: caseId,
    });
    const state = await db
      .prepare("SELECT state FROM cases WHERE id = ?")
      .bind(caseId)
      .first<string>("state");
    expect(state).not.toBe("closed");
  }
}

/** The case page data: what XDR changed, in order, without the late older version; never closed. */
async function expectSourceUpdates(c: Connector): Promise<void> {
  const caseId = await tenantDb(c.tenant).prepare("SELECT id FROM cases").first<string>("id");
  const token = await tokenFor(c.tenant, { scopes: ["cases:read"] });
  const body = (await (await call("GET", `/v1/cases/${caseId}`, { token })).json()) as {
    state: string;
    severity: string;
    source_closed: { closed_as: string; source: string } | null;
    timeline: Array<Json & { type: string }>;
  };
  const updates = body.timeline.filter((e) => e.type === "case.source_updated");
  expect(updates).toEqual([
    expect.objectContaining({
      source: "XDR",
      changes: [{ field: "severity", from: "High", to: "Critical" }],
      closedAs: null,
    }),
    expect.objectContaining({
      source: "XDR",
      changes: [{ field: "status", from: "New", to: "Closed: False Positive" }],
      closedAs: "False Positive",
    }),
  ]);
  expect(body.severity).toBe("critical");
  expect(body.state).not.toMatch(/resolved|closed/);
  expect(body.source_closed).toMatchObject({ source: "XDR", closed_as: "False Positive" });
}

describe("the Cisco XDR corpus", () => {
  it("stores every family as alerts and intelligence, and a shuffled redelivery adds nothing", {
    timeout: 240_000,
  }, async () => {
    const connectors = new Map<string, Connector>();
    const first = new Map<string, Counts>();
    for (const family of FAMILIES) {
      const c = await connectorOf("cisco-xdr");
      connectors.set(family.name, c);
      const payloads = family.deliveries(new Transient("first"));
      const ignored = await deliverAll(c, payloads);
      first.set(family.name, await countsOf(c, payloads.length, ignored));
    }
    console.log(
      [
        "family | sent | alerts | cases | intel | ignored | quarantined | invalid OCSF",
        ...[...first].map(
          ([name, n]) =>
            `${name} | ${n.sent} | ${n.alerts} | ${n.cases} | ${n.intel} | ${n.ignored} | ${n.quarantined} | ${n.invalid}`,
        ),
      ].join("\n"),
    );
    for (const family of FAMILIES) {
      const n = first.get(family.name) as Counts;
      if (family.valid)
        expect({ family: family.name, quarantined: n.quarantined, invalid: n.invalid }).toEqual({
          family: family.name,
          quarantined: 0,
          invalid: 0,
        });
      else expect(n.quarantined).toBe(n.sent);
    }
    expect(first.get("bundles with transient ids")).toMatchObject({ alerts: 3, cases: 1, intel: 6 });
    expect(first.get("sightings without an id")).toMatchObject({ alerts: 4, cases: 4 });
    expect(first.get("intelligence alone and in bundles")).toMatchObject({ alerts: 0, intel: 8 });
    expect(first.get("member-of in each arrival order")).toMatchObject({ alerts: 12, intel: 6 });
    expect(first.get("notes and lone observables")).toMatchObject({ alerts: 0, ignored: 4 });
    expect(first.get("an incident updated three times, one update late")).toMatchObject({
      alerts: 1,
      cases: 1,
    });
    expect(first.get("XDR OCSF 1.4 exports")).toMatchObject({ alerts: 2, cases: 2 });

    await expectMembershipHonoured(connectors.get("member-of in each arrival order") as Connector);
    const drifted = await storedAlerts(connectors.get("drift from the CTIA schema") as Connector);
    expect(drifted.flatMap((a) => (a.unmapped as { leniency?: string[] }).leniency ?? []).sort()).toEqual([
      "relations[0] has no origin (CTIM requires it); kept as sent",
      "sightings[0].title appears more than once; the last value was used",
    ]);
    await expectSourceUpdates(
      connectors.get("an incident updated three times, one update late") as Connector,
    );

    // Redelivered in shuffled order, with fresh transient ids and webhook ids.
    const again = shuffled(
      FAMILIES.flatMap((family) =>
        family.deliveries(new Transient("again")).map((payload) => ({ family: family.name, payload })),
      ),
    );
    for (const { family, payload } of again) {
      const c = connectors.get(family) as Connector;
      expect((await deliver(c, payload)).status).toBe(202);
    }
    for (const family of FAMILIES) {
      const c = connectors.get(family.name) as Connector;
      await followUpsSettled(c.tenant);
      const before = first.get(family.name) as Counts;
      const after = await countsOf(c, before.sent, before.ignored);
      expect({ family: family.name, alerts: after.alerts, cases: after.cases, intel: after.intel }).toEqual({
        family: family.name,
        alerts: before.alerts,
        cases: before.cases,
        intel: before.intel,
      });
    }
    console.log(
      `redelivered shuffled: ${again.length} deliveries; new alerts, cases, intelligence records: 0`,
    );
  });
});
