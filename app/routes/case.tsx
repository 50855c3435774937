// `/cases/:caseId`: one case, at a URL that can be pasted into chat. The loader reads the case
// object (its state, log and audit) and the tenant's alerts; every action is a form post handled
// by the action below, through the same domain service and permission table as /v1.
import { useEffect, useRef, useState } from "react";
import { data, Form, Link, useActionData, useFetcher, useNavigation, useRevalidator } from "react-router";
import { caseAlertSummaries } from "../../domain/alerts/queries.ts";
import { can, commandsAllowed } from "../../domain/auth/permissions.ts";
import { isAssignable } from "../../domain/case/assignees.ts";
import type { CaseEvent } from "../../domain/case/model.ts";
import { caseCommandRequestSchema } from "../../domain/case/requests.ts";
import { commandRefusal } from "../../domain/case/service.ts";
import { sourceChangeLines, suggestedResolution } from "../../domain/case/source-updates.ts";
import { allowedCommands } from "../../domain/case/transitions.ts";
import {
  CASE_PRIORITIES,
  CASE_SEVERITIES,
  ESCALATION_TIERS,
  RESOLUTIONS,
} from "../../domain/case-vocabulary.ts";
import { fieldErrorsFromIssues } from "../../domain/errors.ts";
import { caseSinkStatus } from "../../domain/sinks/sync.ts";
import { slaClockStatus } from "../../domain/sla/clocks.ts";
import { tenantDatabase } from "../../domain/tenancy.ts";
import { caseGateway } from "../../durable-objects/case-gateway.ts";
import {
  CLOCK_LABEL,
  CLOCK_NAME,
  ocsfSeverityLabel,
  PriorityBadge,
  SeverityBadge,
  SlaBadge,
  StateBadge,
} from "../case-badges.tsx";
import { caseAccess, casePageAccess, commandAsPerson } from "../case-commands.server.ts";
import { exactTime, relativeTime, shortDuration, useNow } from "../clock.tsx";
import { liveLabel, useLiveChanges } from "../live.ts";
import { renderComment } from "../markdown.server.ts";
import { offerForReuse, passReuseOffer } from "../render-reuse.ts";
import { SHORTCUTS, useShortcuts } from "../shortcuts.tsx";
import { requireFormCsrf, withPhoenixErrors } from "../workbench.server.ts";
import type { Route } from "./+types/case";
import { type AlertDetails, AlertPayloads } from "./case-alert.tsx";
import { EnrichmentPanel } from "./case-enrichment.tsx";
import type { SearchHit } from "./search.tsx";
import { useShell } from "./shell.tsx";

// The newest events and alerts come with the page; older ones are a link away, so a case with a
// long history opens as fast as a new one.
const TIMELINE_PAGE = 25;
const ALERT_PAGE = 10;
const ALERT_ALL = 500;
const CONFLICT_EVENTS = 100;

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: loaderData ? `${loaderData.title} · Phoenix` : "Case · Phoenix" },
];

export const headers: Route.HeadersFunction = passReuseOffer;

