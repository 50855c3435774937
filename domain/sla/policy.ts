// The SLA policy Phoenix applies when a tenant has none, and the schema a tenant-supplied policy must
// pass. A case copies the policy at opening, so a bad policy would be carried for the case's lifetime:
// everything the clock maths relies on is checked here, at the edge.
import { z } from "zod";
import { CASE_STATUSES, type CaseSeverity } from "../case-vocabulary.ts";
import type { SlaPolicy } from "./types.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const DEFAULT_SLA_POLICY: SlaPolicy = {
  targets: {
    critical: { acknowledgeMs: 15 * MINUTE, containMs: 4 * HOUR, resolveMs: 24 * HOUR },
    high: { acknowledgeMs: 1 * HOUR, containMs: 8 * HOUR, resolveMs: 72 * HOUR },
    medium: { acknowledgeMs: 4 * HOUR, containMs: 24 * HOUR, resolveMs: 7 * DAY },
    low: { acknowledgeMs: 24 * HOUR, containMs: 72 * HOUR, resolveMs: 30 * DAY },
  },
  warningRatio: 0.75,
  calendar: { kind: "24x7" },
  pausedIn: { acknowledge: [], contain: ["on_hold"], resolve: ["on_hold"] },
};

// A year bounds the day-by-day calendar walk; no SOC target is longer.
const MAX_TARGET_MS = 366 * DAY;

const targetMs = z
  .number()
  .int("must be a whole number of milliseconds")
  .positive("must be positive")
  .max(MAX_TARGET_MS, "must be at most 366 days");

const slaTargetsSchema = z.strictObject({
  acknowledgeMs: targetMs,
  containMs: targetMs,
  resolveMs: targetMs,
});

const timeZoneSchema = z
  .string()
  // IANA names only: Intl would also take "+01:00", which is not a zone with DST rules.
  .regex(/^[A-Za-z][A-Za-z0-9_+\-/]*$/, {
    message: "must be an IANA time zone such as Europe/Berlin",
    abort: true,
  })
  .refine(isKnownTimeZone, "unknown time zone");

const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
// End is exclusive, so a working day running to midnight is written "24:00".
const END_HHMM = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a date YYYY-MM-DD", abort: true })
  .refine(isRealDate, "not a calendar date");

const businessHoursSchema = z
  .strictObject({
    kind: z.literal("business_hours"),
    timeZone: timeZoneSchema,
    weekdays: z
      .array(z.number().int().min(1, "ISO weekday 1..7").max(7, "ISO weekday 1..7"))
      .min(1, "at least one working weekday")
      .max(7)
      .refine((days) => new Set(days).size === days.length, "weekdays must be unique"),
    start: z.string().regex(HHMM, "must be HH:MM (00:00-23:59)"),
    end: z.string().regex(END_HHMM, "must be HH:MM, at most 24:00"),
    holidays: z.array(isoDate).max(2000),
  })
  // Zero-padded HH:MM compares as text; malformed times already have their own issue.
  .refine((hours) => !HHMM.test(hours.start) || !END_HHMM.test(hours.end) || hours.end > hours.start, {
    message: "end must be after start",
    path: ["end"],
  });

const calendarSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("24x7") }),
  businessHoursSchema,
]);

const statusList = z
  .array(z.enum(CASE_STATUSES))
  .refine((states) => new Set(states).size === states.length, "states must be unique");

export const slaPolicySchema = z
  .strictObject({
    targets: z.strictObject({
      low: slaTargetsSchema,
      medium: slaTargetsSchema,
      high: slaTargetsSchema,
      critical: slaTargetsSchema,
    } satisfies Record<CaseSeverity, unknown>),
    warningRatio: z.number().gt(0, "must be between 0 and 1").lt(1, "must be between 0 and 1"),
    calendar: calendarSchema,
    pausedIn: z.strictObject({
      // A case opens in `new` and acknowledging is leaving it: pausing there would never count.
      acknowledge: statusList.refine((states) => !states.includes("new"), "acknowledge cannot pause in new"),
      contain: statusList,
      resolve: statusList,
    }),
  })
  .superRefine((policy, ctx) => {
    // Due times are found by walking the calendar day by day: a target needing years of a thin
    // calendar (one minute a week) would take the Worker's whole CPU budget to place.
    const weekly = weeklyWorkingMs(policy.calendar);
    if (weekly === null) return;
    for (const severity of Object.keys(policy.targets) as CaseSeverity[]) {
      for (const [clock, ms] of Object.entries(policy.targets[severity])) {
        if (ms > weekly * MAX_WORKING_WEEKS) {
          ctx.addIssue({
            code: "custom",
            path: ["targets", severity, clock],
            message:
              "needs more than two years of this calendar's working time: shorten it or widen the hours",
          });
        }
      }
    }
  }) satisfies z.ZodType<SlaPolicy>;

const MAX_WORKING_WEEKS = 104;

/** Working time in a week of a business-hours calendar (null around the clock, or when unreadable). */
function weeklyWorkingMs(calendar: SlaPolicy["calendar"]): number | null {
  if (calendar.kind !== "business_hours") return null;
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const perDay = minutes(calendar.end) - minutes(calendar.start);
  const weekly = calendar.weekdays.length * perDay * MINUTE;
  // No working time at all is the weekdays' or the hours' own issue, named there.
  return Number.isFinite(weekly) && weekly > 0 ? weekly : null;
}

function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

function isRealDate(value: string): boolean {
  const [y, m, d] = value.split("-").map(Number);
  if (y === undefined || m === undefined || d === undefined) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
