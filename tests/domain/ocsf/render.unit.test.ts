// Rendering alerts and cases back out as OCSF 1.8, checked against the published JSON Schemas
// (validators generated from shared/ocsf by vitest.config.ts).
import { describe, expect, it } from "vitest";
import {
  type AlertRef,
  CASE_STATES,
  type CaseState,
  type CaseView,
  renderCaseAsIncidentFinding,
} from "../../../domain/case/incident-finding.ts";
import {
  type DetectionFinding,
  detectionFindingSchema,
  type NormalisedFinding,
  normaliseFinding,
} from "../../../domain/ocsf/detection-finding.ts";
import { type AlertRow, renderAlertAsDetectionFinding } from "../../../domain/ocsf/render.ts";
import { makeDetectionFinding, makeDetectionFindings } from "../../support/factories/findings.ts";
import { validateDetectionFinding, validateIncidentFinding } from "../../support/ocsf-validators.ts";

const NOW = 1_780_000_000_000;

const examples = import.meta.glob<Record<string, unknown>>(
  "../../../../shared/ocsf/examples/detection_finding.*.json",
  { eager: true, import: "default" },
);

function alertRow(normalised: NormalisedFinding, extra: Partial<AlertRow> = {}): AlertRow {
  return {
    ...normalised,
    id: "alrt_01jqz8x6m2k3n4p5q6r7s8t9v0",
    dedupKey: "0".repeat(64),
    occurrenceCount: 3,
    firstSeenAt: normalised.time,
    lastSeenAt: normalised.time + 90_000,
    sourceConnectorId: "con_01jqz8x6m2k3n4p5q6r7s8t9v1",
    correlationKey: null,
    correlatedAt: null,
    caseId: null,
    createdAt: NOW,
    updatedAt: NOW + 5_000,
    ...extra,
  };
}

function render(finding: unknown, extra: Partial<AlertRow> = {}) {
  const parsed = detectionFindingSchema.parse(finding);
  const row = alertRow(normaliseFinding(parsed, NOW), extra);
  return { parsed, row, ocsf: renderAlertAsDetectionFinding(row) };
}

// Attributes the render recomputes (captions, occurrence times) or extends (unmapped), so they may differ.
const RECOMPUTED = new Set([
  "time",
  "start_time",
  "end_time",
  "count",
  "class_name",
  "category_name",
  "activity_name",
  "type_name",
  "severity",
  "status",
  "unmapped",
]);

describe("the generated OCSF validators", () => {
  it("report each violation with its instance path, including checks that need Ajv's runtime helpers", () => {
    // given a finding whose type_uid is off and whose device.ip is a well-formed but 44-character IPv6
    // address with a zone (maxLength is counted by Ajv's ucs2length runtime helper)
    const ip = `fe80::1%${"eth".repeat(12)}`;
    const finding = makeDetectionFinding({ activity_id: 1, type_uid: 200402, device: { ip } }, 40);

    // when / then
    expect(validateDetectionFinding(finding)).toEqual([
      "type_uid must be equal to constant 200401",
      '(body) must match "then" schema',
      "device.ip must NOT have more than 40 characters",
    ]);
  });
});

