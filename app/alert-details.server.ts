// One alert in full, as the workbench shows it wherever it is opened (from its case, or from
// triage): the OCSF Detection Finding Phoenix keeps, the raw payload its source sent, what the
// source changed since, and what its relationships link it to.
import { drizzle } from "drizzle-orm/d1";
import { alertsByFindingUid } from "../domain/alerts/queries.ts";
import { alertSourceHistory } from "../domain/alerts/source-versions.ts";
import type { Alert } from "../domain/alerts/store.ts";
import { describeSourceUpdate } from "../domain/case/source-updates.ts";
import { linksOf } from "../domain/intel/relationships.ts";
import { renderAlertAsDetectionFinding } from "../domain/ocsf/render.ts";

export async function alertDetails(db: D1Database, alert: Alert) {
  const { raw_data: _raw, ...finding } = renderAlertAsDetectionFinding(alert);
  const [history, links] = await Promise.all([
    alertSourceHistory(drizzle(db), alert.id),
    linksOf(db, alert.findingUid),
  ]);
  // A link to another alert of the same case (a sighting's incident, say) reads as that alert.
  const linked = alert.caseId
    ? await alertsByFindingUid(
        db,
        alert.caseId,
        links.map((l) => l.ref),
      )
    : new Map<string, { id: string; title: string }>();
  return {
    caseId: alert.caseId,
    id: alert.id,
    title: alert.title,
    time: alert.time,
    // The first version is the alert as first seen; the rest are what the source changed since.
    updates: history.slice(1).map((h) => ({
      source: h.source,
      sourceTime: h.sourceTime,
      late: h.late,
      text: describeSourceUpdate({ source: h.source, changes: h.changes, closedAs: null }),
      unchanged: h.changes.length === 0,
    })),
    links: links.map((l) => {
      const other = linked.get(l.ref);
      return { ...l, alertId: other?.id ?? null, title: other?.title ?? l.title };
    }),
    finding: JSON.stringify(finding, null, 2),
    raw: prettyRaw(alert.rawData),
  };
}

export type AlertDetails = Awaited<ReturnType<typeof alertDetails>>;

/** The payload as received, indented when it is JSON, so a long line of JSON can be read. */
function prettyRaw(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}
