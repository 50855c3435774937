// `/cases/:caseId/alerts/:alertId`: one linked alert in full, as the OCSF Detection Finding Phoenix
// keeps and the raw payload its source sent. The case page loads it inline when an alert is
// expanded; without JavaScript the same address is a page of its own.
import { Link } from "react-router";
import { getAlert } from "../../domain/alerts/queries.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { isIdOf } from "../../domain/ids.ts";
import { tenantDatabase } from "../../domain/tenancy.ts";
import { type AlertDetails, alertDetails } from "../alert-details.server.ts";
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
    return alertDetails(tenantDatabase(env, principal.tenant), alert);
  });
}

export type { AlertDetails };

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
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling block must be reachable by keyboard to be read (WCAG 2.1.1, axe's scrollable-region-focusable) */}
        <pre tabIndex={0} className="mt-1 max-h-96 overflow-auto rounded bg-raised p-2 font-mono text-[11px]">
          {alert.finding}
        </pre>
      </section>
      <section aria-label="Raw payload">
        <h2 className="text-[12px] font-semibold uppercase tracking-wide text-muted">
          Raw payload as received
        </h2>
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling block must be reachable by keyboard to be read (WCAG 2.1.1, axe's scrollable-region-focusable) */}
        <pre tabIndex={0} className="mt-1 max-h-96 overflow-auto rounded bg-raised p-2 font-mono text-[11px]">
          {alert.raw}
        </pre>
      </section>
    </div>
  );
}