// A kept case page is served again for at most this long: its sinks' sync status and its alerts'
// occurrence counts change without the case's version moving.
const REUSE_MS = 15_000;

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  return withPhoenixErrors(async () => {
    const caseId = args.params.caseId;
    const url = new URL(args.request.url);
    const { principal, env, people, sinks: sinkRows } = await casePageAccess(args, caseId, now);
    const gateway = caseGateway(env);
    const tenantId = principal.tenant.id;
    const db = tenantDatabase(env, principal.tenant);
    const allAlerts = url.searchParams.get("alerts") === "all";
    // `?before=<seq>` pages back through the timeline; events are numbered from 1.
    const [page, alerts] = await Promise.all([
      gateway.page(tenantId, caseId, positiveInt(url.searchParams.get("before")), TIMELINE_PAGE),
      caseAlertSummaries(db, caseId, allAlerts ? ALERT_ALL : ALERT_PAGE),
    ]);
    const { snapshot, events, verification: audit } = page;
    const { state } = snapshot;
    const allowed = commandsAllowed(principal, state.status);
    // A customer sees only what was written for them.
    const customer = principal.role === "viewer" || !can(principal, "cases.work");
    const visible = events.filter(
      (e) => !(e.type === "case.commented" && e.visibility === "internal" && customer),
    );
    const sinks = customer ? [] : await caseSinkStatus(sinkRows, db, caseId);
    // Whoever acted on the case held a grant on its tenant, as does its assignee; clients and
    // sources are named by actorLabel.
    const named = new Set(visible.map((e) => e.actor.id).concat(state.assignee ? [state.assignee] : []));
    const names = Object.fromEntries(people.filter((p) => named.has(p.id)).map((p) => [p.id, p.displayName]));
    return data(
      {
        now,
        id: caseId,
        version: snapshot.version,
        title: state.title,
        description: state.description,
        tenant: { id: tenantId, name: principal.tenant.name },
        status: state.status,
        severity: state.severity,
        priority: state.priority,
        assignee: state.assignee,
        queue: state.queue,
        tier: state.tier,
        team: state.team,
        resolution: state.resolution,
        mergedInto: state.mergedInto,
        sourceClosed: state.sourceClosed,
        // Where the case stands in Jira, Salesforce and the Platform: SOC staff only.
        sinks,
        openedAt: state.openedAt,
        updatedAt: state.updatedAt,
        clocks: Object.entries(state.sla.clocks).map(([name, clock]) => ({
          name,
          dueAt: clock.dueAt,
          metAt: clock.metAt,
          pausedAt: clock.pausedSince,
          status: slaClockStatus(clock, now),
        })),
        names,
        me: principal.id,
        role: principal.role,
        customer,
        allowed: [...allowed],
        // What the case's state would allow but the person's role does not (a resolved case's
        // closing is a lead's step): named on the page, so nobody hunts for a missing button.
        heldBack: allowedCommands(state.status).filter((cmd) => !allowed.has(cmd)),
        // Who the case can be assigned to: the tenant's analysts and leads, as the queue offers.
        people: customer
          ? []
          : people.filter(isAssignable).map((p) => ({ id: p.id, displayName: p.displayName })),
        // Each event as the page shows it, worded on the server: the events themselves (an opening
        // can carry hundreds of alert ids) never travel to the browser.
        timeline: visible
          .map((e) => ({
            seq: e.seq,
            at: e.at,
            kind: kindOf(e),
            // A source's update speaks as the source: "XDR closed the incident as False Positive".
            actor: e.type === "case.source_updated" ? e.source : (names[e.actor.id] ?? actorLabel(e.actor)),
            text: describeEvent(e, names),
            details: e.type === "case.source_updated" ? sourceChangeLines(e) : null,
            visibility: e.type === "case.commented" ? e.visibility : null,
            reason:
              e.type !== "case.source_updated" && "reason" in e && typeof e.reason === "string"
                ? e.reason
                : null,
            html: e.type === "case.commented" ? renderComment(e.commentId, e.body) : null,
          }))
          .reverse(),
        olderBefore: events.length > 0 && (events[0]?.seq ?? 1) > 1 ? events[0]?.seq : null,
        newerShown: (events.at(-1)?.seq ?? state.eventCount) < state.eventCount,
        alerts: alerts.items.map((a) => ({ ...a, reviewed: state.alerts[a.id]?.reviewed ?? false })),
        alertTotal: alerts.total,
        audit,
      },
      offerForReuse(now + REUSE_MS),
    );
  });
}