describe("the OCSF examples in shared/ocsf/examples", () => {
  const entries = Object.entries(examples);

  it("are all found", () => {
    expect(entries).toHaveLength(5);
  });

  it.each(entries.map(([path, example]) => [path.split("/").pop(), example] as const))(
    "%s parses, normalises and renders as a valid Detection Finding that loses nothing",
    (_name, example) => {
      // given the example as a producer would send it
      expect(validateDetectionFinding(example)).toEqual([]);

      // when it goes through Phoenix
      const { parsed, row, ocsf } = render(example);

      // then the render validates and carries every attribute the producer sent
      expect(validateDetectionFinding(ocsf)).toEqual([]);
      for (const [key, value] of Object.entries(example)) {
        expect(ocsf).toHaveProperty([key]);
        if (!RECOMPUTED.has(key)) expect(ocsf[key], key).toEqual(value);
      }
      const { phoenix, ...producerUnmapped } = ocsf.unmapped as Record<string, unknown>;
      expect(producerUnmapped).toEqual(example.unmapped ?? {});
      expect(phoenix).toEqual({ alert_id: row.id });
      expect(ocsf).toMatchObject({
        class_name: "Detection Finding",
        category_name: "Findings",
        count: 3,
        start_time: row.firstSeenAt,
        end_time: row.lastSeenAt,
        raw_data: JSON.stringify(parsed),
      });
      expect((ocsf.finding_info as { uid: string }).uid).toBe(parsed.finding_info.uid);
      expect(row.title).toBe(parsed.finding_info.title);
    },
  );

  it("renders the Okta example's seconds as milliseconds and corrects its class_name", () => {
    const okta = Object.entries(examples).find(([path]) => path.includes("okta"))?.[1];

    const { ocsf } = render(okta);

    expect(ocsf.time).toBe(1723564700000);
    expect(ocsf.time_dt).toBe("2024-08-13T15:58:20.000Z");
    expect(ocsf.class_name).toBe("Detection Finding");
    expect(ocsf.severity).toBe("Unknown");
  });
});

describe("generated findings", () => {
  const findings = makeDetectionFindings(500, 2026);

  it("are valid OCSF 1.8 and round-trip through parse, normalise and render", () => {
    // given 500 generated findings, when each is stored and rendered, then every render validates
    for (const [i, finding] of findings.entries()) {
      expect(validateDetectionFinding(finding), `finding ${i}`).toEqual([]);
      const { ocsf } = render(finding);
      expect(validateDetectionFinding(ocsf), `render ${i}`).toEqual([]);
      expect(ocsf.severity_id).toBe(finding.severity_id);
      expect(ocsf.observables).toEqual(finding.observables);
    }
  });

  it("vary across severities, activities, statuses and observable types, with unique finding uids", () => {
    const distinct = (pick: (f: DetectionFinding) => unknown) => new Set(findings.map(pick));

    expect([...distinct((f) => f.severity_id)].sort((a, b) => Number(a) - Number(b))).toEqual([
      0, 1, 2, 3, 4, 5, 6, 99,
    ]);
    expect([...distinct((f) => f.activity_id)].sort((a, b) => Number(a) - Number(b))).toEqual([
      0, 1, 2, 3, 99,
    ]);
    expect(distinct((f) => f.status_id).size).toBeGreaterThanOrEqual(6);
    expect(
      new Set(findings.flatMap((f) => (f.observables ?? []).map((o) => o.type_id))).size,
    ).toBeGreaterThanOrEqual(8);
    expect(distinct((f) => f.metadata.product.name).size).toBeGreaterThanOrEqual(4);
    expect(
      findings.every((f) => Array.isArray(f.finding_info.attacks) && f.finding_info.attacks.length > 0),
    ).toBe(true);
    expect(distinct((f) => f.finding_info.uid).size).toBe(500);
  });

  it("are reproducible for a seed and fresh without one", () => {
    expect(makeDetectionFindings(3, 7)).toEqual(makeDetectionFindings(3, 7));
    expect(makeDetectionFindings(1, 7)[0]?.finding_info.uid).not.toBe(
      makeDetectionFindings(1, 8)[0]?.finding_info.uid,
    );
    expect(makeDetectionFinding().finding_info.uid).not.toBe(makeDetectionFinding().finding_info.uid);
  });
});

