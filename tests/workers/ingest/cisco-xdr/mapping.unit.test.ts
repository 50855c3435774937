// CTIM sightings and incidents as OCSF 1.8 Detection Findings: the exact mapping, validation
// against the OCSF schema (Ajv), correlation keys, and mapping errors that name the field.
import { describe, expect, it } from "vitest";
import type { MappedFinding, MapResult, RawItem } from "../../../../domain/ingest/kind.ts";
import { ciscoXdr } from "../../../../domain/ingest/kinds/cisco-xdr/index.ts";
import { normaliseFinding } from "../../../../domain/ocsf/detection-finding.ts";
import { type AlertRow, renderAlertAsDetectionFinding } from "../../../../domain/ocsf/render.ts";
import { validateDetectionFinding } from "../../../support/ocsf-validators.ts";
import {
  BIG_PROCESS_GUID,
  ctiaUrl,
  INCIDENT_UUID,
  item,
  jsonWithBigGuid,
  makeCtiaEvent,
  makeIncident,
  makeIncidentCreated,
  makeIrohEvent,
  makeMemberOf,
  makeSighting,
  ORG_ID,
  OTHER_SIGHTING_UUID,
  SIGHTING_UUID,
} from "./fixtures.ts";

const NOW = Date.parse("2026-11-02T12:00:00.000Z");
const CTX = { now: NOW, connectorId: "con_01jz0000000000000000000000", config: {} };
const SIGHTING_ID = `sighting-${SIGHTING_UUID}`;
const INCIDENT_ID = `incident-${INCIDENT_UUID}`;
const t = (iso: string) => Date.parse(iso);

function map(raw: RawItem): MapResult {
  return ciscoXdr.map(raw, CTX);
}

function mapOne(raw: RawItem): MappedFinding {
  const result = map(raw);
  if (!result.ok) throw new Error(`${result.reason}: ${JSON.stringify(result.errors)}`);
  expect(result.findings).toHaveLength(1);
  const [mapped] = result.findings;
  if (!mapped) throw new Error("no finding");
  return mapped;
}

/** The single item parse() makes of a JSON text, as the ingest edge would hand it to map(). */
function parsedItem(text: string): RawItem {
  const parsed = ciscoXdr.parse(text, "application/json");
  if (!parsed.ok || parsed.items.length !== 1 || !parsed.items[0]) throw new Error("expected one item");
  return parsed.items[0];
}

function fieldsOf(result: MapResult): string[] {
  expect(result.ok).toBe(false);
  return result.ok ? [] : (result.errors ?? []).map((e) => e.field);
}

function without(record: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !keys.includes(k)));
}

const skeletons = import.meta.glob<Record<string, unknown>>(
  "../../../../../shared/contracts/xdr/ctim-type-skeletons/{sighting,incident}.json",
  { eager: true, import: "default" },
);

function skeleton(name: string): Record<string, unknown> {
  const value = skeletons[`../../../../../shared/contracts/xdr/ctim-type-skeletons/${name}.json`];
  if (!value) throw new Error(`skeleton ${name} missing`);
  return structuredClone(value);
}

