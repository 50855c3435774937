// Time on the page: one shared ticker for every clock, and how durations and moments are written.
import { useEffect, useState } from "react";

const TICK_MS = 15_000;
const listeners = new Set<(now: number) => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: (now: number) => void): () => void {
  listeners.add(listener);
  if (!timer) {
    timer = setInterval(() => {
      const now = Date.now();
      for (const listener of listeners) listener(now);
    }, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** The current time, starting from the server's `now` (so the first render matches) and ticking. */
export function useNow(serverNow: number): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    setNow(Date.now());
    return subscribe(setNow);
  }, []);
  return now;
}

/** "45s", "12m", "3h 20m", "2d 4h": the two largest units, for SLA countdowns. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.round(Math.abs(ms) / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return `${m}m`;
  return `${s}s`;
}

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto", style: "narrow" });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1000],
];

/** "5 min. ago", "in 2 hr.": for last activity and timeline entries. */
export function relativeTime(at: number, now: number): string {
  const diff = at - now;
  // Moments just after the page's clock (written while the page loaded) are "now", not the future.
  if (diff > 0 && diff < 60_000) return relative.format(0, "second");
  for (const [unit, size] of UNITS) {
    if (Math.abs(diff) >= size || unit === "second") return relative.format(Math.round(diff / size), unit);
  }
  return "";
}

const absolute = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

/** An exact moment for titles and tooltips, in UTC (a SOC works across time zones). */
export function exactTime(at: number): string {
  return `${absolute.format(at)} UTC`;
}
