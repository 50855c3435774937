// `/alerts/:alertId`: one alert from triage, whether or not it is in a case. Its key fields, what
// the enrichment providers say of its observables, the case it belongs to, the full finding and the
// raw payload; and, for an analyst, opening a case from it or linking it to an open one.
import { Form, Link, useActionData } from "react-router";
import { alertFacts } from "../../domain/alerts/facts.ts";
import { alertObservableVerdicts } from "../../domain/case/enrichment.ts";
import { caseHeadline, openCaseChoices } from "../../domain/case/queries.ts";
import { CASE_SEVERITIES } from "../../domain/case-vocabulary.ts";
import { alertDetails } from "../alert-details.server.ts";
import { findAlertForPerson, triageAction } from "../alert-triage.server.ts";
import { AlertSeverityBadge, StateBadge } from "../case-badges.tsx";
import { exactTime } from "../clock.tsx";
import { TriageResult } from "../triage-result.tsx";
import { signedInFormPost, withPhoenixErrors } from "../workbench.server.ts";
import type { Route } from "./+types/alert";
import { AlertPayloads } from "./case-alert.tsx";
import { useShell } from "./shell.tsx";

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: loaderData ? `${loaderData.details.title} · Alert · Phoenix` : "Alert · Phoenix" },
];

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  return withPhoenixErrors(async () => {
    const hint = new URL(args.request.url).searchParams.get("tenant");
    const { access, alert } = await findAlertForPerson(args, args.params.alertId, hint, now);
    const { db, principal } = access;
    const [details, observables, openCases, inCase] = await Promise.all([
      alertDetails(db, alert),
      alertObservableVerdicts(db, alert.id, now),
      openCaseChoices(db, 50),
      alert.caseId ? caseHeadline(db, alert.caseId) : null,
    ]);
    return {
      tenant: { id: principal.tenant.id, name: principal.tenant.name },
      details,
      severityId: alert.severityId,
      facts: alertFacts(alert),
      occurrenceCount: alert.occurrenceCount,
      firstSeenAt: alert.firstSeenAt,
      lastSeenAt: alert.lastSeenAt,
      case: alert.caseId
        ? { id: alert.caseId, title: inCase?.title ?? null, state: inCase?.state ?? null }
        : null,
      observables,
      openCases: openCases.filter((c) => c.id !== alert.caseId),
      canOpen: principal.operations.has("cases.create"),
      canLink: principal.operations.has("cases.work"),
      idempotencyKey: crypto.randomUUID(),
    };
  });
}

export function action(args: Route.ActionArgs) {
  return signedInFormPost(args, (_signedIn, form, now) => triageAction(args, form, now));
}

const VERDICT_STYLE: Record<string, string> = {
  Malicious: "bg-bad-soft text-bad",
  Suspicious: "bg-warn-soft text-warn",
  Clean: "bg-ok-soft text-ok",
};