describe("a sighting in a CTIA record event", () => {
  it("maps every field to the expected Detection Finding, which validates against OCSF 1.8", () => {
    const sighting = makeSighting();
    const envelope = makeCtiaEvent(sighting);
    const raw = parsedItem(jsonWithBigGuid(envelope));
    const { finding, correlationKey } = mapOne(raw);

    expect(correlationKey).toBe(`xdr-sighting:${SIGHTING_ID}`);
    expect(finding).toEqual({
      class_uid: 2004,
      class_name: "Detection Finding",
      category_uid: 2,
      category_name: "Findings",
      activity_id: 1,
      activity_name: "Create",
      type_uid: 200401,
      type_name: "Detection Finding: Create",
      severity_id: 4,
      severity: "High",
      confidence_id: 2,
      confidence: "Medium",
      time: t("2026-11-02T10:14:00.000Z"),
      start_time: t("2026-11-02T10:14:00.000Z"),
      end_time: t("2026-11-02T10:14:05.000Z"),
      finding_info: {
        uid: SIGHTING_ID,
        title: "Encoded PowerShell launched by an Office document",
        desc: "WINWORD.EXE started powershell.exe with an encoded command line.",
        attacks: [
          {
            technique: { uid: "T1059" },
            sub_technique: {
              uid: "T1059.001",
              name: "PowerShell",
              src_url: "https://attack.mitre.org/techniques/T1059/001/",
            },
            tactic: { uid: "TA0002", name: "Execution", src_url: "https://attack.mitre.org/tactics/TA0002/" },
          },
        ],
        first_seen_time: t("2026-11-02T10:14:00.000Z"),
        last_seen_time: t("2026-11-02T10:14:05.000Z"),
        modified_time: t("2026-11-02T10:15:30.000Z"),
        data_sources: ["Cisco Secure Endpoint"],
        src_url: "https://console.amp.cisco.com/computers/5e0b1f6a/trajectory",
      },
      metadata: {
        version: "1.8.0",
        product: { name: "Cisco XDR", vendor_name: "Cisco" },
        uid: SIGHTING_ID,
        original_event_uid: envelope.id,
        labels: ["tlp:amber"],
      },
      observables: [
        {
          type_id: 8,
          type: "Hash",
          name: "sha256",
          value: "4f1d1c6a9b3e7f2a8c5d0e9b6a3f7c1d2e8b5a4f9c6d3e0b7a1f4c8d2e5b9a6f",
        },
        { type_id: 8, type: "Hash", name: "md5", value: "0cc175b9c0f1b6a831c399e269772661" },
        { type_id: 2, type: "IP Address", name: "ip", value: "203.0.113.45" },
        { type_id: 1, type: "Hostname", name: "domain", value: "updates.example.net" },
        { type_id: 6, type: "URL String", name: "url", value: "https://updates.example.net/a.ps1" },
        { type_id: 5, type: "Email Address", name: "email", value: "billing@example.org" },
        { type_id: 7, type: "File Name", name: "file_name", value: "invoice.docm" },
        { type_id: 13, type: "Command Line", name: "process_args", value: "powershell.exe -enc SQBFAFgA" },
        { type_id: 1, type: "Hostname", name: "hostname", value: "wks-0142" },
        { type_id: 2, type: "IP Address", name: "ip", value: "10.20.30.40" },
        { type_id: 3, type: "MAC Address", name: "mac_address", value: "00:1a:2b:3c:4d:5e" },
        {
          type_id: 47,
          type: "Device Object: uid",
          name: "amp_computer_guid",
          value: "5e0b1f6a-7c2d-4e3f-9a1b-2c3d4e5f6a7b",
        },
        { type_id: 4, type: "User Name", name: "user", value: "CORP\\jdoe" },
        { type_id: 5, type: "Email Address", name: "email", value: "jdoe@example.com" },
      ],
      device: {
        hostname: "wks-0142",
        name: "wks-0142",
        ip: "10.20.30.40",
        mac: "00:1a:2b:3c:4d:5e",
        uid: "5e0b1f6a-7c2d-4e3f-9a1b-2c3d4e5f6a7b",
        os: { name: "Windows 10 Enterprise", type_id: 100, type: "Windows" },
        type_id: 0,
        type: "Unknown",
      },
      actor: { user: { name: "CORP\\jdoe", email_addr: "jdoe@example.com" } },
      raw_data: raw.raw,
      unmapped: {
        ctim: {
          ...without(sighting, ["title", "description", "observables"]),
          context: {
            process_create_events: [
              {
                ...(sighting.context as { process_create_events: Record<string, unknown>[] })
                  .process_create_events[0],
                process_guid: BIG_PROCESS_GUID,
              },
            ],
          },
        },
        xdr: without(envelope, ["entity"]),
      },
    });
    expect(validateDetectionFinding(finding)).toEqual([]);
  });

  it("keeps the 20-digit process_guid exact in unmapped.ctim and in raw_data", () => {
    const { finding } = mapOne(parsedItem(jsonWithBigGuid(makeCtiaEvent(makeSighting()))));
    const ctim = (
      finding.unmapped as { ctim: { context: { process_create_events: Array<Record<string, unknown>> } } }
    ).ctim;
    expect(ctim.context.process_create_events[0]?.process_guid).toBe(BIG_PROCESS_GUID);
    expect(finding.raw_data).toContain(`"process_guid":${BIG_PROCESS_GUID}`);
  });

  it("maps unknown observable types to 99 (Other), keeping the CTIM type in name and type", () => {
    const sighting = makeSighting({
      observables: [
        { type: "odns_identity", value: "Branch Office 12" },
        { type: "quantum_flux_id", value: "qf-1" },
        { type: "sha1", value: "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8" },
      ],
      targets: [],
    });
    const { finding } = mapOne(item(makeCtiaEvent(sighting)));
    expect(finding.observables).toEqual([
      { type_id: 99, type: "odns_identity", name: "odns_identity", value: "Branch Office 12" },
      { type_id: 99, type: "quantum_flux_id", name: "quantum_flux_id", value: "qf-1" },
      { type_id: 8, type: "Hash", name: "sha1", value: "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8" },
    ]);
    expect(finding.device).toBeUndefined();
    expect(validateDetectionFinding(finding)).toEqual([]);
  });

  it("maps severity and confidence words onto the OCSF scales, keeping the CTIM words", () => {
    const cases: Array<[string, number, string, number, string]> = [
      ["Critical", 5, "High", 3, "High"],
      ["Low", 2, "Low", 1, "Low"],
      ["Info", 1, "Info", 99, "Info"],
      ["None", 1, "None", 99, "None"],
      ["Unknown", 0, "Unknown", 0, "Unknown"],
    ];
    for (const [severity, severityId, confidence, confidenceId, caption] of cases) {
      const { finding } = mapOne(item(makeCtiaEvent(makeSighting({ severity, confidence }))));
      expect([finding.severity_id, finding.confidence_id, finding.confidence], severity).toEqual([
        severityId,
        confidenceId,
        caption,
      ]);
      expect((finding.unmapped as { ctim: Record<string, unknown> }).ctim.severity).toBe(severity);
      expect(validateDetectionFinding(finding)).toEqual([]);
    }
  });

  it("falls back to timestamp for time, and to the event TLP, when the sighting has neither", () => {
    const sighting = without(makeSighting(), ["observed_time", "tlp"]);
    const { finding } = mapOne(item(makeCtiaEvent(sighting)));
    expect(finding.time).toBe(t("2026-11-02T10:15:30.000Z"));
    expect(finding.metadata.labels).toEqual(["tlp:amber"]);
  });

  it("maps the CTIM skeleton sighting, which carries every CTIM field, to a valid finding", () => {
    const sighting = { ...skeleton("sighting"), id: ctiaUrl("sighting", SIGHTING_UUID) };
    const { finding } = mapOne(item(sighting));
    expect(finding.finding_info.uid).toBe(SIGHTING_ID);
    expect(finding.device).toMatchObject({ ip: "1.2.3.4", os: { name: "string", type_id: 99 } });
    expect(validateDetectionFinding(finding)).toEqual([]);
  });

  it("records update events as activity 2 (Update)", () => {
    const { finding } = mapOne(item(makeCtiaEvent(makeSighting(), "record-updated")));
    expect([finding.activity_id, finding.type_uid]).toEqual([2, 200402]);
  });

  it("survives the round trip through the alerts row and the renderer as valid OCSF", () => {
    const { finding, correlationKey } = mapOne(parsedItem(jsonWithBigGuid(makeCtiaEvent(makeSighting()))));
    const row: AlertRow = {
      ...normaliseFinding(finding, NOW),
      id: "alrt_01jz0000000000000000000000",
      dedupKey: "0".repeat(64),
      occurrenceCount: 1,
      firstSeenAt: finding.time,
      lastSeenAt: finding.time,
      sourceConnectorId: CTX.connectorId,
      correlationKey,
      caseId: null,
      correlatedAt: null,
      createdAt: NOW,
      updatedAt: NOW,
    };
    const rendered = renderAlertAsDetectionFinding(row);
    expect(validateDetectionFinding(rendered)).toEqual([]);
    expect((rendered.unmapped as { ctim: { tlp: string } }).ctim.tlp).toBe("amber");
  });
});

