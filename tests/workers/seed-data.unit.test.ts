// The demo data `npm start` seeds is what a newcomer sees first: it must be valid OCSF too.
import { describe, expect, it } from "vitest";
import { demoFindings } from "../../scripts/seed/demo-findings.ts";
import { validateDetectionFinding } from "../support/ocsf-validators.ts";

describe("demo seed findings", () => {
  it("each validates against detection_finding.schema.json", () => {
    const findings = demoFindings(Date.UTC(2026, 10, 22, 12, 0));
    expect(findings.length).toBeGreaterThanOrEqual(8);
    for (const finding of findings) {
      expect(
        validateDetectionFinding(finding),
        (finding as { finding_info: { title: string } }).finding_info.title,
      ).toEqual([]);
    }
  });
});
