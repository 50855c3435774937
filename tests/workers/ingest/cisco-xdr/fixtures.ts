// XDR payloads built in code from Cisco's definitions (CTIA Sighting, Relationship, PartialEvent;
// IROH Event, Incident); swagger.ts checks each one against its definition in the tests.
import type { RawItem } from "../../../../domain/ingest/kind.ts";

export const ORG_ID = "7f1c3a52-0d4e-4b2a-9c61-2e8f5b7d9a03";
export const SIGHTING_UUID = "6c1a7d6e-2f1b-4c55-9b3e-0d5a8f7e1a21";
export const OTHER_SIGHTING_UUID = "0b9e2f44-8d1c-4e7a-b5f3-61c2a9d8e705";
export const INCIDENT_UUID = "9d2e4c7a-51f0-4b8e-a3c6-7e1d2b9f4c10";

export const ctiaUrl = (type: string, uuid: string) =>
  `https://private.intel.amp.cisco.com:443/ctia/${type}/${type}-${uuid}`;

/** A 20-digit CTIM process_guid: above 2^64 even, so no JavaScript number can hold it. */
export const BIG_PROCESS_GUID = "12345678901234567890";
// The fixture objects carry this safe stand-in, replaced by the 20-digit literal in the JSON text.
const PROCESS_GUID_STAND_IN = 777000777;

/** JSON text of a fixture with the process_guid stand-in replaced by the 20-digit literal. */
export function jsonWithBigGuid(value: unknown): string {
  return JSON.stringify(value).replaceAll(String(PROCESS_GUID_STAND_IN), BIG_PROCESS_GUID);
}

/** A CTIA Sighting using every field the mapping reads, as an XDR endpoint detection would. */
export function makeSighting(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "sighting",
    schema_version: "1.3.28",
    revision: 2,
    id: ctiaUrl("sighting", SIGHTING_UUID),
    source: "Cisco Secure Endpoint",
    source_uri: "https://console.amp.cisco.com/computers/5e0b1f6a/trajectory",
    title: "Encoded PowerShell launched by an Office document",
    description: "WINWORD.EXE started powershell.exe with an encoded command line.",
    short_description: "Encoded PowerShell",
    severity: "High",
    confidence: "Medium",
    tlp: "amber",
    count: 3,
    internal: false,
    sensor: "endpoint",
    resolution: "detected",
    timestamp: "2026-11-02T10:15:30.000Z",
    observed_time: { start_time: "2026-11-02T10:14:00.000Z", end_time: "2026-11-02T10:14:05.000Z" },
    observables: [
      { type: "sha256", value: "4f1d1c6a9b3e7f2a8c5d0e9b6a3f7c1d2e8b5a4f9c6d3e0b7a1f4c8d2e5b9a6f" },
      { type: "md5", value: "0cc175b9c0f1b6a831c399e269772661" },
      { type: "ip", value: "203.0.113.45" },
      { type: "domain", value: "updates.example.net" },
      { type: "url", value: "https://updates.example.net/a.ps1" },
      { type: "email", value: "billing@example.org" },
      { type: "file_name", value: "invoice.docm" },
      { type: "process_args", value: "powershell.exe -enc SQBFAFgA" },
    ],
    targets: [
      {
        type: "endpoint",
        os: "Windows 10 Enterprise",
        observed_time: { start_time: "2026-11-02T10:14:00.000Z" },
        observables: [
          { type: "hostname", value: "wks-0142" },
          { type: "ip", value: "10.20.30.40" },
          { type: "mac_address", value: "00:1a:2b:3c:4d:5e" },
          { type: "amp_computer_guid", value: "5e0b1f6a-7c2d-4e3f-9a1b-2c3d4e5f6a7b" },
          { type: "user", value: "CORP\\jdoe" },
          { type: "email", value: "jdoe@example.com" },
        ],
      },
    ],
    external_references: [
      {
        source_name: "MITRE ATT&CK",
        external_id: "T1059.001",
        url: "https://attack.mitre.org/techniques/T1059/001/",
        description: "PowerShell",
      },
      { source_name: "MITRE ATT&CK", external_id: "TA0002", url: "https://attack.mitre.org/tactics/TA0002/" },
      {
        source_name: "Cisco Talos",
        url: "https://blog.talosintelligence.com/example",
        description: "Campaign write-up",
      },
    ],
    context: {
      process_create_events: [
        {
          type: "ProcessCreateEvent",
          time: { start_time: "2026-11-02T10:14:01.000Z" },
          process_name: "powershell.exe",
          process_id: 4242,
          process_guid: PROCESS_GUID_STAND_IN,
          parent_process_name: "WINWORD.EXE",
          parent_process_id: 3131,
        },
      ],
    },
    ...overrides,
  };
}

