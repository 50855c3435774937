// `/cases/:caseId/alerts/:alertId`: one linked alert in full, as the OCSF Detection Finding Phoenix
// keeps and the raw payload its source sent. The case page loads it inline when an alert is
// expanded; without JavaScript the same address is a page of its own.
import { drizzle } from "drizzle-orm/d1";
import { Link } from "react-router";
import { alertsByFindingUid, getAlert } from "../../domain/alerts/queries.ts";
import { alertSourceHistory } from "../../domain/alerts/source-versions.ts";
import { describeSourceUpdate } from "../../domain/case/source-updates.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { isIdOf } from "../../domain/ids.ts";
import { linksOf } from "../../domain/intel/relationships.ts";
import { renderAlertAsDetectionFinding } from "../../domain/ocsf/render.ts";
import { tenantDatabase } from "../../domain/tenancy.ts";
import { caseAccess } from "../case-commands.server.ts";
import { exactTime } from "../clock.tsx";
import { withPhoenixErrors } from "../workbench.server.ts";
import type { Route } from "./+types/case-alert";

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: loaderData ? `${loaderData.title} · Alert · Phoenix` : "Alert · Phoenix" },
];

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  return withPhoenixErrors(async () => {
    const { caseId, alertId } = args.params;
    const { principal, env } = await caseAccess(args, caseId, now);
    const alert = isIdOf("alert", alertId)
      ? await getAlert(tenantDatabase(env, principal.tenant), alertId)
      : null;
    // Only through the case it is linked to: the case's access decides who may read it.
    if (alert?.caseId !== caseId) throw new PhoenixError("not_found", "no such alert on this case");
    const { raw_data: _raw, ...finding } = renderAlertAsDetectionFinding(alert);
    const db = tenantDatabase(env, principal.tenant);
    const [history, links] = await Promise.all([
      alertSourceHistory(drizzle(db), alert.id),
      linksOf(db, alert.findingUid),
    ]);
    // A link to another alert of this case (a sighting's incident, say) reads as that alert.
    const linked = await alertsByFindingUid(
      db,
      caseId,
      links.map((l) => l.ref),
    );
    return {
      caseId,
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
  });
}

/** The payload as received, indented when it is JSON, so a long line of JSON can be read. */
function prettyRaw(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

export type AlertDetails = Awaited<ReturnType<typeof loader>>;

export default function CaseAlertPage({ loaderData: a }: Route.ComponentProps) {
  return (
    <article aria-labelledby="alert-title" className="mx-auto max-w-5xl">
      <nav aria-label="Breadcrumb" className="text-[13px] text-muted">
        <Link to={`/cases/${a.caseId}`} className="hover:text-ink">
          ← Case <span className="font-mono">{a.caseId}</span>
        </Link>
      </nav>
      <h1 id="alert-title" className="mt-2 text-xl font-semibold tracking-tight">
        {a.title}
      </h1>
      <p className="mt-1 text-[13px] text-muted">
        <span className="font-mono">{a.id}</span> · {exactTime(a.time)}
      </p>
      <AlertPayloads alert={a} />
    </article>
  );
}

const RELATIONSHIP_WORDS: Readonly<Record<string, [outgoing: string, incoming: string]>> = {
  "member-of": ["member of", "has member"],
  "sighting-of": ["sighting of", "sighted as"],
  "based-on": ["based on", "basis of"],
  indicates: ["indicates", "indicated by"],
  "related-to": ["related to", "related to"],
};

/** What the source changed after first sending it, and what its relationships link it to. */
function SourceStory({ alert }: { alert: Pick<AlertDetails, "caseId" | "updates" | "links"> }) {
  if (alert.updates.length === 0 && alert.links.length === 0) return null;
  return (
    <div className="space-y-3">
      {alert.updates.length > 0 && (
        <section aria-label="Source updates">
          <h2 className="text-[12px] font-semibold uppercase tracking-wide text-muted">Source updates</h2>
          <ol className="mt-1 space-y-1 text-[13px]">
            {alert.updates.map((u) => (
              <li key={u.sourceTime} className="flex gap-2">
                <time className="shrink-0 font-mono text-[12px] text-muted">{exactTime(u.sourceTime)}</time>
                <span>
                  {u.unchanged ? `${u.source} re-sent it unchanged` : u.text}
                  {u.late && (
                    <span className="ml-1 rounded bg-raised px-1 text-[11px] text-muted">
                      arrived late: a newer version was already recorded
                    </span>
                  )}
                </span>
              </li>
            ))}
          </ol>
        </section>
      )}
      {alert.links.length > 0 && (
        <section aria-label="Links">
          <h2 className="text-[12px] font-semibold uppercase tracking-wide text-muted">Links</h2>
          <ul className="mt-1 space-y-1 text-[13px]">
            {alert.links.map((l) => {
              const words = RELATIONSHIP_WORDS[l.relationshipType];
              const verb = words ? words[l.direction === "outgoing" ? 0 : 1] : l.relationshipType;
              return (
                <li key={`${l.relationshipType}|${l.direction}|${l.ref}`}>
                  <span className="text-muted">{verb}</span>{" "}
                  {l.title ?? <span className="font-mono">{l.ref}</span>}
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </div>
  );
}

/** The finding and the raw payload, shared by this page and the case page's expanded alert. */
export function AlertPayloads({
  alert,
}: {
  alert: Pick<AlertDetails, "id" | "caseId" | "finding" | "raw" | "updates" | "links">;
}) {
  return (
    <div className="mt-3 space-y-3">
      <SourceStory alert={alert} />
      <section aria-label="OCSF finding">
        <h2 className="text-[12px] font-semibold uppercase tracking-wide text-muted">
          OCSF Detection Finding
        </h2>
        <pre className="mt-1 max-h-96 overflow-auto rounded bg-raised p-2 font-mono text-[11px]">
          {alert.finding}
        </pre>
      </section>
      <section aria-label="Raw payload">
        <h2 className="text-[12px] font-semibold uppercase tracking-wide text-muted">
          Raw payload as received
        </h2>
        <pre className="mt-1 max-h-96 overflow-auto rounded bg-raised p-2 font-mono text-[11px]">
          {alert.raw}
        </pre>
      </section>
    </div>
  );
}
