// `/admin/audit`: the tenant's administration audit chain, newest first, with the result of
// re-walking the whole chain from its genesis hash on every load (as GET /v1/audit/verify does).
import {
  describeAdminChange,
  latestAdminAudit,
  verifyTenantAdminAudit,
} from "../../domain/admin-audit-log.ts";
import { displayNames } from "../../domain/auth/people.ts";
import { AdminHeader } from "../admin-nav.tsx";
import { exactTime, relativeTime, useNow } from "../clock.tsx";
import { tenantAccess } from "../tenant-access.server.ts";
import { withPhoenixErrors } from "../workbench.server.ts";
import type { Route } from "./+types/admin-audit";

export const meta: Route.MetaFunction = () => [{ title: "Audit chain · Administration · Phoenix" }];

const RECORDS_SHOWN = 100;

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  return withPhoenixErrors(async () => {
    const requested = new URL(args.request.url).searchParams.get("tenant");
    const { principal, env, tenants } = await tenantAccess(args, "audit.read", requested, now);
    const db = env.CONTROL_DB;
    const [records, verification] = await Promise.all([
      latestAdminAudit(db, principal.tenant.id, RECORDS_SHOWN),
      verifyTenantAdminAudit(db, principal.tenant.id),
    ]);
    const names = await displayNames(db, [...new Set(records.map((r) => r.actor.id))]);
    return {
      now,
      tenant: { id: principal.tenant.id, name: principal.tenant.name },
      tenants,
      verification,
      records: records.map((r) => ({
        seq: r.seq,
        at: r.at,
        actor: names.get(r.actor.id) ?? r.actor.id,
        actorKind: r.actor.type,
        action: r.action,
        target: `${r.targetType} ${r.targetId}`,
        changes: describeAdminChange(r.before, r.after),
        hash: r.hash,
      })),
    };
  });
}

export default function AdminAuditPage({ loaderData: data }: Route.ComponentProps) {
  const now = useNow(data.now);
  const v = data.verification;
  return (
    <section aria-labelledby="admin-title" className="mx-auto max-w-6xl">
      <AdminHeader title="Audit chain" tenant={data.tenant} tenants={data.tenants} />
      <div
        role="status"
        className={`mt-4 rounded-lg border px-3 py-2 text-[13px] ${v.ok ? "border-ok bg-ok-soft text-ok" : "border-bad bg-bad-soft text-bad"}`}
      >
        <p className="font-medium">
          {v.ok
            ? `Chain verified: ${v.length} ${v.length === 1 ? "record" : "records"}, each hash matches its content and the one before`
            : `Chain broken at record ${v.brokenAt}: a record was changed or removed after it was written`}
        </p>
        {v.headHash && <p className="mt-0.5 font-mono text-[11px] text-muted">head {v.headHash}</p>}
      </div>
      {data.records.length === 0 ? (
        <p className="mt-4 text-[13px] text-muted">No administration changes in this tenant yet.</p>
      ) : (
        <div className="mt-4 overflow-x-auto rounded-lg border border-line bg-surface">
          <table className="w-full border-collapse text-left text-[13px]">
            <caption className="sr-only">Administration changes in {data.tenant.name}, newest first</caption>
            <thead className="border-b border-line text-[11px] uppercase tracking-wide text-muted">
              <tr>
                <th scope="col" className="px-3 py-2 text-right">
                  #
                </th>
                <th scope="col" className="px-2 py-2">
                  When
                </th>
                <th scope="col" className="px-2 py-2">
                  Who
                </th>
                <th scope="col" className="px-2 py-2">
                  What
                </th>
                <th scope="col" className="px-3 py-2">
                  Change
                </th>
              </tr>
            </thead>
            <tbody>
              {data.records.map((r) => (
                <tr key={r.seq} className="border-t border-line align-top">
                  <td className="px-3 py-2 text-right font-mono text-[12px] text-muted" title={r.hash}>
                    {r.seq}
                  </td>
                  <td className="whitespace-nowrap px-2 py-2 text-muted" title={exactTime(r.at)}>
                    {relativeTime(r.at, now)}
                  </td>
                  <td className="px-2 py-2">
                    {r.actor}
                    {r.actorKind === "client" && (
                      <span className="ml-1 text-[11px] text-muted">(machine)</span>
                    )}
                  </td>
                  <td className="px-2 py-2">
                    <span className="font-medium">{r.action}</span>
                    <span className="block font-mono text-[11px] text-faint">{r.target}</span>
                  </td>
                  <td className="px-3 py-2">
                    <ul className="space-y-0.5">
                      {r.changes.map((c) => (
                        <li key={c} className="break-all font-mono text-[12px]">
                          {c}
                        </li>
                      ))}
                    </ul>
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
