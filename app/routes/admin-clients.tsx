// `/admin/clients`: a tenant's machine clients (the Platform and other programs). An admin
// registers one with its scopes, sees its secret exactly once, and revokes it; the same domain
// functions and audit as /v1/clients.
import { Form, useActionData } from "react-router";
import { listClients, registerClient, revokeClient } from "../../domain/auth/clients.ts";
import { actorOf } from "../../domain/auth/principal.ts";
import { SCOPES, type Scope } from "../../domain/auth/scopes.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { AdminHeader, AdminOutcome } from "../admin-nav.tsx";
import { exactTime, relativeTime, useNow } from "../clock.tsx";
import { tenantAccess } from "../tenant-access.server.ts";
import { signedInFormPost, withPhoenixErrors } from "../workbench.server.ts";
import type { Route } from "./+types/admin-clients";
import { useShell } from "./shell.tsx";

export const meta: Route.MetaFunction = () => [{ title: "Machine clients · Administration · Phoenix" }];

// A secret is in one response only: never kept by a browser or anything between.
export const headers: Route.HeadersFunction = () => ({ "Cache-Control": "no-store" });

const SCOPE_MEANING: Record<Scope, string> = {
  "alerts:read": "read alerts and the quarantine",
  "alerts:write": "submit alerts, update assets, replay the quarantine",
  "cases:read": "read cases and the change feed",
  "cases:write": "open and work cases",
  "reports:read": "read reports",
  admin: "administer this tenant",
};

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  return withPhoenixErrors(async () => {
    const requested = new URL(args.request.url).searchParams.get("tenant");
    const { principal, env, tenants } = await tenantAccess(args, "clients.manage", requested, now);
    return {
      now,
      tenant: { id: principal.tenant.id, name: principal.tenant.name },
      tenants,
      clients: await listClients(env.CONTROL_DB, principal.tenant.id),
    };
  });
}

export type ClientsOutcome =
  | { ok: true; message: string; secret?: { clientId: string; value: string } }
  | { ok: false; message: string; fields: { field: string; message: string }[] };

export function action(args: Route.ActionArgs) {
  return signedInFormPost(args, async (_signedIn, form, now): Promise<ClientsOutcome> => {
    const { principal, env } = await tenantAccess(
      args,
      "clients.manage",
      String(form.get("tenant") ?? "") || null,
      now,
    );
    const db = env.CONTROL_DB;
    try {
      if (form.get("intent") === "revoke") {
        const revoked = await revokeClient(
          db,
          principal.tenant.id,
          String(form.get("client") ?? ""),
          actorOf(principal),
          now,
        );
        return { ok: true, message: `Revoked ${revoked.name}: it gets no further tokens` };
      }
      const name = String(form.get("name") ?? "").trim();
      const scopes = form.getAll("scope").map(String);
      if (!name || name.length > 200 || scopes.length === 0) {
        return {
          ok: false,
          message: "Some fields need attention.",
          fields: [
            ...(!name || name.length > 200
              ? [{ field: "name", message: "give the client a name (up to 200 characters)" }]
              : []),
            ...(scopes.length === 0 ? [{ field: "scopes", message: "choose at least one scope" }] : []),
          ],
        };
      }
      const { client, secret } = await registerClient(
        db,
        principal.tenant.id,
        { name, scopes },
        actorOf(principal),
        now,
      );
      return {
        ok: true,
        message: `Registered ${client.name}`,
        secret: { clientId: client.id, value: secret },
      };
    } catch (error) {
      if (
        error instanceof PhoenixError &&
        (error.code === "conflict" || error.code === "validation_failed")
      ) {
        return { ok: false, message: error.message, fields: error.errors ?? [] };
      }
      throw error;
    }
  });
}

const field = "mt-0.5 rounded-md border border-line bg-surface px-2 py-1 text-[13px] text-ink";

