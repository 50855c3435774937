// What a source changed between two versions of a finding, and the convention for a source's close.
import { describe, expect, it } from "vitest";
import {
  laterState,
  severityIdOf,
  sourceChanges,
  sourceClosedAs,
} from "../../../domain/alerts/source-versions.ts";

describe("source versions", () => {
  it("reports only the fields the newer version states, with sets compared as sets", () => {
    const before = { severity: "High", assignees: ["a", "b"], status: "New" };
    // A status-change event says only the status: the severity it leaves out is not a change.
    expect(sourceChanges(before, { status: "Open" })).toEqual([{ field: "status", from: "New", to: "Open" }]);
    expect(sourceChanges(before, { assignees: ["b", "a"] })).toEqual([]);
    expect(sourceChanges(before, { scores: { asset: 1 } })).toEqual([
      { field: "scores", from: null, to: { asset: 1 } },
    ]);
    expect(laterState(before, { status: "Open" })).toEqual({ ...before, status: "Open" });
  });

  it("reads CTIM's closed statuses as a close, with the reason after the colon", () => {
    expect(sourceClosedAs("Closed: False Positive")).toBe("False Positive");
    expect(sourceClosedAs("Closed")).toBe("closed");
    expect(sourceClosedAs("Open: Investigating")).toBeNull();
    expect(sourceClosedAs(undefined)).toBeNull();
  });

  it("maps OCSF severity captions back to their ids", () => {
    expect(severityIdOf("Critical")).toBe(5);
    expect(severityIdOf("informational")).toBe(1);
    expect(severityIdOf("Severe")).toBeNull();
  });
});