function positiveInt(value: string | null): number | null {
  const n = Number(value);
  return value && Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** Form fields → the API's command request, so the workbench and /v1 validate alike. */
const COMMAND_FIELDS = [
  "assignee",
  "severity",
  "priority",
  "resolution",
  "tier",
  "team",
  "reason",
  "body",
  "visibility",
  "alert_id",
  "target_case_id",
] as const;

export interface ActionResult {
  ok: boolean;
  command: string;
  /** Someone else changed the case first: what they did, and the version to retry on. */
  conflict?: { version: number; changes: string[]; fields: Record<string, string> };
  error?: { code: string; message: string; fields: { field: string; message: string }[] };
}

export async function action(args: Route.ActionArgs) {
  const now = Date.now();
  const caseId = args.params.caseId;
  const form = await args.request.formData();
  return withPhoenixErrors(async () => {
    const access = await caseAccess(args, caseId, now);
    const { signedIn, principal, env } = access;
    requireFormCsrf(args.request, signedIn, form);
    // An alert's buttons share one form: the button pressed names the command and the alert.
    const alertCommand = form.get("alert_command");
    const [type = "", alertId] =
      typeof alertCommand === "string" ? alertCommand.split(":", 2) : [String(form.get("type") ?? "")];
    const fields: Record<string, string> = {};
    for (const name of COMMAND_FIELDS) {
      const value = form.get(name);
      if (typeof value === "string" && value.trim() !== "") fields[name] = value;
    }
    if (alertId) fields.alert_id = alertId;
    // "Assign to me" names the person acting, whoever they are.
    if (type === "assign" && fields.assignee === "me") fields.assignee = principal.id;
    const parsed = caseCommandRequestSchema.safeParse({ type, ...fields });
    if (!parsed.success) {
      const errors = fieldErrorsFromIssues(parsed.error.issues, "");
      return {
        ok: false,
        command: type,
        error: { code: "validation_failed", message: "Some fields need attention.", fields: errors },
      } satisfies ActionResult;
    }
    const expectedVersion = Number(form.get("version"));
    const key = form.get("idempotency_key");
    try {
      await commandAsPerson(
        access,
        caseId,
        parsed.data,
        expectedVersion,
        typeof key === "string" && key ? key : undefined,
        now,
      );
      return { ok: true, command: type } satisfies ActionResult;
    } catch (error) {
      const refusal = commandRefusal(error);
      if (!refusal) throw error;
      if (refusal.kind === "changed") {
        // What happened since the version the person saw: the newest events cover it in practice.
        const latest = await caseGateway(env).page(principal.tenant.id, caseId, null, CONFLICT_EVENTS);
        const changes = latest.events
          .filter((e) => e.version > expectedVersion)
          .map((e) => describeEvent(e, {}));
        return {
          ok: false,
          command: type,
          conflict: { version: latest.snapshot.version, changes, fields: { type, ...fields } },
        } satisfies ActionResult;
      }
      return {
        ok: false,
        command: type,
        error:
          refusal.kind === "not_allowed"
            ? { code: refusal.code, message: refusal.message, fields: refusal.errors }
            : { code: "not_found", message: refusal.message, fields: [] },
      } satisfies ActionResult;
    }
  });
}

type CaseData = Route.ComponentProps["loaderData"];

export default function CasePage({ loaderData: c }: Route.ComponentProps) {
  const now = useNow(c.now);
  const result = useActionData<ActionResult>();
  const commentBox = useRef<HTMLTextAreaElement>(null);
  const escalate = useRef<HTMLDetailsElement>(null);
  const assignMe = useRef<HTMLButtonElement>(null);
  const [kind, setKind] = useState<"all" | "comments" | "changes" | "sla" | "alerts">("all");
  // Someone else's change (or an SLA timer) arrives over the tenant's socket: the page re-reads the
  // case in place, keeping scroll, focus and whatever is being typed.
  const revalidator = useRevalidator();
  const live = useLiveChanges([c.tenant.id], (change) => {
    if (change.caseId === c.id && change.version > c.version) revalidator.revalidate();
  });
  useShortcuts({
    comment: (event) => {
      event.preventDefault();
      commentBox.current?.focus();
    },
    assignMe: () => assignMe.current?.click(),
    escalate: () => {
      if (!escalate.current) return;
      escalate.current.open = true;
      escalate.current.querySelector<HTMLElement>("select,input,textarea")?.focus();
    },
  });
  const allowed = new Set(c.allowed);
  const timeline = c.timeline.filter((t) => kind === "all" || t.kind === kind);
  return (
    <article aria-labelledby="case-title" className="grid gap-5 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <div className="min-w-0">
        <nav aria-label="Breadcrumb" className="text-[13px] text-muted">
          <Link to="/" className="hover:text-ink">
            Queue
          </Link>
          <span aria-hidden> / </span>
          <Link to={`/?tenant=${c.tenant.id}`} className="hover:text-ink">
            {c.tenant.name}
          </Link>
          <span aria-hidden> / </span>
          <span className="font-mono">{c.id}</span>
        </nav>
        <header className="mt-2">
          <h1 id="case-title" className="text-xl font-semibold tracking-tight">
            {c.title}
          </h1>
          <div className="mt-2 flex flex-wrap items-center gap-2 text-[13px]">
            <StateBadge state={c.status} />
            <SeverityBadge severity={c.severity} />
            <PriorityBadge priority={c.priority} />
            <span className="text-muted">
              Assignee:{" "}
              <span className="text-ink">
                {c.assignee ? (c.names[c.assignee] ?? c.assignee) : "Unassigned"}
              </span>
            </span>
            <span className="text-muted">· {c.tenant.name}</span>
            <span className="text-muted">· {c.queue === "lead" ? "Lead queue" : "Triage queue"}</span>
            <span className="text-muted" title={exactTime(c.openedAt)}>
              · opened {relativeTime(c.openedAt, now)}
            </span>
            <span className={`ml-auto text-[12px] ${live === "live" ? "text-ok" : "text-muted"}`}>
              <span aria-hidden>{live === "live" ? "● " : "○ "}</span>
              <span data-live>{liveLabel(live)}</span>
            </span>
          </div>
          <SlaClocks clocks={c.clocks} now={now} />
        </header>
        <Outcome result={result} c={c} />
        {c.customer ? (
          <p className="mt-4 rounded-md border border-line bg-surface px-3 py-2 text-sm text-muted">
            You can follow this case; changes are made by the SOC team.
          </p>
        ) : (
          <Actions c={c} allowed={allowed} assignMe={assignMe} escalate={escalate} />
        )}
        {c.description && (
          <section
            aria-label="Description"
            className="mt-4 whitespace-pre-wrap rounded-lg border border-line bg-surface p-4"
          >
            {c.description}
          </section>
        )}
        {allowed.has("comment") && <CommentForm c={c} box={commentBox} />}
        <section aria-labelledby="timeline-title" className="mt-6">
          <div className="flex flex-wrap items-center gap-3">
            <h2 id="timeline-title" className="text-base font-semibold">
              Timeline
            </h2>
            <fieldset className="flex gap-1 text-[12px]">
              <legend className="sr-only">Show</legend>
              {(["all", "comments", "changes", "sla", "alerts"] as const).map((k) => (
                <button
                  key={k}
                  type="button"
                  aria-pressed={kind === k}
                  onClick={() => setKind(k)}
                  className="rounded-full border border-line px-2 py-0.5 aria-pressed:border-accent aria-pressed:text-accent"
                >
                  {k === "sla" ? "SLA" : k.charAt(0).toUpperCase() + k.slice(1)}
                </button>
              ))}
            </fieldset>
          </div>
          <ol className="mt-3 space-y-2" aria-label="Events, newest first">
            {timeline.map((t) => (
              <li key={t.seq} className="rounded-lg border border-line bg-surface px-3 py-2">
                <div className="flex flex-wrap items-baseline gap-2 text-[13px]">
                  <span className="font-medium">{t.actor}</span>
                  <span className="text-muted">{t.text}</span>
                  {t.visibility && (
                    <span
                      className={`rounded px-1.5 text-[11px] ${t.visibility === "customer" ? "bg-info-soft text-info" : "bg-raised text-muted"}`}
                    >
                      {t.visibility === "customer" ? "Customer-visible" : "Internal"}
                    </span>
                  )}
                  <time
                    className="ml-auto text-[12px] text-faint"
                    dateTime={new Date(t.at).toISOString()}
                    title={exactTime(t.at)}
                  >
                    {relativeTime(t.at, now)}
                  </time>
                </div>
                {t.html !== null && (
                  <div
                    className="prose-comment mt-1 text-[14px]"
                    // Rendered on the server by micromark, which never passes raw HTML through.
                    // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised Markdown (app/markdown.server.ts)
                    dangerouslySetInnerHTML={{ __html: t.html }}
                  />
                )}
                {t.details && t.details.length > 0 && (
                  <ul className="mt-1 list-disc pl-5 text-[13px]">
                    {t.details.map((line) => (
                      <li key={line}>{line}</li>
                    ))}
                  </ul>
                )}
                {t.reason && <p className="mt-1 text-[13px] text-muted">Reason: {t.reason}</p>}
              </li>
            ))}
          </ol>
          {(c.olderBefore !== null || c.newerShown) && (
            <nav aria-label="Timeline pages" className="mt-3 flex gap-4 text-[13px]">
              {c.newerShown && (
                <Link to="." className="text-accent hover:underline">
                  ← Newest events
                </Link>
              )}
              {c.olderBefore !== null && (
                <Link to={`?before=${c.olderBefore}`} className="text-accent hover:underline">
                  Older events →
                </Link>
              )}
            </nav>
          )}
        </section>
      </div>
      <aside className="space-y-4" aria-label="Case details">
        <Details c={c} />
        <LinkedAlerts c={c} />
        <EnrichmentPanel caseId={c.id} version={c.version} />
        <section aria-labelledby="audit-title" className="rounded-lg border border-line bg-surface p-4">
          <h2 id="audit-title" className="text-sm font-semibold">
            Audit
          </h2>
          {c.audit.ok ? (
            <p className="mt-1 text-[13px] text-ok">
              ✓ Chain verified: {c.audit.length} records, head{" "}
              <span className="font-mono">{c.audit.head.slice(0, 12)}</span>
            </p>
          ) : (
            <p className="mt-1 text-[13px] text-bad">
              ✗ Chain broken at record {c.audit.brokenAt}: {c.audit.reason}
            </p>
          )}
        </section>
      </aside>
    </article>
  );
}

function SlaClocks({ clocks, now }: { clocks: CaseData["clocks"]; now: number }) {
  return (
    <ul aria-label="SLA clocks" className="mt-3 flex flex-wrap gap-2">
      {clocks.map((clock) => (
        <li key={clock.name} className="rounded-md border border-line bg-surface px-2 py-1 text-[13px]">
          {clock.metAt !== null ? (
            <span className="text-ok" title={CLOCK_NAME[clock.name]}>
              ✓ {CLOCK_LABEL[clock.name]} met {relativeTime(clock.metAt, now)}
            </span>
          ) : clock.pausedAt !== null ? (
            <span className="text-muted" title={CLOCK_NAME[clock.name]}>
              ⏸ {CLOCK_LABEL[clock.name]} paused
            </span>
          ) : (
            <SlaBadge status={clock.status} clock={clock.name} dueAt={clock.dueAt} now={now} />
          )}
        </li>
      ))}
    </ul>
  );
}

/** A change to one of the case's graded fields (severity, priority): the new value and a reason. */
function ChangeChoice({
  c,
  type,
  name,
  label,
  choices,
  current,
}: {
  c: CaseData;
  type: string;
  name: string;
  label: string;
  choices: readonly string[];
  current: string;
}) {
  return (
    <WithFields c={c} type={type} label={label}>
      <select name={name} className={field} defaultValue={current} aria-label={label}>
        {choices.map((choice) => (
          <option key={choice} value={choice}>
            {choice}
          </option>
        ))}
      </select>
      <Reason />
    </WithFields>
  );
}

/** The case to merge into, found by title or id among the same tenant's cases as one types. */
function MergeTarget({ c }: { c: CaseData }) {
  const search = useFetcher<{ hits: SearchHit[] }>();
  const hits = (search.data?.hits ?? []).filter((h) => h.caseId !== c.id);
  return (
    <label className="flex flex-col gap-1 text-[12px] text-muted">
      Into case (title or id)
      <input
        name="target_case_id"
        required
        list="merge-targets"
        autoComplete="off"
        placeholder="Type a title, pick a case"
        className={`${field} font-mono`}
        onChange={(event) => {
          const q = event.currentTarget.value.trim();
          if (q.length >= 2) search.load(`/search?tenant=${c.tenant.id}&q=${encodeURIComponent(q)}`);
        }}
      />
      <datalist id="merge-targets">
        {hits.map((h) => (
          <option key={h.caseId} value={h.caseId}>
            {`${h.title} (${h.state})`}
          </option>
        ))}
      </datalist>
    </label>
  );
}

function Hidden({ c, type }: { c: CaseData; type: string }) {
  const shell = useShell();
  return (
    <>
      <input type="hidden" name="csrf" value={shell.me?.csrfToken ?? ""} />
      <input type="hidden" name="version" value={c.version} />
      <input type="hidden" name="type" value={type} />
    </>
  );
}

const button =
  "rounded-md border border-line bg-surface px-2.5 py-1 text-[13px] font-medium hover:border-accent disabled:opacity-50";
const primary =
  "rounded-md bg-accent px-2.5 py-1 text-[13px] font-medium text-accent-ink hover:opacity-90 disabled:opacity-50";
const field = "rounded-md border border-line bg-surface px-2 py-1 text-[13px]";

/** A command with no arguments: one button in its own form. */
function Simple({ c, type, label, main }: { c: CaseData; type: string; label: string; main?: boolean }) {
  const busy = useNavigation().state !== "idle";
  return (
    <Form method="post">
      <Hidden c={c} type={type} />
      <button type="submit" className={main ? primary : button} disabled={busy}>
        {label}
      </button>
    </Form>
  );
}

/**
 * A source closed its own record of this case's matter. Phoenix never closes on that alone: the
 * analyst sees it, with the resolution it points to one click away when the case can be resolved.
 */
function SourceClosedSuggestion({ c, canResolve }: { c: CaseData; canResolve: boolean }) {
  const closed = c.sourceClosed;
  const busy = useNavigation().state !== "idle";
  if (!closed) return null;
  const resolution = suggestedResolution(closed.closedAs);
  return (
    <section
      aria-label="Source suggestion"
      className="mt-4 flex flex-wrap items-center gap-3 rounded-md border border-warn/40 bg-warn-soft px-3 py-2 text-[13px] text-ink"
    >
      <p className="min-w-0 flex-1">
        <strong className="font-semibold">
          {closed.source} closed the incident as {closed.closedAs}
        </strong>{" "}
        <span className="text-muted">
          · {exactTime(closed.at)} · alert <span className="font-mono">{closed.alertId}</span>. Phoenix keeps
          the case open until someone here resolves it.
        </span>
      </p>
      {canResolve && resolution && (
        <Form method="post">
          <Hidden c={c} type="resolve" />
          <input type="hidden" name="resolution" value={resolution} />
          <input
            type="hidden"
            name="reason"
            value={`${closed.source} closed the incident as ${closed.closedAs}`}
          />
          <button type="submit" className={button} disabled={busy}>
            Resolve as {resolution.replaceAll("_", " ")}
          </button>
        </Form>
      )}
      {!canResolve && c.status === "new" && (
        <span className="text-muted">Acknowledge it first to resolve it.</span>
      )}
    </section>
  );
}

/** A command that needs more (a reason, a resolution, a tier): a disclosure with its form. */
function WithFields({
  c,
  type,
  label,
  children,
  detailsRef,
}: {
  c: CaseData;
  type: string;
  label: string;
  children: React.ReactNode;
  detailsRef?: React.Ref<HTMLDetailsElement>;
}) {
  return (
    <details ref={detailsRef} className="group relative">
      <summary className={`${button} cursor-pointer list-none`}>{label} ▾</summary>
      <Form
        method="post"
        className="absolute left-0 z-20 mt-1 flex w-72 flex-col gap-2 rounded-lg border border-line bg-surface p-3 shadow-lg"
      >
        <Hidden c={c} type={type} />
        {children}
        <button type="submit" className={primary}>
          {label}
        </button>
      </Form>
    </details>
  );
}

function Reason({ required }: { required?: boolean }) {
  return (
    <label className="flex flex-col gap-1 text-[12px] text-muted">
      Reason{required ? "" : " (optional)"}
      <input name="reason" required={required} className={field} />
    </label>
  );
}

function Actions({
  c,
  allowed,
  assignMe,
  escalate,
}: {
  c: CaseData;
  allowed: Set<string>;
  assignMe: React.Ref<HTMLButtonElement>;
  escalate: React.Ref<HTMLDetailsElement>;
}) {
  return (
    <>
      {c.sourceClosed && <SourceClosedSuggestion c={c} canResolve={allowed.has("resolve")} />}
      {c.heldBack.includes("close") && (
        <p className="mt-4 rounded-md border border-line bg-surface px-3 py-2 text-[13px] text-muted">
          Closing this case is a lead's step: your role ({c.role}) can work it but not close it.
        </p>
      )}
      <div role="toolbar" aria-label="Case actions" className="mt-4 flex flex-wrap items-start gap-2">
        {allowed.has("acknowledge") && <Simple c={c} type="acknowledge" label="Acknowledge" main />}
        {allowed.has("assign") && c.assignee !== c.me && (
          <Form method="post">
            <Hidden c={c} type="assign" />
            <input type="hidden" name="assignee" value="me" />
            <button
              ref={assignMe}
              type="submit"
              className={button}
              aria-keyshortcuts={SHORTCUTS.assignMe.keys}
            >
              Assign to me
            </button>
          </Form>
        )}
        {allowed.has("start") && <Simple c={c} type="start" label="Start" />}
        {allowed.has("contain") && <Simple c={c} type="contain" label="Contain" />}
        {allowed.has("resolve") && (
          <WithFields c={c} type="resolve" label="Resolve">
            <label className="flex flex-col gap-1 text-[12px] text-muted">
              Resolution
              <select name="resolution" required className={field} defaultValue="">
                <option value="" disabled>
                  Choose…
                </option>
                {RESOLUTIONS.map((r) => (
                  <option key={r} value={r}>
                    {r.replaceAll("_", " ")}
                  </option>
                ))}
              </select>
            </label>
            <Reason />
          </WithFields>
        )}
        {allowed.has("close") && <Simple c={c} type="close" label="Close" />}
        {allowed.has("hold") && (
          <WithFields c={c} type="hold" label="Hold">
            <Reason required />
          </WithFields>
        )}
        {allowed.has("resume") && (
          <WithFields c={c} type="resume" label="Resume">
            <Reason required />
          </WithFields>
        )}
        {allowed.has("reopen") && (
          <WithFields c={c} type="reopen" label="Reopen">
            <Reason required />
          </WithFields>
        )}
        {allowed.has("escalate") && (
          <WithFields c={c} type="escalate" label="Escalate" detailsRef={escalate}>
            <label className="flex flex-col gap-1 text-[12px] text-muted">
              Tier
              <select name="tier" className={field} defaultValue="">
                <option value="">Keep the tier</option>
                {ESCALATION_TIERS.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </label>
            <label className="flex flex-col gap-1 text-[12px] text-muted">
              Team (optional)
              <input name="team" className={field} />
            </label>
            <Reason required />
          </WithFields>
        )}
        {allowed.has("assign") && (
          <WithFields c={c} type="assign" label="Assign">
            <label className="flex flex-col gap-1 text-[12px] text-muted">
              Person
              <select name="assignee" required className={field} defaultValue="">
                <option value="" disabled>
                  Choose…
                </option>
                {c.people.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.displayName}
                  </option>
                ))}
              </select>
            </label>
          </WithFields>
        )}
        {allowed.has("change_severity") && (
          <ChangeChoice
            c={c}
            type="change_severity"
            name="severity"
            label="Severity"
            choices={CASE_SEVERITIES}
            current={c.severity}
          />
        )}
        {allowed.has("change_priority") && (
          <ChangeChoice
            c={c}
            type="change_priority"
            name="priority"
            label="Priority"
            choices={CASE_PRIORITIES}
            current={c.priority}
          />
        )}
        {allowed.has("merge_into") && (
          <WithFields c={c} type="merge_into" label="Merge">
            <MergeTarget c={c} />
            <Reason />
          </WithFields>
        )}
      </div>
    </>
  );
}

