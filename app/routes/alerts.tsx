// `/alerts`: alert triage. One tenant's alerts, newest first, filtered by source, severity, time and
// whether they are in a case (all in the URL); selected alerts open a new case or join an open one,
// through the same case service and permissions as POST /v1/cases and link_alert.
import { useEffect, useRef, useState } from "react";
import { Form, Link, useActionData, useLocation, useNavigate, useSubmit } from "react-router";
import { alertSources, listAlertSummaries } from "../../domain/alerts/queries.ts";
import { openCaseChoices } from "../../domain/case/queries.ts";
import { CASE_SEVERITIES } from "../../domain/case-vocabulary.ts";
import { triageAccess, triageAction } from "../alert-triage.server.ts";
import { AlertSeverityBadge, ocsfSeverityLabel, StateBadge } from "../case-badges.tsx";
import { exactTime, relativeTime, useNow } from "../clock.tsx";
import { liveLabel, useLiveRefresh } from "../live.ts";
import { SelectableRow, useRowList } from "../selection.tsx";
import { TriageResult } from "../triage-result.tsx";
import { signedInFormPost, withPhoenixErrors } from "../workbench.server.ts";
import type { Route } from "./+types/alerts";
import { useShell } from "./shell.tsx";

export const meta: Route.MetaFunction = () => [{ title: "Alerts · Phoenix" }];

const PAGE_SIZE = 50;
const OPEN_CASE_CHOICES = 50;

const PERIODS = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 } as const;
type Period = keyof typeof PERIODS;
const PERIOD_LABEL: Record<Period | "", string> = {
  "": "Any time",
  "1h": "Last hour",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
};
const OCSF_SEVERITY_IDS = [6, 5, 4, 3, 2, 1, 0] as const;

/** What the URL asks to see; values the page does not offer are ignored, not an error. */
interface AlertView {
  tenant: string;
  source: string;
  severity: number | null;
  period: Period | "";
  inCase: "yes" | "no" | "";
}

function viewFrom(params: URLSearchParams): AlertView {
  const severity = Number(params.get("severity") ?? "");
  const period = params.get("period") ?? "";
  const inCase = params.get("in_case") ?? "";
  return {
    tenant: params.get("tenant") ?? "",
    source: (params.get("source") ?? "").slice(0, 200),
    severity: params.get("severity") && OCSF_SEVERITY_IDS.includes(severity as 0) ? severity : null,
    period: Object.hasOwn(PERIODS, period) ? (period as Period) : "",
    inCase: inCase === "yes" || inCase === "no" ? inCase : "",
  };
}

function viewSearch(view: AlertView, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (view.tenant) params.set("tenant", view.tenant);
  if (view.source) params.set("source", view.source);
  if (view.severity !== null) params.set("severity", String(view.severity));
  if (view.period) params.set("period", view.period);
  if (view.inCase) params.set("in_case", view.inCase);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const search = params.toString();
  return search ? `?${search}` : "";
}

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  return withPhoenixErrors(async () => {
    const params = new URL(args.request.url).searchParams;
    const view = viewFrom(params);
    const access = await triageAccess(args, view.tenant || null, now);
    const cursor = params.get("cursor") ?? undefined;
    // Later pages keep the first page's window ("from"): a cursor belongs to the filters it was issued for.
    const pinnedFrom = Number(params.get("from"));
    const timeFrom = !view.period
      ? undefined
      : cursor && Number.isSafeInteger(pinnedFrom) && pinnedFrom > 0
        ? pinnedFrom
        : now - PERIODS[view.period];
    const [page, sources, openCases] = await Promise.all([
      listAlertSummaries(access.db, {
        limit: PAGE_SIZE,
        cursor,
        productName: view.source || undefined,
        severityId: view.severity ?? undefined,
        timeFrom,
        inCase: view.inCase === "" ? undefined : view.inCase === "yes",
      }),
      alertSources(access.db),
      openCaseChoices(access.db, OPEN_CASE_CHOICES),
    ]);
    return {
      now,
      view: { ...view, tenant: access.principal.tenant.id },
      tenant: { id: access.principal.tenant.id, name: access.principal.tenant.name },
      tenants: access.tenants,
      paged: cursor !== undefined,
      timeFrom: timeFrom ?? null,
      nextCursor: page.nextCursor,
      alerts: page.items,
      sources,
      openCases,
      canOpen: access.principal.operations.has("cases.create"),
      canLink: access.principal.operations.has("cases.work"),
      // A double-click or a retried post opens one case, not two (the key replays the first answer).
      idempotencyKey: crypto.randomUUID(),
    };
  });
}

