// Splitting XDR deliveries into items: single envelopes, JSON arrays, NDJSON and CTIM bundles, with
// each item's raw text taken verbatim from the body and integers beyond 2^53 kept exact.
import { describe, expect, it } from "vitest";
import { MAX_ITEMS_PER_DELIVERY, type RawItem } from "../../../../domain/ingest/kind.ts";
import { ciscoXdr } from "../../../../domain/ingest/kinds/cisco-xdr/index.ts";
import {
  BIG_PROCESS_GUID,
  ctiaUrl,
  INCIDENT_UUID,
  jsonWithBigGuid,
  makeCtiaEvent,
  makeIncident,
  makeIncidentCreated,
  makeMemberOf,
  makeSighting,
  OTHER_SIGHTING_UUID,
  SIGHTING_UUID,
} from "./fixtures.ts";

function itemsOf(body: string, contentType = "application/json"): RawItem[] {
  const result = ciscoXdr.parse(body, contentType);
  if (!result.ok) throw new Error(`parse failed: ${result.reason}`);
  return result.items;
}

function reasonOf(body: string, contentType = "application/json"): string {
  const result = ciscoXdr.parse(body, contentType);
  expect(result.ok).toBe(false);
  return result.ok ? "" : result.reason;
}

function processGuidOf(value: unknown): unknown {
  const entity = (
    value as { entity: { context: { process_create_events: Array<{ process_guid: unknown }> } } }
  ).entity;
  return entity.context.process_create_events[0]?.process_guid;
}

