// `/dashboard`: how the SOC is doing, for everyone whose grant allows reports (a customer viewer sees
// their own tenant). Every figure is one of /v1/reports' (domain/reports/dashboard.ts), drawn on the
// server as SVG, with a table beside each chart. Period, tenant and severity live in the URL.
import { data, Form, Link, useSubmit } from "react-router";
import { requirePermission } from "../../domain/auth/principal.ts";
import { CASE_SEVERITIES } from "../../domain/case-vocabulary.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { bucketsBetween } from "../../domain/reports/buckets.ts";
import {
  DASHBOARD_PERIODS,
  type DashboardPeriod,
  type DashboardTenant,
  dashboardFigures,
} from "../../domain/reports/dashboard.ts";
import { AGE_BANDS } from "../../domain/reports/open-cases.ts";
import { SLA_CLOCKS } from "../../domain/sla/types.ts";
import { tenantDatabase } from "../../domain/tenancy.ts";
import { SeverityBadge, StateBadge, stateLabel } from "../case-badges.tsx";
import { countBarsSvg, lineChartSvg, shareBarsSvg } from "../charts.server.tsx";
import { exactTime, relativeTime, shortDuration, useNow } from "../clock.tsx";
import { liveLabel, useLiveRefresh } from "../live.ts";
import { offerForReuse, passReuseOffer } from "../render-reuse.ts";
import { envOf, principalIn, requireSignedIn, withPhoenixErrors } from "../workbench.server.ts";
import type { Route } from "./+types/dashboard";

export const meta: Route.MetaFunction = () => [{ title: "Dashboard · Phoenix" }];

// A dashboard left open is re-read by every lead whenever a case changes, and reloaded in between.
const REUSE_FOR_MS = 15_000;
export const headers: Route.HeadersFunction = passReuseOffer;

const CLOCK_TITLE: Record<string, string> = {
  acknowledge: "Time to acknowledge",
  contain: "Time to contain",
  resolve: "Time to resolve",
};
const SEVERITIES_DOWN = [...CASE_SEVERITIES].reverse();