export default function AdminClientsPage({ loaderData: data }: Route.ComponentProps) {
  const now = useNow(data.now);
  const shell = useShell();
  const result = useActionData<typeof action>();
  const csrf = <input type="hidden" name="csrf" value={shell.me?.csrfToken ?? ""} />;
  return (
    <section aria-labelledby="admin-title" className="mx-auto max-w-6xl">
      <AdminHeader title="Machine clients" tenant={data.tenant} tenants={data.tenants} />
      {result && (
        <AdminOutcome ok={result.ok} message={result.message} fields={result.ok ? [] : result.fields}>
          {result.ok && result.secret && (
            <div className="mt-2 text-ink">
              <p>Copy the secret now: Phoenix keeps only its hash and will not show it again.</p>
              <dl className="mt-1 grid grid-cols-[max-content_minmax(0,1fr)] gap-x-3 gap-y-1">
                <dt className="text-muted">client_id</dt>
                <dd>
                  <code className="select-all font-mono text-[12px]">{result.secret.clientId}</code>
                </dd>
                <dt className="text-muted">client_secret</dt>
                <dd>
                  <code data-secret className="select-all break-all font-mono text-[12px]">
                    {result.secret.value}
                  </code>
                </dd>
              </dl>
              <p className="mt-1 text-[12px] text-muted">
                It exchanges them for a token at <code>POST /v1/oauth/token</code> (client credentials).
              </p>
            </div>
          )}
        </AdminOutcome>
      )}
      <Form
        method="post"
        aria-label="Register a machine client"
        className="mt-4 rounded-lg border border-line bg-surface p-3 text-[12px] text-muted"
      >
        {csrf}
        <input type="hidden" name="tenant" value={data.tenant.id} />
        <p className="text-[13px] font-medium text-ink">Register a machine client for {data.tenant.name}</p>
        <div className="mt-2 flex flex-wrap items-end gap-4">
          <label className="flex flex-col">
            Name
            <input
              name="name"
              required
              maxLength={200}
              placeholder="Customer Platform"
              className={`${field} w-64`}
            />
          </label>
          <fieldset className="flex flex-wrap gap-x-4 gap-y-1">
            <legend className="mb-1">Scopes</legend>
            {SCOPES.map((s) => (
              <label
                key={s}
                className="inline-flex items-center gap-1.5 text-[13px] text-ink"
                title={SCOPE_MEANING[s]}
              >
                <input type="checkbox" name="scope" value={s} />
                <span className="font-mono text-[12px]">{s}</span>
              </label>
            ))}
          </fieldset>
          <button
            type="submit"
            className="rounded-md bg-accent px-3 py-1 text-[13px] font-medium text-accent-ink hover:opacity-90"
          >
            Register
          </button>
        </div>
      </Form>
      {data.clients.length === 0 ? (
        <p className="mt-4 text-[13px] text-muted">No machine clients in this tenant yet.</p>
      ) : (
        <div className="mt-4 overflow-x-auto rounded-lg border border-line bg-surface">
          <table className="w-full border-collapse text-left text-[13px]">
            <caption className="sr-only">
              Machine clients of {data.tenant.name}, with their scopes and use
            </caption>
            <thead className="border-b border-line text-[11px] uppercase tracking-wide text-muted">
              <tr>
                <th scope="col" className="px-3 py-2">
                  Client
                </th>
                <th scope="col" className="px-2 py-2">
                  Scopes
                </th>
                <th scope="col" className="px-2 py-2">
                  Last token
                </th>
                <th scope="col" className="px-2 py-2">
                  Status
                </th>
                <th scope="col" className="px-3 py-2 text-right">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.clients.map((c) => (
                <tr
                  key={c.id}
                  className={`border-t border-line ${c.status === "active" ? "" : "text-muted"}`}
                >
                  <td className="px-3 py-2">
                    <span className="block font-medium">{c.name}</span>
                    <span className="font-mono text-[11px] text-faint">{c.id}</span>
                  </td>
                  <td className="px-2 py-2">
                    <span className="flex flex-wrap gap-1">
                      {c.scopes.map((s) => (
                        <span
                          key={s}
                          className="rounded bg-raised px-1.5 font-mono text-[11px]"
                          title={SCOPE_MEANING[s]}
                        >
                          {s}
                        </span>
                      ))}
                    </span>
                  </td>
                  <td
                    className="whitespace-nowrap px-2 py-2 text-muted"
                    title={c.last_used_at ? exactTime(c.last_used_at) : undefined}
                  >
                    {c.last_used_at ? relativeTime(c.last_used_at, now) : "never"}
                  </td>
                  <td className="whitespace-nowrap px-2 py-2">
                    {c.status === "active" ? (
                      <span className="text-ok">Active</span>
                    ) : (
                      `Revoked ${c.revoked_at ? relativeTime(c.revoked_at, now) : ""}`
                    )}
                  </td>
                  <td className="px-3 py-2 text-right">
                    {c.status === "active" && (
                      <Form method="post">
                        {csrf}
                        <input type="hidden" name="tenant" value={data.tenant.id} />
                        <input type="hidden" name="intent" value="revoke" />
                        <input type="hidden" name="client" value={c.id} />
                        <button
                          type="submit"
                          aria-label={`Revoke ${c.name}`}
                          className="rounded-md border border-line px-2.5 py-1 font-medium text-bad hover:border-bad"
                        >
                          Revoke
                        </button>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
