// `/`: the queue. Every case of every tenant the person holds a grant on, from CONTROL_DB's work
// queue, most urgent SLA first; the view lives in the URL. Signed out, it is the sign-in page.
import { useEffect, useRef, useState } from "react";
import { data, Form, Link, useActionData, useLocation, useNavigate, useSubmit } from "react-router";
import { projectedSlaStatus } from "../../domain/case/queries.ts";
import { QUEUE_SORTS, type QueueView, queueViewSearch } from "../../domain/case/queue-view.ts";

import { commandRefusal } from "../../domain/case/service.ts";
import { queuePage, queuePageFreshUntil, queueViewFrom } from "../../domain/case/work-queue.ts";
import { CASE_SEVERITIES, CASE_STATUSES } from "../../domain/case-vocabulary.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { isIdOf } from "../../domain/ids.ts";
import { PriorityBadge, SeverityBadge, SlaBadge, StateBadge, stateLabel } from "../case-badges.tsx";
import { caseAccess, commandAsPerson } from "../case-commands.server.ts";
import { exactTime, relativeTime, useNow } from "../clock.tsx";
import { liveLabel, useLiveRefresh } from "../live.ts";
import { offerForReuse, passReuseOffer } from "../render-reuse.ts";
import { SelectableRow, useRowList } from "../selection.tsx";
import { envOf, signedInFormPost, signedInOrNull, withPhoenixErrors } from "../workbench.server.ts";
import type { Route } from "./+types/queue";
import { useShell } from "./shell.tsx";

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: loaderData && "rows" in loaderData ? "Queue · Phoenix" : "Sign in · Phoenix" },
];

// How long a rendered queue may be served again while nothing in it changes: its relative times
// ("4m ago") move on in the browser, and a page without JavaScript is at most this far behind.
const REUSE_FOR_MS = 15_000;

// Passes the loader's offer of its page for reuse on to the Worker (workers/render-cache.ts).
export const headers: Route.HeadersFunction = passReuseOffer;

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  const signedIn = await signedInOrNull(args, now);
  if (!signedIn) return { signedOut: true as const };
  return withPhoenixErrors(async () => {
    const { view, cursor } = queueViewFrom(new URL(args.request.url).searchParams);
    const db = envOf(args).CONTROL_DB;
    const tenantIds = signedIn.grants.map((g) => g.tenantId);
    const page = await queuePage(db, { tenantIds, viewerId: signedIn.principal.id, view, cursor, now });
    const freshUntil = queuePageFreshUntil(view, page.rows, now, REUSE_FOR_MS);
    const reuse = offerForReuse(freshUntil);
    return data(
      {
        view,
        now,
        paged: cursor !== undefined,
        nextCursor: page.nextCursor,
        tenants: signedIn.grants.map((g) => ({ id: g.tenantId, name: g.tenantName })),
        views: page.views,
        people: page.people.filter((p) => p.id !== signedIn.principal.id),
        rows: page.rows.map((r) => ({ ...r, slaStatus: projectedSlaStatus(r, now) })),
      },
      reuse,
    );
  });
}

const BULK_INTENTS = { acknowledge: "Acknowledge", assign_me: "Assign to me", assign: "Assign to" } as const;
type BulkIntent = keyof typeof BULK_INTENTS;
const BULK_LIMIT = 100;

export interface BulkOutcome {
  caseId: string;
  /** The case's title when it could be read; rows may have left the view by the time this shows. */
  title: string | null;
  outcome: "done" | "changed" | "not_allowed" | "not_found";
  message: string;
}

/**
 * Bulk actions on selected rows, across tenants: each case is its own command, as its person, on
 * the version the row showed, and reports its own outcome; one refusal never stops the others.
 */
export function action(args: Route.ActionArgs) {
  return signedInFormPost(args, async (_signedIn, form, now) => {
    const intent = String(form.get("intent") ?? "");
    if (!Object.hasOwn(BULK_INTENTS, intent)) {
      throw new PhoenixError("validation_failed", "choose a bulk action", [
        { field: "intent", message: `must be one of ${Object.keys(BULK_INTENTS).join(", ")}` },
      ]);
    }
    const picked = form.getAll("case").filter((v): v is string => typeof v === "string");
    if (picked.length === 0 || picked.length > BULK_LIMIT) {
      throw new PhoenixError("validation_failed", `select between 1 and ${BULK_LIMIT} cases`, [
        { field: "case", message: `${picked.length} selected` },
      ]);
    }
    const assignee = String(form.get("assignee") ?? "");
    if (intent === "assign" && !isIdOf("principal", assignee)) {
      throw new PhoenixError("validation_failed", "choose who to assign the cases to", [
        { field: "assignee", message: "pick a person" },
      ]);
    }
    const outcomes: BulkOutcome[] = [];
    for (const entry of picked) {
      const [caseId = "", version = ""] = entry.split(":");
      outcomes.push(await bulkOne(args, intent as BulkIntent, assignee, caseId, Number(version), now));
    }
    return { intent: intent as BulkIntent, outcomes };
  });
}

