// `/admin/connectors`: a tenant's source connectors. An admin sees each one's kind, state, ingest URL
// and what waits in its quarantine, and adds one: its signing secret is shown once, here, and the
// connector's own page has the signed example to send.
import { Form, Link, useActionData } from "react-router";
import { actorOf } from "../../domain/auth/principal.ts";
import { createConnector, listConnectors } from "../../domain/connectors/service.ts";
import { CONNECTOR_KINDS, validateConnectorConfig } from "../../domain/ingest/kinds/index.ts";
import { openQuarantineCounts } from "../../domain/ingest/quarantine.ts";
import { orRefusal, type Refusal, refusal } from "../admin-actions.server.ts";
import { AdminTable } from "../admin-forms.tsx";
import { AdminHeader, AdminOutcome } from "../admin-nav.tsx";
import { exactTime, relativeTime, useNow } from "../clock.tsx";
import { CONNECTOR_KIND, connectorKindLabel, ingestUrl } from "../connector-kinds.ts";
import { CopyButton } from "../copy-button.tsx";
import { tenantAccess } from "../tenant-access.server.ts";
import { signedInFormPost, withPhoenixErrors } from "../workbench.server.ts";
import type { Route } from "./+types/admin-connectors";
import { useShell } from "./shell.tsx";

export const meta: Route.MetaFunction = () => [{ title: "Connectors · Administration · Phoenix" }];

// A secret is in one response only: never kept by a browser or anything between.
export const headers: Route.HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  return withPhoenixErrors(async () => {
    const requested = new URL(args.request.url).searchParams.get("tenant");
    const { principal, env, db, tenants } = await tenantAccess(args, "connectors.manage", requested, now);
    const [connectors, quarantined] = await Promise.all([
      listConnectors(env.CONTROL_DB, principal.tenant.id),
      openQuarantineCounts(db),
    ]);
    return {
      now,
      tenant: { id: principal.tenant.id, name: principal.tenant.name },
      tenants,
      connectors: connectors.map((c) => ({
        id: c.id,
        kind: c.kind,
        name: c.name,
        status: c.status,
        ingestUrl: ingestUrl(args.request.url, c.id),
        previousSecretExpiresAt: c.previous_secret_expires_at,
        updatedAt: c.updated_at,
        quarantined: quarantined.get(c.id) ?? 0,
      })),
    };
  });
}

export type CreatedOutcome = {
  ok: true;
  message: string;
  created: { id: string; name: string; secret: string; ingestUrl: string };
};

export function action(args: Route.ActionArgs) {
  return signedInFormPost(args, async (_signedIn, form, now): Promise<CreatedOutcome | Refusal> => {
    const { principal, env } = await tenantAccess(
      args,
      "connectors.manage",
      String(form.get("tenant") ?? "") || null,
      now,
    );
    const kind = String(form.get("kind") ?? "");
    const name = String(form.get("name") ?? "").trim();
    const problems = [
      ...(CONNECTOR_KINDS.includes(kind as never) ? [] : [{ field: "kind", message: "choose a kind" }]),
      ...(name && name.length <= 200
        ? []
        : [{ field: "name", message: "give the connector a name (up to 200 characters)" }]),
    ];
    if (problems.length > 0) return refusal("Some fields need attention.", problems);
    return orRefusal(async () => {
      const { connector, secret } = await createConnector(
        env.CONTROL_DB,
        env.SECRETS_ENCRYPTION_KEY,
        principal.tenant.id,
        { kind, name, config: validateConnectorConfig(kind, {}) },
        now,
        actorOf(principal),
      );
      return {
        ok: true as const,
        message: `Added ${connector.name}`,
        created: {
          id: connector.id,
          name: connector.name,
          secret,
          ingestUrl: ingestUrl(args.request.url, connector.id),
        },
      };
    });
  });
}

const field = "mt-0.5 rounded-md border border-line bg-surface px-2 py-1 text-[13px] text-ink";

