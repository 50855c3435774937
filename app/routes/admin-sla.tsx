// `/admin/sla`: a tenant's SLA policy and business calendar. An admin edits the targets, the warning
// point and the calendar (time zone, working days and hours, holidays), previews the due times a
// case opened now would get, and saves it for cases opened from then on (an audited change).
import { Form, useActionData } from "react-router";
import {
  dueTimesFor,
  parseSlaPolicy,
  saveSlaPolicy,
  tenantSlaPolicy,
} from "../../domain/administration/sla-policy.ts";
import { actorOf } from "../../domain/auth/principal.ts";
import { CASE_SEVERITIES } from "../../domain/case-vocabulary.ts";
import { PhoenixError } from "../../domain/errors.ts";
import { formatDuration, parseDuration } from "../../domain/sla/durations.ts";
import { SLA_CLOCKS, type SlaPolicy } from "../../domain/sla/types.ts";
import { AdminHeader, AdminOutcome } from "../admin-nav.tsx";
import { CLOCK_LABEL, CLOCK_NAME, SeverityBadge } from "../case-badges.tsx";
import { shortDuration } from "../clock.tsx";
import { tenantAccess } from "../tenant-access.server.ts";
import { signedInFormPost, withPhoenixErrors } from "../workbench.server.ts";
import type { Route } from "./+types/admin-sla";
import { useShell } from "./shell.tsx";

export const meta: Route.MetaFunction = () => [{ title: "SLA policy · Administration · Phoenix" }];

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
const TARGET_FIELD = { acknowledge: "acknowledgeMs", contain: "containMs", resolve: "resolveMs" } as const;

export async function loader(args: Route.LoaderArgs) {
  const now = Date.now();
  return withPhoenixErrors(async () => {
    const requested = new URL(args.request.url).searchParams.get("tenant");
    const { principal, env, tenants } = await tenantAccess(args, "sla.manage", requested, now);
    const current = await tenantSlaPolicy(env.CONTROL_DB, principal.tenant.id);
    return {
      tenant: { id: principal.tenant.id, name: principal.tenant.name },
      tenants,
      own: current.own,
      policy: current.policy,
      preview: preview(current.policy, now),
    };
  });
}

export type SlaOutcome = {
  intent: "preview" | "save";
  ok: boolean;
  message: string;
  fields: { field: string; message: string }[];
  /** The policy as submitted, so the form keeps what was typed. */
  policy: SlaPolicy | null;
  /** When it did not validate: the fields as typed, so nothing the admin wrote is lost. */
  typed: Record<string, string[]> | null;
  preview: ReturnType<typeof preview> | null;
};

export function action(args: Route.ActionArgs) {
  return signedInFormPost(args, async (_signedIn, form, now): Promise<SlaOutcome> => {
    const { principal, env } = await tenantAccess(
      args,
      "sla.manage",
      String(form.get("tenant") ?? "") || null,
      now,
    );
    const intent = form.get("intent") === "save" ? "save" : "preview";
    const current = await tenantSlaPolicy(env.CONTROL_DB, principal.tenant.id);
    const submitted = policyFromForm(form, current.policy);
    try {
      if (submitted.unreadable.length > 0) {
        throw new PhoenixError("validation_failed", "the SLA policy is not valid", submitted.unreadable);
      }
      const policy =
        intent === "save"
          ? (
              await saveSlaPolicy(
                env.CONTROL_DB,
                principal.tenant.id,
                submitted.input,
                actorOf(principal),
                now,
              )
            ).policy
          : parseSlaPolicy(submitted.input);
      return {
        intent,
        ok: true,
        message:
          intent === "save"
            ? "Saved: cases opened from now on get these targets; open cases keep theirs"
            : "Preview of these settings (not saved yet)",
        fields: [],
        policy,
        typed: null,
        preview: preview(policy, now),
      };
    } catch (error) {
      if (!(error instanceof PhoenixError) || error.code !== "validation_failed") throw error;
      const typed: Record<string, string[]> = {};
      for (const name of new Set(form.keys())) {
        if (name !== "csrf") typed[name] = form.getAll(name).map(String);
      }
      return {
        intent,
        ok: false,
        message: "Some settings need attention",
        // The warning is typed as a percentage: its error names the field the admin sees.
        fields: (error.errors ?? []).map((f) =>
          f.field === "warningRatio" ? { ...f, field: "warningPercent" } : f,
        ),
        policy: null,
        typed,
        preview: null,
      };
    }
  });
}

/**
 * The form's fields as a policy to validate. Durations that do not read as one are reported here
 * under the policy's own field names; everything else is left to the domain's schema.
 */
