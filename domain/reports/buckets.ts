// Report time buckets: UTC days, ISO weeks (Monday to Monday) and calendar months. A bucket is
// named by its start, in epoch ms. Pure: every instant is passed in.

export const GRAINS = ["day", "week", "month"] as const;
export type Grain = (typeof GRAINS)[number];

const DAY_MS = 86_400_000;

/** The start of the bucket of `grain` that holds `at`. */
export function bucketStart(grain: Grain, at: number): number {
  const day = Math.floor(at / DAY_MS);
  switch (grain) {
    case "day":
      return day * DAY_MS;
    case "week":
      // 1970-01-01 was a Thursday: three days after a Monday.
      return (day - ((((day + 3) % 7) + 7) % 7)) * DAY_MS;
    case "month": {
      const date = new Date(at);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    }
  }
}

/** The start of the bucket after the one starting at `start`. */
export function nextBucket(grain: Grain, start: number): number {
  switch (grain) {
    case "day":
      return start + DAY_MS;
    case "week":
      return start + 7 * DAY_MS;
    case "month": {
      const date = new Date(start);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    }
  }
}

/** Every bucket an instant belongs to, one per grain: what a counted fact adds to. */
export function bucketsOf(at: number): Array<{ grain: Grain; bucket: number }> {
  return GRAINS.map((grain) => ({ grain, bucket: bucketStart(grain, at) }));
}

/** The buckets of `grain` that overlap [from, to), by start. */
export function bucketsBetween(grain: Grain, from: number, to: number): number[] {
  const starts: number[] = [];
  for (let b = bucketStart(grain, from); b < to; b = nextBucket(grain, b)) starts.push(b);
  return starts;
}

/**
 * [from, to) on whole days, as the fewest buckets that cover it exactly: whole months where they
 * fit, days at the edges. A period report sums these, so a year reads 12 months, not 365 days.
 */
export function tile(from: number, to: number): Array<{ grain: Grain; from: number; to: number }> {
  const parts: Array<{ grain: Grain; from: number; to: number }> = [];
  let at = from;
  while (at < to) {
    const month = bucketStart("month", at);
    const monthEnd = nextBucket("month", month);
    if (month === at && monthEnd <= to) {
      let end = monthEnd;
      while (nextBucket("month", end) <= to) end = nextBucket("month", end);
      parts.push({ grain: "month", from: at, to: end });
      at = end;
    } else {
      const end = Math.min(to, monthEnd);
      parts.push({ grain: "day", from: at, to: end });
      at = end;
    }
  }
  return parts;
}
