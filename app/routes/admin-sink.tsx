// `/admin/sinks/:sinkId`: one sink. Its connection tested against the real endpoint, check by check;
// where each case stands in it (synced, behind, or failing with the sink's own words); the dead
// letters with their last error and a replay; and its configuration, credentials and state. The same
// domain services and audit as /v1/sinks.
import { Form, Link, useActionData, useNavigation } from "react-router";
import { actorOf } from "../../domain/auth/principal.ts";
import type { SinkCheck } from "../../domain/sinks/checks.ts";
import { sinkEndpoint } from "../../domain/sinks/config.ts";
import {
  openDeadLettersOf,
  replayDeadLetter,
  replaySinkDeadLetters,
} from "../../domain/sinks/dead-letters.ts";
import { outboundPolicyFor } from "../../domain/sinks/outbound-url.ts";
import { getSink, updateSink } from "../../domain/sinks/service.ts";
import { sinkCaseSyncs } from "../../domain/sinks/sync.ts";
import { sinkReplayContext, testSinkConnection } from "../../durable-objects/sink-replay.ts";
import { orRefusal, type Refusal, refusal } from "../admin-actions.server.ts";
import {
  adminButton as button,
  adminHeading as heading,
  JsonSettings,
  NameAndState,
  adminPanel as panel,
  adminPrimary as primary,
} from "../admin-forms.tsx";
import { AdminHeader, AdminOutcome } from "../admin-nav.tsx";
import { StateBadge } from "../case-badges.tsx";
import { exactTime, relativeTime, useNow } from "../clock.tsx";
import { useLiveRefresh } from "../live.ts";
import { configFromForm, credentialsFromForm, SINK_KIND } from "../sink-forms.ts";
import { tenantAccess } from "../tenant-access.server.ts";
import { signedInFormPost, withPhoenixErrors } from "../workbench.server.ts";
import type { Route } from "./+types/admin-sink";
import { CredentialFields } from "./admin-sinks.tsx";
import { useShell } from "./shell.tsx";

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: `${loaderData?.sink.name ?? "Sink"} · Sinks · Phoenix` },
];

const SHOWN_SYNCS = 50;
const SHOWN_LETTERS = 50;

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  return withPhoenixErrors(async () => {
    const requested = new URL(args.request.url).searchParams.get("tenant");
    const { principal, env, db, tenants } = await tenantAccess(args, "sinks.manage", requested, now);
    const row = await getSink(env.CONTROL_DB, principal.tenant.id, args.params.sinkId);
    const [syncs, letters] = await Promise.all([
      sinkCaseSyncs(db, row.id, SHOWN_SYNCS),
      openDeadLettersOf(db, row.id, SHOWN_LETTERS + 1),
    ]);
    return {
      now,
      tenant: { id: principal.tenant.id, name: principal.tenant.name },
      tenants,
      sink: {
        id: row.id,
        kind: row.kind,
        name: row.name,
        status: row.status,
        endpoint: sinkEndpoint(row.kind, row.config).url,
        config: JSON.stringify(row.config, null, 2),
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
      },
      syncs,
      letters: letters.slice(0, SHOWN_LETTERS),
      moreLetters: letters.length > SHOWN_LETTERS,
    };
  });
}

type Done = { ok: true; message: string; checks?: SinkCheck[] };
type Checked = { ok: false; message: string; fields: []; checks: SinkCheck[] };

export function action(args: Route.ActionArgs) {
  return signedInFormPost(args, async (_signedIn, form, now): Promise<Done | Checked | Refusal> => {
    const { principal, env, db } = await tenantAccess(
      args,
      "sinks.manage",
      String(form.get("tenant") ?? "") || null,
      now,
    );
    const tenantId = principal.tenant.id;
    const id = args.params.sinkId;
    const ctx = {
      controlDb: env.CONTROL_DB,
      encryptionKey: env.SECRETS_ENCRYPTION_KEY,
      policy: outboundPolicyFor(env.ENVIRONMENT),
      now,
      actor: actorOf(principal),
    };
    const replay = sinkReplayContext(env, db, tenantId, now);
    return orRefusal(async (): Promise<Done | Checked | Refusal> => {
      switch (form.get("intent")) {
        case "test": {
          const row = await getSink(env.CONTROL_DB, tenantId, id);
          const result = await testSinkConnection(env, row, now);
          return result.ok
            ? { ok: true, message: `${row.name} answers as configured`, checks: result.checks }
            : {
                ok: false,
                message: `${row.name} does not work as configured`,
                fields: [],
                checks: result.checks,
              };
        }
        case "rename": {
          const name = String(form.get("name") ?? "").trim();
          if (!name || name.length > 200)
            return refusal("The name needs attention.", [
              { field: "name", message: "give the sink a name (up to 200 characters)" },
            ]);
          await updateSink(ctx, tenantId, id, { name });
          return { ok: true, message: `Renamed to ${name}` };
        }
        case "disable":
        case "enable": {
          const status = form.get("intent") === "disable" ? "disabled" : "active";
          const view = await updateSink(ctx, tenantId, id, { status });
          return {
            ok: true,
            message:
              status === "disabled"
                ? `${view.name} is disabled: nothing is sent to it until it is enabled`
                : `${view.name} is enabled: case changes are sent to it again`,
          };
        }
        case "config": {
          const config = configFromForm(form);
          if (!config.ok)
            return refusal("The configuration needs attention.", [
              { field: "config", message: config.message },
            ]);
          await updateSink(ctx, tenantId, id, { config: config.value });
          return { ok: true, message: "Configuration saved" };
        }
        case "credentials": {
          await updateSink(ctx, tenantId, id, { credentials: credentialsFromForm(form) });
          return { ok: true, message: "Credentials replaced: test the connection, then replay what failed" };
        }
        case "replay": {
          const letter = await replayDeadLetter(replay, String(form.get("letter") ?? ""));
          return {
            ok: true,
            message: `Replaying: the case goes to the sink again at version ${letter.version} or later`,
          };
        }
        case "replay-all": {
          const { replayed, refused } = await replaySinkDeadLetters(replay, id);
          if (replayed === 0 && refused.length > 0)
            return refusal(refused[0]?.reason ?? "Nothing could be replayed");
          return {
            ok: true,
            message: `Replaying ${replayed} dead letter${replayed === 1 ? "" : "s"}${refused.length ? `; ${refused.length} refused` : ""}`,
          };
        }
        default:
          return refusal("Nothing to do.");
      }
    });
  });
}