function CommentForm({ c, box }: { c: CaseData; box: React.Ref<HTMLTextAreaElement> }) {
  const navigation = useNavigation();
  const form = useRef<HTMLFormElement>(null);
  const sending = navigation.state !== "idle" && navigation.formData?.get("type") === "comment";
  const wasSending = useRef(false);
  useEffect(() => {
    // Cleared once the comment is in, not before: a failed post keeps what was typed.
    if (wasSending.current && !sending) form.current?.reset();
    wasSending.current = sending;
  }, [sending]);
  return (
    <Form
      ref={form}
      method="post"
      className="mt-5 rounded-lg border border-line bg-surface p-3"
      aria-label="Comment"
    >
      <Hidden c={c} type="comment" />
      <label htmlFor="comment-body" className="text-sm font-medium">
        Comment <span className="font-normal text-muted">(Markdown)</span>
      </label>
      <textarea
        id="comment-body"
        ref={box}
        name="body"
        required
        rows={3}
        aria-keyshortcuts={SHORTCUTS.comment.keys}
        className="mt-1 w-full rounded-md border border-line bg-canvas px-2 py-1.5 text-[14px]"
        placeholder="What did you find? Markdown works: **bold**, `code`, lists, links."
      />
      <div className="mt-2 flex items-center gap-3">
        <label className="flex items-center gap-1.5 text-[13px] text-muted">
          Visible to
          <select name="visibility" className={field} defaultValue="internal">
            <option value="internal">SOC only (internal)</option>
            <option value="customer">The customer too</option>
          </select>
        </label>
        <button type="submit" className={`${primary} ml-auto`} disabled={sending}>
          {sending ? "Commenting…" : "Comment"}
        </button>
      </div>
    </Form>
  );
}