async function bulkOne(
  args: Route.ActionArgs,
  intent: BulkIntent,
  assignee: string,
  caseId: string,
  version: number,
  now: number,
): Promise<BulkOutcome> {
  let title: string | null = null;
  try {
    const access = await caseAccess(args, caseId, now);
    title = access.queued.title;
    const request =
      intent === "acknowledge"
        ? ({ type: "acknowledge" } as const)
        : ({ type: "assign", assignee: intent === "assign_me" ? access.principal.id : assignee } as const);
    await commandAsPerson(access, caseId, request, version, undefined, now);
    const done = { acknowledge: "Acknowledged", assign_me: "Assigned to you", assign: "Assigned" };
    return { caseId, title, outcome: "done", message: done[intent] };
  } catch (error) {
    const refusal = commandRefusal(error);
    if (!refusal) throw error;
    const message =
      refusal.kind === "not_allowed" ? "Not allowed in its state or for your role" : refusal.message;
    return { caseId, title, outcome: refusal.kind, message };
  }
}

type QueueData = Exclude<Route.ComponentProps["loaderData"], { signedOut: true }>;

export default function QueuePage({ loaderData }: Route.ComponentProps) {
  if ("signedOut" in loaderData) return <SignIn />;
  return <Queue data={loaderData} />;
}

function SignIn() {
  return (
    <section aria-labelledby="sign-in-title" className="mx-auto mt-[12vh] max-w-md">
      <div className="rounded-xl border border-line bg-surface p-8 shadow-sm">
        <h1 id="sign-in-title" className="text-2xl font-semibold tracking-tight">
          <span className="text-accent">Phoenix</span> workbench
        </h1>
        <p className="mt-2 text-muted">
          The system of record for alerts, cases and SLAs across every tenant.
        </p>
        <a
          href="/auth/login"
          className="mt-6 inline-block rounded-md bg-accent px-4 py-2 font-medium text-accent-ink hover:opacity-90"
        >
          Sign in
        </a>
        <nav aria-label="Developer" className="mt-6 flex gap-4 text-sm text-muted">
          {/* Plain anchors: these are Worker routes outside the React Router app. */}
          <a href="/docs" className="hover:text-ink">
            API reference
          </a>
          <a href="/healthz" className="hover:text-ink">
            Health
          </a>
        </nav>
      </div>
    </section>
  );
}

