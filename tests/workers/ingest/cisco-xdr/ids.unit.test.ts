// CTIM names an entity three ways (GUID, short id, CTIA URL); the connector keys on one form.
import { describe, expect, it } from "vitest";
import { normaliseCtimId } from "../../../../domain/ingest/kinds/cisco-xdr/index.ts";
import { INCIDENT_UUID, SIGHTING_UUID } from "./fixtures.ts";

const CANONICAL = `incident-${INCIDENT_UUID}`;

describe("normaliseCtimId", () => {
  it("turns a bare GUID into <type>-<uuid> when the type is known", () => {
    expect(normaliseCtimId(INCIDENT_UUID, "incident")).toBe(CANONICAL);
  });

  it("keeps a short id (incident-<uuid>) as it is", () => {
    expect(normaliseCtimId(`incident-${INCIDENT_UUID}`, "incident")).toBe(CANONICAL);
    expect(normaliseCtimId(`incident-${INCIDENT_UUID}`)).toBe(CANONICAL);
  });

  it("reduces a full CTIA URL to its short id, whatever the region host, port or trailing slash", () => {
    for (const url of [
      `https://private.intel.amp.cisco.com:443/ctia/incident/incident-${INCIDENT_UUID}`,
      `https://private.intel.eu.amp.cisco.com/ctia/incident/incident-${INCIDENT_UUID}/`,
      `https://private.intel.apjc.amp.cisco.com/ctia/incident/${INCIDENT_UUID}`,
    ]) {
      expect(normaliseCtimId(url, "incident"), url).toBe(CANONICAL);
      expect(normaliseCtimId(url), url).toBe(CANONICAL);
    }
  });

  it("folds the case of the uuid and trims surrounding space, so all three forms give one key", () => {
    const upper = INCIDENT_UUID.toUpperCase();
    const forms = [
      ` ${upper} `,
      `incident-${upper}`,
      `https://private.intel.amp.cisco.com:443/ctia/incident/incident-${upper}`,
    ];
    expect(new Set(forms.map((f) => normaliseCtimId(f, "incident")))).toEqual(new Set([CANONICAL]));
  });

  it("works for other entity types, such as sightings", () => {
    expect(
      normaliseCtimId(`https://private.intel.amp.cisco.com:443/ctia/sighting/sighting-${SIGHTING_UUID}`),
    ).toBe(`sighting-${SIGHTING_UUID}`);
    expect(normaliseCtimId(SIGHTING_UUID, "sighting")).toBe(`sighting-${SIGHTING_UUID}`);
  });

  it("refuses an id of another type, a bare GUID of unknown type, and text that is not an id", () => {
    expect(normaliseCtimId(`sighting-${SIGHTING_UUID}`, "incident")).toBeNull();
    expect(
      normaliseCtimId(
        `https://private.intel.amp.cisco.com/ctia/sighting/sighting-${SIGHTING_UUID}`,
        "incident",
      ),
    ).toBeNull();
    expect(normaliseCtimId(INCIDENT_UUID)).toBeNull();
    expect(normaliseCtimId("")).toBeNull();
    expect(normaliseCtimId("incident-", "incident")).toBeNull();
    expect(normaliseCtimId("not an id", "incident")).toBeNull();
    expect(normaliseCtimId("https://private.intel.amp.cisco.com/")).toBeNull();
  });
});
