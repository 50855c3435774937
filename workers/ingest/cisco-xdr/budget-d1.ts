// The shared XDR request budget in CONTROL_DB: every isolate of every tenant charges the same
// per-org rows, so one organisation's 8,000 requests an hour are really shared.
import { and, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { BudgetStore, TakeRequest, TakeResult } from "../../../domain/connectors/xdr-budget.ts";
import { xdrOrgPauses, xdrRequestBudget } from "../../../schema/control.ts";

export class D1BudgetStore implements BudgetStore {
  private readonly db: ReturnType<typeof drizzle>;

  constructor(controlDb: D1Database) {
    this.db = drizzle(controlDb);
  }

  async take({ key, at, windowStart, cost, limit }: TakeRequest): Promise<TakeResult> {
    const [pause] = await this.db.select().from(xdrOrgPauses).where(eq(xdrOrgPauses.orgKey, key));
    const pausedUntil = pause && pause.pausedUntil > at ? pause.pausedUntil : null;
    if (pausedUntil !== null) return { granted: false, used: await this.used(key, windowStart), pausedUntil };
    // One statement: the increment only happens while it stays within the limit.
    const [charged] = await this.db
      .insert(xdrRequestBudget)
      .values({ orgKey: key, windowStart, used: cost })
      .onConflictDoUpdate({
        target: [xdrRequestBudget.orgKey, xdrRequestBudget.windowStart],
        set: { used: sql`${xdrRequestBudget.used} + excluded.used` },
        setWhere: sql`${xdrRequestBudget.used} + excluded.used <= ${limit}`,
      })
      .returning({ used: xdrRequestBudget.used });
    if (charged && charged.used <= limit) return { granted: true, used: charged.used };
    return { granted: false, used: await this.used(key, windowStart), pausedUntil: null };
  }

  async pause(key: string, until: number): Promise<void> {
    await this.db
      .insert(xdrOrgPauses)
      .values({ orgKey: key, pausedUntil: until })
      .onConflictDoUpdate({
        target: xdrOrgPauses.orgKey,
        set: { pausedUntil: sql`max(${xdrOrgPauses.pausedUntil}, excluded.paused_until)` },
      });
  }

  private async used(key: string, windowStart: number): Promise<number> {
    const [row] = await this.db
      .select({ used: xdrRequestBudget.used })
      .from(xdrRequestBudget)
      .where(and(eq(xdrRequestBudget.orgKey, key), eq(xdrRequestBudget.windowStart, windowStart)));
    return row?.used ?? 0;
  }
}