function choice<T extends string>(
  value: string | null,
  choices: readonly T[],
  fallback: T,
  field: string,
): T {
  if (value === null || value === "") return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new PhoenixError("validation_failed", `${field} must be one of ${choices.join(", ")}`, [
    { field, message: `must be one of ${choices.join(", ")}` },
  ]);
}

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  return withPhoenixErrors(async () => {
    const signedIn = await requireSignedIn(args, now);
    const env = envOf(args);
    const url = new URL(args.request.url);
    const period = choice(
      url.searchParams.get("period"),
      Object.keys(DASHBOARD_PERIODS) as DashboardPeriod[],
      "30d",
      "period",
    );
    const severity = choice(url.searchParams.get("severity"), CASE_SEVERITIES, "high", "severity");
    const requested = url.searchParams.get("tenant") || null;

    // The tenants whose grant allows reports; a named tenant without one does not exist (404).
    const offered: DashboardTenant[] = [];
    for (const grant of signedIn.grants) {
      const principal = principalIn(signedIn, grant.tenantId);
      if (!principal.operations.has("reports.read")) continue;
      offered.push({ id: grant.tenantId, name: grant.tenantName, db: tenantDatabase(env, principal.tenant) });
    }
    if (requested !== null) requirePermission(principalIn(signedIn, requested), "reports.read");
    const shown = requested === null ? offered : offered.filter((t) => t.id === requested);
    if (shown.length === 0) throw new PhoenixError("forbidden", "none of your grants allows reports");

    const figures = await dashboardFigures(env.CONTROL_DB, shown, period, now, severity);
    const weeks = bucketsBetween("week", figures.period.from, figures.period.to);
    const volumeBuckets = bucketsBetween(figures.volumeGrain, figures.period.from, figures.period.to);

    const slaBars = figures.slaBySeverity.map((b) => ({
      label: `${b.tenantName} · ${b.severity}`,
      values: { met: b.met, warned: b.warned, breached: b.breached },
    }));
    const mttxCharts = SLA_CLOCKS.map((clock) => {
      const rows = figures.mttx.filter((r) => r.clock === clock);
      const at = (week: number) => rows.find((r) => r.bucket === week);
      return {
        clock,
        svg: lineChartSvg(
          `${CLOCK_TITLE[clock]}, ${severity} cases, mean per week`,
          [
            {
              label: "business time",
              tone: "accent",
              points: weeks.map((w) => ({ at: w, value: at(w)?.business.mean_ms ?? null })),
            },
            {
              label: "wall time",
              tone: "info",
              dashed: true,
              points: weeks.map((w) => ({ at: w, value: at(w)?.wall.mean_ms ?? null })),
            },
          ],
          shortDuration,
          { width: 420, height: 200, atLeast: 60_000 },
        ),
        rows,
      };
    });
    const volumeAt = (b: number) => figures.volume.find((v) => v.bucket === b);
    // Served again while no case of the shown tenants changes, for at most REUSE_FOR_MS (figures
    // moved by the clock or by alerts outside cases are that far behind) and never past midnight.
    const freshUntil = Math.min(now + REUSE_FOR_MS, figures.period.to);
    return data(
      {
        now,
        period,
        severity,
        tenant: requested,
        from: figures.period.from,
        to: figures.period.to,
        volumeGrain: figures.volumeGrain,
        tenants: offered.map((t) => ({ id: t.id, name: t.name })),
        shownTenantIds: shown.map((t) => t.id),
        sla: figures.sla,
        slaBySeverity: figures.slaBySeverity,
        slaSvg: shareBarsSvg(
          "SLA commitments by tenant and severity: met, met after a warning, breached",
          slaBars,
          [
            { key: "met", label: "met", tone: "ok" },
            { key: "warned", label: "met after a warning", tone: "warn" },
            { key: "breached", label: "breached", tone: "bad" },
          ],
        ),
        mttx: mttxCharts,
        volume: volumeBuckets.map((b) => {
          const v = volumeAt(b);
          return {
            bucket: b,
            deliveries: v?.deliveries ?? 0,
            alerts: v?.alerts ?? 0,
            duplicates: v?.duplicates ?? 0,
            grouped: v?.grouped ?? 0,
            cases: v?.cases ?? 0,
            noiseReduction: v?.noise_reduction ?? null,
          };
        }),
        volumeSvg: lineChartSvg(
          `Alert volume per ${figures.volumeGrain}: raw deliveries, after de-duplication, cases opened`,
          [
            {
              label: "raw deliveries",
              tone: "muted",
              points: volumeBuckets.map((b) => ({ at: b, value: volumeAt(b)?.deliveries ?? 0 })),
            },
            {
              label: "after de-duplication",
              tone: "info",
              points: volumeBuckets.map((b) => ({ at: b, value: volumeAt(b)?.alerts ?? 0 })),
            },
            {
              label: "cases opened",
              tone: "accent",
              points: volumeBuckets.map((b) => ({ at: b, value: volumeAt(b)?.cases ?? 0 })),
            },
          ],
          (n) => String(Math.round(n)),
          { width: 1200, height: 260, atLeast: 10 },
        ),
        sources: figures.sources,
        outcomes: figures.outcomes,
        open: figures.open,
        openStateSvg: countBarsSvg(
          "Open cases by state",
          figures.open.byState.map((s) => ({ label: stateLabel(s.state), count: s.count })),
          "info",
        ),
        openAgeSvg: countBarsSvg(
          "Open cases by age",
          figures.open.byAge.map((a) => ({
            label: AGE_BANDS.find((b) => b.key === a.band)?.label ?? a.band,
            count: a.count,
          })),
          "warn",
        ),
        breaches: figures.breaches,
      },
      offerForReuse(freshUntil),
    );
  });
}

type DashboardData = Route.ComponentProps["loaderData"];

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const PERIOD_LABEL: Record<DashboardPeriod, string> = {
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  "90d": "Last 90 days",
  "365d": "Last 365 days",
};