describe("renderAlertAsDetectionFinding", () => {
  it("puts Phoenix's alert id and case id in unmapped.phoenix and keeps the producer's metadata.uid", () => {
    const finding = makeDetectionFinding({ metadata: { uid: "producer-event-1" } }, 30);

    const { ocsf } = render(finding, {
      id: "alrt_01jqzaaaaaaaaaaaaaaaaaaaaa",
      caseId: "case_01jqzbbbbbbbbbbbbbbbbbbbbb",
    });

    expect(validateDetectionFinding(ocsf)).toEqual([]);
    expect((ocsf.metadata as { uid: string }).uid).toBe("producer-event-1");
    expect((ocsf.unmapped as { phoenix: unknown }).phoenix).toEqual({
      alert_id: "alrt_01jqzaaaaaaaaaaaaaaaaaaaaa",
      case_id: "case_01jqzbbbbbbbbbbbbbbbbbbbbb",
    });
  });

  it("adds caption siblings from the OCSF enums, keeping a producer's own label for Other (99)", () => {
    const known = render(
      makeDetectionFinding({ activity_id: 3, severity_id: 5, status_id: 4, severity: "crit" }, 31),
    );
    const other = render(
      makeDetectionFinding(
        { activity_id: 99, severity_id: 99, severity: "Sev-X", status_id: 99, status: "Parked" },
        32,
      ),
    );

    expect(known.ocsf).toMatchObject({
      activity_name: "Close",
      type_uid: 200403,
      type_name: "Detection Finding: Close",
      severity: "Critical",
      status: "Resolved",
    });
    expect(other.ocsf).toMatchObject({ type_uid: 200499, severity: "Sev-X", status: "Parked" });
    expect(validateDetectionFinding(other.ocsf)).toEqual([]);
  });

  it("omits status when the producer sent none, and keeps occurrence times consistent with their _dt siblings", () => {
    const finding = makeDetectionFinding(
      { status_id: undefined, status: undefined, start_time: 1, start_time_dt: "1970-01-01T00:00:01Z" },
      33,
    );

    const { ocsf, row } = render(finding);

    expect(ocsf).not.toHaveProperty("status_id");
    expect(ocsf).not.toHaveProperty("status");
    expect(ocsf.start_time).toBe(row.firstSeenAt);
    expect(ocsf.start_time_dt).toBe(new Date(row.firstSeenAt).toISOString());
    expect(validateDetectionFinding(ocsf)).toEqual([]);
  });
});

