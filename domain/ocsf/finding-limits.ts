// What a finding must satisfy beyond its schema before Phoenix stores it (decision 028): a size
// that fits a D1 row with room to spare, and timestamps that are neither before 1970 nor further
// ahead of Phoenix's clock than skew explains. Pure: `now` is passed in.
import type { FieldError } from "../errors.ts";
import { MAX_FINDING_BYTES, MAX_FUTURE_SKEW_MS, utf8Length } from "../input/limits.ts";
import { toEpochMs } from "./detection-finding.ts";

const TOP_LEVEL_TIMES = ["time", "start_time", "end_time"] as const;
const FINDING_INFO_TIMES = ["created_time", "first_seen_time", "last_seen_time", "modified_time"] as const;

export function findingLimitErrors(finding: object, now: number, prefix = ""): FieldError[] {
  const errors: FieldError[] = [];
  const bytes = utf8Length(JSON.stringify(finding));
  if (bytes > MAX_FINDING_BYTES) {
    errors.push({
      field: prefix || "(finding)",
      message: `is ${bytes} bytes of JSON; a finding may be at most ${MAX_FINDING_BYTES} bytes, raw_data included`,
    });
  }
  const record = finding as Record<string, unknown>;
  for (const name of TOP_LEVEL_TIMES) checkTime(record[name], join(prefix, name), now, errors);
  const info = record.finding_info;
  if (typeof info === "object" && info !== null) {
    for (const name of FINDING_INFO_TIMES) {
      checkTime((info as Record<string, unknown>)[name], join(prefix, `finding_info.${name}`), now, errors);
    }
  }
  return errors;
}

function checkTime(value: unknown, field: string, now: number, errors: FieldError[]): void {
  if (typeof value !== "number") return;
  if (value < 0) {
    errors.push({ field, message: `must not be before 1970-01-01 (epoch 0), got ${value}` });
    return;
  }
  const ms = toEpochMs(value);
  if (ms > now + MAX_FUTURE_SKEW_MS) {
    errors.push({
      field,
      message: `is ${Number.isFinite(ms) && ms < 8.64e15 ? new Date(ms).toISOString() : value}, more than 24 hours ahead of Phoenix's clock`,
    });
  }
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}