describe("an incident in an IROH event", () => {
  it("maps a created event to a Detection Finding for the incident itself", () => {
    const event = makeIncidentCreated();
    const incident = makeIncident();
    const { finding, correlationKey } = mapOne(item(event));

    expect(correlationKey).toBe(`xdr-incident:${INCIDENT_ID}`);
    expect(finding).toEqual({
      class_uid: 2004,
      class_name: "Detection Finding",
      category_uid: 2,
      category_name: "Findings",
      activity_id: 1,
      activity_name: "Create",
      type_uid: 200401,
      type_name: "Detection Finding: Create",
      severity_id: 5,
      severity: "Critical",
      confidence_id: 3,
      confidence: "High",
      status_id: 2,
      status: "In Progress",
      status_detail: "Open: Investigating",
      time: t("2026-11-02T10:16:00.000Z"),
      finding_info: {
        uid: INCIDENT_ID,
        uid_alt: "XDR-1042",
        title: "Malicious PowerShell on wks-0142",
        desc: "XDR Analytics grouped 3 endpoint detections on one host.",
        attacks: [
          { technique: { uid: "T1059" }, sub_technique: { uid: "T1059.001" } },
          { technique: { uid: "T1095" } },
          { tactic: { uid: "TA0002", name: "Execution" } },
          { tactic: { uid: "TA0011", name: "Command and Control" } },
        ],
        created_time: t("2026-11-02T10:16:00.000Z"),
        modified_time: t("2026-11-02T10:30:00.000Z"),
        first_seen_time: t("2026-11-02T10:14:00.000Z"),
        data_sources: ["Cisco XDR Analytics"],
        types: ["Malicious Code"],
        src_url: "https://xdr.us.security.cisco.com/incidents/XDR-1042",
      },
      metadata: {
        version: "1.8.0",
        product: { name: "Cisco XDR", vendor_name: "Cisco" },
        uid: INCIDENT_ID,
        correlation_uid: INCIDENT_ID,
        original_event_uid: event.id,
        tenant_uid: ORG_ID,
        labels: ["tlp:red", "ctim-status:Open: Investigating"],
      },
      raw_data: JSON.stringify(event),
      unmapped: {
        ctim: without(incident, ["title", "description"]),
        xdr: { ...without(event, ["data"]), data: without(event.data, ["incident"]) },
      },
    });
    expect(validateDetectionFinding(finding)).toEqual([]);
  });

  it("maps an updated event to activity 2 and a closed incident to activity 3 (Close)", () => {
    const updated = makeIrohEvent({
      event_type: "private-intel/incident/updated",
      incident_id: INCIDENT_ID,
      incident: makeIncident(),
      updated_fields: [
        { field: "severity", action: "modified", value: { before: "High", after: "Critical" } },
      ],
    });
    expect(mapOne(item(updated)).finding.activity_id).toBe(2);

    const closed = makeIrohEvent({
      event_type: "private-intel/incident/updated",
      incident_id: INCIDENT_ID,
      incident: makeIncident({ status: "Closed: Confirmed Threat" }),
    });
    const { finding } = mapOne(item(closed));
    expect([finding.activity_id, finding.status_id, finding.status_detail]).toEqual([
      3,
      4,
      "Closed: Confirmed Threat",
    ]);
    expect(validateDetectionFinding(finding)).toEqual([]);
  });

  it("maps a status-changed event, which carries no incident body, from its statuses", () => {
    const event = makeIrohEvent({
      event_type: "private-intel/incident/status-changed",
      incident_id: ctiaUrl("incident", INCIDENT_UUID),
      status_from: "Open: Investigating",
      status_to: "Closed: False Positive",
      external_ids: null,
    });
    const { finding, correlationKey } = mapOne(item(event));
    expect(correlationKey).toBe(`xdr-incident:${INCIDENT_ID}`);
    expect(finding).toMatchObject({
      activity_id: 3,
      status_id: 4,
      status: "Resolved",
      status_detail: "Closed: False Positive",
      severity_id: 0,
      time: t(event.created_at),
      finding_info: { uid: INCIDENT_ID, title: `Cisco XDR incident ${INCIDENT_ID}` },
      metadata: { labels: ["ctim-status:Closed: False Positive"] },
    });
    expect((finding.unmapped as { xdr: { data: unknown } }).xdr.data).toEqual(event.data);
    expect(validateDetectionFinding(finding)).toEqual([]);
  });

  it("gives the same finding uid and correlation key whichever of the three id forms the incident uses", () => {
    const keys = [INCIDENT_UUID, INCIDENT_ID, ctiaUrl("incident", INCIDENT_UUID)].map((id) => {
      const event = makeIrohEvent({
        event_type: "private-intel/incident/created",
        incident_id: id,
        incident: makeIncident({ id }),
      });
      const { finding, correlationKey } = mapOne(item(event));
      return [finding.finding_info.uid, correlationKey];
    });
    expect(keys).toEqual(Array(3).fill([INCIDENT_ID, `xdr-incident:${INCIDENT_ID}`]));
  });

  it("maps Hold statuses to Other and unknown severities to Unknown, keeping both CTIM words", () => {
    const { finding } = mapOne(
      item(makeIncidentCreated(makeIncident({ status: "Hold: Legal", severity: "Severe" }))),
    );
    expect([finding.status_id, finding.status, finding.severity_id]).toEqual([99, "Hold: Legal", 0]);
    expect((finding.unmapped as { ctim: Record<string, unknown> }).ctim).toMatchObject({
      status: "Hold: Legal",
      severity: "Severe",
    });
    expect(validateDetectionFinding(finding)).toEqual([]);
  });

  it("maps the CTIM skeleton incident, which carries every CTIM field, to a valid finding", () => {
    const incident = { ...skeleton("incident"), id: INCIDENT_UUID };
    const { finding, correlationKey } = mapOne(item(makeIncidentCreated(incident)));
    expect(correlationKey).toBe(`xdr-incident:${INCIDENT_ID}`);
    expect(finding.status_detail).toBe("Closed");
    expect(validateDetectionFinding(finding)).toEqual([]);
  });
});