/** Open a case from the selected alerts, or link them to an open case. */
export function action(args: Route.ActionArgs) {
  return signedInFormPost(args, (_signedIn, form, now) => triageAction(args, form, now));
}

type AlertsData = Route.ComponentProps["loaderData"];

export default function AlertsPage({ loaderData: data }: Route.ComponentProps) {
  const now = useNow(data.now);
  const navigate = useNavigate();
  const { view, alerts } = data;

  // Alerts join cases as correlation and colleagues link them: a case change re-reads the page.
  const live = useLiveRefresh([data.tenant.id], 250);
  const list = useRowList(
    alerts.map((a) => a.id),
    "a[data-alert-link]",
    (id) => navigate(`/alerts/${id}?tenant=${data.tenant.id}`),
  );
  const { selected, setSelected } = list;

  // Another page of the list, or another filter: what was selected is no longer on screen.
  const { search } = useLocation();
  const [shownFor, setShownFor] = useState(search);
  if (shownFor !== search) {
    setShownFor(search);
    setSelected(new Set());
    list.setActive(0);
  }

  const allSelected = alerts.length > 0 && alerts.every((a) => selected.has(a.id));
  return (
    <section aria-labelledby="alerts-title">
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 id="alerts-title" className="text-lg font-semibold tracking-tight">
          Alerts
        </h1>
        <p className="text-sm text-muted" aria-live="polite">
          {data.tenant.name} ·{" "}
          {alerts.length === 0 ? "no alerts" : `${alerts.length}${data.nextCursor ? "+" : ""} alerts`}, newest
          first
          {selected.size > 0 && ` · ${selected.size} selected`}
        </p>
        <span
          className={`ml-auto inline-flex items-center gap-1.5 text-[12px] ${live === "live" ? "text-ok" : "text-muted"}`}
          title="Case changes appear here without reloading"
        >
          <span aria-hidden>{live === "live" ? "●" : "○"}</span>
          <span data-live>{liveLabel(live)}</span>
        </span>
      </div>
      <Filters data={data} />
      <TriageBar data={data} selected={selected} onDone={() => setSelected(new Set())} />
      {alerts.length === 0 ? (
        <div className="mt-3 rounded-lg border border-dashed border-line bg-surface px-6 py-12 text-center">
          <p className="font-medium">
            {viewSearch({ ...view, tenant: "" }) ? "No alert matches these filters" : "No alerts yet"}
          </p>
          <p className="mt-1 text-sm text-muted">
            {viewSearch({ ...view, tenant: "" })
              ? "Loosen a filter, or clear them all."
              : "Alerts appear here as soon as a connector delivers them."}
          </p>
        </div>
      ) : (
        <div className="mt-3 overflow-x-auto rounded-lg border border-line bg-surface">
          <table className="w-full border-collapse text-left text-[13px]">
            <caption className="sr-only">
              Alerts, one per row. Use j and k to move, x to select, Enter to open.
            </caption>
            <thead className="border-b border-line text-[11px] uppercase tracking-wide text-muted">
              <tr>
                <th scope="col" className="w-8 px-3 py-2">
                  <input
                    type="checkbox"
                    aria-label="Select every alert on this page"
                    checked={allSelected}
                    onChange={() => setSelected(allSelected ? new Set() : new Set(alerts.map((a) => a.id)))}
                  />
                </th>
                <th scope="col" className="px-2 py-2">
                  Severity
                </th>
                <th scope="col" className="px-2 py-2">
                  Alert
                </th>
                <th scope="col" className="px-2 py-2">
                  Source
                </th>
                <th scope="col" className="px-2 py-2">
                  Device · user
                </th>
                <th scope="col" className="px-2 py-2">
                  Case
                </th>
                <th scope="col" className="px-2 py-2 text-right">
                  Seen
                </th>
                <th scope="col" className="px-3 py-2 text-right">
                  Time
                </th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((a, i) => (
                <SelectableRow
                  key={a.id}
                  list={list}
                  index={i}
                  id={a.id}
                  label={a.title}
                  // In the triage form even without JavaScript.
                  form="alert-actions"
                  name="alert"
                  value={a.id}
                >
                  <td className="q-cell">
                    <AlertSeverityBadge severityId={a.severityId} />
                  </td>
                  <td className="max-w-[30rem] px-2 py-2">
                    <Link
                      to={`/alerts/${a.id}?tenant=${data.tenant.id}`}
                      data-alert-link
                      className="block truncate font-medium hover:underline"
                      title={a.title}
                    >
                      {a.title}
                    </Link>
                    <span className="flex items-center gap-1.5 overflow-hidden whitespace-nowrap">
                      <span className="font-mono text-[11px] text-faint">{a.id}</span>
                      {a.techniques[0] && (
                        <span
                          className="truncate rounded bg-raised px-1 font-mono text-[10px] text-muted"
                          title={a.techniques.join(", ")}
                        >
                          {a.techniques[0]}
                          {a.techniques.length > 1 && ` +${a.techniques.length - 1}`}
                        </span>
                      )}
                    </span>
                  </td>
                  <td
                    className="max-w-[13rem] truncate px-2 py-2 text-muted"
                    title={a.productName ?? undefined}
                  >
                    {a.productName ?? "—"}
                  </td>
                  <td className="max-w-[13rem] truncate px-2 py-2 text-muted">
                    {[a.deviceName, a.userName].filter(Boolean).join(" · ") || "—"}
                  </td>
                  <td className="max-w-[16rem] px-2 py-2">
                    {a.caseId ? (
                      <Link
                        to={`/cases/${a.caseId}`}
                        className="flex items-center gap-1.5 hover:underline"
                        title={a.caseTitle ?? a.caseId}
                      >
                        {a.caseState && (
                          <span className="shrink-0 whitespace-nowrap">
                            <StateBadge state={a.caseState} />
                          </span>
                        )}
                        <span className="truncate">{a.caseTitle ?? a.caseId}</span>
                      </Link>
                    ) : (
                      <span className="text-faint">Not in a case</span>
                    )}
                  </td>
                  <td className="px-2 py-2 text-right tabular-nums text-muted">
                    {a.occurrenceCount > 1 ? `${a.occurrenceCount}×` : "once"}
                  </td>
                  <td className="whitespace-nowrap px-3 py-2 text-right text-muted" title={exactTime(a.time)}>
                    {relativeTime(a.time, now)}
                  </td>
                </SelectableRow>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label="Pages" className="mt-3 flex gap-2 text-sm">
        {data.paged && (
          <Link
            to={`/alerts${viewSearch(view)}`}
            className="rounded-md border border-line px-3 py-1 hover:border-accent"
          >
            Newest
          </Link>
        )}
        {data.nextCursor && (
          <Link
            to={`/alerts${viewSearch(view, {
              ...(data.timeFrom !== null ? { from: String(data.timeFrom) } : {}),
              cursor: data.nextCursor,
            })}`}
            className="rounded-md border border-line px-3 py-1 hover:border-accent"
          >
            Older alerts
          </Link>
        )}
      </nav>
    </section>
  );
}

const selectClass = "rounded-md border border-line bg-surface px-2 py-1 text-[13px]";

function Filters({ data }: { data: AlertsData }) {
  const submit = useSubmit();
  const { view } = data;
  // With JavaScript a change applies at once; without it, the Apply button does.
  const onChange = (event: React.ChangeEvent<HTMLFormElement>) => {
    if (event.target instanceof HTMLSelectElement) submit(event.currentTarget, { replace: true });
  };
  return (
    <Form
      method="get"
      role="search"
      aria-label="Filter the alerts"
      onChange={onChange}
      className="mt-3 flex flex-wrap items-end gap-2"
    >
      {data.tenants.length > 1 ? (
        <label className="flex flex-col text-[11px] text-muted">
          Tenant
          <select name="tenant" defaultValue={view.tenant} className={selectClass}>
            {data.tenants.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <input type="hidden" name="tenant" value={view.tenant} />
      )}
      <label className="flex flex-col text-[11px] text-muted">
        Source
        <select name="source" defaultValue={view.source} className={selectClass}>
          <option value="">Any source</option>
          {data.sources.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col text-[11px] text-muted">
        Severity
        <select name="severity" defaultValue={view.severity ?? ""} className={selectClass}>
          <option value="">Any severity</option>
          {OCSF_SEVERITY_IDS.map((id) => (
            <option key={id} value={id}>
              {ocsfSeverityLabel(id)}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col text-[11px] text-muted">
        Time
        <select name="period" defaultValue={view.period} className={selectClass}>
          {(Object.keys(PERIOD_LABEL) as (Period | "")[]).map((p) => (
            <option key={p} value={p}>
              {PERIOD_LABEL[p]}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col text-[11px] text-muted">
        Case
        <select name="in_case" defaultValue={view.inCase} className={selectClass}>
          <option value="">In a case or not</option>
          <option value="no">Not in a case</option>
          <option value="yes">In a case</option>
        </select>
      </label>
      <button
        type="submit"
        className="rounded-md border border-line bg-raised px-3 py-1 text-[13px] hover:border-accent"
      >
        Apply
      </button>
      {viewSearch({ ...view, tenant: "" }) !== "" && (
        <Link
          to={`/alerts${viewSearch({ tenant: view.tenant, source: "", severity: null, period: "", inCase: "" })}`}
          className="px-2 py-1 text-[13px] text-muted hover:text-ink"
        >
          Clear
        </Link>
      )}
    </Form>
  );
}

/** Enter in a field presses that field's own button, not the form's first (which opens a case). */
function submitWith(button: React.RefObject<HTMLButtonElement | null>) {
  return (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== "Enter" || !button.current) return;
    event.preventDefault();
    event.currentTarget.form?.requestSubmit(button.current);
  };
}

const actionButton =
  "rounded-md border border-line bg-surface px-2.5 py-1 font-medium hover:border-accent disabled:opacity-50";

/** What to do with the selected alerts: a new case from them, or an open case to join. */
function TriageBar({
  data,
  selected,
  onDone,
}: {
  data: AlertsData;
  selected: ReadonlySet<string>;
  onDone: () => void;
}) {
  const shell = useShell();
  const openButton = useRef<HTMLButtonElement>(null);
  const linkButton = useRef<HTMLButtonElement>(null);
  const result = useActionData<typeof action>();
  const clear = useRef(onDone);
  clear.current = onDone;
  useEffect(() => {
    if (result?.ok) clear.current();
  }, [result]);
  if (!data.canOpen && !data.canLink) return null;
  return (
    <div className="mt-3">
      <Form
        method="post"
        id="alert-actions"
        aria-label="Act on the selected alerts"
        className="flex flex-wrap items-center gap-2 rounded-lg border border-line bg-surface px-3 py-2 text-[13px]"
      >
        <input type="hidden" name="csrf" value={shell.me?.csrfToken ?? ""} />
        <input type="hidden" name="tenant" value={data.tenant.id} />
        <input type="hidden" name="idempotency_key" value={data.idempotencyKey} />
        <span className="text-muted">
          {selected.size > 0
            ? `${selected.size} selected:`
            : "Select alerts (x) to open a case or link them:"}
        </span>
        {data.canOpen && (
          <span className="inline-flex flex-wrap items-center gap-1">
            <label htmlFor="new-case-title" className="sr-only">
              Title for the new case
            </label>
            <input
              id="new-case-title"
              name="title"
              onKeyDown={submitWith(openButton)}
              maxLength={200}
              placeholder="Title (else the first alert's)"
              className="w-60 rounded-md border border-line bg-surface px-2 py-1"
            />
            <label htmlFor="new-case-severity" className="sr-only">
              Severity of the new case
            </label>
            <select id="new-case-severity" name="severity" defaultValue="" className={selectClass}>
              <option value="">Severity from the alerts</option>
              {[...CASE_SEVERITIES].reverse().map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
            <button type="submit" name="intent" value="open_case" ref={openButton} className={actionButton}>
              Open case
            </button>
          </span>
        )}
        {data.canLink && (
          <span className="inline-flex items-center gap-1 sm:ml-auto">
            <label htmlFor="link-case" className="sr-only">
              Open case to link the selected alerts to
            </label>
            <input
              id="link-case"
              name="case_id"
              onKeyDown={submitWith(linkButton)}
              list="open-cases"
              placeholder="Case id, or pick an open case"
              className="w-64 rounded-md border border-line bg-surface px-2 py-1 font-mono text-[12px]"
            />
            <datalist id="open-cases">
              {data.openCases.map((c) => (
                <option key={c.id} value={c.id}>
                  {`${c.severity} · ${c.title}`}
                </option>
              ))}
            </datalist>
            <button type="submit" name="intent" value="link" ref={linkButton} className={actionButton}>
              Link to case
            </button>
          </span>
        )}
      </Form>
      {result && <TriageResult result={result} />}
    </div>
  );
}