function Outcome({ result, c }: { result: ActionResult | undefined; c: CaseData }) {
  const shell = useShell();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Focus moves to what needs attention after an action that did not go through.
    if (result && !result.ok) ref.current?.focus();
  }, [result]);
  if (!result || result.ok)
    return (
      <p className="sr-only" role="status">
        {result?.ok ? `${result.command} done` : ""}
      </p>
    );
  if (result.conflict) {
    const { conflict } = result;
    return (
      <div
        ref={ref}
        tabIndex={-1}
        role="alert"
        className="mt-4 rounded-lg border border-warn bg-warn-soft p-3 text-[13px]"
      >
        <p className="font-semibold text-warn">Someone else changed this case first.</p>
        <ul className="mt-1 list-disc pl-5">
          {conflict.changes.map((change, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the list is a fixed snapshot
            <li key={i}>{change}</li>
          ))}
        </ul>
        <Form method="post" className="mt-2">
          <input type="hidden" name="csrf" value={shell.me?.csrfToken ?? ""} />
          <input type="hidden" name="version" value={conflict.version} />
          {Object.entries(conflict.fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <button type="submit" className={primary}>
            Retry “{conflict.fields.type?.replaceAll("_", " ")}” on the current case
          </button>
        </Form>
      </div>
    );
  }
  return (
    <div
      ref={ref}
      tabIndex={-1}
      role="alert"
      className="mt-4 rounded-lg border border-bad bg-bad-soft p-3 text-[13px] text-bad"
    >
      <p className="font-semibold">
        Could not {result.command.replaceAll("_", " ")}: {result.error?.message}
      </p>
      {result.error?.fields.map((f) => (
        <p key={f.field}>
          {f.field}: {f.message}
        </p>
      ))}
      <p className="mt-1 text-muted">Version {c.version} is what you see now.</p>
    </div>
  );
}

function Details({ c }: { c: CaseData }) {
  const rows: [string, string][] = [
    ["Tenant", c.tenant.name],
    ["Tier", c.tier],
    ["Team", c.team ?? "—"],
    ["Resolution", c.resolution?.replaceAll("_", " ") ?? "—"],
    ["Merged into", c.mergedInto ?? "—"],
    ["Opened", exactTime(c.openedAt)],
    ["Last change", exactTime(c.updatedAt)],
    ["Version", String(c.version)],
  ];
  return (
    <section aria-labelledby="details-title" className="rounded-lg border border-line bg-surface p-4">
      <h2 id="details-title" className="text-sm font-semibold">
        Details
      </h2>
      <dl className="mt-2 grid grid-cols-[7rem_1fr] gap-y-1 text-[13px]">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-muted">{k}</dt>
            <dd className="truncate">{v}</dd>
          </div>
        ))}
      </dl>
      {c.sinks.length > 0 && <SinkStatus c={c} />}
    </section>
  );
}

