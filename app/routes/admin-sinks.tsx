// `/admin/sinks`: where a tenant's cases are kept in sync (Jira, Salesforce, the Platform's webhook).
// An admin sees each sink's endpoint, state and dead letters, and adds one with its configuration
// and write-only credentials; a Platform sink's signing secret is minted and shown once.
import { useState } from "react";
import { Form, Link, useActionData } from "react-router";
import { actorOf } from "../../domain/auth/principal.ts";
import { SINK_KINDS, type SinkKind, sinkEndpoint } from "../../domain/sinks/config.ts";
import { openDeadLetterCounts } from "../../domain/sinks/dead-letters.ts";
import { outboundPolicyFor } from "../../domain/sinks/outbound-url.ts";
import { createSink, listSinks } from "../../domain/sinks/service.ts";
import { orRefusal, type Refusal, refusal } from "../admin-actions.server.ts";
import { AdminTable } from "../admin-forms.tsx";
import { AdminHeader, AdminOutcome } from "../admin-nav.tsx";
import { CopyButton } from "../copy-button.tsx";
import { configFromForm, credentialsFromForm, SINK_KIND } from "../sink-forms.ts";
import { tenantAccess } from "../tenant-access.server.ts";
import { signedInFormPost, withPhoenixErrors } from "../workbench.server.ts";
import type { Route } from "./+types/admin-sinks";
import { useShell } from "./shell.tsx";

export const meta: Route.MetaFunction = () => [{ title: "Sinks · Administration · Phoenix" }];

// A minted secret is in one response only.
export const headers: Route.HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  return withPhoenixErrors(async () => {
    const requested = new URL(args.request.url).searchParams.get("tenant");
    const { principal, env, db, tenants } = await tenantAccess(args, "sinks.manage", requested, now);
    const [sinks, letters] = await Promise.all([
      listSinks(env.CONTROL_DB, principal.tenant.id),
      openDeadLetterCounts(db),
    ]);
    return {
      tenant: { id: principal.tenant.id, name: principal.tenant.name },
      tenants,
      sinks: sinks.map((s) => ({
        id: s.id,
        kind: s.kind,
        name: s.name,
        status: s.status,
        endpoint: sinkEndpoint(s.kind, s.config).url,
        deadLetters: letters.get(s.id) ?? 0,
      })),
    };
  });
}

type Created = { ok: true; message: string; created: { id: string; name: string; secret?: string } };

export function action(args: Route.ActionArgs) {
  return signedInFormPost(args, async (_signedIn, form, now): Promise<Created | Refusal> => {
    const { principal, env } = await tenantAccess(
      args,
      "sinks.manage",
      String(form.get("tenant") ?? "") || null,
      now,
    );
    const kind = String(form.get("kind") ?? "") as SinkKind;
    const name = String(form.get("name") ?? "").trim();
    const config = configFromForm(form);
    const problems = [
      ...(SINK_KINDS.includes(kind) ? [] : [{ field: "kind", message: "choose a kind" }]),
      ...(name && name.length <= 200
        ? []
        : [{ field: "name", message: "give the sink a name (up to 200 characters)" }]),
      ...(config.ok ? [] : [{ field: "config", message: config.message }]),
    ];
    if (problems.length > 0 || !config.ok) return refusal("Some fields need attention.", problems);
    return orRefusal(async () => {
      const { sink, secret } = await createSink(
        {
          controlDb: env.CONTROL_DB,
          encryptionKey: env.SECRETS_ENCRYPTION_KEY,
          policy: outboundPolicyFor(env.ENVIRONMENT),
          now,
          actor: actorOf(principal),
        },
        principal.tenant.id,
        { kind, name, config: config.value, credentials: credentialsFromForm(form) },
      );
      return {
        ok: true as const,
        message: `Added ${sink.name}: case changes are sent to it from now on`,
        created: { id: sink.id, name: sink.name, ...(secret ? { secret } : {}) },
      };
    });
  });
}

const field = "mt-0.5 rounded-md border border-line bg-surface px-2 py-1 text-[13px] text-ink";