function Queue({ data }: { data: QueueData }) {
  const now = useNow(data.now);
  const navigate = useNavigate();
  const { search } = useLocation();
  const { view } = data;

  // The rows on screen stay put while cases change: rows already shown update in place, and cases
  // that enter the view are counted as new until the analyst takes them in.
  const [shown, setShown] = useState(() => ({ search, ids: new Set(data.rows.map((r) => r.caseId)) }));
  const shownIds = shown.search === search ? shown.ids : new Set(data.rows.map((r) => r.caseId));
  if (shown.search !== search) setShown({ search, ids: shownIds });
  const rows = data.rows.filter((r) => shownIds.has(r.caseId));
  const arrived = data.rows.filter((r) => !shownIds.has(r.caseId));
  const takeIn = () => setShown({ search, ids: new Set(data.rows.map((r) => r.caseId)) });

  // Changes arrive over the tenants' live sockets; a burst of them refreshes the page's data once.
  const live = useLiveRefresh(
    data.tenants.map((t) => t.id),
    250,
  );
  const list = useRowList(
    rows.map((r) => r.caseId),
    "a[data-case-link]",
    (caseId) => navigate(`/cases/${caseId}`),
  );
  const { selected } = list;
  return (
    <section aria-labelledby="queue-title">
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 id="queue-title" className="text-lg font-semibold tracking-tight">
          Queue
        </h1>
        <p className="text-sm text-muted" aria-live="polite">
          {rows.length === 0 ? "No cases" : `${rows.length}${data.nextCursor ? "+" : ""} cases`}
          {view.sort === "sla" ? ", most urgent SLA first" : `, by ${sortLabel(view.sort).toLowerCase()}`}
          {selected.size > 0 && ` · ${selected.size} selected`}
        </p>
        <span
          className={`ml-auto inline-flex items-center gap-1.5 text-[12px] ${live === "live" ? "text-ok" : "text-muted"}`}
          title="Changes appear here without reloading"
        >
          <span aria-hidden>{live === "live" ? "●" : "○"}</span>
          <span data-live>{liveLabel(live)}</span>
        </span>
      </div>
      <div aria-live="polite" className="min-h-0">
        {arrived.length > 0 && (
          <button
            type="button"
            onClick={takeIn}
            className="mt-3 w-full rounded-lg border border-info bg-info-soft px-3 py-2 text-left text-[13px] font-medium text-info"
          >
            {arrived.length} new {arrived.length === 1 ? "case" : "cases"} in this view: show
          </button>
        )}
      </div>
      <SavedViews views={data.views} />
      <Filters view={view} tenants={data.tenants} people={data.people} />
      <BulkBar
        rows={rows}
        people={data.people}
        selected={selected}
        onDone={() => list.setSelected(new Set())}
      />
      {rows.length === 0 ? (
        <EmptyQueue filtered={queueViewSearch(view) !== ""} />
      ) : (
        <div className="mt-3 overflow-x-auto rounded-lg border border-line bg-surface">
          <table className="w-full border-collapse text-left text-[13px]">
            <caption className="sr-only">Cases, one per row. Use j and k to move, Enter to open.</caption>
            <thead className="border-b border-line text-[11px] uppercase tracking-wide text-muted">
              <tr>
                <th scope="col" className="w-8 px-3 py-2">
                  <span className="sr-only">Selected</span>
                </th>
                <th scope="col" className="px-2 py-2">
                  Severity
                </th>
                <th scope="col" className="px-2 py-2">
                  Case
                </th>
                <th scope="col" className="px-2 py-2">
                  Tenant
                </th>
                <th scope="col" className="px-2 py-2">
                  State
                </th>
                <th scope="col" className="px-2 py-2">
                  Assignee
                </th>
                <th scope="col" className="px-2 py-2">
                  SLA
                </th>
                <th scope="col" className="px-2 py-2 text-right">
                  Alerts
                </th>
                <th scope="col" className="px-3 py-2 text-right">
                  Activity
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                <SelectableRow
                  key={row.caseId}
                  list={list}
                  index={i}
                  id={row.caseId}
                  label={row.title}
                  // In the bulk form even without JavaScript: the row's id and the version it shows.
                  form="bulk-actions"
                  name="case"
                  value={`${row.caseId}:${row.version}`}
                >
                  <td className="q-cell">
                    <span className="flex items-center gap-1.5">
                      <SeverityBadge severity={row.severity} />
                      <PriorityBadge priority={row.priority} />
                    </span>
                  </td>
                  <td className="max-w-[28rem] px-2 py-2">
                    <Link
                      to={`/cases/${row.caseId}`}
                      data-case-link
                      className="block truncate font-medium hover:underline"
                      title={row.title}
                    >
                      {row.title}
                    </Link>
                    <span className="font-mono text-[11px] text-faint">{row.caseId}</span>
                  </td>
                  <td className="q-cell text-muted">{row.tenantName}</td>
                  <td className="q-cell">
                    <StateBadge state={row.state} />
                  </td>
                  <td className="q-cell">
                    {row.assigneeName ?? <span className="text-faint">Unassigned</span>}
                  </td>
                  <td className="q-cell">
                    <SlaBadge status={row.slaStatus} clock={row.slaDueClock} dueAt={row.slaDueAt} now={now} />
                  </td>
                  <td className="px-2 py-2 text-right tabular-nums">{row.alertCount}</td>
                  <td
                    className="whitespace-nowrap px-3 py-2 text-right text-muted"
                    title={exactTime(row.updatedAt)}
                  >
                    {relativeTime(row.updatedAt, now)}
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
            to={queueViewSearch(view) || "/"}
            className="rounded-md border border-line px-3 py-1 hover:border-accent"
          >
            First page
          </Link>
        )}
        {data.nextCursor && (
          <Link
            to={`${queueViewSearch(view) || "?"}${queueViewSearch(view) ? "&" : ""}cursor=${encodeURIComponent(data.nextCursor)}`}
            className="rounded-md border border-line px-3 py-1 hover:border-accent"
          >
            Next page
          </Link>
        )}
      </nav>
    </section>
  );
}