export default function AdminSinkPage({ loaderData: data }: Route.ComponentProps) {
  const now = useNow(data.now);
  const shell = useShell();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  // Sync status and dead letters move as the queue works; the tenant's live feed says when.
  useLiveRefresh([data.tenant.id], 2000);
  const s = data.sink;
  const hidden = (
    <>
      <input type="hidden" name="csrf" value={shell.me?.csrfToken ?? ""} />
      <input type="hidden" name="tenant" value={data.tenant.id} />
    </>
  );
  const testing = navigation.formData?.get("intent") === "test";
  const checks = result && "checks" in result ? result.checks : undefined;
  return (
    <section aria-labelledby="admin-title" className="mx-auto max-w-6xl">
      <AdminHeader title="Sinks" tenant={data.tenant} tenants={data.tenants} />
      <div className="mt-3 flex flex-wrap items-center gap-x-3 gap-y-1">
        <Link to={`/admin/sinks?tenant=${data.tenant.id}`} className="text-[13px] text-muted hover:text-ink">
          ← All sinks
        </Link>
        <h2 className="text-base font-semibold">{s.name}</h2>
        <span className="rounded bg-raised px-1.5 py-0.5 text-[12px]">{SINK_KIND[s.kind].label}</span>
        <span className={`text-[12px] font-medium ${s.status === "active" ? "text-ok" : "text-muted"}`}>
          {s.status === "active" ? "Active" : "Disabled"}
        </span>
        <code className="font-mono text-[12px] text-muted">{s.endpoint}</code>
      </div>
      {result && (
        <AdminOutcome ok={result.ok} message={result.message} fields={result.ok ? [] : result.fields}>
          {checks && (
            <ol aria-label="Connection checks" className="mt-1 space-y-0.5 text-ink">
              {checks.map((c) => (
                <li key={c.name} className="flex gap-2">
                  <span aria-hidden className={c.ok ? "text-ok" : "text-bad"}>
                    {c.ok ? "✓" : "✗"}
                  </span>
                  <span>
                    <span className="font-medium">{c.name}</span>
                    <span className="sr-only">{c.ok ? " passed" : " failed"}</span>: {c.detail}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </AdminOutcome>
      )}

      <div className="mt-4 grid gap-4 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="flex min-w-0 flex-col gap-4">
          <section aria-labelledby="dead-letters-heading" id="dead-letters" className={panel}>
            <div className="flex items-start justify-between gap-2">
              <div>
                <h3 id="dead-letters-heading" className={heading}>
                  Dead letters{" "}
                  <span className="font-normal text-muted">
                    ·{" "}
                    {data.letters.length === 0
                      ? "none"
                      : `${data.letters.length}${data.moreLetters ? "+" : ""} to replay`}
                  </span>
                </h3>
                <p className="mt-1 text-[12px] text-muted">
                  Sync work the sink refused for good, or that ran out of retries. Fix the cause, then replay:
                  the sink is brought to the case as it is now.
                </p>
              </div>
              {data.letters.length > 0 && (
                <Form method="post">
                  {hidden}
                  <input type="hidden" name="intent" value="replay-all" />
                  <button type="submit" className={`${primary} whitespace-nowrap`}>
                    Replay all
                  </button>
                </Form>
              )}
            </div>
            {data.letters.length > 0 && (
              <ul className="mt-2 divide-y divide-line">
                {data.letters.map((l) => (
                  <li key={l.id} className="flex flex-wrap items-start justify-between gap-2 py-2">
                    <div className="min-w-0">
                      <Link to={`/cases/${l.caseId}`} className="text-[13px] font-medium hover:underline">
                        {l.caseTitle ?? l.caseId}
                      </Link>
                      <p className="text-[12px] text-bad">{l.error}</p>
                      <p className="text-[11px] text-faint" title={exactTime(l.createdAt)}>
                        version {l.version} · {l.attempts} attempt{l.attempts === 1 ? "" : "s"} ·{" "}
                        {relativeTime(l.createdAt, now)}
                      </p>
                    </div>
                    <Form method="post">
                      {hidden}
                      <input type="hidden" name="intent" value="replay" />
                      <input type="hidden" name="letter" value={l.id} />
                      <button
                        type="submit"
                        className={button}
                        aria-label={`Replay ${l.caseTitle ?? l.caseId}`}
                      >
                        Replay
                      </button>
                    </Form>
                  </li>
                ))}
              </ul>
            )}
          </section>

          <section aria-labelledby="sync-heading" className={panel}>
            <h3 id="sync-heading" className={heading}>
              Cases in this sink{" "}
              <span className="font-normal text-muted">· the {SHOWN_SYNCS} most recently sent</span>
            </h3>
            {data.syncs.length === 0 ? (
              <p className="mt-1 text-[12px] text-muted">No case has been sent to this sink yet.</p>
            ) : (
              <table className="mt-2 w-full border-collapse text-left text-[13px]">
                <caption className="sr-only">Where each case stands in {s.name}</caption>
                <thead className="text-[11px] uppercase tracking-wide text-muted">
                  <tr>
                    <th scope="col" className="py-1 pr-2">
                      Case
                    </th>
                    <th scope="col" className="px-2 py-1">
                      State
                    </th>
                    <th scope="col" className="px-2 py-1">
                      In the sink
                    </th>
                    <th scope="col" className="px-2 py-1">
                      Sync
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.syncs.map((r) => (
                    <tr key={r.caseId} className="border-t border-line align-top" data-sync-row={r.caseId}>
                      <td className="py-1.5 pr-2">
                        <Link to={`/cases/${r.caseId}`} className="hover:underline">
                          {r.title}
                        </Link>
                      </td>
                      <td className="px-2 py-1.5">
                        <StateBadge state={r.state} />
                      </td>
                      <td className="whitespace-nowrap px-2 py-1.5">
                        {r.externalUrl ? (
                          <a
                            href={r.externalUrl}
                            className="font-mono text-[12px] text-info hover:underline"
                            rel="noreferrer"
                            target="_blank"
                          >
                            {r.externalId ?? "open"}
                          </a>
                        ) : (
                          <span className="font-mono text-[12px]">{r.externalId ?? "—"}</span>
                        )}
                      </td>
                      <td className="px-2 py-1.5">
                        <SyncState row={r} now={now} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>

        <div className="flex flex-col gap-4">
          <section aria-labelledby="test-heading" className={panel}>
            <h3 id="test-heading" className={heading}>
              Connection
            </h3>
            <p className="mt-1 text-[12px] text-muted">
              Signs in to the endpoint and checks the configuration against what it says. Nothing is written
              to Jira or Salesforce; the Platform receives one signed <code>sink.test</code> event.
            </p>
            <Form method="post" className="mt-2">
              {hidden}
              <input type="hidden" name="intent" value="test" />
              <button type="submit" className={button} disabled={testing}>
                {testing ? "Testing…" : "Test connection"}
              </button>
            </Form>
          </section>

          <NameAndState
            hidden={hidden}
            name={s.name}
            active={s.status === "active"}
            activeText="Case changes are sent to it."
            disabledText="Disabled: nothing is sent to it."
          />

          <section aria-labelledby="credentials-heading" className={panel}>
            <h3 id="credentials-heading" className={heading}>
              Credentials
            </h3>
            <Form method="post" className="text-[12px] text-muted" autoComplete="off">
              {hidden}
              <input type="hidden" name="intent" value="credentials" />
              <CredentialFields kind={s.kind} replacing />
              {SINK_KIND[s.kind].credentials.length > 0 && (
                <div className="mt-2 flex justify-end">
                  <button type="submit" className={button}>
                    Replace credentials
                  </button>
                </div>
              )}
            </Form>
          </section>

          <JsonSettings
            hidden={hidden}
            title="Configuration"
            help="JSON, as in /v1/sinks; checked before it is saved."
            intent="config"
            field="config"
            value={s.config}
            rows={10}
            save="Save configuration"
          />
        </div>
      </div>
    </section>
  );
}

function SyncState({ row, now }: { row: Route.ComponentProps["loaderData"]["syncs"][number]; now: number }) {
  if (row.lastError) {
    return (
      <span
        className="block text-[12px] text-bad"
        title={row.lastErrorAt ? exactTime(row.lastErrorAt) : undefined}
      >
        Failing{row.lastErrorAt ? ` since ${relativeTime(row.lastErrorAt, now)}` : ""}: {row.lastError}
      </span>
    );
  }
  if (row.syncedVersion >= row.caseVersion) return <span className="text-[12px] text-ok">Up to date</span>;
  return (
    <span className="text-[12px] text-warn">
      {row.caseVersion - row.syncedVersion} change{row.caseVersion - row.syncedVersion === 1 ? "" : "s"} to
      send
    </span>
  );
}