export default function Dashboard({ loaderData: d }: Route.ComponentProps) {
  const now = useNow(d.now);
  const live = useLiveRefresh(d.shownTenantIds, 5_000);
  return (
    <div className="space-y-5">
      <header className="flex flex-wrap items-end gap-4">
        <div>
          <h1 className="text-xl font-semibold tracking-tight">Dashboard</h1>
          <p className="text-[13px] text-muted">
            {day(d.from)} to {day(d.to - 1)} (UTC),{" "}
            {d.tenant ? d.tenants.find((t) => t.id === d.tenant)?.name : `${d.tenants.length} tenants`}
          </p>
        </div>
        <Filters d={d} />
        <p className="ml-auto text-[12px] text-muted" aria-live="polite">
          <span aria-hidden>{live === "live" ? "● " : "○ "}</span>
          {liveLabel(live)}
        </p>
      </header>

      <div className="grid gap-5 xl:grid-cols-2">
        <Panel
          id="sla"
          title="SLA compliance"
          note="Each case's acknowledge, contain and resolve commitments that ended in the period."
        >
          <Chart svg={d.slaSvg} />
          <Legend
            items={[
              ["ok", "met"],
              ["warn", "met after a warning"],
              ["bad", "breached"],
            ]}
          />
          <SlaTable d={d} />
        </Panel>

        <Panel
          id="breaches"
          title="Breaches in the last 24 hours"
          note="Cases whose first SLA breach fell in the last day, newest first."
        >
          {d.breaches.length === 0 ? (
            <p className="text-[13px] text-muted">No case breached its SLA in the last 24 hours.</p>
          ) : (
            <ul className="divide-y divide-line">
              {d.breaches.map((b) => (
                <li key={b.caseId} className="flex flex-wrap items-center gap-2 py-2 text-[13px]">
                  <SeverityBadge severity={b.severity} />
                  <Link to={`/cases/${b.caseId}`} className="font-medium hover:underline">
                    {b.title}
                  </Link>
                  <span className="text-muted">{b.tenantName}</span>
                  <StateBadge state={b.state} />
                  <time
                    className="ml-auto text-[12px] text-muted"
                    dateTime={new Date(b.breachedAt).toISOString()}
                    title={exactTime(b.breachedAt)}
                  >
                    breached {relativeTime(b.breachedAt, now)}
                  </time>
                </li>
              ))}
            </ul>
          )}
        </Panel>
      </div>

      <Panel
        id="mttx"
        title={`Mean time to acknowledge, contain and resolve: ${d.severity} cases, per week`}
        note="Business time (solid) counts the tenant's working hours only; wall time (dashed) counts every hour."
      >
        <div className="grid gap-4 lg:grid-cols-3">
          {d.mttx.map((m) => (
            <figure key={m.clock}>
              <figcaption className="text-[13px] font-medium">{CLOCK_TITLE[m.clock]}</figcaption>
              <Chart svg={m.svg} />
            </figure>
          ))}
        </div>
        <Legend
          items={[
            ["accent", "business time"],
            ["info", "wall time"],
          ]}
        />
        <MttxTable d={d} />
      </Panel>

      <Panel
        id="volume"
        title="Alert volume and noise reduction"
        note="Raw deliveries from every source, what de-duplication left, and the cases they became."
      >
        <Chart svg={d.volumeSvg} />
        <Legend
          items={[
            ["muted", "raw deliveries"],
            ["info", "after de-duplication"],
            ["accent", "cases opened"],
          ]}
        />
        <VolumeTables d={d} />
      </Panel>

      <div className="grid gap-5 xl:grid-cols-2">
        <Panel
          id="open"
          title={`Open cases now: ${d.open.total}`}
          note="Every case not yet closed, across the tenants shown."
        >
          <div className="grid gap-4 md:grid-cols-2">
            <figure>
              <figcaption className="text-[13px] font-medium">By state</figcaption>
              <Chart svg={d.openStateSvg} />
            </figure>
            <figure>
              <figcaption className="text-[13px] font-medium">By age</figcaption>
              <Chart svg={d.openAgeSvg} />
            </figure>
          </div>
          <div className="mt-2 grid gap-4 md:grid-cols-2">
            <table className="dash-table">
              <caption className="sr-only">Open cases by state</caption>
              <tbody>
                {d.open.byState.map((s) => (
                  <tr key={s.state}>
                    <th scope="row">{stateLabel(s.state)}</th>
                    <td>{s.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table className="dash-table">
              <caption className="sr-only">Open cases by age</caption>
              <tbody>
                {d.open.byAge.map((a) => (
                  <tr key={a.band}>
                    <th scope="row">Open {AGE_BANDS.find((b) => b.key === a.band)?.label}</th>
                    <td>{a.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Panel>

        <Panel
          id="outcomes"
          title="Outcomes"
          note="Cases resolved in the period, and where cases were escalated."
        >
          <table className="dash-table">
            <caption className="sr-only">Resolutions</caption>
            <thead>
              <tr>
                <th scope="col">Resolution</th>
                <th scope="col">Cases</th>
                <th scope="col">Escalated</th>
              </tr>
            </thead>
            <tbody>
              {d.outcomes.resolutions.length === 0 && (
                <tr>
                  <td colSpan={3} className="text-muted">
                    No case was resolved in the period.
                  </td>
                </tr>
              )}
              {d.outcomes.resolutions.map((r) => (
                <tr key={r.resolution}>
                  <th scope="row">{r.resolution.replaceAll("_", " ")}</th>
                  <td>{r.total}</td>
                  <td>{r.escalated}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {d.outcomes.escalations.length > 0 && (
            <table className="dash-table mt-3">
              <caption className="sr-only">Escalations</caption>
              <thead>
                <tr>
                  <th scope="col">Escalated to</th>
                  <th scope="col">By rule</th>
                  <th scope="col">By hand</th>
                </tr>
              </thead>
              <tbody>
                {d.outcomes.escalations.map((e) => (
                  <tr key={e.to}>
                    <th scope="row">{e.to}</th>
                    <td>{e.auto}</td>
                    <td>{e.manual}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
      </div>
    </div>
  );
}

/** The filters as a plain GET form (so they work without JavaScript), applied on change with it. */
function Filters({ d }: { d: DashboardData }) {
  const submit = useSubmit();
  const select = "rounded-md border border-line bg-surface px-2 py-1 text-[13px]";
  return (
    <Form method="get" className="flex flex-wrap items-end gap-2" onChange={(e) => submit(e.currentTarget)}>
      <label className="text-[12px] text-muted">
        Period
        <select name="period" defaultValue={d.period} className={`${select} ml-1`}>
          {(Object.keys(PERIOD_LABEL) as DashboardPeriod[]).map((p) => (
            <option key={p} value={p}>
              {PERIOD_LABEL[p]}
            </option>
          ))}
        </select>
      </label>
      <label className="text-[12px] text-muted">
        Tenant
        <select name="tenant" defaultValue={d.tenant ?? ""} className={`${select} ml-1`}>
          {d.tenants.length > 1 && <option value="">All tenants</option>}
          {d.tenants.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <label className="text-[12px] text-muted">
        Severity (times)
        <select name="severity" defaultValue={d.severity} className={`${select} ml-1`}>
          {SEVERITIES_DOWN.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <noscript>
        <button type="submit" className="rounded-md border border-line px-2 py-1 text-[13px]">
          Apply
        </button>
      </noscript>
    </Form>
  );
}

function Panel({
  id,
  title,
  note,
  children,
}: {
  id: string;
  title: string;
  note: string;
  children: React.ReactNode;
}) {
  return (
    <section aria-labelledby={`${id}-title`} className="rounded-lg border border-line bg-surface p-4">
      <h2 id={`${id}-title`} className="text-base font-semibold">
        {title}
      </h2>
      <p className="mb-3 text-[12px] text-muted">{note}</p>
      {children}
    </section>
  );
}

// The markup is drawn by app/charts.server.tsx from the loader's figures; no user text is unescaped.
function Chart({ svg }: { svg: string }) {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: SVG rendered on the server by React, labels escaped
  return <div className="text-muted" dangerouslySetInnerHTML={{ __html: svg }} />;
}

// Whole class names, so Tailwind finds them in this file.
const SWATCH: Record<string, string> = {
  ok: "bg-ok",
  warn: "bg-warn",
  bad: "bg-bad",
  info: "bg-info",
  accent: "bg-accent",
  muted: "bg-faint",
};

function Legend({ items }: { items: Array<[keyof typeof SWATCH, string]> }) {
  return (
    <ul className="mt-1 flex flex-wrap gap-3 text-[12px] text-muted" aria-label="Legend">
      {items.map(([tone, label]) => (
        <li key={label}>
          <span className={`swatch ${SWATCH[tone]} mr-1`} aria-hidden />
          {label}
        </li>
      ))}
    </ul>
  );
}

/** The chart's rows as a table, then each clock on its own for whoever needs the detail. */
function SlaTable({ d }: { d: DashboardData }) {
  return (
    <>
      <table className="dash-table mt-3">
        <caption className="sr-only">SLA commitments by tenant and severity</caption>
        <thead>
          <tr>
            <th scope="col">Tenant and severity</th>
            <th scope="col">Met</th>
            <th scope="col">After warning</th>
            <th scope="col">Breached</th>
            <th scope="col">Breached share</th>
          </tr>
        </thead>
        <tbody>
          {d.slaBySeverity.length === 0 && (
            <tr>
              <td colSpan={5} className="text-muted">
                No SLA commitment ended in the period.
              </td>
            </tr>
          )}
          {d.slaBySeverity.map((b) => (
            <tr key={`${b.tenantId}-${b.severity}`}>
              <th scope="row">
                {b.tenantName} · {b.severity}
              </th>
              <td>{b.met}</td>
              <td>{b.warned}</td>
              <td className={b.breached > 0 ? "font-semibold text-bad" : ""}>{b.breached}</td>
              <td>{b.breached_pct}%</td>
            </tr>
          ))}
        </tbody>
      </table>
      <details className="mt-2 text-[12px]">
        <summary className="cursor-pointer text-muted">Each clock (acknowledge, contain, resolve)</summary>
        <table className="dash-table mt-1">
          <caption className="sr-only">SLA compliance by tenant, severity and clock</caption>
          <thead>
            <tr>
              <th scope="col">Tenant</th>
              <th scope="col">Severity</th>
              <th scope="col">Clock</th>
              <th scope="col">Met</th>
              <th scope="col">After warning</th>
              <th scope="col">Breached</th>
              <th scope="col">Breached %</th>
            </tr>
          </thead>
          <tbody>
            {d.sla.flatMap((t) =>
              t.rows.map((r) => (
                <tr key={`${t.tenantId}-${r.severity}-${r.clock}`}>
                  <td>{t.tenantName}</td>
                  <td>{r.severity}</td>
                  <td>{r.clock}</td>
                  <td>{r.met}</td>
                  <td>{r.warned}</td>
                  <td>{r.breached}</td>
                  <td>{r.breached_pct}%</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </details>
    </>
  );
}

function MttxTable({ d }: { d: DashboardData }) {
  const rows = d.mttx.flatMap((m) => m.rows);
  return (
    <table className="dash-table mt-3">
      <caption className="sr-only">Mean and percentile times per week for {d.severity} cases</caption>
      <thead>
        <tr>
          <th scope="col">Week of</th>
          <th scope="col">Clock</th>
          <th scope="col">Cases</th>
          <th scope="col">Business mean</th>
          <th scope="col">Business p90</th>
          <th scope="col">Wall mean</th>
          <th scope="col">Wall p90</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={7} className="text-muted">
              No {d.severity} case met a clock in the period.
            </td>
          </tr>
        )}
        {rows.map((r) => (
          <tr key={`${r.bucket}-${r.clock}`}>
            <td>{day(r.bucket)}</td>
            <td>{r.clock}</td>
            <td>{r.count}</td>
            <td>{shortDuration(r.business.mean_ms)}</td>
            <td>{shortDuration(r.business.p90_ms)}</td>
            <td>{shortDuration(r.wall.mean_ms)}</td>
            <td>{shortDuration(r.wall.p90_ms)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function VolumeTables({ d }: { d: DashboardData }) {
  const busy = d.volume.filter((v) => v.deliveries > 0 || v.cases > 0);
  return (
    <div className="mt-3 grid items-start gap-4 lg:grid-cols-2">
      <table className="dash-table">
        <caption className="sr-only">Alert volume per {d.volumeGrain}</caption>
        <thead>
          <tr>
            <th scope="col">{d.volumeGrain === "day" ? "Day" : "Week of"}</th>
            <th scope="col">Deliveries</th>
            <th scope="col">After de-dup</th>
            <th scope="col">Cases opened</th>
            <th scope="col">Deliveries per case</th>
          </tr>
        </thead>
        <tbody>
          {busy.length === 0 && (
            <tr>
              <td colSpan={5} className="text-muted">
                No alert arrived in the period.
              </td>
            </tr>
          )}
          {busy.map((v) => (
            <tr key={v.bucket}>
              <td>{day(v.bucket)}</td>
              <td>{v.deliveries}</td>
              <td>{v.alerts}</td>
              <td>{v.cases}</td>
              <td>{v.noiseReduction ?? "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="dash-table">
        <caption className="sr-only">Alert volume by source over the period</caption>
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">Deliveries</th>
            <th scope="col">After de-dup</th>
            <th scope="col">Into cases</th>
          </tr>
        </thead>
        <tbody>
          {d.sources.map((s) => (
            <tr key={s.source}>
              <th scope="row">{s.source}</th>
              <td>{s.deliveries}</td>
              <td>{s.alerts}</td>
              <td>{s.grouped}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
