// `/admin/people`: a tenant's people and their grants. An admin invites someone, changes a role,
// revokes access and restores it, through the same domain functions, permission table and audit
// as /v1/users; the tenant's last admin cannot be removed (domain/auth/tenant-users.ts).
import { Form, useActionData } from "react-router";
import { displayNames } from "../../domain/auth/people.ts";
import { ROLES } from "../../domain/auth/permissions.ts";
import { actorOf, requirePermission } from "../../domain/auth/principal.ts";
import {
  grantRole,
  grantStatus,
  inviteRequestSchema,
  inviteUser,
  listTenantUsers,
  revokeGrant,
} from "../../domain/auth/tenant-users.ts";
import { fieldErrorsFromIssues, PhoenixError } from "../../domain/errors.ts";
import { isIdOf } from "../../domain/ids.ts";
import { AdminHeader, AdminOutcome } from "../admin-nav.tsx";
import { exactTime, relativeTime, useNow } from "../clock.tsx";
import { tenantAccess } from "../tenant-access.server.ts";
import { signedInFormPost, withPhoenixErrors } from "../workbench.server.ts";
import type { Route } from "./+types/admin-people";
import { useShell } from "./shell.tsx";

export const meta: Route.MetaFunction = () => [{ title: "People and grants · Administration · Phoenix" }];

const PEOPLE_SHOWN = 200;

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  return withPhoenixErrors(async () => {
    const requested = new URL(args.request.url).searchParams.get("tenant");
    const { principal, env, tenants } = await tenantAccess(args, "users.read", requested, now);
    const page = await listTenantUsers(env.CONTROL_DB, principal.tenant.id, { limit: PEOPLE_SHOWN });
    const grantors = await displayNames(env.CONTROL_DB, [
      ...new Set(page.items.flatMap((u) => (u.grant.grantedBy ? [u.grant.grantedBy] : []))),
    ]);
    return {
      now,
      me: principal.id,
      tenant: { id: principal.tenant.id, name: principal.tenant.name },
      tenants,
      canManage: principal.operations.has("users.manage"),
      more: page.nextCursor !== null,
      people: page.items.map(({ principal: p, grant: g }) => ({
        id: p.id,
        email: p.email,
        displayName: p.displayName,
        kind: p.kind,
        disabled: p.status === "disabled",
        role: g.role,
        status: grantStatus(g),
        grantedBy: g.grantedBy ? (grantors.get(g.grantedBy) ?? g.grantedBy) : null,
        updatedAt: g.updatedAt,
        revokedAt: g.revokedAt,
      })),
    };
  });
}

export interface PeopleOutcome {
  ok: boolean;
  message: string;
  /** Who was just invited: the invite form starts empty again only then. */
  invited?: string;
  fields?: { field: string; message: string }[];
}

// What an admin is told instead of an error page: a refusal they can act on, next to the form.
const SHOWN_REFUSALS = new Set(["conflict", "validation_failed"]);