function policyFromForm(form: FormData, current: SlaPolicy) {
  const unreadable: { field: string; message: string }[] = [];
  const targets = Object.fromEntries(
    CASE_SEVERITIES.map((severity) => [
      severity,
      Object.fromEntries(
        SLA_CLOCKS.map((clock) => {
          const field = `targets.${severity}.${TARGET_FIELD[clock]}`;
          const ms = parseDuration(String(form.get(field) ?? ""));
          if (ms === null) unreadable.push({ field, message: 'write it as "15m", "4h" or "1d 4h"' });
          return [TARGET_FIELD[clock], ms ?? 0];
        }),
      ),
    ]),
  );
  const warning = Number(form.get("warningPercent"));
  const calendar =
    form.get("calendar") === "business_hours"
      ? {
          kind: "business_hours",
          timeZone: String(form.get("timeZone") ?? "").trim(),
          weekdays: form.getAll("weekday").map(Number),
          start: String(form.get("start") ?? ""),
          end: String(form.get("end") ?? ""),
          holidays: String(form.get("holidays") ?? "")
            .split(/[\s,]+/)
            .filter(Boolean),
        }
      : { kind: "24x7" };
  return {
    unreadable,
    // Which states pause which clock is not edited here: the current rule is kept.
    input: { targets, warningRatio: warning / 100, calendar, pausedIn: current.pausedIn },
  };
}

