// The ocsf kind: native Detection Findings are validated, stored exactly as they came, and given the
// default rule + asset + hour correlation key.
import { describe, expect, it } from "vitest";
import type { MapContext, MapResult, RawItem } from "../../../../domain/ingest/kind.ts";
import { ocsfSource } from "../../../../domain/ingest/kinds/ocsf/index.ts";
import type { DetectionFinding } from "../../../../domain/ocsf/detection-finding.ts";
import { makeDetectionFinding, makeDetectionFindings } from "../../../support/factories/findings.ts";
import { validateDetectionFinding } from "../../../support/ocsf-validators.ts";

// The files as sent, so the test covers the bytes a producer would post, not a re-serialisation.
const examples = import.meta.glob<string>("../../../../../shared/ocsf/examples/*.json", {
  eager: true,
  query: "?raw",
  import: "default",
});

const NOW = 1_780_000_000_000;
const HOUR = 3_600_000;

function ctx(config: Record<string, unknown> = {}): MapContext {
  return { now: NOW, connectorId: "conn_ocsf", config };
}

function items(body: string, contentType = "application/json"): RawItem[] {
  const parsed = ocsfSource.parse(body, contentType);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.items;
}

function mapOne(value: unknown, config: Record<string, unknown> = {}): MapResult {
  const [item, ...rest] = items(JSON.stringify(value));
  expect(rest).toEqual([]);
  return ocsfSource.map(item as RawItem, ctx(config));
}

function keyOf(value: unknown, config: Record<string, unknown> = {}): string {
  const result = mapOne(value, config);
  if (!result.ok) throw new Error(result.reason);
  return result.findings[0]?.correlationKey as string;
}

describe("the shared OCSF examples", () => {
  const detectionExamples = Object.entries(examples).filter(([path]) => path.includes("/detection_finding."));

  it("are all there", () => {
    expect(detectionExamples).toHaveLength(5);
  });

  it.each(detectionExamples)("%s is accepted unchanged and still valid OCSF", (_, raw) => {
    const [item] = items(raw);
    const result = ocsfSource.map(item as RawItem, ctx());

    if (!result.ok) throw new Error(`${result.reason} ${JSON.stringify(result.errors)}`);
    expect(result.findings).toHaveLength(1);
    const [mapped] = result.findings;
    expect(mapped?.finding).toStrictEqual(JSON.parse(raw));
    expect(validateDetectionFinding(mapped?.finding)).toEqual([]);
    expect(mapped?.correlationKey).toMatch(/^rule:[^:]+:(device|user|resource|none)\/[^:]*:\d+$/);
  });

  it("all five as one JSON array keep each element's exact text as the item's raw", () => {
    const raws = detectionExamples.map(([, raw]) => raw.trim());

    const parsed = items(`[${raws.join(",\n")}]`);

    expect(parsed.map((item) => item.raw)).toEqual(raws);
    expect(parsed.map((item) => ocsfSource.map(item, ctx()).ok)).toEqual([true, true, true, true, true]);
  });

  it("the Incident Finding example is refused, naming class_uid", () => {
    const raw = Object.entries(examples).find(([path]) => path.includes("/incident_finding."))?.[1] as string;

    const result = ocsfSource.map(items(raw)[0] as RawItem, ctx());

    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining("class_uid") });
    if (result.ok) return;
    expect(result.errors?.map((e) => e.field)).toContain("class_uid");
    expect(result.errors).toContainEqual({
      field: "class_uid",
      message: "must be 2004 (Detection Finding), got 2005",
    });
  });

  it("the Okta example, whose time is in seconds, is bucketed by its real hour", () => {
    const raw = Object.entries(examples).find(([path]) => path.includes("okta"))?.[1] as string;

    const result = ocsfSource.map(items(raw)[0] as RawItem, ctx());

    if (!result.ok) throw new Error(result.reason);
    expect(result.findings[0]?.correlationKey.endsWith(`:${Math.floor((1_723_564_700 * 1000) / HOUR)}`)).toBe(
      true,
    );
  });
});

describe("generated findings", () => {
  it("300 in one NDJSON delivery are all accepted unchanged and valid OCSF", () => {
    const findings = makeDetectionFindings(300, 777);
    const body = findings.map((f) => JSON.stringify(f)).join("\n");

    const parsed = items(body, "application/x-ndjson");
    let invalid = 0;
    for (const [i, item] of parsed.entries()) {
      const result = ocsfSource.map(item, ctx());
      if (!result.ok) throw new Error(`finding ${i}: ${result.reason}`);
      const errors = validateDetectionFinding(result.findings[0]?.finding);
      if (errors.length > 0) invalid++;
      expect(errors).toEqual([]);
      expect(result.findings[0]?.finding).toStrictEqual(findings[i]);
    }
    console.log(`ocsf generated: findings ${parsed.length}, invalid ${invalid}`);
    expect(parsed).toHaveLength(300);
  });
});

