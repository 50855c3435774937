// `/cases/:caseId/enrichment`: what a case's observables and assets mean beyond the case (other
// sightings in the tenant, provider verdicts, asset criticality and owner, other open cases that
// share them). The case page loads it after it renders, so a busy case opens at once; without
// JavaScript the panel links here.
import { useEffect } from "react";
import { Link, useFetcher } from "react-router";
import { type CaseEnrichment, type CaseRef, caseEnrichment } from "../../domain/case/enrichment.ts";
import { tenantDatabase } from "../../domain/tenancy.ts";
import { caseAccess } from "../case-commands.server.ts";
import { exactTime } from "../clock.tsx";
import { withPhoenixErrors } from "../workbench.server.ts";
import type { Route } from "./+types/case-enrichment";

const ITEMS = 20;

export const meta: Route.MetaFunction = () => [{ title: "Observables and assets · Phoenix" }];

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  return withPhoenixErrors(async () => {
    const { caseId } = args.params;
    const { principal, env, queued } = await caseAccess(args, caseId, now);
    const enrichment = await caseEnrichment(tenantDatabase(env, principal.tenant), caseId, {
      limit: ITEMS,
      now,
    });
    return { caseId, title: queued.title, enrichment };
  });
}

export default function CaseEnrichmentPage({ loaderData }: Route.ComponentProps) {
  return (
    <article aria-labelledby="enrichment-title" className="mx-auto max-w-3xl">
      <nav aria-label="Breadcrumb" className="text-[13px] text-muted">
        <Link to={`/cases/${loaderData.caseId}`} className="hover:text-ink">
          ← {loaderData.title}
        </Link>
      </nav>
      <h1 id="enrichment-title" className="mt-2 text-xl font-semibold tracking-tight">
        Observables and assets
      </h1>
      <EnrichmentLists enrichment={loaderData.enrichment} />
    </article>
  );
}

/** The case page's panel: fetched once the page is up, refreshed when the case changes. */
export function EnrichmentPanel({ caseId, version }: { caseId: string; version: number }) {
  const fetcher = useFetcher<typeof loader>();
  const href = `/cases/${caseId}/enrichment`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the case (or its version) changes, not when the fetcher does
  useEffect(() => {
    fetcher.load(href);
  }, [href, version]);
  return (
    <section
      aria-labelledby="enrichment-panel-title"
      className="rounded-lg border border-line bg-surface p-4"
    >
      <h2 id="enrichment-panel-title" className="text-sm font-semibold">
        Observables and assets
      </h2>
      {fetcher.data ? (
        <EnrichmentLists enrichment={fetcher.data.enrichment} />
      ) : (
        <p className="mt-1 text-[13px] text-muted" aria-live="polite">
          {fetcher.state === "loading" ? "Looking up sightings and owners…" : ""}{" "}
          <Link to={href} className="text-accent hover:underline">
            Show observables and assets
          </Link>
        </p>
      )}
    </section>
  );
}

const CRITICALITY_STYLE: Record<string, string> = {
  critical: "bg-bad-soft text-bad",
  high: "bg-warn-soft text-warn",
  medium: "bg-raised text-ink",
  low: "bg-raised text-muted",
};

/**
 * The case's indicators and assets with what Phoenix knows of them beyond this case. What says
 * something (a verdict, other sightings, other open cases, a criticality or owner) comes first;
 * what is only ever seen here is folded away, so the panel reads at a glance.
 */
