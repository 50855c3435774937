// SLA targets as people write them: "15m", "4h", "1d 4h 30m". Exact both ways, so a target read
// into a form and saved back is the same number of milliseconds.
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;
const DURATION = /^\s*(?:(\d{1,4})\s*d)?\s*(?:(\d{1,5})\s*h)?\s*(?:(\d{1,6})\s*m)?\s*$/i;

/** Milliseconds for "1d 4h 30m" (any of the parts, in that order); null when it is not one. */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text);
  if (!match || !(match[1] || match[2] || match[3])) return null;
  const [, d = "0", h = "0", m = "0"] = match;
  return Number(d) * UNIT_MS.d + Number(h) * UNIT_MS.h + Number(m) * UNIT_MS.m;
}

/** "1d 4h 30m" for a whole number of minutes; the seconds of a finer target are shown as "<1m". */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / UNIT_MS.m);
  if (minutes === 0) return "<1m";
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d && `${d}d`, h && `${h}h`, m && `${m}m`].filter(Boolean).join(" ");
}