describe("invalid findings are refused with each field named", () => {
  it.each([
    ["finding_info.uid", { finding_info: { uid: undefined } }, "is required and must be a string"],
    ["class_uid", { class_uid: 2005 }, "must be 2004 (Detection Finding), got 2005"],
    ["time", { time: "yesterday" }, 'must be an integer, got the string "yesterday"'],
    [
      "metadata.product",
      { metadata: { product: { name: undefined, uid: undefined } } },
      "must have at least one of name or uid",
    ],
  ])("%s", (field, overrides, message) => {
    const result = mapOne(makeDetectionFinding(overrides as never, 11));

    expect(result).toEqual({
      ok: false,
      reason: `invalid Detection Finding: ${field}`,
      errors: [{ field, message }],
    });
  });

  it("several bad fields are all named", () => {
    const result = mapOne(
      makeDetectionFinding({ severity_id: 7, metadata: { version: undefined } } as never, 12),
    );

    expect(result).toMatchObject({
      ok: false,
      reason: "invalid Detection Finding: severity_id, metadata.version",
    });
  });

  it("a malformed NDJSON line fails on its own; the findings around it are accepted", () => {
    const [a, b] = makeDetectionFindings(2, 13);
    const body = `${JSON.stringify(a)}\n{"class_uid": 2004,,}\n${JSON.stringify(b)}`;

    const results = items(body, "application/x-ndjson").map((item) => ocsfSource.map(item, ctx()));

    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]).toMatchObject({ reason: expect.stringMatching(/^the item is not valid JSON: /) });
  });

  it("an array element that is not an object fails on its own", () => {
    const results = items(`[${JSON.stringify(makeDetectionFinding({}, 14))}, 42]`).map((item) =>
      ocsfSource.map(item, ctx()),
    );

    expect(results.map((r) => r.ok)).toEqual([true, false]);
    expect(results[1]).toMatchObject({ errors: [{ field: "(body)", message: "must be an object, got 42" }] });
  });
});

describe("the correlation key: rule + asset within an hour", () => {
  const T = Date.UTC(2026, 2, 2, 10, 0, 0, 0);
  const base = {
    time: T,
    metadata: { product: { name: "Example EDR", uid: "example-edr" } },
    finding_info: { analytic: { type_id: 1, uid: "R-1001", name: "Encoded PowerShell" }, title: "t" },
    device: { uid: "dev-1", hostname: "fin-ws-1.corp.example", ip: "10.0.0.5", name: undefined },
  };
  // Overrides merge into `base` the way the factory merges (objects merge, `undefined` deletes).
  const finding = (overrides: Record<string, unknown> = {}): DetectionFinding =>
    makeDetectionFinding(mergeDeep(base, overrides) as never, 99);

  it("has the documented shape", () => {
    expect(keyOf(finding())).toBe(`rule:Example%20EDR/R-1001:device/dev-1:${Math.floor(T / HOUR)}`);
  });

  it("keeps one hour together and splits at its boundary", () => {
    const first = keyOf(finding({ time: T }));

    expect(keyOf(finding({ time: T + HOUR - 1 }))).toBe(first);
    expect(keyOf(finding({ time: T + HOUR }))).not.toBe(first);
    expect(keyOf(finding({ time: T - 1 }))).not.toBe(first);
  });

  it("uses the connector's correlationWindowMs", () => {
    const config = { correlationWindowMs: 10 * 60_000 };

    expect(keyOf(finding({ time: T + 10 * 60_000 - 1 }), config)).toBe(keyOf(finding({ time: T }), config));
    expect(keyOf(finding({ time: T + 10 * 60_000 }), config)).not.toBe(keyOf(finding({ time: T }), config));
  });

  it("falls back from analytic uid to analytic name to title", () => {
    const byName = finding({
      finding_info: { analytic: { type_id: 1, uid: undefined, name: "Encoded PowerShell" } },
    });
    const byTitle = finding({ finding_info: { analytic: undefined, title: "Office spawns PowerShell" } });

    expect(keyOf(byName)).toContain("/Encoded%20PowerShell:");
    expect(keyOf(byTitle)).toContain("/Office%20spawns%20PowerShell:");
  });

  it("falls back from device uid to hostname to ip, then to the actor's user, then to a resource", () => {
    const noUid = finding({ device: { uid: undefined, hostname: "h1" } });
    const ipOnly = finding({ device: { uid: undefined, hostname: undefined } });
    const userOnly = finding({ device: undefined, actor: { user: { uid: "S-1-5-21-1", name: "alice" } } });
    const resourceOnly = finding({
      device: undefined,
      actor: undefined,
      resources: [{ uid: "arn:aws:iam::1:user/x" }],
    });
    const nothing = finding({ device: undefined, actor: undefined, resources: undefined });

    expect(keyOf(noUid)).toContain(":device/h1:");
    expect(keyOf(ipOnly)).toContain(":device/10.0.0.5:");
    expect(keyOf(userOnly)).toContain(":user/S-1-5-21-1:");
    expect(keyOf(resourceOnly)).toContain(`:resource/${encodeURIComponent("arn:aws:iam::1:user/x")}:`);
    expect(keyOf(nothing)).toContain(":none/:");
  });

  it("differs by product for the same rule uid, and by asset for the same rule", () => {
    const base = keyOf(finding());

    expect(keyOf(finding({ metadata: { product: { name: "Other EDR" } } }))).not.toBe(base);
    expect(keyOf(finding({ device: { uid: "dev-2" } }))).not.toBe(base);
    expect(keyOf(finding({ finding_info: { uid: "another-finding" } }))).toBe(base);
  });

  it("a finding with time 0 is bucketed by the arrival time", () => {
    expect(keyOf(finding({ time: 0 }))).toMatch(new RegExp(`:${Math.floor(NOW / HOUR)}$`));
  });

  it("an invalid window in the config fails the item, naming the config field", () => {
    expect(mapOne(finding(), { correlationWindowMs: -5 })).toMatchObject({
      ok: false,
      errors: [{ field: "config.correlationWindowMs" }],
    });
  });
});

function mergeDeep(
  base: Record<string, unknown>,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    const bothObjects = [value, current].every(
      (v) => typeof v === "object" && v !== null && !Array.isArray(v),
    );
    out[key] = bothObjects
      ? mergeDeep(current as Record<string, unknown>, value as Record<string, unknown>)
      : value;
  }
  return out;
}