describe("ciscoXdr.parse", () => {
  it("reads one IROH event as one item whose raw text is the body without surrounding space", () => {
    const text = JSON.stringify(makeIncidentCreated(), null, 2);
    const items = itemsOf(`\n  ${text}\n`);
    expect(items).toHaveLength(1);
    expect(items[0]?.raw).toBe(text);
    expect(items[0]?.value).toEqual(makeIncidentCreated());
  });

  it("splits a JSON array of envelopes, each raw text being that element's bytes as sent", () => {
    const envelopes = [
      makeIncidentCreated(),
      makeCtiaEvent(makeSighting()),
      makeCtiaEvent(makeSighting(), "record-updated"),
    ];
    // Pretty-printed elements with odd spacing: re-serialising would not reproduce these bytes.
    const texts = envelopes.map((e, i) => JSON.stringify(e, null, i + 1));
    const items = itemsOf(`[ ${texts.join(" ,\n")} ]`);
    expect(items.map((i) => i.raw)).toEqual(texts);
    expect(items.map((i) => i.value)).toEqual(envelopes);
  });

  it("reads NDJSON by content type, with CRLF line ends and blank lines", () => {
    const lines = [makeIncidentCreated(), makeCtiaEvent(makeSighting())].map((e) => JSON.stringify(e));
    const items = itemsOf(`${lines[0]}\r\n\r\n${lines[1]}\r\n`, "application/x-ndjson; charset=utf-8");
    expect(items.map((i) => i.raw)).toEqual(lines);
  });

  it("reads NDJSON sent as application/json", () => {
    const lines = [makeIncidentCreated(), makeCtiaEvent(makeSighting())].map((e) => JSON.stringify(e));
    expect(itemsOf(lines.join("\n")).map((i) => i.raw)).toEqual(lines);
  });

  it("keeps a 20-digit process_guid exact in a single object, an array and NDJSON", () => {
    const text = jsonWithBigGuid(makeCtiaEvent(makeSighting()));
    // JSON.parse alone rounds it: this is what the connector must not do.
    expect(String(processGuidOf(JSON.parse(text)))).not.toBe(BIG_PROCESS_GUID);

    expect(processGuidOf(itemsOf(text)[0]?.value)).toBe(BIG_PROCESS_GUID);
    expect(processGuidOf(itemsOf(`[${text},${text}]`)[1]?.value)).toBe(BIG_PROCESS_GUID);
    expect(processGuidOf(itemsOf(`${text}\n${text}`, "application/x-ndjson")[1]?.value)).toBe(
      BIG_PROCESS_GUID,
    );
  });

  it("turns only unsafe integer literals into strings: safe integers, floats and negatives stay numbers", () => {
    const [parsed] = itemsOf(
      '{"a": 9007199254740991, "b": 9007199254740993, "c": -99999999999999999999, "d": 720.5, "e": 1e21}',
    );
    expect(parsed?.value).toEqual({
      a: 9007199254740991,
      b: "9007199254740993",
      c: "-99999999999999999999",
      d: 720.5,
      e: 1e21,
    });
  });

  it("splits a CTIM bundle into one item per sighting and incident, each sighting with its own member-of", () => {
    const bundle = {
      type: "bundle",
      source: "Cisco XDR",
      sightings: [makeSighting(), makeSighting({ id: ctiaUrl("sighting", OTHER_SIGHTING_UUID) })],
      incidents: [makeIncident()],
      relationships: [makeMemberOf(SIGHTING_UUID, INCIDENT_UUID)],
    };
    const items = itemsOf(jsonWithBigGuid(bundle));
    expect(items).toHaveLength(3);
    expect(items[0]?.value).toMatchObject({
      type: "bundle",
      relationships: [makeMemberOf(SIGHTING_UUID, INCIDENT_UUID)],
    });
    expect(items[1]?.value).toMatchObject({ type: "bundle", relationships: [] });
    expect(items[2]?.value).toEqual({ type: "bundle", incidents: [makeIncident()] });
    // The sighting's bytes are copied, not re-serialised, so the 20-digit literal is still there.
    expect(items[0]?.raw).toContain(`"process_guid":${BIG_PROCESS_GUID}`);
  });

  it("gives each bundle part a raw text that parses back to the same item, so replay sees what ingest saw", () => {
    const bundle = {
      type: "bundle",
      sightings: [makeSighting(), makeSighting({ id: ctiaUrl("sighting", OTHER_SIGHTING_UUID) })],
      relationships: [makeMemberOf(SIGHTING_UUID, INCIDENT_UUID)],
    };
    for (const part of itemsOf(jsonWithBigGuid(bundle))) {
      expect(itemsOf(part.raw)).toEqual([part]);
    }
  });

  it(`accepts ${MAX_ITEMS_PER_DELIVERY} items and refuses one more, as JSON array and as NDJSON`, () => {
    const at = Array.from({ length: MAX_ITEMS_PER_DELIVERY }, () => "{}");
    expect(itemsOf(`[${at.join(",")}]`)).toHaveLength(MAX_ITEMS_PER_DELIVERY);
    expect(reasonOf(`[${[...at, "{}"].join(",")}]`)).toContain(`${MAX_ITEMS_PER_DELIVERY + 1}`);
    expect(reasonOf([...at, "{}"].join("\n"), "application/x-ndjson")).toContain("at most");
    // A bundle counts by the items it expands to.
    const sightings = Array.from({ length: MAX_ITEMS_PER_DELIVERY + 1 }, () => ({ type: "sighting" }));
    expect(reasonOf(JSON.stringify({ type: "bundle", sightings }))).toContain("expands to more than");
  });

  it("rejects bodies that are not JSON", () => {
    expect(reasonOf("")).toContain("empty");
    expect(reasonOf('{"id": ')).toContain("not valid JSON");
    expect(reasonOf("42")).toContain("JSON object");
  });

  it("keeps a broken NDJSON line as an item of its own, which map() quarantines while the rest goes through", () => {
    const good = JSON.stringify(makeIncidentCreated());
    const items = itemsOf(`${good}\n{"id": \n${good}`, "application/x-ndjson");
    expect(items.map((i) => i.raw)).toEqual([good, '{"id":', good]);
    const results = items.map((i) => ciscoXdr.map(i, { now: 0, connectorId: "con_x", config: {} }));
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]?.ok ? "" : results[1]?.reason).toContain("not valid JSON");
  });

  it("leaves array elements that are not objects as items, for map() to quarantine", () => {
    const items = itemsOf(`[1, ${JSON.stringify(makeIncidentCreated())}]`);
    expect(items.map((i) => i.raw.slice(0, 1))).toEqual(["1", "{"]);
  });
});
