// Inbound Detection Findings: what the schema accepts and how it names what it rejects, how times
// are normalised into an alerts row, and which findings share a dedup key.
import { describe, expect, it } from "vitest";
import { fieldErrorsFromIssues } from "../../../domain/errors.ts";
import {
  type DetectionFinding,
  dedupKeyFor,
  detectionFindingSchema,
  normaliseFinding,
} from "../../../domain/ocsf/detection-finding.ts";
import { makeDetectionFinding } from "../../support/factories/findings.ts";

const NOW = 1_780_000_000_000;

function parse(input: unknown): DetectionFinding {
  return detectionFindingSchema.parse(input);
}

function errorsOf(input: unknown) {
  const result = detectionFindingSchema.safeParse(input);
  expect(result.success).toBe(false);
  return fieldErrorsFromIssues(result.error?.issues ?? []);
}

describe("detectionFindingSchema", () => {
  it("accepts a generated finding and keeps attributes it does not know, at any depth", () => {
    // given a finding with vendor extensions at the top level and inside finding_info
    const input = makeDetectionFinding({ x_vendor_score: 91, finding_info: { x_rule_pack: "core-2026" } }, 1);

    // when it is parsed
    const parsed = parse(input);

    // then nothing is stripped
    expect(parsed.x_vendor_score).toBe(91);
    expect(parsed.finding_info.x_rule_pack).toBe("core-2026");
    expect(parsed).toEqual(input);
  });

  it("names finding_info.uid when it is missing", () => {
    const input = makeDetectionFinding({ finding_info: { uid: undefined } }, 2);

    expect(errorsOf(input)).toEqual([
      { field: "finding_info.uid", message: "is required and must be a string" },
    ]);
  });

  it("names class_uid when the finding is of another class", () => {
    const input = makeDetectionFinding({ class_uid: 2005 }, 3);

    expect(errorsOf(input)).toEqual([
      { field: "class_uid", message: "must be 2004 (Detection Finding), got 2005" },
    ]);
  });

  it("names type_uid when it does not match class_uid * 100 + activity_id", () => {
    const input = makeDetectionFinding({ activity_id: 2, type_uid: 200401 }, 4);

    expect(errorsOf(input)).toEqual([
      {
        field: "type_uid",
        message: "must equal class_uid * 100 + activity_id (200402 for activity_id 2), got 200401",
      },
    ]);
  });

  it("reports a type_uid mismatch together with other errors", () => {
    const input = makeDetectionFinding({ activity_id: 3, type_uid: 200401, severity_id: 7 }, 5);

    expect(errorsOf(input).map((e) => e.field)).toEqual(["severity_id", "type_uid"]);
  });

  it("names severity_id and lists the allowed values when it is outside the OCSF enum", () => {
    const input = makeDetectionFinding({ severity_id: 7 }, 6);

    expect(errorsOf(input)).toEqual([
      {
        field: "severity_id",
        message:
          "must be one of 0 (Unknown), 1 (Informational), 2 (Low), 3 (Medium), 4 (High), 5 (Critical), 6 (Fatal), 99 (Other), got 7",
      },
    ]);
  });

  it.each([
    ["yesterday", 'must be an integer, got the string "yesterday"'],
    [1723564700.5, "must be an integer, got 1723564700.5"],
    [null, "must be an integer, got null"],
  ])("names time when it is %j rather than an integer", (time, message) => {
    const input = makeDetectionFinding({ time: time as never }, 7);

    expect(errorsOf(input)).toEqual([{ field: "time", message }]);
  });

  it("names each missing required attribute, including nested ones", () => {
    const input = makeDetectionFinding(
      {
        activity_id: undefined,
        metadata: { version: undefined, product: { name: undefined, uid: undefined } },
      },
      8,
    );

    expect(errorsOf(input)).toEqual([
      { field: "activity_id", message: "is required and must be an integer" },
      { field: "metadata.product", message: "must have at least one of name or uid" },
      { field: "metadata.version", message: "is required and must be a string" },
    ]);
  });

  it("checks the optional attributes Phoenix stores in columns", () => {
    const input = makeDetectionFinding(
      {
        status_id: 42,
        observables: [
          { type_id: 2, value: "192.0.2.1" },
          { type_id: 2, value: 7 as never },
        ],
        device: "laptop" as never,
        resources: [["not", "an", "object"]] as never,
        raw_data: { not: "a string" } as never,
        start_time: "early" as never,
      },
      9,
    );

    const fields = errorsOf(input).map((e) => e.field);

    expect(fields).toEqual([
      "status_id",
      "start_time",
      "observables[1].value",
      "device",
      "resources[0]",
      "raw_data",
    ]);
  });

  it("names a body that is not an object", () => {
    expect(errorsOf([1, 2])).toEqual([{ field: "(body)", message: "must be an object, got an array" }]);
  });
});