/** Per sink: the external record as a link, whether it has caught up, and its last error. */
function SinkStatus({ c }: { c: CaseData }) {
  return (
    <div className="mt-3 border-t border-line pt-3">
      <h3 className="text-[12px] font-semibold uppercase tracking-wide text-muted">Sync</h3>
      <ul aria-label="Sync with sinks" className="mt-1 space-y-1 text-[13px]">
        {c.sinks.map((s) => {
          const current = s.synced_version >= c.version;
          return (
            <li key={s.sink_id}>
              <span className="font-medium">{s.name}</span>{" "}
              {s.external_url ? (
                <a
                  href={s.external_url}
                  className="font-mono text-accent hover:underline"
                  target="_blank"
                  rel="noreferrer"
                >
                  {s.external_id ?? "open"}
                </a>
              ) : null}{" "}
              <span className={current ? "text-ok" : s.last_error ? "text-bad" : "text-muted"}>
                {current
                  ? "· in sync"
                  : s.last_error
                    ? "· failing"
                    : `· syncing (v${s.synced_version} of v${c.version})`}
              </span>
              {s.last_error && !current && (
                <p className="text-[12px] text-bad">
                  {s.last_error}
                  {s.last_error_at ? ` · ${exactTime(s.last_error_at)}` : ""}
                </p>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function LinkedAlerts({ c }: { c: CaseData }) {
  const allowed = new Set(c.allowed);
  const commands = !c.customer && (allowed.has("review_alert") || allowed.has("unlink_alert"));
  return (
    <section aria-labelledby="alerts-title" className="rounded-lg border border-line bg-surface p-4">
      <h2 id="alerts-title" className="text-sm font-semibold">
        Linked alerts <span className="font-normal text-muted">({c.alertTotal})</span>
      </h2>
      {c.alerts.length === 0 ? (
        <p className="mt-1 text-[13px] text-muted">No alerts are linked to this case.</p>
      ) : (
        <>
          {commands && <AlertCommandsForm c={c} />}
          <ul className="mt-2 space-y-2">
            {c.alerts.map((a) => (
              <li key={a.id} className="rounded-md border border-line p-2 text-[13px]">
                <AlertSummary caseId={c.id} a={a} />
                {commands && (
                  <AlertCommands
                    alertId={a.id}
                    review={allowed.has("review_alert") && !a.reviewed}
                    unlink={allowed.has("unlink_alert")}
                  />
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {c.alertTotal > c.alerts.length && (
        <Link to="?alerts=all" className="mt-2 inline-block text-[13px] text-accent hover:underline">
          Show all {c.alertTotal} alerts
        </Link>
      )}
    </section>
  );
}

/** One alert's key fields; expanding it fetches the full finding and raw payload on demand. */
function AlertSummary({ caseId, a }: { caseId: string; a: CaseData["alerts"][number] }) {
  const details = useFetcher<AlertDetails>();
  const href = `/cases/${caseId}/alerts/${a.id}`;
  const facts = [
    ocsfSeverityLabel(a.severityId),
    a.productName ?? "unknown product",
    exactTime(a.time),
    a.deviceName && `device ${a.deviceName}`,
    a.userName && `user ${a.userName}`,
    a.observableCount > 0 && `${a.observableCount} observable${a.observableCount === 1 ? "" : "s"}`,
    a.occurrenceCount > 1 && `seen ${a.occurrenceCount}×`,
  ].filter(Boolean);
  return (
    <details
      onToggle={(event) => {
        if (event.currentTarget.open && details.state === "idle" && !details.data) details.load(href);
      }}
    >
      <summary className="cursor-pointer">
        <span className="font-medium">{a.title}</span>
        {a.reviewed && <span className="ml-1.5 rounded bg-ok-soft px-1 text-[11px] text-ok">reviewed</span>}
        <span className="block text-[12px] text-muted">{facts.join(" · ")}</span>
        {a.techniques.length > 0 && (
          <span className="mt-1 flex flex-wrap gap-1">
            {a.techniques.map((t) => (
              <span key={t} className="rounded bg-raised px-1.5 font-mono text-[11px] text-muted">
                {t}
              </span>
            ))}
          </span>
        )}
      </summary>
      <div aria-live="polite">
        {details.data ? (
          <AlertPayloads alert={details.data} />
        ) : (
          <p className="mt-2 text-[12px] text-muted">
            {details.state === "loading" ? "Loading the finding…" : ""}{" "}
            <Link to={href} className="text-accent hover:underline">
              Open the full finding and raw payload
            </Link>
          </p>
        )}
      </div>
    </details>
  );
}

const ALERT_COMMANDS_FORM = "alert-commands";

/**
 * One form for every alert's review and unlink buttons (they join it with `form=`): the case's
 * version and the CSRF token are written once, not once per alert.
 */
function AlertCommandsForm({ c }: { c: CaseData }) {
  const shell = useShell();
  return (
    <Form method="post" id={ALERT_COMMANDS_FORM} hidden>
      <input type="hidden" name="csrf" value={shell.me?.csrfToken ?? ""} />
      <input type="hidden" name="version" value={c.version} />
    </Form>
  );
}

/** The button pressed names the command and its alert ("review_alert:<alert id>"). */
function AlertCommands({ alertId, review, unlink }: { alertId: string; review: boolean; unlink: boolean }) {
  const offered = [
    { command: "review_alert", label: "Mark reviewed", shown: review },
    { command: "unlink_alert", label: "Unlink", shown: unlink },
  ].filter((b) => b.shown);
  return (
    <div className="mt-1.5 flex gap-1.5">
      {offered.map((b) => (
        <button
          key={b.command}
          type="submit"
          form={ALERT_COMMANDS_FORM}
          name="alert_command"
          value={`${b.command}:${alertId}`}
          className="btn-xs"
        >
          {b.label}
        </button>
      ))}
    </div>
  );
}

/** Who acted, when they are not a person with a name: Phoenix itself, or an API client by its subject. */
function actorLabel(actor: { kind: string; id: string }): string {
  if (actor.kind === "system") return "Phoenix";
  // Machine clients are issuer-qualified ("issuer|subject"); the subject is what people recognise.
  if (actor.kind === "client") return `API client ${actor.id.slice(actor.id.lastIndexOf("|") + 1)}`;
  if (actor.kind === "jira") return `Jira user ${actor.id}`;
  return actor.id;
}

function kindOf(event: CaseEvent): "comments" | "changes" | "sla" | "alerts" {
  if (event.type === "case.commented") return "comments";
  if (event.type.startsWith("sla.")) return "sla";
  if (event.type.startsWith("case.alert")) return "alerts";
  return "changes";
}

/** One line per event, in the words an analyst would use. */
function describeEvent(event: CaseEvent, names: Record<string, string>): string {
  const who = (id: string | null) => (id ? (names[id] ?? id) : "nobody");
  switch (event.type) {
    case "case.opened":
      return `opened the case (${event.severity}, ${event.priority})${event.alertIds.length > 0 ? ` with ${event.alertIds.length} alert${event.alertIds.length === 1 ? "" : "s"}` : ""}`;
    case "case.assigned":
      return `assigned it to ${who(event.assignee)}`;
    case "case.unassigned":
      return `unassigned ${who(event.previous)}`;
    case "case.severity_changed":
      return `changed severity from ${event.from} to ${event.to}`;
    case "case.priority_changed":
      return `changed priority from ${event.from} to ${event.to}`;
    case "case.escalated":
      return `escalated${event.tier ? ` to ${event.tier}` : ""}${event.team ? `, team ${event.team}` : ""}${event.auto ? " (automatically)" : ""}`;
    case "case.commented":
      return "commented";
    case "case.alert_linked":
      return `linked alert ${event.alertId}`;
    case "case.alert_unlinked":
      return `unlinked alert ${event.alertId}`;
    case "case.alert_reviewed":
      return `reviewed alert ${event.alertId}`;
    case "case.merged":
      return `merged it into ${event.into}`;
    case "case.resolved":
      return `resolved it as ${event.resolution.replaceAll("_", " ")}`;
    case "case.source_updated":
      return event.closedAs !== null
        ? `closed the incident as ${event.closedAs}`
        : `changed what it reported on alert ${event.alertId}`;
    case "sla.warning":
      return `${CLOCK_NAME[event.clock] ?? event.clock} is close to its deadline`;
    case "sla.breached":
      return `${CLOCK_NAME[event.clock] ?? event.clock} breached its deadline`;
    case "sla.met":
      return `${CLOCK_NAME[event.clock] ?? event.clock} met in ${shortDuration(event.elapsedMs)}`;
    default:
      return `${event.type.replace("case.", "").replaceAll("_", " ")} (${event.from.replaceAll("_", " ")} → ${event.to.replaceAll("_", " ")})`;
  }
}
