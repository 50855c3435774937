// Delivery framing shared by the ocsf and ai-activity kinds (domain/ingest/framing.ts): one object,
// a JSON array or NDJSON, each item with its exact raw text, and the 10,000-item cap.
import { describe, expect, it } from "vitest";
import { MAX_ITEMS_PER_DELIVERY, type ParseResult, type RawItem } from "../../../../domain/ingest/kind.ts";
import { aiActivity } from "../../../../domain/ingest/kinds/ai-activity/index.ts";
import { ocsfSource } from "../../../../domain/ingest/kinds/ocsf/index.ts";

function itemsOf(result: ParseResult): RawItem[] {
  if (!result.ok) throw new Error(`expected items, got: ${result.reason}`);
  return result.items;
}

function reasonOf(result: ParseResult): string {
  if (result.ok) throw new Error(`expected a failure, got ${result.items.length} items`);
  return result.reason;
}

const parse = (body: string, contentType = "application/json") => ocsfSource.parse(body, contentType);

describe("framing", () => {
  it("a single object is one item whose raw is the body", () => {
    const body = '  {"a": 1,  "b": [2, 3]}\n';

    expect(itemsOf(parse(body))).toEqual([{ raw: '{"a": 1,  "b": [2, 3]}', value: { a: 1, b: [2, 3] } }]);
  });

  it("a JSON array is one item per element, each raw its exact source text", () => {
    const body = `[ {"id": 1, "s": "a,b]}[{"} ,{"id":2,"esc":"quote \\" and \\\\"},\n  {"id": 3, "n": [1,{"x":[]}]} ]`;

    const items = itemsOf(parse(body));

    expect(items.map((i) => i.raw)).toEqual([
      '{"id": 1, "s": "a,b]}[{"}',
      '{"id":2,"esc":"quote \\" and \\\\"}',
      '{"id": 3, "n": [1,{"x":[]}]}',
    ]);
    expect(items.map((i) => (i.value as { id: number }).id)).toEqual([1, 2, 3]);
  });

  it("keeps integers past 2^53 exactly in raw, which the parsed value cannot", () => {
    const body = '[{"process_guid": 123456789012345678901234567890}]';

    const [item] = itemsOf(parse(body));

    expect(item?.raw).toBe('{"process_guid": 123456789012345678901234567890}');
  });

  it("an empty array is a delivery of no items", () => {
    expect(itemsOf(parse("[]"))).toEqual([]);
  });

  it("NDJSON by content type: one item per non-blank line, CRLF and blank lines tolerated", () => {
    const body = '{"n":1}\r\n\r\n  {"n":2}  \n{"n":3}';

    const items = itemsOf(parse(body, "application/x-ndjson; charset=utf-8"));

    expect(items).toEqual([
      { raw: '{"n":1}', value: { n: 1 } },
      { raw: '{"n":2}', value: { n: 2 } },
      { raw: '{"n":3}', value: { n: 3 } },
    ]);
  });

  it.each(["application/x-ndjson", "application/ndjson", "application/jsonl", "APPLICATION/X-NDJSON"])(
    "%s is read as NDJSON",
    (contentType) => {
      expect(itemsOf(parse('{"n":1}', contentType))).toHaveLength(1);
      expect(itemsOf(parse('{"n":1}\n{"n":2}', contentType))).toHaveLength(2);
    },
  );

  it("NDJSON sent as application/json is recognised by its first line", () => {
    const items = itemsOf(parse('{"n":1}\n{"n":2}\nnot json'));

    expect(items.map((i) => i.value)).toEqual([{ n: 1 }, { n: 2 }, undefined]);
  });

  it("a malformed NDJSON line is an item of its own with no value, kept verbatim", () => {
    const items = itemsOf(parse('{"n":1}\n{"n": 2,\n{"n":3}', "application/x-ndjson"));

    expect(items).toEqual([
      { raw: '{"n":1}', value: { n: 1 } },
      { raw: '{"n": 2,', value: undefined },
      { raw: '{"n":3}', value: { n: 3 } },
    ]);
  });

  it("broken pretty-printed JSON fails the delivery instead of becoming one item per line", () => {
    const body = '{\n  "class_uid": 2004,\n  "time": \n}';

    expect(reasonOf(parse(body))).toMatch(/^the body is not valid JSON or NDJSON: /);
  });

  it.each([
    ["", "the body is empty"],
    [" \n\t ", "the body is empty"],
    ['"just a string"', "the body must be a JSON object, a JSON array of objects, or NDJSON, got a string"],
    ["42", "the body must be a JSON object, a JSON array of objects, or NDJSON, got a number"],
    ["null", "the body must be a JSON object, a JSON array of objects, or NDJSON, got null"],
  ])("refuses %j: %s", (body, reason) => {
    expect(reasonOf(parse(body))).toBe(reason);
  });

  it("ignores a byte-order mark", () => {
    expect(itemsOf(parse('\uFEFF{"n":1}'))).toEqual([{ raw: '{"n":1}', value: { n: 1 } }]);
  });

  it(`accepts exactly ${MAX_ITEMS_PER_DELIVERY} items and refuses one more, as an array or as NDJSON`, () => {
    const array = (n: number) => `[${Array.from({ length: n }, () => "{}").join(",")}]`;
    const ndjson = (n: number) => Array.from({ length: n }, () => "{}").join("\n");
    const refusal = `the delivery has ${MAX_ITEMS_PER_DELIVERY + 1} items; at most ${MAX_ITEMS_PER_DELIVERY} are accepted per delivery`;

    expect(itemsOf(parse(array(MAX_ITEMS_PER_DELIVERY)))).toHaveLength(MAX_ITEMS_PER_DELIVERY);
    expect(itemsOf(parse(ndjson(MAX_ITEMS_PER_DELIVERY), "application/x-ndjson"))).toHaveLength(
      MAX_ITEMS_PER_DELIVERY,
    );
    expect(reasonOf(parse(array(MAX_ITEMS_PER_DELIVERY + 1)))).toBe(refusal);
    expect(reasonOf(parse(ndjson(MAX_ITEMS_PER_DELIVERY + 1), "application/x-ndjson"))).toBe(refusal);
  });

  it("is the same for the ai-activity kind", () => {
    const body = '[{"a":1}, {"b":2}]';

    expect(aiActivity.parse(body, "application/json")).toEqual(ocsfSource.parse(body, "application/json"));
    expect(aiActivity.parse("{x}\n{}", "application/x-ndjson")).toEqual(
      ocsfSource.parse("{x}\n{}", "application/x-ndjson"),
    );
  });
});