export default function AdminConnectorsPage({ loaderData: data }: Route.ComponentProps) {
  const now = useNow(data.now);
  const shell = useShell();
  const result = useActionData<typeof action>();
  return (
    <section aria-labelledby="admin-title" className="mx-auto max-w-6xl">
      <AdminHeader title="Connectors" tenant={data.tenant} tenants={data.tenants} />
      {result && (
        <AdminOutcome ok={result.ok} message={result.message} fields={result.ok ? [] : result.fields}>
          {result.ok && (
            <div className="mt-2 text-ink">
              <p>Copy the signing secret now: Phoenix keeps it encrypted and will not show it again.</p>
              <dl className="mt-1 grid grid-cols-[max-content_minmax(0,1fr)] items-center gap-x-3 gap-y-1">
                <dt className="text-muted">Ingest URL</dt>
                <dd className="flex items-center gap-2">
                  <code className="select-all break-all font-mono text-[12px]">
                    {result.created.ingestUrl}
                  </code>
                  <CopyButton text={result.created.ingestUrl} label="Copy the ingest URL" />
                </dd>
                <dt className="text-muted">Signing secret</dt>
                <dd className="flex items-center gap-2">
                  <code data-secret className="select-all break-all font-mono text-[12px]">
                    {result.created.secret}
                  </code>
                  <CopyButton text={result.created.secret} label="Copy the signing secret" />
                </dd>
              </dl>
              <p className="mt-2">
                <Link
                  to={`/admin/connectors/${result.created.id}?tenant=${data.tenant.id}`}
                  className="font-medium text-info underline underline-offset-2"
                >
                  Open {result.created.name}
                </Link>{" "}
                for a signed example delivery to send.
              </p>
            </div>
          )}
        </AdminOutcome>
      )}
      <Form
        method="post"
        aria-label="Add a connector"
        className="mt-4 rounded-lg border border-line bg-surface p-3 text-[12px] text-muted"
      >
        <input type="hidden" name="csrf" value={shell.me?.csrfToken ?? ""} />
        <input type="hidden" name="tenant" value={data.tenant.id} />
        <p className="text-[13px] font-medium text-ink">Add a connector to {data.tenant.name}</p>
        <div className="mt-2 flex flex-wrap items-end gap-4">
          <label className="flex flex-col">
            Kind
            <select name="kind" required defaultValue="ocsf" className={`${field} w-56`}>
              {CONNECTOR_KINDS.map((k) => (
                <option key={k} value={k}>
                  {CONNECTOR_KIND[k].label}
                </option>
              ))}
            </select>
          </label>
          <label className="flex flex-col">
            Name
            <input
              name="name"
              required
              maxLength={200}
              placeholder="Falcon detections"
              className={`${field} w-64`}
            />
          </label>
          <button
            type="submit"
            className="rounded-md bg-accent px-3 py-1 text-[13px] font-medium text-accent-ink hover:opacity-90"
          >
            Add connector
          </button>
        </div>
        <ul className="mt-3 grid gap-x-6 gap-y-1 sm:grid-cols-2">
          {CONNECTOR_KINDS.map((k) => (
            <li key={k}>
              <span className="font-medium text-ink">{CONNECTOR_KIND[k].label}:</span>{" "}
              {CONNECTOR_KIND[k].about}
            </li>
          ))}
        </ul>
      </Form>
      {data.connectors.length === 0 ? (
        <p className="mt-4 text-[13px] text-muted">No connectors in this tenant yet.</p>
      ) : (
        <AdminTable
          caption={`Connectors of ${data.tenant.name}, with where they deliver`}
          columns={["Connector", "Kind", "Ingest URL", "Secret", "Quarantine", "Status"]}
        >
          {data.connectors.map((c) => {
            const inGrace = c.previousSecretExpiresAt !== null && c.previousSecretExpiresAt > now;
            return (
              <tr key={c.id} className={`border-t border-line ${c.status === "active" ? "" : "text-muted"}`}>
                <td className="px-3 py-2">
                  <Link
                    to={`/admin/connectors/${c.id}?tenant=${data.tenant.id}`}
                    className="block font-medium hover:underline"
                  >
                    {c.name}
                  </Link>
                  <span className="font-mono text-[11px] text-faint">{c.id}</span>
                </td>
                <td className="whitespace-nowrap px-2 py-2">{connectorKindLabel(c.kind)}</td>
                <td className="px-2 py-2">
                  <span className="flex items-center gap-2">
                    <code
                      className="max-w-[22rem] truncate font-mono text-[11px] text-muted"
                      title={c.ingestUrl}
                    >
                      {c.ingestUrl}
                    </code>
                    <CopyButton text={c.ingestUrl} label={`Copy the ingest URL of ${c.name}`} />
                  </span>
                </td>
                <td className="whitespace-nowrap px-2 py-2 text-muted">
                  {inGrace && c.previousSecretExpiresAt !== null ? (
                    <span
                      className="text-warn"
                      title={`The previous secret verifies until ${exactTime(c.previousSecretExpiresAt)}`}
                    >
                      Rotated; old one ends {relativeTime(c.previousSecretExpiresAt, now)}
                    </span>
                  ) : (
                    "One secret"
                  )}
                </td>
                <td className="whitespace-nowrap px-2 py-2">
                  {c.quarantined > 0 ? (
                    <Link
                      to={`/admin/connectors/${c.id}?tenant=${data.tenant.id}#quarantine`}
                      className="font-medium text-bad hover:underline"
                    >
                      {c.quarantined} to replay
                    </Link>
                  ) : (
                    <span className="text-muted">Empty</span>
                  )}
                </td>
                <td className="whitespace-nowrap px-3 py-2">
                  {c.status === "active" ? <span className="text-ok">Active</span> : "Disabled"}
                </td>
              </tr>
            );
          })}
        </AdminTable>
      )}
    </section>
  );
}
