// Cisco XDR's own OCSF export (its Automate export workflows): OCSF 1.4 Detection Findings, sent one
// event per request or as a bundle `{count, start_time, end_time, events: […]}` holding one
// Detection Finding and the activity events it was built from. Phoenix stores OCSF 1.8, so a
// finding is upgraded on the way in and its activity events are kept as its evidence.
import { DETECTION_FINDING_CLASS_UID } from "./captions.ts";

type Json = Record<string, unknown>;

/** The version Phoenix's model is, and what an upgraded finding says it is. */
export const STORED_OCSF_VERSION = "1.8.0";

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An export bundle: an `events` array with the bundle's own count or time window beside it. */
export function isExportBundle(value: unknown): value is Json & { events: unknown[] } {
  return (
    isRecord(value) &&
    Array.isArray(value.events) &&
    ("count" in value || "start_time" in value || "end_time" in value) &&
    !("class_uid" in value)
  );
}

/**
 * The bundle's one Detection Finding with the other events as its evidence, upgraded to 1.8; or
 * why it cannot be read (no finding, or more than one).
 */
export function unpackExportBundle(
  bundle: Json & { events: unknown[] },
): { finding: Json } | { error: string } {
  const findings = bundle.events.filter((e) => isRecord(e) && e.class_uid === DETECTION_FINDING_CLASS_UID);
  if (findings.length !== 1) {
    return {
      error: `an export bundle holds exactly one Detection Finding (class_uid 2004), this one ${findings.length}`,
    };
  }
  const related = bundle.events.filter(
    (e): e is Json => isRecord(e) && e.class_uid !== DETECTION_FINDING_CLASS_UID,
  );
  return { finding: upgradeFinding(findings[0] as Json, related) };
}

/**
 * An OCSF 1.x Detection Finding as Phoenix's 1.8 model: the version it came in is recorded in
 * `unmapped`, and related activity events are summarised in `finding_info.related_events` and
 * kept whole in `unmapped.evidence_events`, so nothing the exporter sent is lost.
 */
export function upgradeFinding(finding: Json, related: readonly Json[] = []): Json {
  const metadata = isRecord(finding.metadata) ? finding.metadata : {};
  const from = typeof metadata.version === "string" ? metadata.version : undefined;
  const info = isRecord(finding.finding_info) ? finding.finding_info : {};
  const existing = Array.isArray(info.related_events) ? info.related_events : [];
  const unmapped = isRecord(finding.unmapped) ? finding.unmapped : {};
  const upgraded: Json = {
    ...finding,
    metadata: { ...metadata, version: STORED_OCSF_VERSION },
    unmapped: {
      ...unmapped,
      ...(from !== undefined && from !== STORED_OCSF_VERSION ? { ocsf_version_received: from } : {}),
      ...(related.length > 0 ? { evidence_events: related } : {}),
    },
  };
  if (related.length > 0) {
    upgraded.finding_info = { ...info, related_events: [...existing, ...related.map(relatedEvent)] };
  }
  return upgraded;
}

/** OCSF `related_event`: what identifies and describes an activity event, by its own fields. */
function relatedEvent(event: Json, index: number): Json {
  const meta = isRecord(event.metadata) ? event.metadata : {};
  const uid =
    typeof meta.uid === "string" && meta.uid !== ""
      ? meta.uid
      : `${String(event.class_uid ?? "event")}:${String(event.time ?? "")}:${index}`;
  const summary: Json = { uid };
  if (typeof event.type_uid === "number") summary.type_uid = event.type_uid;
  if (typeof event.type_name === "string") summary.type_name = event.type_name;
  if (typeof event.message === "string") summary.title = event.message;
  else if (typeof event.class_name === "string") summary.title = event.class_name;
  if (typeof event.time === "number") summary.created_time = event.time;
  if (typeof event.severity_id === "number") summary.severity_id = event.severity_id;
  if (Array.isArray(event.observables)) summary.observables = event.observables;
  return summary;
}

/**
 * A delivered item as Phoenix reads OCSF: an export bundle gives its one finding with its evidence,
 * a 1.4 finding is upgraded, and anything else is read as it came.
 */
export function readOcsfExport(value: unknown): { value: unknown } | { error: string } {
  if (isExportBundle(value)) {
    const unpacked = unpackExportBundle(value);
    return "error" in unpacked ? unpacked : { value: unpacked.finding };
  }
  if (isRecord(value) && isRecord(value.metadata) && String(value.metadata.version ?? "").startsWith("1.4")) {
    return { value: upgradeFinding(value) };
  }
  return { value };
}
