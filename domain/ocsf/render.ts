// Phoenix's alerts rendered as OCSF 1.8 Detection Findings (2004), and what every OCSF rendering
// shares. Cases render as Incident Findings in domain/case/incident-finding.ts. Both validate
// against shared/ocsf/*.schema.json (see tests/domain/ocsf).
import type { alerts } from "../../schema/tenant.ts";
import { ACTIVITY_CAPTIONS, captionOf, DETECTION_STATUS_CAPTIONS, SEVERITY_CAPTIONS } from "./captions.ts";

export type AlertRow = typeof alerts.$inferSelect;

export type OcsfObject = Record<string, unknown>;

export const OCSF_RENDER_VERSION = "1.8.0";
export const PHOENIX_PRODUCT = { name: "Phoenix", vendor_name: "Phoenix" } as const;

const DETECTION_TYPE_CAPTIONS: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(ACTIVITY_CAPTIONS).map(([id, caption]) => [id, `Detection Finding: ${caption}`]),
);

/**
 * Where Phoenix's own identifiers go in rendered OCSF: `unmapped.phoenix`. OCSF has no attribute for
 * "id assigned by the system of record" (metadata.uid is the producer's event id and must survive),
 * and `unmapped` is the class's place for source-specific data, so consumers find `alert_id` in one spot.
 */
export interface PhoenixAlertRefs {
  alert_id: string;
  case_id?: string;
}

// For 99 (Other) OCSF wants the source's own label, so a producer's sibling string wins there.
export function siblingCaption(
  captions: Readonly<Record<number, string>>,
  id: number,
  producerValue: unknown,
): string {
  if (id === 99 && typeof producerValue === "string" && producerValue !== "") return producerValue;
  return captionOf(captions, id) ?? "Other";
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isoOf(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** An `alerts` row as the OCSF 1.8 Detection Finding it was ingested as, plus what Phoenix knows. */
export function renderAlertAsDetectionFinding(row: AlertRow): OcsfObject {
  const attrs = row.attributes;
  const phoenix: PhoenixAlertRefs = row.caseId
    ? { alert_id: row.id, case_id: row.caseId }
    : { alert_id: row.id };
  const out: OcsfObject = {
    ...attrs,
    class_uid: row.classUid,
    class_name: "Detection Finding",
    category_uid: row.categoryUid,
    category_name: "Findings",
    activity_id: row.activityId,
    activity_name: siblingCaption(ACTIVITY_CAPTIONS, row.activityId, attrs.activity_name),
    type_uid: row.typeUid,
    type_name: siblingCaption(DETECTION_TYPE_CAPTIONS, row.typeUid % 100, attrs.type_name),
    severity_id: row.severityId,
    severity: siblingCaption(SEVERITY_CAPTIONS, row.severityId, attrs.severity),
    time: row.time,
    finding_info: row.findingInfo,
    metadata: row.metadata,
    // Occurrences: how often the finding was delivered, and the span Phoenix saw it over.
    count: row.occurrenceCount,
    start_time: row.firstSeenAt,
    end_time: row.lastSeenAt,
    raw_data: row.rawData,
    unmapped: { ...(isPlainObject(attrs.unmapped) ? attrs.unmapped : {}), phoenix },
  };
  if (row.statusId !== null) {
    out.status_id = row.statusId;
    out.status = siblingCaption(DETECTION_STATUS_CAPTIONS, row.statusId, attrs.status);
  }
  // A producer's *_dt siblings would contradict the replaced start/end times, so they follow them.
  if ("start_time_dt" in attrs) out.start_time_dt = isoOf(row.firstSeenAt);
  if ("end_time_dt" in attrs) out.end_time_dt = isoOf(row.lastSeenAt);
  if (row.observables !== null) out.observables = row.observables;
  if (row.device !== null) out.device = row.device;
  if (row.actor !== null) out.actor = row.actor;
  if (row.resources !== null) out.resources = row.resources;
  return out;
}

// --- Cases ------------------------------------------------------------------------------------