export function action(args: Route.ActionArgs) {
  return signedInFormPost(args, async (_signedIn, form, now): Promise<PeopleOutcome> => {
    const access = await tenantAccess(args, "users.manage", String(form.get("tenant") ?? "") || null, now);
    const { principal, env } = access;
    requirePermission(principal, "users.manage");
    const db = env.CONTROL_DB;
    const tenantId = principal.tenant.id;
    const actor = actorOf(principal);
    const intent = String(form.get("intent") ?? "");
    try {
      if (intent === "invite") {
        const parsed = inviteRequestSchema.safeParse({
          email: String(form.get("email") ?? "").trim(),
          display_name: String(form.get("display_name") ?? ""),
          kind: form.get("kind"),
          role: form.get("role"),
        });
        if (!parsed.success) {
          return {
            ok: false,
            message: "Some fields need attention.",
            fields: fieldErrorsFromIssues(parsed.error.issues),
          };
        }
        const { email, display_name: displayName, kind, role } = parsed.data;
        const user = await inviteUser(db, tenantId, { email, displayName, kind, role }, actor, now);
        return {
          ok: true,
          message: `Invited ${user.principal.displayName} as ${user.grant.role}`,
          invited: user.principal.id,
        };
      }
      const personId = String(form.get("person") ?? "");
      if (!isIdOf("principal", personId)) throw new PhoenixError("not_found", "no such user");
      if (intent === "revoke") {
        const user = await revokeGrant(db, tenantId, personId, actor, now);
        // Their open workbench sockets on this tenant end now, as /v1/users/{id}/revoke does.
        await env.LIVE.getByName(tenantId).disconnect(personId);
        return { ok: true, message: `Revoked ${user.principal.displayName}'s access` };
      }
      if (intent === "role" || intent === "restore") {
        // Restoring gives back the role the grant had (a customer's role field is not editable, so not sent).
        const role = String(form.get(intent === "restore" ? "current_role" : "role") ?? "");
        if (!(ROLES as readonly string[]).includes(role)) {
          return {
            ok: false,
            message: "Choose a role.",
            fields: [{ field: "role", message: "pick a role" }],
          };
        }
        const user = await grantRole(db, tenantId, personId, role as (typeof ROLES)[number], actor, now);
        return {
          ok: true,
          message:
            intent === "restore"
              ? `Restored ${user.principal.displayName}'s access as ${user.grant.role}`
              : `${user.principal.displayName} is now ${user.grant.role}`,
        };
      }
      return { ok: false, message: "Choose what to do.", fields: [{ field: "intent", message: "unknown" }] };
    } catch (error) {
      if (error instanceof PhoenixError && SHOWN_REFUSALS.has(error.code)) {
        return { ok: false, message: capitalised(error.message), fields: error.errors ?? [] };
      }
      throw error;
    }
  });
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

type PeopleData = Route.ComponentProps["loaderData"];

const field = "mt-0.5 rounded-md border border-line bg-surface px-2 py-1 text-[13px] text-ink";
const button =
  "rounded-md border border-line bg-surface px-2.5 py-1 text-[13px] font-medium hover:border-accent";

export default function AdminPeoplePage({ loaderData: data }: Route.ComponentProps) {
  const now = useNow(data.now);
  const result = useActionData<typeof action>();
  return (
    <section aria-labelledby="admin-title" className="mx-auto max-w-6xl">
      <AdminHeader title="People and grants" tenant={data.tenant} tenants={data.tenants} />
      {result && <AdminOutcome ok={result.ok} message={result.message} fields={result.fields} />}
      {data.canManage && <InviteForm data={data} />}
      <div className="mt-4 overflow-x-auto rounded-lg border border-line bg-surface">
        <table className="w-full border-collapse text-left text-[13px]">
          <caption className="sr-only">
            People with a grant in {data.tenant.name}: their role, whether the grant is active, and who
            granted it
          </caption>
          <thead className="border-b border-line text-[11px] uppercase tracking-wide text-muted">
            <tr>
              <th scope="col" className="px-3 py-2">
                Person
              </th>
              <th scope="col" className="px-2 py-2">
                Kind
              </th>
              <th scope="col" className="px-2 py-2">
                Role
              </th>
              <th scope="col" className="px-2 py-2">
                Access
              </th>
              <th scope="col" className="px-2 py-2">
                Granted by
              </th>
              <th scope="col" className="px-3 py-2 text-right">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.people.map((p) => (
              // Re-keyed on each answer: a refused role change shows the stored role again.
              <PersonRow
                key={`${p.id}:${p.role}:${p.status}:${result?.message ?? ""}`}
                person={p}
                data={data}
                now={now}
              />
            ))}
          </tbody>
        </table>
      </div>
      {data.more && (
        <p className="mt-2 text-[13px] text-muted">
          Showing the {data.people.length} most recently granted; the rest are listed by GET /v1/users.
        </p>
      )}
    </section>
  );
}