export default function AdminSinksPage({ loaderData: data }: Route.ComponentProps) {
  const shell = useShell();
  const result = useActionData<typeof action>();
  const [kind, setKind] = useState<SinkKind>("jira");
  return (
    <section aria-labelledby="admin-title" className="mx-auto max-w-6xl">
      <AdminHeader title="Sinks" tenant={data.tenant} tenants={data.tenants} />
      {result && (
        <AdminOutcome ok={result.ok} message={result.message} fields={result.ok ? [] : result.fields}>
          {result.ok && (
            <div className="mt-2 text-ink">
              {result.created.secret && (
                <>
                  <p>
                    Copy the signing secret now: the Platform verifies each event with it, and Phoenix will
                    not show it again.
                  </p>
                  <p className="mt-1 flex items-center gap-2">
                    <code data-secret className="select-all break-all font-mono text-[12px]">
                      {result.created.secret}
                    </code>
                    <CopyButton text={result.created.secret} label="Copy the signing secret" />
                  </p>
                </>
              )}
              <p className="mt-1">
                <Link
                  to={`/admin/sinks/${result.created.id}?tenant=${data.tenant.id}`}
                  className="font-medium text-info underline underline-offset-2"
                >
                  Open {result.created.name}
                </Link>{" "}
                to test its connection.
              </p>
            </div>
          )}
        </AdminOutcome>
      )}
      {data.sinks.length === 0 ? (
        <p className="mt-4 text-[13px] text-muted">No sinks in this tenant yet: its cases stay in Phoenix.</p>
      ) : (
        <AdminTable
          caption={`Sinks of ${data.tenant.name}, with their dead letters`}
          columns={["Sink", "Kind", "Endpoint", "Dead letters", "Status"]}
        >
          {data.sinks.map((s) => (
            <tr key={s.id} className={`border-t border-line ${s.status === "active" ? "" : "text-muted"}`}>
              <td className="px-3 py-2">
                <Link
                  to={`/admin/sinks/${s.id}?tenant=${data.tenant.id}`}
                  className="block font-medium hover:underline"
                >
                  {s.name}
                </Link>
                <span className="font-mono text-[11px] text-faint">{s.id}</span>
              </td>
              <td className="whitespace-nowrap px-2 py-2">{SINK_KIND[s.kind].label}</td>
              <td
                className="max-w-[24rem] truncate px-2 py-2 font-mono text-[12px] text-muted"
                title={s.endpoint}
              >
                {s.endpoint}
              </td>
              <td className="whitespace-nowrap px-2 py-2">
                {s.deadLetters > 0 ? (
                  <Link
                    to={`/admin/sinks/${s.id}?tenant=${data.tenant.id}#dead-letters`}
                    className="font-medium text-bad hover:underline"
                  >
                    {s.deadLetters} to replay
                  </Link>
                ) : (
                  <span className="text-muted">None</span>
                )}
              </td>
              <td className="whitespace-nowrap px-3 py-2">
                {s.status === "active" ? <span className="text-ok">Active</span> : "Disabled"}
              </td>
            </tr>
          ))}
        </AdminTable>
      )}
      <Form
        method="post"
        aria-label="Add a sink"
        className="mt-4 rounded-lg border border-line bg-surface p-3 text-[12px] text-muted"
      >
        <input type="hidden" name="csrf" value={shell.me?.csrfToken ?? ""} />
        <input type="hidden" name="tenant" value={data.tenant.id} />
        <p className="text-[13px] font-medium text-ink">Add a sink to {data.tenant.name}</p>
        <div className="mt-2 flex flex-wrap items-end gap-4">
          <label className="flex flex-col">
            Kind
            <select
              name="kind"
              value={kind}
              onChange={(e) => setKind(e.currentTarget.value as SinkKind)}
              className={`${field} w-48`}
            >
              {SINK_KINDS.map((k) => (
                <option key={k} value={k}>
                  {SINK_KIND[k].label}
                </option>
              ))}
            </select>
          </label>
          <label className="flex flex-col">
            Name
            <input name="name" required maxLength={200} placeholder="SOC Jira" className={`${field} w-64`} />
          </label>
        </div>
        <p className="mt-2">{SINK_KIND[kind].about}</p>
        <label className="mt-2 flex flex-col">
          Configuration (JSON)
          <textarea
            key={kind}
            name="config"
            rows={7}
            spellCheck={false}
            defaultValue={JSON.stringify(SINK_KIND[kind].template, null, 2)}
            className={`${field} font-mono text-[12px]`}
          />
        </label>
        <CredentialFields kind={kind} />
        <div className="mt-3 flex justify-end">
          <button
            type="submit"
            className="rounded-md bg-accent px-3 py-1 text-[13px] font-medium text-accent-ink hover:opacity-90"
          >
            Add sink
          </button>
        </div>
      </Form>
    </section>
  );
}

/** The write-only credentials a kind takes; empty fields are not sent. */
export function CredentialFields({ kind, replacing = false }: { kind: SinkKind; replacing?: boolean }) {
  const names = SINK_KIND[kind].credentials;
  if (names.length === 0)
    return <p className="mt-2">Phoenix mints this sink's signing secret and shows it once.</p>;
  return (
    <fieldset className="mt-2 flex flex-wrap gap-4">
      <legend className="mb-1">
        Credentials: write-only, stored encrypted
        {replacing ? "; the new ones replace the old ones whole" : ""}
      </legend>
      {names.map((c) => (
        <label key={c.name} className="flex flex-col">
          {c.label}
          <input
            name={c.name}
            type="password"
            autoComplete="off"
            className="mt-0.5 w-64 rounded-md border border-line bg-surface px-2 py-1 text-[13px] text-ink"
          />
        </label>
      ))}
    </fieldset>
  );
}
