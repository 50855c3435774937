// How a source's update reads in the timeline and on the alert, and which resolution its close
// points to.
import { describe, expect, it } from "vitest";
import {
  describeSourceUpdate,
  sourceChangeLines,
  suggestedResolution,
} from "../../../domain/case/source-updates.ts";

describe("a source update in words", () => {
  it("names each change, lists set changes as added and removed, and says a close once", () => {
    const changes = [
      { field: "severity", from: "High", to: "Critical" },
      { field: "assignees", from: ["a@example.com"], to: ["b@example.com"] },
      { field: "scores", from: { asset: 8 }, to: { asset: 10 } },
      { field: "status", from: "New", to: "Closed: False Positive" },
    ];
    expect(sourceChangeLines({ changes, closedAs: "False Positive" })).toEqual([
      "severity High → Critical",
      "assignees: added b@example.com, removed a@example.com",
      "scores asset 8 → asset 10",
    ]);
    expect(describeSourceUpdate({ source: "XDR", changes: changes.slice(0, 1), closedAs: null })).toBe(
      "XDR changed severity High → Critical",
    );
    expect(
      describeSourceUpdate({ source: "XDR", changes: changes.slice(3), closedAs: "False Positive" }),
    ).toBe("XDR closed the incident as False Positive");
  });

  it("points a close to a resolution only when the source says which", () => {
    expect(suggestedResolution("False Positive")).toBe("false_positive");
    expect(suggestedResolution("Confirmed Threat")).toBe("true_positive");
    expect(suggestedResolution("Merged")).toBe("duplicate");
    expect(suggestedResolution("Near-Miss")).toBeNull();
  });
});
