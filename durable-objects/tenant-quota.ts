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
    // Charges made under a key (a queued delivery's webhook-id): a retry of the same delivery reuses
    // its charge rather than making another, so a crash between charge and store costs nothing.
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS keyed_charges (key TEXT NOT NULL, day TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (key, day))",
    );
    this.sql.exec("CREATE INDEX IF NOT EXISTS keyed_charges_day ON keyed_charges (day)");
  }

  // The day before which charges were last pruned: pruning runs once per day per instance, not per charge.
  private prunedBefore: string | null = null;

  /**
   * Counts `count` findings against `day` if they all fit under `limit`; otherwise counts nothing.
   * With a `key` already charged that day, nothing more is counted and the charge is `reused`.
   */
  consume(day: string, count: number, limit: number, key?: string): QuotaDecision & { reused: boolean } {
    checkDay(day);
    checkCount("count", count, 1);
    checkCount("limit", limit, 0);
    // The day before stays: a request that started just before midnight may still charge or refund it.
    const keepFrom = previousUtcDay(day);
    if (this.prunedBefore !== keepFrom) {
      this.sql.exec("DELETE FROM daily_usage WHERE day < ?", keepFrom);
      this.sql.exec("DELETE FROM keyed_charges WHERE day < ?", keepFrom);
      this.prunedBefore = keepFrom;
    }
    const used = this.usedOn(day);
    const decision = (allowed: boolean, after: number) => ({
      allowed,
      used: after,
      remaining: Math.max(0, limit - after),
      resetAt: endOfUtcDay(day),
    });
    if (key !== undefined && this.chargedUnder(key, day)) return { ...decision(true, used), reused: true };
    const allowed = used + count <= limit;
    const after = allowed ? used + count : used;
    if (allowed) {
      this.sql.exec(
        "INSERT INTO daily_usage (day, used) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET used = excluded.used",
        day,
        after,
      );
      if (key !== undefined) {
        this.sql.exec("INSERT INTO keyed_charges (key, day, count) VALUES (?, ?, ?)", key, day, count);
      }
    }
    return { ...decision(allowed, after), reused: false };
  }

  /**
   * Several keyed charges in one call, in order, each as `consume` makes it: the ingest consumer's
   * deliveries of one batch. A charge that does not fit counts nothing; later smaller ones may.
   */
  consumeKeyed(
    charges: ReadonlyArray<{ day: string; count: number; key: string }>,
    limit: number,
  ): Array<QuotaDecision & { reused: boolean }> {
    return charges.map((c) => this.consume(c.day, c.count, limit, c.key));
  }

  /**
   * Gives back every charge made under `key` (one per day it was charged on), once; a key never
   * charged, or given back already, is a no-op. `used` is the latest such day's count after.
   */
  releaseKey(key: string): { used: number | null } {
    const rows = this.sql
      .exec<{ day: string; count: number }>(
        "SELECT day, count FROM keyed_charges WHERE key = ? ORDER BY day",
        key,
      )
      .toArray();
    this.sql.exec("DELETE FROM keyed_charges WHERE key = ?", key);
    let used: number | null = null;
    for (const row of rows) used = this.release(row.day, row.count).used;
    return { used };
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

  private chargedUnder(key: string, day: string): boolean {
    return (
      this.sql.exec("SELECT 1 FROM keyed_charges WHERE key = ? AND day = ?", key, day).toArray().length > 0
    );
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
