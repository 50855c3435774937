// The pull panels of the AI security connectors on a connector's page (decision 057): Cisco AI
// Defense's Management API key, and Microsoft 365's app registration, each with where the pull
// stands. The XDR panel, with its shared request budget, stays in admin-connector.tsx.
import { Form } from "react-router";
import { AI_DEFENSE_REGIONS } from "../domain/ingest/kinds/cisco-ai-defense/index.ts";
import {
  adminButton as button,
  adminField as field,
  adminHeading as heading,
  adminPanel as panel,
} from "./admin-forms.tsx";
import { exactTime, relativeTime } from "./clock.tsx";

export interface VendorPullView {
  region: string | null;
  tenantId: string | null;
  clientId: string | null;
  publisherId: string | null;
  hasCredential: boolean;
  cursor: { since: string; seen: number } | null;
  lastRun: {
    at: number;
    status: string;
    accepted: number;
    requests: number;
    events?: number;
    blobs?: number;
    error?: string;
    retryAt?: number;
  } | null;
}

/** What the loader passes for a cisco-ai-defense or m365-copilot connector's `config.pull`. */
export function vendorPullView(pull: Record<string, unknown>): VendorPullView {
  const text = (value: unknown) => (typeof value === "string" ? value : null);
  const cursor = pull.cursor as { since?: unknown; seen?: unknown } | null | undefined;
  const run = pull.lastRun as VendorPullView["lastRun"] | undefined;
  return {
    region: text(pull.region),
    tenantId: text(pull.tenantId),
    clientId: text(pull.clientId),
    publisherId: text(pull.publisherId),
    hasCredential: pull.has_api_key === true || pull.has_client_secret === true,
    cursor:
      cursor && typeof cursor === "object"
        ? { since: String(cursor.since ?? ""), seen: Array.isArray(cursor.seen) ? cursor.seen.length : 0 }
        : null,
    lastRun: run && typeof run === "object" && typeof run.at === "number" ? run : null,
  };
}

const STATUS: Record<string, string> = {
  done: "Up to date",
  more: "More to fetch next run",
  rate_limited: "Rate limited",
  conflict: "Overtaken by another run",
  failed: "Failed",
};

function PullState({
  pull,
  now,
  signsInAs,
  what,
}: {
  pull: VendorPullView | null;
  now: number;
  signsInAs: string;
  what: string;
}) {
  if (!pull?.hasCredential) {
    return <p className="mt-1 text-[12px] text-muted">Not pulling: push only. {what}</p>;
  }
  const run = pull.lastRun;
  const items =
    run?.events !== undefined
      ? `${run.events} event${run.events === 1 ? "" : "s"}`
      : `${run?.blobs ?? 0} content blob${run?.blobs === 1 ? "" : "s"}`;
  return (
    <dl className="mt-2 grid grid-cols-[max-content_minmax(0,1fr)] gap-x-3 gap-y-1 text-[12px]">
      <dt className="text-muted">Signs in as</dt>
      <dd className="break-all">{signsInAs}</dd>
      <dt className="text-muted">Cursor</dt>
      <dd>
        {pull.cursor ? (
          <>
            since <time title={pull.cursor.since}>{exactTime(Date.parse(pull.cursor.since))}</time>
            {pull.cursor.seen > 0 && `, ${pull.cursor.seen} at that moment already stored`}
          </>
        ) : (
          "not started: the first pull looks back over the lookback window"
        )}
      </dd>
      <dt className="text-muted">Last run</dt>
      <dd>
        {run ? (
          <>
            <span
              className={
                run.status === "failed"
                  ? "font-medium text-bad"
                  : run.status === "done"
                    ? "text-ok"
                    : "text-warn"
              }
            >
              {STATUS[run.status] ?? run.status}
            </span>{" "}
            <span title={exactTime(run.at)}>{relativeTime(run.at, now)}</span>: {items}, {run.accepted} alert
            {run.accepted === 1 ? "" : "s"} stored, {run.requests} request{run.requests === 1 ? "" : "s"}
            {run.retryAt !== undefined && run.retryAt > now && (
              <span className="block text-warn">Asked to hold off until {exactTime(run.retryAt)}</span>
            )}
            {run.error && <span className="block text-bad">{run.error}</span>}
          </>
        ) : (
          "none yet"
        )}
      </dd>
    </dl>
  );
}

export function AiDefensePullPanel({
  pull,
  now,
  hidden,
}: {
  pull: VendorPullView | null;
  now: number;
  hidden: React.ReactNode;
}) {
  return (
    <section aria-labelledby="pull" className={panel}>
      <h3 id="pull" className={heading}>
        Pull from the AI Defense Management API
      </h3>
      <PullState
        pull={pull}
        now={now}
        signsInAs={`a Management API key (${pull?.region?.toUpperCase() ?? ""})`}
        what="Give Phoenix a Management API key to list runtime events every few minutes as well; it never reads conversations."
      />
      <Form method="post" className="mt-3 grid gap-2 text-[12px] text-muted" autoComplete="off">
        {hidden}
        <input type="hidden" name="intent" value="ai-defense-pull" />
        <label className="flex flex-col">
          Region
          <select name="region" defaultValue={pull?.region ?? "us"} className={field}>
            {AI_DEFENSE_REGIONS.map((r) => (
              <option key={r} value={r}>
                {r.toUpperCase()}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Management API key{" "}
          {pull?.hasCredential && <span>(stored; enter it again to change the region)</span>}
          <input name="api_key" type="password" required className={field} />
        </label>
        <div className="flex justify-end">
          <button type="submit" className={button}>
            Save pull key
          </button>
        </div>
      </Form>
    </section>
  );
}

export function M365PullPanel({
  pull,
  now,
  hidden,
}: {
  pull: VendorPullView | null;
  now: number;
  hidden: React.ReactNode;
}) {
  return (
    <section aria-labelledby="pull" className={panel}>
      <h3 id="pull" className={heading}>
        Pull from the Office 365 Management Activity API
      </h3>
      <PullState
        pull={pull}
        now={now}
        signsInAs={`app ${pull?.clientId ?? ""} in tenant ${pull?.tenantId ?? ""}`}
        what="Give Phoenix an Entra app registration with ActivityFeed.Read to pull Copilot audit records."
      />
      <Form method="post" className="mt-3 grid gap-2 text-[12px] text-muted" autoComplete="off">
        {hidden}
        <input type="hidden" name="intent" value="m365-pull" />
        <label className="flex flex-col">
          Tenant id
          <input name="tenant_id" required defaultValue={pull?.tenantId ?? ""} className={field} />
        </label>
        <label className="flex flex-col">
          Application (client) id
          <input name="client_id" required defaultValue={pull?.clientId ?? ""} className={field} />
        </label>
        <label className="flex flex-col">
          Client secret {pull?.hasCredential && <span>(stored; enter it again to change any of these)</span>}
          <input name="client_secret" type="password" required className={field} />
        </label>
        <label className="flex flex-col">
          Publisher id (optional)
          <input name="publisher_id" defaultValue={pull?.publisherId ?? ""} className={field} />
        </label>
        <div className="flex justify-end">
          <button type="submit" className={button}>
            Save app registration
          </button>
        </div>
      </Form>
    </section>
  );
}