describe("correlation", () => {
  it("puts a sighting that is a member of an incident in the incident's case, and one that is not in its own", () => {
    const bundle = {
      type: "bundle",
      sightings: [makeSighting(), makeSighting({ id: ctiaUrl("sighting", OTHER_SIGHTING_UUID) })],
      incidents: [makeIncident()],
      relationships: [makeMemberOf(SIGHTING_UUID, INCIDENT_UUID)],
    };
    const parsed = ciscoXdr.parse(JSON.stringify(bundle), "application/json");
    if (!parsed.ok) throw new Error(parsed.reason);
    const mapped = parsed.items.map((i) => mapOne(i));
    expect(mapped.map((m) => m.correlationKey)).toEqual([
      `xdr-incident:${INCIDENT_ID}`,
      `xdr-sighting:sighting-${OTHER_SIGHTING_UUID}`,
      `xdr-incident:${INCIDENT_ID}`,
    ]);
    expect(mapped[0]?.finding.metadata.correlation_uid).toBe(INCIDENT_ID);
    const [member] = mapped;
    expect(
      (member?.finding.unmapped as { xdr?: { member_of?: string[] } } | undefined)?.xdr?.member_of,
    ).toEqual([INCIDENT_ID]);
    for (const m of mapped) expect(validateDetectionFinding(m.finding)).toEqual([]);
  });

  it("ignores member-of relationships of other sightings and to things that are not incidents", () => {
    const bundle = {
      type: "bundle",
      sightings: [makeSighting()],
      relationships: [
        makeMemberOf(OTHER_SIGHTING_UUID, INCIDENT_UUID),
        { ...makeMemberOf(SIGHTING_UUID, INCIDENT_UUID), target_ref: ctiaUrl("casebook", INCIDENT_UUID) },
        { ...makeMemberOf(SIGHTING_UUID, INCIDENT_UUID), relationship_type: "sighting-of" },
      ],
    };
    expect(mapOne(item(bundle)).correlationKey).toBe(`xdr-sighting:${SIGHTING_ID}`);
  });
});

