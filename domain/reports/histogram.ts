// Durations for percentiles: kept as seconds to two significant figures (87 s, 1,200 s, 47,000 s),
// which is how a report states them, so a month of a busy tenant is a few hundred bins, not every
// value. Percentiles are nearest-rank over those bins: exact for the durations as kept.

/** The bin of a duration: its seconds, truncated to two significant figures. */
export function binOf(ms: number): number {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 100) return seconds;
  // Digits from the decimal string: log10 is not exact at powers of ten.
  const scale = 10 ** (String(seconds).length - 2);
  return Math.floor(seconds / scale) * scale;
}

export type Bins = Record<string, number>;

/** Adds `from` into `into` (for summing buckets, or tenants). */
export function mergeBins(into: Bins, from: Bins): Bins {
  for (const [bin, n] of Object.entries(from)) into[bin] = (into[bin] ?? 0) + n;
  return into;
}

/** The nearest-rank `q`-quantile (0 < q ≤ 1) of the binned durations, in ms; null when empty. */
export function percentileMs(bins: Bins, q: number): number | null {
  const sorted = Object.entries(bins)
    .map(([bin, n]) => [Number(bin), n] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [bin, n] of sorted) {
    seen += n;
    if (seen >= rank) return bin * 1000;
  }
  return null;
}
