// `/cases/:caseId/alerts/:alertId`: one linked alert in full, as the OCSF Detection Finding Phoenix
// keeps and the raw payload its source sent. The case page loads it inline when an alert is
// expanded; without JavaScript the same address is a page of its own.
import { Link } from "react-router";
import { getAlert } from "../../domain/alerts/queries.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { isIdOf } from "../../domain/ids.ts";
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
    return {
      caseId,
      id: alert.id,
      title: alert.title,
      time: alert.time,
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

/** The finding and the raw payload, shared by this page and the case page's expanded alert. */
export function AlertPayloads({ alert }: { alert: Pick<AlertDetails, "id" | "finding" | "raw"> }) {
  return (
    <div className="mt-3 space-y-3">
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