describe("items that cannot be mapped", () => {
  it("name the missing or mistyped sighting field", () => {
    // A sighting without an id is not among them: it is known by its content (identity.test.ts).
    expect(map(item(makeCtiaEvent(without(makeSighting(), ["id"]))))).toMatchObject({ ok: true });
    expect(
      fieldsOf(map(item(makeCtiaEvent(makeSighting({ observed_time: { start_time: "yesterday" } }))))),
    ).toEqual(["entity.observed_time.start_time"]);
    expect(
      fieldsOf(map(item(makeCtiaEvent(without(makeSighting(), ["observed_time", "timestamp"]))))),
    ).toEqual(["entity.observed_time.start_time"]);
    expect(
      fieldsOf(map(item(makeCtiaEvent(makeSighting({ observables: [{ type: "ip", value: true }] }))))),
    ).toEqual(["entity.observables[0].value"]);
    expect(fieldsOf(map(item(makeCtiaEvent(makeSighting({ id: "sighting-" })))))).toEqual(["entity.id"]);
  });

  it("name the missing or mistyped incident field", () => {
    expect(fieldsOf(map(item(makeIncidentCreated(makeIncident({ severity: 5 })))))).toEqual([
      "data.incident.severity",
    ]);
    expect(
      fieldsOf(
        map(item(makeIncidentCreated(without(makeIncident(), ["incident_time", "created", "timestamp"])))),
      ),
    ).toEqual(["data.incident.incident_time.opened"]);
    const noBody = makeIrohEvent({ event_type: "private-intel/incident/created", incident_id: INCIDENT_ID });
    expect(fieldsOf(map(item(noBody)))).toEqual(["data.incident"]);
    expect(fieldsOf(map(item(without(makeIncidentCreated(), ["id"]))))).toEqual(["id"]);
    const badId = makeIncidentCreated(makeIncident({ id: ctiaUrl("sighting", SIGHTING_UUID) }));
    expect(fieldsOf(map(item(badId)))).toEqual(["data.incident.id"]);
    const badStatusChange = makeIrohEvent({
      event_type: "private-intel/incident/status-changed",
      incident_id: "incident-",
      status_from: "New",
      status_to: "Open",
      external_ids: null,
    });
    expect(fieldsOf(map(item(badStatusChange)))).toEqual(["data.incident_id"]);
    expect(
      fieldsOf(
        map(
          item(
            makeIrohEvent({ event_type: "private-intel/incident/status-changed", incident_id: INCIDENT_ID }),
          ),
        ),
      ),
    ).toEqual(["data.status_to"]);
  });

  it("say which event types and entities are not detections", () => {
    const note = makeIrohEvent({
      event_type: "private-intel/note/created",
      note_id: "note-1",
      note_class: "default",
      related_entities: [],
    });
    // A note and a deletion are valid and are not detections: acknowledged as ignored.
    expect(map(item(note))).toMatchObject({ ok: true, findings: [], ignored: expect.any(String) });
    expect(map(item(makeCtiaEvent(makeSighting(), "record-deleted")))).toMatchObject({
      ok: true,
      findings: [],
      ignored: expect.any(String),
    });
    const unknown = makeIrohEvent({ event_type: "private-intel/unheard-of/created" });
    expect(fieldsOf(map(item(unknown)))).toEqual(["data.event_type"]);
    expect(
      fieldsOf(
        map(item(makeCtiaEvent({ ...makeMemberOf(SIGHTING_UUID, INCIDENT_UUID), type: "unheard-of" }))),
      ),
    ).toEqual(["entity.type"]);
    expect(fieldsOf(map(item({ type: "judgement" })))).toEqual(["observable", "disposition"]);
    expect(fieldsOf(map(item({ type: "bundle", judgements: [] })))).toEqual(["sightings"]);
    expect(fieldsOf(map(item(42)))).toEqual(["(item)"]);
  });

  it("fail a whole bundle item when one of its sightings is malformed", () => {
    const bundle = { type: "bundle", sightings: [makeSighting(), makeSighting({ severity: ["High"] })] };
    const result = map(item(bundle));
    expect(fieldsOf(result)).toEqual(["sightings[1].severity"]);
    expect(result.ok ? "" : result.reason).toContain("sighting");
  });
});
