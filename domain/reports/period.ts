// A report's period as the API names it (whole UTC days, `from` inclusive, `to` exclusive), and the
// limits that keep any report a few rows per bucket: refused with the parameter that breaks them.
import { PhoenixError } from "../errors.ts";
import { bucketsBetween, type Grain } from "./buckets.ts";
import type { Period } from "./queries.ts";

const DAY_MS = 86_400_000;
export const MAX_PERIOD_DAYS = 1_100;
export const MAX_BUCKETS = 400;

/** The period of two calendar dates (YYYY-MM-DD, already checked as dates). */
export function reportPeriod(q: { from: string; to: string }): Period {
  const from = Date.parse(`${q.from}T00:00:00Z`);
  const to = Date.parse(`${q.to}T00:00:00Z`);
  if (to <= from) {
    throw new PhoenixError("invalid_parameter", "`to` must be after `from`", [
      { field: "to", message: "must be after from" },
    ]);
  }
  if ((to - from) / DAY_MS > MAX_PERIOD_DAYS) {
    throw new PhoenixError("invalid_parameter", `a report covers at most ${MAX_PERIOD_DAYS} days`, [
      { field: "to", message: `must be at most ${MAX_PERIOD_DAYS} days after from` },
    ]);
  }
  return { from, to };
}

/** The period, when split into buckets of `grain`, stays within MAX_BUCKETS. */
export function bucketedPeriod(q: { from: string; to: string }, grain: Grain): Period {
  const period = reportPeriod(q);
  if (bucketsBetween(grain, period.from, period.to).length > MAX_BUCKETS) {
    throw new PhoenixError(
      "invalid_parameter",
      `a report has at most ${MAX_BUCKETS} buckets: use a larger bucket`,
      [{ field: "bucket", message: `gives more than ${MAX_BUCKETS} buckets for this period` }],
    );
  }
  return period;
}