/** When each clock of a case opened at `now` would warn and fall due, written in the calendar's zone. */
function preview(policy: SlaPolicy, now: number) {
  const timeZone = policy.calendar.kind === "business_hours" ? policy.calendar.timeZone : "UTC";
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
  const due = dueTimesFor(policy, now);
  return {
    timeZone,
    openedAt: format.format(now),
    rows: CASE_SEVERITIES.toReversed().map((severity) => ({
      severity,
      clocks: SLA_CLOCKS.map((clock) => ({
        clock,
        due: format.format(due[severity][clock].dueAt),
        after: shortDuration(due[severity][clock].dueAt - now),
      })),
    })),
  };
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

const field = "mt-0.5 rounded-md border border-line bg-surface px-2 py-1 text-[13px] text-ink";

export default function AdminSlaPage({ loaderData: data }: Route.ComponentProps) {
  const shell = useShell();
  const result = useActionData<typeof action>();
  // What the form shows: what was just submitted, else what is stored.
  const policy = result?.policy ?? data.policy;
  // After a refusal the form shows what was typed; otherwise the policy it answers with.
  const typed = result?.typed ?? null;
  const value = (name: string, stored: string) => typed?.[name]?.[0] ?? (typed ? "" : stored);
  const shown = result?.preview ?? data.preview;
  const calendar = policy.calendar;
  const hours = calendar.kind === "business_hours" ? calendar : null;
  const businessHours = typed ? typed.calendar?.[0] === "business_hours" : !!hours;
  const fieldError = (name: string) =>
    result?.fields.find((f) => f.field === name || f.field.startsWith(`${name}.`));
  return (
    <section aria-labelledby="admin-title" className="mx-auto max-w-6xl">
      <AdminHeader title="SLA policy" tenant={data.tenant} tenants={data.tenants} />
      <p className="mt-3 text-[13px] text-muted">
        {data.own ? "This tenant has its own policy." : "This tenant uses Phoenix's default policy."} A case
        takes the policy in force when it opens and keeps it.
      </p>
      {result && <AdminOutcome ok={result.ok} message={result.message} fields={result.fields} />}
      <div className="mt-4 grid gap-5 lg:grid-cols-[minmax(0,1fr)_30rem]">
        <Form
          method="post"
          aria-label="SLA policy"
          // A fresh form for each answer, so its fields show what the answer holds.
          key={JSON.stringify(typed ?? policy)}
          className="space-y-4 rounded-lg border border-line bg-surface p-4 text-[12px] text-muted"
        >
          <input type="hidden" name="csrf" value={shell.me?.csrfToken ?? ""} />
          <input type="hidden" name="tenant" value={data.tenant.id} />
          <fieldset>
            <legend className="text-[13px] font-medium text-ink">Targets</legend>
            <table className="mt-1 border-collapse text-left">
              <caption className="sr-only">Time allowed per severity and clock, as 15m, 4h or 1d 4h</caption>
              <thead>
                <tr>
                  <th scope="col" className="pr-3 font-normal">
                    <span className="sr-only">Severity</span>
                  </th>
                  {SLA_CLOCKS.map((clock) => (
                    <th key={clock} scope="col" className="px-1 pb-1 font-normal">
                      {capitalised(CLOCK_NAME[clock] ?? clock)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {CASE_SEVERITIES.toReversed().map((severity) => (
                  <tr key={severity}>
                    <th scope="row" className="pr-3 text-left font-normal">
                      <SeverityBadge severity={severity} />
                    </th>
                    {SLA_CLOCKS.map((clock) => {
                      const name = `targets.${severity}.${TARGET_FIELD[clock]}`;
                      return (
                        <td key={clock} className="px-1 py-0.5">
                          <input
                            name={name}
                            aria-label={`${CLOCK_NAME[clock]}, ${severity}`}
                            aria-invalid={fieldError(name) ? true : undefined}
                            defaultValue={value(
                              name,
                              formatDuration(policy.targets[severity][TARGET_FIELD[clock]]),
                            )}
                            className={`${field} w-24 font-mono`}
                          />
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </fieldset>
          <label className="flex w-fit flex-col">
            Warn when this much of a target is used (%)
            <input
              name="warningPercent"
              type="number"
              min={1}
              max={99}
              defaultValue={value("warningPercent", String(Math.round(policy.warningRatio * 100)))}
              aria-invalid={fieldError("warningPercent") ? true : undefined}
              className={`${field} w-24`}
            />
          </label>
          <fieldset className="space-y-2">
            <legend className="text-[13px] font-medium text-ink">Calendar</legend>
            <div className="flex gap-4 text-[13px] text-ink">
              <label className="inline-flex items-center gap-1.5">
                <input type="radio" name="calendar" value="24x7" defaultChecked={!businessHours} />
                Around the clock (24×7)
              </label>
              <label className="inline-flex items-center gap-1.5">
                <input type="radio" name="calendar" value="business_hours" defaultChecked={businessHours} />
                Business hours
              </label>
            </div>
            <p>Business hours apply only when chosen above; targets then count working time only.</p>
            <div className="flex flex-wrap items-end gap-3">
              <label className="flex flex-col">
                Time zone
                <input
                  name="timeZone"
                  defaultValue={value("timeZone", hours?.timeZone ?? "Europe/London")}
                  placeholder="Europe/Berlin"
                  aria-invalid={fieldError("calendar.timeZone") ? true : undefined}
                  className={`${field} w-48`}
                />
              </label>
              <label className="flex flex-col">
                From
                <input
                  name="start"
                  type="time"
                  defaultValue={value("start", hours?.start ?? "09:00")}
                  aria-invalid={fieldError("calendar.start") ? true : undefined}
                  className={field}
                />
              </label>
              <label className="flex flex-col">
                Until
                <input
                  name="end"
                  defaultValue={value("end", hours?.end ?? "17:00")}
                  aria-invalid={fieldError("calendar.end") ? true : undefined}
                  pattern="(?:[01]\d|2[0-3]):[0-5]\d|24:00"
                  placeholder="17:00"
                  className={`${field} w-24`}
                />
              </label>
            </div>
            <fieldset className="flex flex-wrap gap-3 text-[13px] text-ink">
              <legend className="mb-1 text-[12px] text-muted">Working days</legend>
              {WEEKDAYS.map((day, i) => (
                <label key={day} className="inline-flex items-center gap-1">
                  <input
                    type="checkbox"
                    name="weekday"
                    value={i + 1}
                    defaultChecked={
                      typed
                        ? (typed.weekday ?? []).includes(String(i + 1))
                        : hours
                          ? hours.weekdays.includes(i + 1)
                          : i < 5
                    }
                  />
                  {day}
                </label>
              ))}
            </fieldset>
            <label className="flex flex-col">
              Holidays (YYYY-MM-DD, one per line)
              <textarea
                name="holidays"
                rows={3}
                defaultValue={value("holidays", hours?.holidays.join("\n") ?? "")}
                aria-invalid={fieldError("calendar.holidays") ? true : undefined}
                className={`${field} w-64 font-mono`}
              />
            </label>
          </fieldset>
          <div className="flex gap-2">
            <button
              type="submit"
              name="intent"
              value="preview"
              className="rounded-md border border-line px-3 py-1 text-[13px] font-medium text-ink hover:border-accent"
            >
              Preview due times
            </button>
            <button
              type="submit"
              name="intent"
              value="save"
              className="rounded-md bg-accent px-3 py-1 text-[13px] font-medium text-accent-ink hover:opacity-90"
            >
              Save policy
            </button>
          </div>
        </Form>
        <section
          aria-labelledby="preview-title"
          className="h-fit rounded-lg border border-line bg-surface p-4"
        >
          <h2 id="preview-title" className="text-[13px] font-semibold">
            A case opened now
          </h2>
          <p className="text-[12px] text-muted">
            {shown.openedAt}, {shown.timeZone}
            {result?.ok && result.intent === "preview" ? " · with the settings as previewed" : ""}
          </p>
          <table className="mt-2 w-full border-collapse text-left text-[12px]">
            <caption className="sr-only">When each clock would fall due, per severity</caption>
            <thead className="text-[11px] uppercase tracking-wide text-muted">
              <tr>
                <th scope="col" className="py-1">
                  <span className="sr-only">Severity</span>
                </th>
                {SLA_CLOCKS.map((clock) => (
                  <th key={clock} scope="col" className="py-1" title={CLOCK_NAME[clock]}>
                    {CLOCK_LABEL[clock]} due
                  </th>
                ))}
              </tr>
            </thead>
            <tbody data-due-times>
              {shown.rows.map((row) => (
                <tr key={row.severity} className="border-t border-line align-top">
                  <th scope="row" className="py-1.5 pr-2 text-left font-normal">
                    <SeverityBadge severity={row.severity} />
                  </th>
                  {row.clocks.map((c) => (
                    <td key={c.clock} className="py-1.5 pr-2">
                      <span className="block whitespace-nowrap">{c.due}</span>
                      <span className="text-muted">in {c.after}</span>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </section>
  );
}
