// A source's later word about one of a case's alerts, in the words the timeline uses:
// "XDR changed severity High → Critical", "XDR closed the incident as False Positive".
import type { Resolution, SourceFieldChange } from "./model.ts";

/** The resolution a source's own close points to (CTIM's "Closed: …" reasons), if it says one. */
export function suggestedResolution(closedAs: string): Resolution | null {
  const said = closedAs.trim().toLowerCase();
  if (said === "false positive") return "false_positive";
  if (said === "confirmed threat") return "true_positive";
  if (said === "merged") return "duplicate";
  return null;
}

const FIELD_NAMES: Readonly<Record<string, string>> = {
  severity: "severity",
  status: "status",
  assignees: "assignees",
  scores: "scores",
  observables: "observables",
  count: "sighting count",
  confidence: "confidence",
};

export function describeSourceUpdate(update: {
  source: string;
  changes: readonly SourceFieldChange[];
  closedAs: string | null;
}): string {
  const lines = sourceChangeLines(update);
  const said = [
    ...(update.closedAs !== null ? [`closed the incident as ${update.closedAs}`] : []),
    ...(lines.length > 0 ? [`changed ${lines.join("; ")}`] : []),
  ];
  return `${update.source} ${said.join(", and ")}`;
}

/** One line per change ("severity High → Critical"), a close left to the caller to say. */
export function sourceChangeLines(update: {
  changes: readonly SourceFieldChange[];
  closedAs: string | null;
}): string[] {
  return update.changes
    .filter((c) => !(update.closedAs !== null && c.field === "status"))
    .map((c) => describeChange(c));
}

function describeChange(change: SourceFieldChange): string {
  const name = FIELD_NAMES[change.field] ?? change.field.replaceAll("_", " ");
  if (Array.isArray(change.to) && (Array.isArray(change.from) || change.from === null)) {
    const before = new Set(((change.from as unknown[] | null) ?? []).map(valueText));
    const after = new Set(change.to.map(valueText));
    const added = [...after].filter((v) => !before.has(v));
    const removed = [...before].filter((v) => !after.has(v));
    const said = [
      ...(added.length > 0 ? [`added ${added.join(", ")}`] : []),
      ...(removed.length > 0 ? [`removed ${removed.join(", ")}`] : []),
    ];
    return `${name}: ${said.join(", ") || "reordered"}`;
  }
  return `${name} ${valueText(change.from)} → ${valueText(change.to)}`;
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.map(valueText).join(", ");
  if (typeof value === "object") {
    return Object.entries(value)
      .map(([k, v]) => `${k} ${valueText(v)}`)
      .join(", ");
  }
  return String(value);
}
