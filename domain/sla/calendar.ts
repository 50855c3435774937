// Calendar time: the clock SLA targets are counted in. Around the clock it is wall time; in business
// hours it is only the working windows of one time zone, walked a local day at a time so a 30-day
// target costs a few hundred window computations, never a per-minute loop.
import { TZDate } from "@date-fns/tz";
import type { BusinessCalendar } from "./types.ts";

type BusinessHours = Extract<BusinessCalendar, { kind: "business_hours" }>;

const DAY_MS = 86_400_000;

/** The instant at which `ms` of calendar time has elapsed after `start` (start itself when ms <= 0). */
export function addCalendarTime(start: number, ms: number, calendar: BusinessCalendar): number {
  switch (calendar.kind) {
    case "24x7":
      return ms <= 0 ? start : start + ms;
    case "business_hours":
      return addWorkingTime(start, ms, compile(calendar));
    default:
      return unreachable(calendar);
  }
}

/** Calendar time between two instants; 0 when b <= a. */
export function calendarTimeBetween(a: number, b: number, calendar: BusinessCalendar): number {
  if (b <= a) return 0;
  switch (calendar.kind) {
    case "24x7":
      return b - a;
    case "business_hours":
      return workingTimeBetween(a, b, compile(calendar));
    default:
      return unreachable(calendar);
  }
}

interface CompiledHours {
  timeZone: string;
  weekdays: ReadonlySet<number>;
  holidays: ReadonlySet<string>;
  startMinute: number;
  endMinute: number;
}

function compile(calendar: BusinessHours): CompiledHours {
  const startMinute = parseClock(calendar.start);
  const endMinute = parseClock(calendar.end);
  const weekdays = new Set(calendar.weekdays.filter((d) => Number.isInteger(d) && d >= 1 && d <= 7));
  // Without a single working window the walk below would never end; the policy schema rejects both.
  if (weekdays.size === 0) throw new RangeError("business calendar has no working weekdays");
  if (endMinute <= startMinute) throw new RangeError("business calendar end must be after start");
  return {
    timeZone: calendar.timeZone,
    weekdays,
    holidays: new Set(calendar.holidays),
    startMinute,
    endMinute,
  };
}

function parseClock(hhmm: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  if (!match || hours > 24 || minutes > 59 || (hours === 24 && minutes !== 0)) {
    throw new RangeError(`invalid business hours time "${hhmm}"`);
  }
  return hours * 60 + minutes;
}

/** A local calendar date as days since 1970-01-01; plain date arithmetic, no zone involved. */
function localDayOf(instant: number, timeZone: string): number {
  const local = new TZDate(instant, timeZone);
  return Date.UTC(local.getFullYear(), local.getMonth(), local.getDate()) / DAY_MS;
}

/** The working window [from, to) of one local day, or null on a weekend or holiday. */
function windowOf(day: number, hours: CompiledHours): { from: number; to: number } | null {
  const date = new Date(day * DAY_MS);
  const isoWeekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
  if (!hours.weekdays.has(isoWeekday)) return null;
  if (hours.holidays.has(date.toISOString().slice(0, 10))) return null;
  // TZDate resolves local wall times to instants (DST gaps move forward), so a window that spans a
  // clock change is as long as the real time that passes in it.
  const at = (minute: number) =>
    new TZDate(
      date.getUTCFullYear(),
      date.getUTCMonth(),
      date.getUTCDate(),
      Math.floor(minute / 60),
      minute % 60,
      hours.timeZone,
    ).getTime();
  const from = at(hours.startMinute);
  return { from, to: Math.max(from, at(hours.endMinute)) };
}

function addWorkingTime(start: number, ms: number, hours: CompiledHours): number {
  if (ms <= 0) return start;
  let remaining = ms;
  for (let day = localDayOf(start, hours.timeZone); ; day++) {
    const window = windowOf(day, hours);
    if (!window || window.to <= start) continue;
    const from = Math.max(window.from, start);
    const available = window.to - from;
    // `<=` ends on the close of a window (Friday 17:00), not the opening of the next one.
    if (remaining <= available) return from + remaining;
    remaining -= available;
  }
}

function workingTimeBetween(a: number, b: number, hours: CompiledHours): number {
  let total = 0;
  const lastDay = localDayOf(b, hours.timeZone);
  for (let day = localDayOf(a, hours.timeZone); day <= lastDay; day++) {
    const window = windowOf(day, hours);
    if (!window) continue;
    const from = Math.max(window.from, a);
    const to = Math.min(window.to, b);
    if (to > from) total += to - from;
  }
  return total;
}

function unreachable(value: never): never {
  throw new Error(`unexpected calendar ${JSON.stringify(value)}`);
}