function EnrichmentLists({ enrichment }: { enrichment: CaseEnrichment }) {
  const { observables, assets } = enrichment;
  if (observables.length === 0 && assets.length === 0)
    return <p className="mt-1 text-[13px] text-muted">The linked alerts carry no observables or assets.</p>;
  const telling = observables.filter(
    (o) => o.verdicts.length > 0 || o.sightingsBefore > 0 || o.otherOpenCases.length > 0,
  );
  const quiet = observables.filter((o) => !telling.includes(o));
  const known = assets.filter(
    (a) => a.criticality !== null || a.owner !== null || a.otherOpenCases.length > 0,
  );
  const plain = assets.filter((a) => !known.includes(a));
  return (
    <>
      {known.length > 0 && (
        <ul aria-label="Assets" className="mt-2 space-y-1.5 text-[13px]">
          {known.map((asset) => (
            <li key={asset.id}>
              <div className="flex flex-wrap items-baseline gap-1.5">
                <span className="text-[11px] uppercase tracking-wide text-faint">{asset.kind}</span>
                <span className="font-medium">{asset.name ?? asset.uid}</span>
                {asset.criticality && (
                  <span
                    className={`rounded px-1.5 text-[11px] ${CRITICALITY_STYLE[asset.criticality] ?? ""}`}
                  >
                    {asset.criticality} criticality
                  </span>
                )}
              </div>
              {asset.owner && <p className="text-[12px] text-muted">Owner: {asset.owner}</p>}
              <OtherCases cases={asset.otherOpenCases} />
            </li>
          ))}
        </ul>
      )}
      {telling.length > 0 && (
        <ul aria-label="Observables" className="mt-3 space-y-1.5 text-[13px]">
          {telling.map((o) => (
            <li key={o.id}>
              <div className="flex flex-wrap items-baseline gap-1.5">
                <span className="text-[11px] uppercase tracking-wide text-faint">{o.type}</span>
                <span className="break-all font-mono text-[12px]">{o.value}</span>
              </div>
              {o.verdicts.map((v) => (
                <p
                  key={v.provider}
                  className={`text-[12px] ${VERDICT_STYLE[v.verdict ?? ""] ?? "text-muted"}`}
                >
                  {v.provider}: {v.verdict ?? "no verdict"}
                  {v.reason && <span className="text-muted"> · {v.reason}</span>}
                </p>
              ))}
              {o.sightingsBefore > 0 && (
                <p className="text-[12px] text-muted">
                  Seen in {o.sightingsBefore} other alert{o.sightingsBefore === 1 ? "" : "s"} of this tenant
                  since {exactTime(o.firstSeenAt)}
                </p>
              )}
              <OtherCases cases={o.otherOpenCases} />
            </li>
          ))}
        </ul>
      )}
      {(quiet.length > 0 || plain.length > 0) && (
        <details className="mt-3 text-[13px]">
          <summary className="cursor-pointer text-muted">
            {[
              quiet.length > 0 && `${quiet.length} observable${quiet.length === 1 ? "" : "s"}`,
              plain.length > 0 && `${plain.length} asset${plain.length === 1 ? "" : "s"}`,
            ]
              .filter(Boolean)
              .join(" and ")}{" "}
            seen only in this case, nothing known of them elsewhere
          </summary>
          <ul className="mt-1.5 space-y-0.5">
            {plain.map((a) => (
              <li key={a.id}>
                <span className="text-[11px] uppercase tracking-wide text-faint">{a.kind}</span>{" "}
                {a.name ?? a.uid}
              </li>
            ))}
            {quiet.map((o) => (
              <li key={o.id} className="break-all">
                <span className="text-[11px] uppercase tracking-wide text-faint">{o.type}</span>{" "}
                <span className="font-mono text-[12px]">{o.value}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

const VERDICT_STYLE: Record<string, string> = {
  Malicious: "text-bad font-medium",
  Suspicious: "text-warn font-medium",
  Clean: "text-ok",
};

function OtherCases({ cases }: { cases: CaseRef[] }) {
  if (cases.length === 0) return null;
  return (
    <p className="text-[12px]">
      <span className="text-muted">Also in open </span>
      {cases.map((other, i) => (
        <span key={other.id}>
          {i > 0 && ", "}
          <Link to={`/cases/${other.id}`} className="text-accent hover:underline" title={other.state}>
            {other.title}
          </Link>
        </span>
      ))}
    </p>
  );
}