export default function AlertPage({ loaderData: a }: Route.ComponentProps) {
  const shell = useShell();
  const result = useActionData<typeof action>();
  const d = a.details;
  return (
    <article aria-labelledby="alert-title" className="grid gap-5 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <div className="min-w-0">
        <nav aria-label="Breadcrumb" className="text-[13px] text-muted">
          <Link to={`/alerts?tenant=${a.tenant.id}`} className="hover:text-ink">
            Alerts
          </Link>
          <span aria-hidden> / </span>
          <span>{a.tenant.name}</span>
        </nav>
        <h1 id="alert-title" className="mt-2 flex items-center gap-2 text-xl font-semibold tracking-tight">
          <AlertSeverityBadge severityId={a.severityId} />
          <span>{d.title}</span>
        </h1>
        <p className="mt-1 text-[13px] text-muted">
          <span className="font-mono">{d.id}</span> · {exactTime(d.time)}
        </p>
        <dl className="mt-3 grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1 rounded-lg border border-line bg-surface p-3 text-[13px]">
          {a.facts.map((f) => (
            <div key={f.label} className="contents">
              <dt className="text-muted">{f.label}</dt>
              <dd className="min-w-0 break-words">{f.value}</dd>
            </div>
          ))}
          <dt className="text-muted">Seen</dt>
          <dd>
            {a.occurrenceCount === 1
              ? "once"
              : `${a.occurrenceCount} times, first ${exactTime(a.firstSeenAt)}, last ${exactTime(a.lastSeenAt)}`}
          </dd>
        </dl>
        <section aria-labelledby="verdicts-title" className="mt-4">
          <h2 id="verdicts-title" className="text-[12px] font-semibold uppercase tracking-wide text-muted">
            Observables and verdicts
          </h2>
          {a.observables.length === 0 ? (
            <p className="mt-1 text-[13px] text-muted">This alert carries no observables.</p>
          ) : (
            <table className="mt-1 w-full border-collapse rounded-lg border border-line bg-surface text-left text-[13px]">
              <caption className="sr-only">
                Each observable, how often the tenant has seen it, and each provider's verdict
              </caption>
              <thead className="border-b border-line text-[11px] uppercase tracking-wide text-muted">
                <tr>
                  <th scope="col" className="px-3 py-1.5">
                    Observable
                  </th>
                  <th scope="col" className="px-2 py-1.5 text-right">
                    Alerts
                  </th>
                  <th scope="col" className="px-3 py-1.5">
                    Verdicts
                  </th>
                </tr>
              </thead>
              <tbody>
                {a.observables.map((o) => (
                  <tr key={o.id} className="border-t border-line">
                    <td className="max-w-[26rem] px-3 py-1.5">
                      <span className="mr-1.5 text-[11px] text-muted">{o.type}</span>
                      <span className="break-all font-mono text-[12px]">{o.value}</span>
                    </td>
                    <td className="px-2 py-1.5 text-right tabular-nums text-muted">{o.sightings}</td>
                    <td className="px-3 py-1.5">
                      {o.verdicts.length === 0 ? (
                        <span className="text-faint">No verdict</span>
                      ) : (
                        <span className="flex flex-wrap gap-1">
                          {o.verdicts.map((v) => (
                            <span
                              key={v.provider}
                              title={v.reason ?? undefined}
                              className={`rounded px-1.5 text-[12px] ${VERDICT_STYLE[v.verdict ?? ""] ?? "bg-raised text-muted"}`}
                            >
                              {v.provider}: {v.verdict ?? "unknown"}
                            </span>
                          ))}
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <AlertPayloads alert={d} />
      </div>
      <aside aria-label="Case" className="space-y-3">
        <section className="rounded-lg border border-line bg-surface p-3 text-[13px]">
          <h2 className="text-[12px] font-semibold uppercase tracking-wide text-muted">Case</h2>
          {a.case ? (
            <p className="mt-1">
              In{" "}
              <Link to={`/cases/${a.case.id}`} className="font-medium text-accent hover:underline">
                {a.case.title ?? a.case.id}
              </Link>
              {a.case.state && (
                <span className="ml-1.5 align-middle">
                  <StateBadge state={a.case.state} />
                </span>
              )}
            </p>
          ) : (
            <p className="mt-1 text-muted">Not in a case yet.</p>
          )}
        </section>
        {(a.canOpen || a.canLink) && (
          <section className="rounded-lg border border-line bg-surface p-3 text-[13px]">
            <h2 className="text-[12px] font-semibold uppercase tracking-wide text-muted">Triage</h2>
            <Form method="post" className="mt-2 space-y-3">
              <input type="hidden" name="csrf" value={shell.me?.csrfToken ?? ""} />
              <input type="hidden" name="tenant" value={a.tenant.id} />
              <input type="hidden" name="alert" value={d.id} />
              <input type="hidden" name="idempotency_key" value={a.idempotencyKey} />
              {a.canOpen && (
                <fieldset className="space-y-1.5">
                  <legend className="font-medium">Open a new case from it</legend>
                  <label className="block text-[12px] text-muted">
                    Title
                    <input
                      name="title"
                      defaultValue={d.title}
                      maxLength={200}
                      className="mt-0.5 w-full rounded-md border border-line bg-surface px-2 py-1 text-[13px] text-ink"
                    />
                  </label>
                  <label className="block text-[12px] text-muted">
                    Severity
                    <select
                      name="severity"
                      defaultValue=""
                      className="mt-0.5 w-full rounded-md border border-line bg-surface px-2 py-1 text-[13px] text-ink"
                    >
                      <option value="">From the alert</option>
                      {[...CASE_SEVERITIES].reverse().map((s) => (
                        <option key={s} value={s}>
                          {s}
                        </option>
                      ))}
                    </select>
                  </label>
                  <button
                    type="submit"
                    name="intent"
                    value="open_case"
                    className="rounded-md bg-accent px-3 py-1 font-medium text-accent-ink hover:opacity-90"
                  >
                    Open case
                  </button>
                </fieldset>
              )}
              {a.canLink && a.openCases.length > 0 && (
                <fieldset className="space-y-1.5">
                  <legend className="font-medium">Or link it to an open case</legend>
                  <label className="block text-[12px] text-muted">
                    Case
                    <select
                      name="case_id"
                      defaultValue=""
                      className="mt-0.5 w-full rounded-md border border-line bg-surface px-2 py-1 text-[13px] text-ink"
                    >
                      <option value="" disabled>
                        Choose a case…
                      </option>
                      {a.openCases.map((c) => (
                        <option key={c.id} value={c.id}>
                          {`${c.severity} · ${c.title}`}
                        </option>
                      ))}
                    </select>
                  </label>
                  <button
                    type="submit"
                    name="intent"
                    value="link"
                    className="rounded-md border border-line px-3 py-1 font-medium hover:border-accent"
                  >
                    Link to case
                  </button>
                </fieldset>
              )}
            </Form>
            {result && <TriageResult result={result} />}
          </section>
        )}
      </aside>
    </article>
  );
}