function PersonRow({
  person: p,
  data,
  now,
}: {
  person: PeopleData["people"][number];
  data: PeopleData;
  now: number;
}) {
  const shell = useShell();
  const formId = `person-${p.id}`;
  const active = p.status === "active";
  return (
    <tr className={`border-t border-line ${active ? "" : "text-muted"}`}>
      <td className="px-3 py-2">
        <span className="block font-medium text-ink">
          {p.displayName}
          {p.id === data.me && <span className="ml-1.5 text-[11px] font-normal text-muted">(you)</span>}
        </span>
        <span className="text-[12px] text-muted">{p.email}</span>
      </td>
      <td className="px-2 py-2">{p.kind === "customer" ? "Customer" : "Staff"}</td>
      <td className="px-2 py-2">
        {data.canManage ? (
          <>
            <label htmlFor={`${formId}-role`} className="sr-only">
              Role of {p.displayName}
            </label>
            <select
              id={`${formId}-role`}
              form={formId}
              name="role"
              defaultValue={p.role}
              // Customer users are always viewers (domain/auth/tenant-users.ts).
              disabled={p.kind === "customer"}
              className={field}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </>
        ) : (
          p.role
        )}
      </td>
      <td className="whitespace-nowrap px-2 py-2">
        {active ? (
          <span className="text-ok">Active</span>
        ) : (
          <span title={p.revokedAt ? exactTime(p.revokedAt) : undefined}>
            Revoked {p.revokedAt ? relativeTime(p.revokedAt, now) : ""}
          </span>
        )}
        {p.disabled && <span className="ml-1.5 text-bad">· sign-in disabled</span>}
      </td>
      <td className="px-2 py-2 text-muted" title={exactTime(p.updatedAt)}>
        {p.grantedBy ?? "—"}
      </td>
      <td className="whitespace-nowrap px-3 py-2 text-right">
        {data.canManage && (
          <Form method="post" id={formId} className="inline-flex gap-1.5">
            <input type="hidden" name="csrf" value={shell.me?.csrfToken ?? ""} />
            <input type="hidden" name="tenant" value={data.tenant.id} />
            <input type="hidden" name="person" value={p.id} />
            <input type="hidden" name="current_role" value={p.role} />
            {active ? (
              <>
                {p.kind !== "customer" && (
                  <button type="submit" name="intent" value="role" className={button}>
                    Save role
                  </button>
                )}
                <button
                  type="submit"
                  name="intent"
                  value="revoke"
                  aria-label={`Revoke ${p.displayName}'s access`}
                  className={`${button} text-bad`}
                >
                  Revoke
                </button>
              </>
            ) : (
              <button
                type="submit"
                name="intent"
                value="restore"
                aria-label={`Restore ${p.displayName}'s access`}
                className={button}
              >
                Restore access
              </button>
            )}
          </Form>
        )}
      </td>
    </tr>
  );
}

function InviteForm({ data }: { data: PeopleData }) {
  const shell = useShell();
  const result = useActionData<typeof action>();
  return (
    <Form
      method="post"
      aria-label="Invite someone"
      // A new, empty form after a successful invite only: a refused one keeps what was typed.
      key={result?.invited ?? "invite"}
      className="mt-4 flex flex-wrap items-end gap-2 rounded-lg border border-line bg-surface p-3 text-[12px] text-muted"
    >
      <input type="hidden" name="csrf" value={shell.me?.csrfToken ?? ""} />
      <input type="hidden" name="tenant" value={data.tenant.id} />
      <input type="hidden" name="intent" value="invite" />
      <span className="w-full text-[13px] font-medium text-ink">Invite someone to {data.tenant.name}</span>
      <label className="flex flex-col">
        Email
        <input name="email" type="email" required maxLength={320} className={`${field} w-64`} />
      </label>
      <label className="flex flex-col">
        Name
        <input name="display_name" required maxLength={200} className={`${field} w-48`} />
      </label>
      <label className="flex flex-col">
        Kind
        <select name="kind" defaultValue="staff" className={field}>
          <option value="staff">Staff (the SOC)</option>
          <option value="customer">Customer user (viewer)</option>
        </select>
      </label>
      <label className="flex flex-col">
        Role
        <select name="role" defaultValue="analyst" className={field}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <button
        type="submit"
        className="rounded-md bg-accent px-3 py-1 text-[13px] font-medium text-accent-ink hover:opacity-90"
      >
        Invite
      </button>
    </Form>
  );
}
