// The administration pages' shared header: which tenant is being administered (a picker when the
// admin holds several) and the pages of administration.
import type { ReactNode } from "react";
import { Form, NavLink, useSubmit } from "react-router";

const PAGES = [
  { to: "/admin/people", label: "People and grants" },
  { to: "/admin/clients", label: "Machine clients" },
  { to: "/admin/connectors", label: "Connectors" },
  { to: "/admin/sinks", label: "Sinks" },
  { to: "/admin/sla", label: "SLA policy" },
  { to: "/admin/audit", label: "Audit chain" },
] as const;

export function AdminHeader({
  title,
  tenant,
  tenants,
}: {
  title: string;
  tenant: { id: string; name: string };
  tenants: { id: string; name: string }[];
}) {
  const submit = useSubmit();
  return (
    <header className="flex flex-wrap items-end gap-x-6 gap-y-2 border-b border-line pb-3">
      <div>
        <p className="text-[12px] font-medium uppercase tracking-wide text-muted">Administration</p>
        <h1 id="admin-title" className="text-lg font-semibold tracking-tight">
          {title}
        </h1>
      </div>
      <nav aria-label="Administration" className="flex gap-1 text-[13px]">
        {PAGES.map((p) => (
          <NavLink
            key={p.to}
            to={`${p.to}?tenant=${tenant.id}`}
            className={({ isActive }) =>
              `rounded-md px-2.5 py-1 ${isActive ? "bg-raised font-medium text-ink" : "text-muted hover:text-ink"}`
            }
          >
            {p.label}
          </NavLink>
        ))}
      </nav>
      <Form method="get" className="ml-auto flex items-end gap-2" onChange={(e) => submit(e.currentTarget)}>
        <label className="flex flex-col text-[11px] text-muted">
          Tenant
          <select
            name="tenant"
            defaultValue={tenant.id}
            disabled={tenants.length < 2}
            className="rounded-md border border-line bg-surface px-2 py-1 text-[13px] text-ink"
          >
            {tenants.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <noscript>
          <button type="submit" className="rounded-md border border-line px-2 py-1 text-[13px]">
            Show
          </button>
        </noscript>
      </Form>
    </header>
  );
}

/** What an administration form's post came to: a status when done, an alert naming each field when refused. */
export function AdminOutcome({
  ok,
  message,
  fields = [],
  children,
}: {
  ok: boolean;
  message: string;
  fields?: readonly { field: string; message: string }[];
  children?: ReactNode;
}) {
  return (
    <div
      role={ok ? "status" : "alert"}
      className={`mt-3 rounded-lg border px-3 py-2 text-[13px] ${ok ? "border-ok bg-ok-soft text-ok" : "border-bad bg-bad-soft text-bad"}`}
    >
      <p className="font-medium">{message}</p>
      {children}
      {fields.length > 0 && (
        <ul className="mt-1 list-disc pl-5">
          {fields.map((f) => (
            <li key={f.field}>
              {f.field}: {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