/** An IROH Incident (iroh-event.swagger.json `Incident`) as XDR attaches it to incident events. */
export function makeIncident(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "incident",
    schema_version: "1.3.30",
    revision: 4,
    id: ctiaUrl("incident", INCIDENT_UUID),
    short_id: "XDR-1042",
    title: "Malicious PowerShell on wks-0142",
    description: "XDR Analytics grouped 3 endpoint detections on one host.",
    status: "Open: Investigating",
    severity: "Critical",
    confidence: "High",
    tlp: "red",
    incident_time: {
      opened: "2026-11-02T10:16:00.000Z",
      discovered: "2026-11-02T10:14:00.000Z",
    },
    created: "2026-11-02T10:16:00.000Z",
    modified: "2026-11-02T10:30:00.000Z",
    timestamp: "2026-11-02T10:30:00.000Z",
    tactics: ["TA0002", "TA0011"],
    techniques: ["T1059.001", "T1095"],
    detection_sources: ["Cisco XDR Analytics"],
    categories: ["Malicious Code"],
    promotion_method: "Automated",
    detection_status: "active",
    scores: { asset: 8, ttp: 90, global: 720 },
    assignees: ["analyst@example.com"],
    source: "Cisco XDR",
    source_uri: "https://xdr.us.security.cisco.com/incidents/XDR-1042",
    ...overrides,
  };
}

/** An IROH `Event` envelope around `data`. */
export function makeIrohEvent(data: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return {
    id: "a3b1c2d4-e5f6-4789-8abc-def012345678",
    created_at: "2026-11-02T10:30:01.000Z",
    issuer: "iroh",
    emiter: { user_id: "d2f0e1c3-4b5a-4678-9abc-1234567890ab", org_id: ORG_ID, client_id: "client-7e1b" },
    data,
    ...overrides,
  };
}

export function makeIncidentCreated(incident = makeIncident()) {
  return makeIrohEvent({
    event_type: "private-intel/incident/created",
    incident_id: ctiaUrl("incident", INCIDENT_UUID),
    incident,
  });
}

/** A CTIA `PartialEvent` (record event) carrying `entity`. */
export function makeCtiaEvent(entity: Record<string, unknown>, eventType = "record-created") {
  return {
    type: "event",
    id: "event-5b7c9d1e-3f2a-4b6c-8d0e-1f2a3b4c5d6e",
    owner: "d2f0e1c3-4b5a-4678-9abc-1234567890ab",
    groups: [ORG_ID],
    timestamp: "2026-11-02T10:15:31.000Z",
    tlp: "amber",
    event_type: eventType,
    entity,
  };
}

/** A CTIA `Relationship` saying the sighting is a member of the incident. */
export function makeMemberOf(sightingUuid: string, incidentUuid: string) {
  return {
    type: "relationship",
    schema_version: "1.3.28",
    id: ctiaUrl("relationship", "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"),
    relationship_type: "member-of",
    source_ref: ctiaUrl("sighting", sightingUuid),
    target_ref: ctiaUrl("incident", incidentUuid),
    timestamp: "2026-11-02T10:16:00.000Z",
  };
}

export function item(value: unknown, raw = JSON.stringify(value)): RawItem {
  return { raw, value };
}
