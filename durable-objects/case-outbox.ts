// A case object's outbox: what a commit still owes the world (read models, the work queue, the sink
// queue, merges, the tenant's live hub), written in the commit's own transaction and delivered after it, per target in
// order, with backoff and jitter on failure. Delivery itself is the case object's (case-object.ts).
const OUTBOX_BASE_DELAY_MS = 1_000;
const OUTBOX_MAX_DELAY_MS = 5 * 60_000;

export type OutboxTarget = "projection" | "work_queue" | "sink" | "merge" | "live";

// A type alias, not an interface: SqlStorage rows must be plain records.
export type OutboxRow = {
  id: number;
  target: OutboxTarget;
  version: number;
  payload: string;
  attempts: number;
};

export class CaseOutbox {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  enqueue(target: OutboxTarget, version: number, payload: unknown, now: number): void {
    this.sql.exec(
      "INSERT INTO outbox (target, version, payload, attempts, next_attempt_at) VALUES (?, ?, ?, 0, ?)",
      target,
      version,
      JSON.stringify(payload),
      now,
    );
  }

  /**
   * Rows due now, oldest first, and for each target only those before its first row still waiting
   * out a backoff: a later version must not overtake an earlier one that failed.
   */
  due(now: number): OutboxRow[] {
    return this.sql
      .exec<OutboxRow>(
        `SELECT id, target, version, payload, attempts FROM outbox AS o
         WHERE next_attempt_at <= ?
           AND NOT EXISTS (
             SELECT 1 FROM outbox AS w WHERE w.target = o.target AND w.id < o.id AND w.next_attempt_at > ?
           )
         ORDER BY id`,
        now,
        now,
      )
      .toArray();
  }

  /** Removes delivered rows, in one statement: each write outside a transaction is a commit. */
  delivered(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.sql.exec("DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))", JSON.stringify(ids));
  }

  /** Schedules the next attempt with exponential backoff and jitter, keeping the error for operators. */
  failed(row: OutboxRow, error: unknown, now: number): void {
    const attempts = row.attempts + 1;
    const delay = Math.min(OUTBOX_MAX_DELAY_MS, OUTBOX_BASE_DELAY_MS * 2 ** (attempts - 1));
    const jittered = Math.round(delay / 2 + Math.random() * (delay / 2));
    this.sql.exec(
      "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
      attempts,
      now + jittered,
      String(error).slice(0, 500),
      row.id,
    );
  }

  pending(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").toArray()[0]?.n ?? 0;
  }

  /** When the next row is due, or null when nothing is owed. */
  nextAttemptAt(): number | null {
    return (
      this.sql.exec<{ at: number | null }>("SELECT min(next_attempt_at) AS at FROM outbox").toArray()[0]
        ?.at ?? null
    );
  }
}
