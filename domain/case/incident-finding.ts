// A case rendered as an OCSF 1.8 Incident Finding (2005), with its alerts in finding_info_list.
// It validates against shared/ocsf/incident_finding.schema.json (see tests/domain/ocsf).
import {
  ACTIVITY_CAPTIONS,
  captionOf,
  FINDINGS_CATEGORY_UID,
  SEVERITY_CAPTIONS,
} from "../ocsf/detection-finding.ts";
import { isoOf, OCSF_RENDER_VERSION, type OcsfObject, PHOENIX_PRODUCT } from "../ocsf/render.ts";
import { CASE_STATUSES, type CaseStatus } from "./model.ts";
import type { CaseProjection } from "./projection.ts";

export type CaseView = CaseProjection;

// Case severities on the OCSF severity scale.
const CASE_SEVERITY_IDS: Readonly<Record<string, number>> = { low: 2, medium: 3, high: 4, critical: 5 };

/** An alert as a case lists it in `finding_info_list`. */
export interface AlertRef {
  id: string;
  findingUid: string;
  title: string;
  productName?: string | null;
}

export const INCIDENT_FINDING_CLASS_UID = 2005;

const INCIDENT_STATUS_CAPTIONS: Readonly<Record<number, string>> = {
  0: "Unknown",
  1: "New",
  2: "In Progress",
  3: "On Hold",
  4: "Resolved",
  5: "Closed",
  99: "Other",
};

const PRIORITY_CAPTIONS: Readonly<Record<number, string>> = {
  0: "Unknown",
  1: "Low",
  2: "Medium",
  3: "High",
  4: "Critical",
  99: "Other",
};

const VERDICT_CAPTIONS: Readonly<Record<number, string>> = {
  0: "Unknown",
  1: "False Positive",
  2: "True Positive",
  3: "Disregard",
  4: "Suspicious",
  5: "Benign",
  6: "Test",
  7: "Insufficient Data",
  8: "Security Risk",
  9: "Managed Externally",
  10: "Duplicate",
  99: "Other",
};

// The case lifecycle's own states (domain/case/model.ts), re-exported under the names this renderer uses.
export const CASE_STATES = CASE_STATUSES;
export type CaseState = CaseStatus;

// OCSF Incident Finding has five working statuses; Phoenix's finer states fold into them and the exact
// state travels in status_detail and unmapped.phoenix.state.
const CASE_STATUS_ID: Readonly<Record<CaseState, number>> = {
  new: 1,
  acknowledged: 2,
  in_progress: 2,
  contained: 2,
  on_hold: 3,
  resolved: 4,
  closed: 5,
  reopened: 2,
};

const CASE_STATE_LABELS: Readonly<Record<CaseState, string>> = {
  new: "New",
  acknowledged: "Acknowledged",
  in_progress: "In progress",
  contained: "Contained",
  on_hold: "On hold",
  resolved: "Resolved",
  closed: "Closed",
  reopened: "Reopened",
};

function isCaseState(state: string): state is CaseState {
  return (CASE_STATES as readonly string[]).includes(state);
}

// Case priority is free text in the projection; common spellings map onto OCSF's scale.
const PRIORITY_IDS: Readonly<Record<string, number>> = {
  low: 1,
  p4: 1,
  medium: 2,
  p3: 2,
  high: 3,
  p2: 3,
  critical: 4,
  p1: 4,
  unknown: 0,
};

const VERDICT_IDS: Readonly<Record<string, number>> = {
  false_positive: 1,
  true_positive: 2,
  disregard: 3,
  suspicious: 4,
  benign: 5,
  benign_positive: 5,
  test: 6,
  insufficient_data: 7,
  security_risk: 8,
  managed_externally: 9,
  duplicate: 10,
};

function vocabularyKey(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}

// OCSF requires assignee or assignee_group; an unassigned case sits in the SOC's shared queue.
const UNASSIGNED_GROUP = { name: "Unassigned", uid: "phoenix:unassigned" } as const;