describe("renderCaseAsIncidentFinding", () => {
  const EXPECTED_STATUS: Record<CaseState, [number, string]> = {
    new: [1, "New"],
    acknowledged: [2, "In Progress"],
    in_progress: [2, "In Progress"],
    contained: [2, "In Progress"],
    on_hold: [3, "On Hold"],
    resolved: [4, "Resolved"],
    closed: [5, "Closed"],
    reopened: [2, "In Progress"],
  };

  function caseView(overrides: Partial<CaseView> = {}): CaseView {
    return {
      id: "case_01jqzcccccccccccccccccccc0",
      title: "Possible takeover of alice's account",
      severity: "high",
      priority: "high",
      state: "in_progress",
      assigneeId: "prn_01jqzddddddddddddddddddddd",
      resolution: null,
      queue: "triage",
      mergedInto: null,
      alertCount: 2,
      slaWarnAt: NOW + 600_000,
      slaDueAt: NOW + 900_000,
      slaDueClock: "contain",
      slaBreachedAt: null,
      version: 4,
      openedAt: NOW - 3_600_000,
      updatedAt: NOW,
      closedAt: null,
      ...overrides,
    };
  }

  const refs = (n: number): AlertRef[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `alrt_01jqz${String(i).padStart(21, "0")}`,
      findingUid: `edr-det-${i}`,
      title: `Detection ${i}`,
      productName: i % 2 === 0 ? "Example EDR" : null,
    }));

  const cases = CASE_STATES.flatMap((state) => [0, 1, 25].map((n) => [state, n] as const));

  it.each(cases)("renders a %s case with %i alerts as a valid Incident Finding", (state, n) => {
    // given
    const closedAt = state === "closed" || state === "resolved" ? NOW - 60_000 : null;
    const view = caseView({ state, closedAt, resolution: closedAt ? "false_positive" : null });

    // when
    const ocsf = renderCaseAsIncidentFinding(view, refs(n));

    // then
    expect(validateIncidentFinding(ocsf)).toEqual([]);
    const [statusId, status] = EXPECTED_STATUS[state];
    expect(ocsf).toMatchObject({
      class_uid: 2005,
      status_id: statusId,
      status,
      time: NOW,
      start_time: view.openedAt,
    });
    expect(ocsf.end_time).toBe(closedAt ?? undefined);
    const list = ocsf.finding_info_list as Array<Record<string, unknown>>;
    expect(list.map((f) => f.uid)).toEqual(refs(n).map((r) => r.findingUid));
    expect(list.map((f) => f.uid_alt)).toEqual(refs(n).map((r) => r.id));
  });

  it("identifies the case in metadata and unmapped.phoenix, with Phoenix as the product", () => {
    const ocsf = renderCaseAsIncidentFinding(caseView(), refs(1), NOW + 1);

    expect(ocsf.metadata).toEqual({
      version: "1.8.0",
      product: { name: "Phoenix", vendor_name: "Phoenix" },
      uid: "case_01jqzcccccccccccccccccccc0",
      sequence: 4,
      log_name: "cases",
      modified_time: NOW,
      profiles: ["datetime"],
      processed_time: NOW + 1,
    });
    expect((ocsf.unmapped as { phoenix: unknown }).phoenix).toEqual({
      case_id: "case_01jqzcccccccccccccccccccc0",
      state: "in_progress",
      version: 4,
      alert_count: 2,
      sla_due_at: NOW + 900_000,
    });
    expect(ocsf).toMatchObject({
      desc: "Possible takeover of alice's account",
      severity_id: 4,
      severity: "High",
    });
  });

  it("picks the activity from the case: Create at version 1, Close when closed, Update otherwise", () => {
    const activity = (view: CaseView) => {
      const ocsf = renderCaseAsIncidentFinding(view, []);
      return [ocsf.activity_id, ocsf.type_uid, ocsf.type_name];
    };

    expect(activity(caseView({ version: 1, state: "new" }))).toEqual([1, 200501, "Incident Finding: Create"]);
    expect(activity(caseView({ version: 7, state: "on_hold" }))).toEqual([
      2,
      200502,
      "Incident Finding: Update",
    ]);
    expect(activity(caseView({ version: 9, state: "closed", closedAt: NOW }))).toEqual([
      3,
      200503,
      "Incident Finding: Close",
    ]);
  });

  it("names the assignee, or the unassigned queue since OCSF requires one of them", () => {
    const assigned = renderCaseAsIncidentFinding(caseView(), []);
    const unassigned = renderCaseAsIncidentFinding(caseView({ assigneeId: null }), []);

    expect(assigned.assignee).toEqual({ uid: "prn_01jqzddddddddddddddddddddd" });
    expect(assigned).not.toHaveProperty("assignee_group");
    expect(unassigned).not.toHaveProperty("assignee");
    expect(unassigned.assignee_group).toEqual({ name: "Unassigned", uid: "phoenix:unassigned" });
    expect(validateIncidentFinding(unassigned)).toEqual([]);
  });

  it.each([
    ["high", 3, "High"],
    ["P1", 4, "Critical"],
    ["Low", 1, "Low"],
    ["whenever", 99, "whenever"],
  ] as const)("maps priority %s to priority_id %i", (priority, id, caption) => {
    const ocsf = renderCaseAsIncidentFinding(caseView({ priority }), []);

    expect([ocsf.priority_id, ocsf.priority]).toEqual([id, caption]);
    expect(validateIncidentFinding(ocsf)).toEqual([]);
  });

  it("maps a resolution to an OCSF verdict and leaves both out while there is none", () => {
    const resolved = renderCaseAsIncidentFinding(
      caseView({ state: "resolved", resolution: "True Positive" }),
      [],
    );
    const open = renderCaseAsIncidentFinding(caseView(), []);

    expect([resolved.verdict_id, resolved.verdict]).toEqual([2, "True Positive"]);
    expect(open).not.toHaveProperty("verdict_id");
    expect(validateIncidentFinding(open)).toEqual([]);
  });

  it("fails validation when a required attribute is missing, so the checks above can fail", () => {
    const { finding_info_list: _, ...withoutList } = renderCaseAsIncidentFinding(caseView(), refs(1));

    expect(validateIncidentFinding(withoutList)).toEqual([
      "finding_info_list is required by the OCSF schema",
    ]);
  });
});