const OUTCOME_STYLE: Record<BulkOutcome["outcome"], string> = {
  done: "text-ok",
  changed: "text-warn",
  not_allowed: "text-bad",
  not_found: "text-bad",
};

/** Acts on the selected rows; every row then says what happened to it. */
/** The person's named views: one click opens one, and the view on screen can be saved by name. */
function SavedViews({ views }: { views: { id: string; name: string; search: string }[] }) {
  const shell = useShell();
  const location = useLocation();
  const current = location.search.replace(/^\?/, "");
  const csrf = <input type="hidden" name="csrf" value={shell.me?.csrfToken ?? ""} />;
  return (
    <nav aria-label="Saved views" className="mt-3 flex flex-wrap items-center gap-1.5 text-[13px]">
      <span className="text-muted">Views:</span>
      {views.length === 0 && <span className="text-faint">none saved yet</span>}
      {views.map((v) => (
        <span
          key={v.id}
          className="inline-flex items-center rounded-full border border-line bg-surface has-[a[aria-current]]:border-accent"
        >
          <Link
            to={v.search ? `/?${v.search}` : "/"}
            aria-current={v.search === current ? "page" : undefined}
            className="py-0.5 pl-2.5 pr-1 aria-[current]:text-accent"
          >
            {v.name}
          </Link>
          <Form method="post" action="/views" className="inline">
            {csrf}
            <input type="hidden" name="intent" value="delete" />
            <input type="hidden" name="id" value={v.id} />
            <input type="hidden" name="back" value={location.pathname + location.search} />
            <button
              type="submit"
              aria-label={`Delete the view ${v.name}`}
              className="rounded-full px-1.5 text-faint hover:text-bad"
            >
              ×
            </button>
          </Form>
        </span>
      ))}
      <Form method="post" action="/views" className="ml-auto inline-flex items-center gap-1">
        {csrf}
        <input type="hidden" name="intent" value="save" />
        <input type="hidden" name="search" value={current} />
        <label htmlFor="view-name" className="sr-only">
          Name for this view
        </label>
        <input
          id="view-name"
          name="name"
          required
          maxLength={60}
          placeholder="Name this view"
          className="w-36 rounded-md border border-line bg-surface px-2 py-0.5"
        />
        <button
          type="submit"
          className="rounded-md border border-line bg-surface px-2 py-0.5 hover:border-accent"
        >
          Save view
        </button>
      </Form>
    </nav>
  );
}

const bulkButton = "rounded-md border border-line bg-surface px-2.5 py-1 font-medium hover:border-accent";

