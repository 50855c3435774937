// What the connector and sink pages share: their panels' look, and the panel that renames a thing
// and switches it on or off (the action reads intents "rename", "disable" and "enable").
import type { ReactNode } from "react";
import { Form } from "react-router";

export const adminField = "mt-0.5 rounded-md border border-line bg-surface px-2 py-1 text-[13px] text-ink";
export const adminButton =
  "rounded-md border border-line bg-surface px-2.5 py-1 text-[13px] font-medium text-ink hover:border-muted";
export const adminPrimary =
  "rounded-md bg-accent px-3 py-1 text-[13px] font-medium text-accent-ink hover:opacity-90";
export const adminPanel = "rounded-lg border border-line bg-surface p-3";
export const adminHeading = "text-[13px] font-semibold text-ink";

export function NameAndState({
  hidden,
  name,
  active,
  activeText,
  disabledText,
  children,
}: {
  /** The CSRF token and tenant every post carries. */
  hidden: ReactNode;
  name: string;
  active: boolean;
  activeText: string;
  disabledText: string;
  children?: ReactNode;
}) {
  return (
    <section aria-labelledby="name-and-state" className={adminPanel}>
      <h3 id="name-and-state" className={adminHeading}>
        Name and state
      </h3>
      <Form method="post" className="mt-2 flex items-end gap-2 text-[12px] text-muted">
        {hidden}
        <input type="hidden" name="intent" value="rename" />
        <label className="flex min-w-0 flex-1 flex-col">
          Name
          <input name="name" required maxLength={200} defaultValue={name} className={adminField} />
        </label>
        <button type="submit" className={adminButton}>
          Rename
        </button>
      </Form>
      <Form method="post" className="mt-3 flex items-center justify-between gap-2 text-[12px] text-muted">
        {hidden}
        <input type="hidden" name="intent" value={active ? "disable" : "enable"} />
        <span>{active ? activeText : disabledText}</span>
        <button type="submit" className={active ? `${adminButton} text-bad` : adminPrimary}>
          {active ? "Disable" : "Enable"}
        </button>
      </Form>
      {children}
    </section>
  );
}

/** A panel editing settings as the JSON `/v1` takes; the post names `intent` and sends the text as `field`. */
export function JsonSettings({
  hidden,
  title,
  help,
  intent,
  field,
  value,
  rows,
  save,
}: {
  hidden: ReactNode;
  title: string;
  help: ReactNode;
  intent: string;
  field: string;
  value: string;
  rows: number;
  save: string;
}) {
  const id = `${intent}-heading`;
  return (
    <section aria-labelledby={id} className={adminPanel}>
      <h3 id={id} className={adminHeading}>
        {title}
      </h3>
      <Form method="post" className="mt-1 text-[12px] text-muted">
        {hidden}
        <input type="hidden" name="intent" value={intent} />
        <label className="flex flex-col">
          <span>{help}</span>
          <textarea
            name={field}
            rows={rows}
            spellCheck={false}
            defaultValue={value}
            className={`${adminField} mt-1 font-mono text-[12px]`}
          />
        </label>
        <div className="mt-2 flex justify-end">
          <button type="submit" className={adminButton}>
            {save}
          </button>
        </div>
      </Form>
    </section>
  );
}

/** An administration list: a captioned table whose first and last columns sit a little further in. */
export function AdminTable({
  caption,
  columns,
  children,
}: {
  caption: string;
  columns: readonly string[];
  children: ReactNode;
}) {
  return (
    <div className="mt-4 overflow-x-auto rounded-lg border border-line bg-surface">
      <table className="w-full border-collapse text-left text-[13px]">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-line text-[11px] uppercase tracking-wide text-muted">
          <tr>
            {columns.map((label, i) => (
              <th
                key={label}
                scope="col"
                className={i === 0 || i === columns.length - 1 ? "px-3 py-2" : "px-2 py-2"}
              >
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
