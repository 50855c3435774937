// The growth check's list queries straight against the tenant's D1 file, through the domain's own
// listAlerts/listCases: SQLite's query plan for each, and its time without HTTP, JSON or workerd.
// Where a list grows slower than the table, the plan says why.
import { openSqlite, SqliteD1 } from "./sqlite-d1.ts";

type List = (db: SqliteD1, query: Record<string, unknown>) => Promise<{ items: unknown[] }>;

/** Per scenario of the growth check: the domain call its request makes. */
const QUERIES: Record<
  string,
  { module: string; fn: string; query: (now: number) => Record<string, unknown> }
> = {
  "alert list": { module: "../domain/alerts/queries.ts", fn: "listAlerts", query: () => ({ limit: 50 }) },
  "alert list, high only": {
    module: "../domain/alerts/queries.ts",
    fn: "listAlerts",
    query: () => ({ limit: 50, severityId: 4 }),
  },
  "case list": {
    module: "../domain/case/queries.ts",
    fn: "listCases",
    query: (now) => ({ limit: 50, sort: "updated", now }),
  },
  "case list by SLA due": {
    module: "../domain/case/queries.ts",
    fn: "listCases",
    query: (now) => ({ limit: 50, sort: "sla_due", now }),
  },
};

export interface QueryPlan {
  scenario: string;
  /** EXPLAIN QUERY PLAN, one line per step. */
  plan: string[];
  /** Median of several runs, milliseconds, in Node's SQLite. */
  medianMs: number;
}

export async function explainListQueries(file: string, now: number): Promise<QueryPlan[]> {
  const db = openSqlite(file);
  try {
    const d1 = new SqliteD1(db);
    const plans: QueryPlan[] = [];
    for (const [scenario, spec] of Object.entries(QUERIES)) {
      // Loaded at run time: these modules' D1 types are not part of the Node typecheck.
      const list = ((await import(new URL(spec.module, import.meta.url).href)) as Record<string, List>)[
        spec.fn
      ];
      if (!list) throw new Error(`${spec.module} has no ${spec.fn}`);
      const query = spec.query(now);
      const statement = await captureSql(d1, () => list(d1, query));
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN ${statement.sql}`)
        .all(...(statement.params as never[]))
        .map((row) => String((row as { detail: string }).detail));
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t0 = performance.now();
        await list(d1, query);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      plans.push({ scenario, plan, medianMs: times[3] ?? Number.NaN });
    }
    return plans;
  } finally {
    db.close();
  }
}

/** The one statement a list call runs. */
async function captureSql(
  d1: SqliteD1,
  run: () => Promise<unknown>,
): Promise<{ sql: string; params: unknown[] }> {
  const seen: Array<{ sql: string; params: unknown[] }> = [];
  const restore = d1.onStatement;
  d1.onStatement = (sql, params) => seen.push({ sql, params: [...params] });
  try {
    await run();
  } finally {
    d1.onStatement = restore;
  }
  const [first] = seen;
  if (!first || seen.length !== 1) throw new Error(`expected one statement, saw ${seen.length}`);
  return first;
}