describe("normaliseFinding", () => {
  it("reads an integer time below 1e11 as seconds and stores milliseconds", () => {
    // given the Okta pitfall: time in seconds next to a time_dt of the same instant
    const finding = parse(
      makeDetectionFinding({ time: 1723564700, time_dt: "2024-08-13T15:58:20.000Z" }, 10),
    );

    // when
    const row = normaliseFinding(finding, NOW);

    // then time is in ms and the _dt sibling is kept verbatim
    expect(row.time).toBe(1723564700000);
    expect(new Date(row.time).toISOString()).toBe("2024-08-13T15:58:20.000Z");
    expect(row.attributes.time_dt).toBe("2024-08-13T15:58:20.000Z");
  });

  it("keeps a time already in milliseconds", () => {
    const finding = parse(makeDetectionFinding({ time: 1772442847512 }, 11));

    expect(normaliseFinding(finding, NOW).time).toBe(1772442847512);
  });

  it("draws the seconds/milliseconds line at 1e11", () => {
    const below = normaliseFinding(parse(makeDetectionFinding({ time: 99_999_999_999 }, 12)), NOW);
    const at = normaliseFinding(parse(makeDetectionFinding({ time: 100_000_000_000 }, 12)), NOW);

    expect(below.time).toBe(99_999_999_999_000);
    expect(at.time).toBe(100_000_000_000);
  });

  it("normalises start_time and end_time the same way and leaves their _dt siblings alone", () => {
    const finding = parse(
      makeDetectionFinding(
        { start_time: 1723564000, end_time: 1723564700999, start_time_dt: "2024-08-13T15:46:40Z" },
        13,
      ),
    );

    const row = normaliseFinding(finding, NOW);

    expect(row.attributes.start_time).toBe(1723564000000);
    expect(row.attributes.end_time).toBe(1723564700999);
    expect(row.attributes.start_time_dt).toBe("2024-08-13T15:46:40Z");
  });

  it("uses now for a time of 0, which producers send when they do not know", () => {
    expect(normaliseFinding(parse(makeDetectionFinding({ time: 0 }, 14)), NOW).time).toBe(NOW);
  });

  it("fills the columns from the finding and keeps every other attribute in attributes", () => {
    // given
    const finding = parse(
      makeDetectionFinding(
        {
          finding_info: { uid: "edr-1", title: "Encoded PowerShell" },
          metadata: { product: { name: "Example EDR", vendor_name: "Example Security Inc." } },
          status_id: 2,
          x_custom: { nested: true },
        },
        15,
      ),
    );

    // when
    const row = normaliseFinding(finding, NOW);

    // then
    expect(row).toMatchObject({
      classUid: 2004,
      categoryUid: 2,
      activityId: finding.activity_id,
      typeUid: finding.type_uid,
      severityId: finding.severity_id,
      statusId: 2,
      title: "Encoded PowerShell",
      findingUid: "edr-1",
      productName: "Example EDR",
      vendorName: "Example Security Inc.",
      findingInfo: finding.finding_info,
      metadata: finding.metadata,
      observables: finding.observables,
      device: finding.device,
      actor: finding.actor,
    });
    const columnKeys = [
      "class_uid",
      "category_uid",
      "activity_id",
      "type_uid",
      "severity_id",
      "status_id",
      "time",
    ];
    for (const key of [
      ...columnKeys,
      "finding_info",
      "metadata",
      "observables",
      "device",
      "actor",
      "raw_data",
    ]) {
      expect(row.attributes).not.toHaveProperty(key);
    }
    expect(row.attributes.x_custom).toEqual({ nested: true });
    expect(row.attributes.message).toBe(finding.message);
    expect(row.attributes.finding_info).toBeUndefined();
  });

  it("keeps the producer's raw_data, and otherwise stores the finding as JSON", () => {
    const withRaw = parse(makeDetectionFinding({ raw_data: "<14>Mar 2 09:14:07 edr alert=1" }, 16));
    const withoutRaw = parse(makeDetectionFinding({ raw_data: undefined }, 16));

    expect(normaliseFinding(withRaw, NOW).rawData).toBe("<14>Mar 2 09:14:07 edr alert=1");
    expect(JSON.parse(normaliseFinding(withoutRaw, NOW).rawData)).toEqual(withoutRaw);
  });

  it("stores null for absent optional columns", () => {
    const finding = parse(
      makeDetectionFinding(
        {
          status_id: undefined,
          observables: undefined,
          device: undefined,
          actor: undefined,
          resources: undefined,
        },
        17,
      ),
    );

    const row = normaliseFinding(finding, NOW);

    expect([row.statusId, row.observables, row.device, row.actor, row.resources]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it("falls back to the message, then the uid, when finding_info has no title", () => {
    const withMessage = parse(
      makeDetectionFinding({ finding_info: { title: undefined }, message: "Login failures" }, 18),
    );
    const bare = parse(
      makeDetectionFinding({ finding_info: { uid: "u-1", title: undefined }, message: undefined }, 18),
    );

    expect(normaliseFinding(withMessage, NOW).title).toBe("Login failures");
    expect(normaliseFinding(bare, NOW).title).toBe("Detection finding u-1");
  });
});

describe("dedupKeyFor", () => {
  const product = {
    name: "Example EDR",
    vendor_name: "Example Security Inc.",
    uid: "example-edr",
    version: "7.4.2",
  };

  it("is a stable hex SHA-256 for the same finding", async () => {
    const finding = parse(makeDetectionFinding({}, 20));

    const first = await dedupKeyFor(finding);
    const again = await dedupKeyFor(parse(structuredClone(finding)));

    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(again).toBe(first);
  });

  it("gives the Create, Update and Close events of one finding the same key", async () => {
    // given three deliveries of the same producer finding, differing in everything but identity
    const create = makeDetectionFinding(
      {
        activity_id: 1,
        status_id: 1,
        severity_id: 3,
        finding_info: { uid: "edr-det-1" },
        metadata: { product },
      },
      21,
    );
    const update = makeDetectionFinding(
      {
        activity_id: 2,
        status_id: 2,
        severity_id: 4,
        finding_info: { uid: "edr-det-1" },
        metadata: { product },
      },
      22,
    );
    const close = makeDetectionFinding(
      {
        activity_id: 3,
        status_id: 4,
        finding_info: { uid: "edr-det-1" },
        metadata: { product: { ...product, version: "7.5.0" } },
      },
      23,
    );

    // when
    const keys = await Promise.all([create, update, close].map((f) => dedupKeyFor(parse(f))));

    // then
    expect(new Set(keys).size).toBe(1);
    expect(create.metadata.uid).not.toBe(update.metadata.uid);
  });

  it("differs across products and vendors for the same finding uid", async () => {
    const keyFor = (p: Record<string, string>) =>
      dedupKeyFor(
        parse(makeDetectionFinding({ finding_info: { uid: "shared-uid" }, metadata: { product: p } }, 24)),
      );

    const keys = await Promise.all([
      keyFor(product),
      keyFor({ ...product, name: "Example NIDS" }),
      keyFor({ ...product, vendor_name: "Other Vendor" }),
    ]);

    expect(new Set(keys).size).toBe(3);
  });

  it("differs for different finding uids of one product", async () => {
    const a = await dedupKeyFor(
      parse(makeDetectionFinding({ finding_info: { uid: "a" }, metadata: { product } }, 25)),
    );
    const b = await dedupKeyFor(
      parse(makeDetectionFinding({ finding_info: { uid: "b" }, metadata: { product } }, 25)),
    );

    expect(a).not.toBe(b);
  });

  it("falls back to metadata.uid when finding_info.uid is empty", async () => {
    const event = (metadataUid: string, seed: number) =>
      dedupKeyFor(
        parse(
          makeDetectionFinding({ finding_info: { uid: "" }, metadata: { uid: metadataUid, product } }, seed),
        ),
      );

    const [first, redelivered, other] = await Promise.all([
      event("evt-1", 26),
      event("evt-1", 27),
      event("evt-2", 26),
    ]);

    expect(redelivered).toBe(first);
    expect(other).not.toBe(first);
  });

  it("without any uid, treats only an identical payload as the same finding", async () => {
    const bare = makeDetectionFinding({ finding_info: { uid: "" }, metadata: { uid: undefined } }, 28);
    const reordered = Object.fromEntries(Object.entries(bare).reverse());

    const [key, keyReordered, keyChanged] = await Promise.all([
      dedupKeyFor(parse(bare)),
      dedupKeyFor(parse(reordered)),
      dedupKeyFor(parse({ ...bare, time: bare.time + 1 })),
    ]);

    expect(keyReordered).toBe(key);
    expect(keyChanged).not.toBe(key);
  });
});