/**
 * A case as an OCSF 1.8 Incident Finding. The case id is `metadata.uid` (Phoenix is the producer
 * here) and `metadata.sequence` is the case version, so consumers can drop stale renders.
 * `now`, when given, stamps `metadata.processed_time`; leave it out for a render that depends only on the case.
 */
export function renderCaseAsIncidentFinding(
  caseView: CaseView,
  alertRefs: readonly AlertRef[],
  now?: number,
): OcsfObject {
  const activityId = caseView.state === "closed" ? 3 : caseView.version <= 1 ? 1 : 2;
  const statusId = isCaseState(caseView.state) ? CASE_STATUS_ID[caseView.state] : 99;
  const severityId = CASE_SEVERITY_IDS[caseView.severity] ?? 99;
  const statusDetail = isCaseState(caseView.state) ? CASE_STATE_LABELS[caseView.state] : caseView.state;

  const metadata: OcsfObject = {
    version: OCSF_RENDER_VERSION,
    product: { ...PHOENIX_PRODUCT },
    uid: caseView.id,
    sequence: caseView.version,
    log_name: "cases",
    modified_time: caseView.updatedAt,
    profiles: ["datetime"],
  };
  if (now !== undefined) metadata.processed_time = now;

  const out: OcsfObject = {
    class_uid: INCIDENT_FINDING_CLASS_UID,
    class_name: "Incident Finding",
    category_uid: FINDINGS_CATEGORY_UID,
    category_name: "Findings",
    activity_id: activityId,
    activity_name: ACTIVITY_CAPTIONS[activityId],
    type_uid: INCIDENT_FINDING_CLASS_UID * 100 + activityId,
    type_name: `Incident Finding: ${ACTIVITY_CAPTIONS[activityId]}`,
    time: caseView.updatedAt,
    time_dt: isoOf(caseView.updatedAt),
    start_time: caseView.openedAt,
    start_time_dt: isoOf(caseView.openedAt),
    severity_id: severityId,
    severity: severityId === 99 ? caseView.severity : (captionOf(SEVERITY_CAPTIONS, severityId) ?? "Other"),
    status_id: statusId,
    status: statusId === 99 ? caseView.state : INCIDENT_STATUS_CAPTIONS[statusId],
    status_detail: statusDetail,
    desc: caseView.title,
    metadata,
    finding_info_list: alertRefs.map(findingInfoOf),
  };
  if (caseView.closedAt !== null) {
    out.end_time = caseView.closedAt;
    out.end_time_dt = isoOf(caseView.closedAt);
  }
  if (caseView.assigneeId) out.assignee = { uid: caseView.assigneeId };
  else out.assignee_group = { ...UNASSIGNED_GROUP };

  if (caseView.priority) {
    const priorityId = PRIORITY_IDS[vocabularyKey(caseView.priority)] ?? 99;
    out.priority_id = priorityId;
    out.priority = priorityId === 99 ? caseView.priority : PRIORITY_CAPTIONS[priorityId];
  }
  if (caseView.resolution) {
    const verdictId = VERDICT_IDS[vocabularyKey(caseView.resolution)] ?? 99;
    out.verdict_id = verdictId;
    out.verdict = verdictId === 99 ? caseView.resolution : VERDICT_CAPTIONS[verdictId];
  }

  // Phoenix's own case facts that OCSF has no attribute for.
  const phoenix: OcsfObject = {
    case_id: caseView.id,
    state: caseView.state,
    version: caseView.version,
    alert_count: caseView.alertCount,
  };
  if (caseView.resolution !== null) phoenix.resolution = caseView.resolution;
  if (caseView.slaDueAt !== null) phoenix.sla_due_at = caseView.slaDueAt;
  if (caseView.slaBreachedAt !== null) phoenix.sla_breached_at = caseView.slaBreachedAt;
  out.unmapped = { phoenix };
  return out;
}

// The producer's finding uid identifies the finding; uid_alt carries Phoenix's alert id beside it.
function findingInfoOf(ref: AlertRef): OcsfObject {
  const info: OcsfObject = { uid: ref.findingUid, uid_alt: ref.id, title: ref.title };
  if (ref.productName) info.product = { name: ref.productName };
  return info;
}
