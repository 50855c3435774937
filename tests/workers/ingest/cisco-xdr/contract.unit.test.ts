// The payloads these tests send follow Cisco's Swagger definitions, and a mixed delivery of every
// accepted envelope comes out as Detection Findings that validate against OCSF 1.8.
import { describe, expect, it } from "vitest";
import { ciscoXdr } from "../../../../domain/ingest/kinds/cisco-xdr/index.ts";
import { validateDetectionFinding } from "../../../support/ocsf-validators.ts";
import {
  ctiaUrl,
  INCIDENT_UUID,
  jsonWithBigGuid,
  makeCtiaEvent,
  makeIncident,
  makeIncidentCreated,
  makeIrohEvent,
  makeMemberOf,
  makeSighting,
  OTHER_SIGHTING_UUID,
  SIGHTING_UUID,
} from "./fixtures.ts";
import { CTIA, IROH_EVENT, swaggerErrors } from "./swagger.ts";

const statusChanged = makeIrohEvent({
  event_type: "private-intel/incident/status-changed",
  incident_id: ctiaUrl("incident", INCIDENT_UUID),
  status_from: "New",
  status_to: "Open",
  external_ids: null,
});

describe("fixtures follow the Cisco Swagger definitions", () => {
  it("CTIA Sighting, Relationship and PartialEvent (ctia-private-intel.subset.swagger.json)", () => {
    expect(swaggerErrors(CTIA, "Sighting", makeSighting())).toEqual([]);
    expect(swaggerErrors(CTIA, "Relationship", makeMemberOf(SIGHTING_UUID, INCIDENT_UUID))).toEqual([]);
    expect(swaggerErrors(CTIA, "PartialEvent", makeCtiaEvent(makeSighting()))).toEqual([]);
    // CTIA's Incident has no created/modified: those are what IROH adds to its copies.
    const { created: _created, modified: _modified, ...ctiaIncident } = makeIncident();
    expect(swaggerErrors(CTIA, "Incident", ctiaIncident)).toEqual([]);
  });

  it("IROH Event with incident created and status-changed data (iroh-event.swagger.json)", () => {
    expect(swaggerErrors(IROH_EVENT, "Incident", makeIncident())).toEqual([]);
    expect(swaggerErrors(IROH_EVENT, "Event", makeIncidentCreated())).toEqual([]);
    expect(swaggerErrors(IROH_EVENT, "Event", statusChanged)).toEqual([]);
  });

  it("the check itself catches unknown fields, missing required fields and values outside an enum", () => {
    expect(swaggerErrors(CTIA, "Sighting", makeSighting({ incident_id: "x" }))).toEqual([
      "Sighting.incident_id: is not allowed",
    ]);
    const { emiter: _emiter, ...noEmiter } = makeIncidentCreated();
    expect(swaggerErrors(IROH_EVENT, "Event", noEmiter)).toEqual(["Event.emiter: is required"]);
    expect(swaggerErrors(IROH_EVENT, "Incident", makeIncident({ status: "Pending" }))).toEqual([
      'Incident.status: "Pending" is not in the enum',
    ]);
  });
});

describe("ciscoXdr end to end", () => {
  it("maps a mixed NDJSON delivery of every accepted envelope to valid findings with their case keys", () => {
    const lines = [
      JSON.stringify(makeIncidentCreated()),
      JSON.stringify(statusChanged),
      jsonWithBigGuid(makeCtiaEvent(makeSighting())),
      jsonWithBigGuid({
        type: "bundle",
        sightings: [makeSighting(), makeSighting({ id: ctiaUrl("sighting", OTHER_SIGHTING_UUID) })],
        relationships: [
          makeMemberOf(SIGHTING_UUID, INCIDENT_UUID),
          makeMemberOf(OTHER_SIGHTING_UUID, INCIDENT_UUID),
        ],
      }),
      JSON.stringify(makeIncident({ id: INCIDENT_UUID })),
    ];
    const parsed = ciscoXdr.parse(lines.join("\n"), "application/x-ndjson");
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(ciscoXdr.kind).toBe("cisco-xdr");

    const keys: string[] = [];
    for (const raw of parsed.items) {
      const result = ciscoXdr.map(raw, { now: 0, connectorId: "con_x", config: {} });
      if (!result.ok) throw new Error(`${result.reason}: ${JSON.stringify(result.errors)}`);
      for (const { finding, correlationKey } of result.findings) {
        expect(validateDetectionFinding(finding)).toEqual([]);
        expect(finding.raw_data).toBe(raw.raw);
        keys.push(correlationKey);
      }
    }
    const incidentKey = `xdr-incident:incident-${INCIDENT_UUID}`;
    expect(keys).toEqual([
      incidentKey,
      incidentKey,
      `xdr-sighting:sighting-${SIGHTING_UUID}`,
      incidentKey,
      incidentKey,
      incidentKey,
    ]);
  });
});
