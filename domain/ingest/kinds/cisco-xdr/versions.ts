// The version of an XDR incident or sighting that a delivery carries: the fields XDR changes after
// creating one (severity, status, assignees, scores, confidence, observables, count), at XDR's own
// time for it. Only fields the entity states are kept, so a status-change event stays partial.
import type { SourceVersion } from "../../../alerts/source-versions.ts";
import { captionOf, SEVERITY_CAPTIONS } from "../../../ocsf/captions.ts";
import type { CtimIncident, CtimSighting } from "./ctim.ts";
import { ctimSeverityId } from "./mapping.ts";

/** How the case timeline names XDR: "XDR changed severity High → Critical". */
export const XDR_SOURCE = "XDR";

type Json = Record<string, unknown>;

function severityCaption(ctim: string | undefined): string | undefined {
  if (ctim === undefined) return undefined;
  const id = ctimSeverityId(ctim);
  return id === undefined ? ctim : captionOf(SEVERITY_CAPTIONS, id);
}

function defined(state: Json): Json {
  return Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined));
}

/** XDR's clock for this version: the record's own timestamp, else when the event says it changed. */
function versionTime(candidates: ReadonlyArray<string | undefined>): number | null {
  for (const iso of candidates) {
    if (iso === undefined) continue;
    const ms = Date.parse(iso);
    if (Number.isFinite(ms)) return ms;
  }
  return null;
}

export function incidentVersion(incident: CtimIncident, eventTime?: string): SourceVersion | undefined {
  const time = versionTime([
    incident.timestamp,
    incident.modified,
    eventTime,
    incident.created,
    incident.incident_time?.opened,
  ]);
  if (time === null) return undefined;
  const scores = (incident as Json).scores;
  const assignees = (incident as Json).assignees;
  return {
    source: XDR_SOURCE,
    time,
    state: defined({
      severity: severityCaption(incident.severity),
      status: incident.status,
      confidence: incident.confidence,
      assignees: Array.isArray(assignees) ? [...assignees].map(String).sort() : undefined,
      scores: typeof scores === "object" && scores !== null && !Array.isArray(scores) ? scores : undefined,
    }),
  };
}

export function sightingVersion(sighting: CtimSighting, eventTime?: string): SourceVersion | undefined {
  const time = versionTime([sighting.timestamp, eventTime, sighting.observed_time?.start_time]);
  if (time === null) return undefined;
  const count = (sighting as Json).count;
  return {
    source: XDR_SOURCE,
    time,
    state: defined({
      severity: severityCaption(sighting.severity),
      confidence: sighting.confidence,
      count: typeof count === "number" ? count : undefined,
      observables: sighting.observables?.map((o) => `${o.type}:${String(o.value)}`).sort(),
    }),
  };
}