function BulkBar({
  rows,
  people,
  selected,
  onDone,
}: {
  rows: { caseId: string; title: string }[];
  people: { id: string; displayName: string }[];
  selected: ReadonlySet<string>;
  onDone: () => void;
}) {
  const shell = useShell();
  const result = useActionData<typeof action>();
  const titles = new Map(rows.map((r) => [r.caseId, r.title]));
  const clear = useRef(onDone);
  clear.current = onDone;
  useEffect(() => {
    if (result) clear.current();
  }, [result]);
  return (
    <div className="mt-3">
      <Form
        method="post"
        id="bulk-actions"
        aria-label="Bulk actions"
        className="flex flex-wrap items-center gap-2 text-[13px]"
      >
        <input type="hidden" name="csrf" value={shell.me?.csrfToken ?? ""} />
        <span className="text-muted">
          {selected.size > 0 ? `${selected.size} selected:` : "Select rows (x) to act on several cases:"}
        </span>
        {(["acknowledge", "assign_me"] as const).map((intent) => (
          <button key={intent} type="submit" name="intent" value={intent} className={bulkButton}>
            {BULK_INTENTS[intent]}
          </button>
        ))}
        {people.length > 0 && (
          <span className="inline-flex items-center gap-1">
            <label htmlFor="bulk-assignee" className="sr-only">
              Person to assign the selected cases to
            </label>
            <select
              id="bulk-assignee"
              name="assignee"
              defaultValue=""
              className="rounded-md border border-line bg-surface px-2 py-1"
            >
              <option value="" disabled>
                Assign to…
              </option>
              {people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.displayName}
                </option>
              ))}
            </select>
            <button type="submit" name="intent" value="assign" className={bulkButton}>
              Assign
            </button>
          </span>
        )}
      </Form>
      {result && (
        <section
          aria-label="Bulk results"
          role="status"
          className="mt-2 rounded-lg border border-line bg-surface p-3"
        >
          <p className="text-[13px] font-medium">
            {BULK_INTENTS[result.intent]}: {result.outcomes.filter((o) => o.outcome === "done").length} of{" "}
            {result.outcomes.length} done
          </p>
          <ul className="mt-1 space-y-0.5 text-[13px]">
            {result.outcomes.map((o) => (
              <li key={o.caseId}>
                <span className={OUTCOME_STYLE[o.outcome]}>{o.message}</span>
                <span className="text-muted"> · {o.title ?? titles.get(o.caseId) ?? o.caseId}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function Filters({
  view,
  tenants,
  people,
}: {
  view: QueueView;
  tenants: { id: string; name: string }[];
  people: { id: string; displayName: string }[];
}) {
  const submit = useSubmit();
  // With JavaScript a change applies at once; without it, the Apply button does.
  const onChange = (event: React.ChangeEvent<HTMLFormElement>) => {
    if (event.target instanceof HTMLSelectElement) submit(event.currentTarget, { replace: true });
  };
  const select = "rounded-md border border-line bg-surface px-2 py-1 text-[13px]";
  return (
    <Form
      method="get"
      role="search"
      aria-label="Filter the queue"
      onChange={onChange}
      className="mt-3 flex flex-wrap items-end gap-2"
    >
      <label className="flex flex-col text-[11px] text-muted">
        Search titles
        <input
          type="search"
          name="q"
          defaultValue={view.q ?? ""}
          data-search
          aria-keyshortcuts="/"
          placeholder="Search titles  /"
          className="w-56 rounded-md border border-line bg-surface px-2 py-1 text-[13px] text-ink"
        />
      </label>
      <label className="flex flex-col text-[11px] text-muted">
        Tenant
        <select name="tenant" defaultValue={view.tenant ?? ""} className={select}>
          <option value="">All my tenants</option>
          {tenants.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col text-[11px] text-muted">
        State
        <select name="state" defaultValue={view.state} className={select}>
          <option value="open">Open (not closed)</option>
          <option value="all">All states</option>
          {CASE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {stateLabel(s)}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col text-[11px] text-muted">
        Severity
        <select name="severity" defaultValue={view.severity ?? ""} className={select}>
          <option value="">Any severity</option>
          {[...CASE_SEVERITIES].reverse().map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col text-[11px] text-muted">
        Assignee
        <select name="assignee" defaultValue={view.assignee ?? ""} className={select}>
          <option value="">Anyone</option>
          <option value="me">Me</option>
          <option value="unassigned">Unassigned</option>
          {people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.displayName}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col text-[11px] text-muted">
        SLA
        <select name="sla" defaultValue={view.sla ?? ""} className={select}>
          <option value="">Any SLA</option>
          <option value="breached">Breached</option>
          <option value="warning">Warning</option>
          <option value="ok">On track</option>
        </select>
      </label>
      <label className="flex flex-col text-[11px] text-muted">
        Sort
        <select name="sort" defaultValue={view.sort} className={select}>
          {QUEUE_SORTS.map((s) => (
            <option key={s} value={s}>
              {sortLabel(s)}
            </option>
          ))}
        </select>
      </label>
      <button
        type="submit"
        className="rounded-md border border-line bg-raised px-3 py-1 text-[13px] hover:border-accent"
      >
        Apply
      </button>
      {queueViewSearch(view) !== "" && (
        <Link to="/" className="px-2 py-1 text-[13px] text-muted hover:text-ink">
          Clear
        </Link>
      )}
    </Form>
  );
}

function EmptyQueue({ filtered }: { filtered: boolean }) {
  return (
    <div className="mt-3 rounded-lg border border-dashed border-line bg-surface px-6 py-12 text-center">
      <p className="font-medium">{filtered ? "No case matches this view" : "Nothing in your queue"}</p>
      <p className="mt-1 text-sm text-muted">
        {filtered
          ? "Loosen a filter, or clear them all."
          : "New cases appear here as soon as detections are grouped into them."}
      </p>
    </div>
  );
}

function sortLabel(sort: (typeof QUEUE_SORTS)[number]): string {
  return {
    sla: "SLA urgency",
    severity: "Severity",
    priority: "Priority",
    activity: "Last activity",
    age: "Age",
  }[sort];
}
