// TenantQuota: one per tenant (named by tenant id), the exact count of findings ingested per UTC day.
// Each method runs its SQL synchronously, with no await, so calls are applied one at a time and a
// charge is all or nothing: concurrent requests can never take the tenant past its limit.
import { DurableObject } from "cloudflare:workers";
import { endOfUtcDay, isUtcDay, previousUtcDay, type QuotaDecision } from "../domain/alerts/quota.ts";

export class TenantQuota extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS daily_usage (day TEXT PRIMARY KEY, used INTEGER NOT NULL)");
  }

  /** Counts `count` findings against `day` if they all fit under `limit`; otherwise counts nothing. */
  consume(day: string, count: number, limit: number): QuotaDecision {
    checkDay(day);
    checkCount("count", count, 1);
    checkCount("limit", limit, 0);
    // The day before stays: a request that started just before midnight may still charge or refund it.
    this.sql.exec("DELETE FROM daily_usage WHERE day < ?", previousUtcDay(day));
    const used = this.usedOn(day);
    const allowed = used + count <= limit;
    const after = allowed ? used + count : used;
    if (allowed) {
      this.sql.exec(
        "INSERT INTO daily_usage (day, used) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET used = excluded.used",
        day,
        after,
      );
    }
    return { allowed, used: after, remaining: Math.max(0, limit - after), resetAt: endOfUtcDay(day) };
  }

  /** Gives back findings charged earlier that were not stored after all. Never goes below zero. */
  release(day: string, count: number): { used: number } {
    checkDay(day);
    checkCount("count", count, 1);
    const used = Math.max(0, this.usedOn(day) - count);
    this.sql.exec("UPDATE daily_usage SET used = ? WHERE day = ?", used, day);
    return { used };
  }

  /** Findings counted on a day (0 for a day with none, or one already pruned). */
  usage(day: string): { used: number } {
    checkDay(day);
    return { used: this.usedOn(day) };
  }

  private usedOn(day: string): number {
    const [row] = this.sql
      .exec<{ used: number }>("SELECT used FROM daily_usage WHERE day = ?", day)
      .toArray();
    return row?.used ?? 0;
  }
}

// RPC callers are our own Worker; a bad argument is a bug, reported as such rather than counted.
function checkDay(day: string): void {
  if (!isUtcDay(day)) throw new TypeError(`day must be a UTC date (YYYY-MM-DD), got ${JSON.stringify(day)}`);
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min)
    throw new TypeError(`${name} must be an integer of at least ${min}, got ${value}`);
}
