// Just enough of the D1 binding, over node:sqlite, for domain code that writes through drizzle's D1
// driver (prepare → bind → batch). The growth check uses it to run storeFindings itself against a
// tenant's local D1 file while the server is stopped, so seeded rows are the rows the API writes.
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";

type Row = Record<string, unknown>;
interface D1LikeResult {
  results: Row[];
  success: true;
  meta: { changes: number };
}

class BoundStatement {
  private readonly d1: SqliteD1;
  readonly sql: string;
  readonly params: SQLInputValue[];

  constructor(d1: SqliteD1, sql: string, params: SQLInputValue[]) {
    this.d1 = d1;
    this.sql = sql;
    this.params = params;
  }

  bind(...params: unknown[]): BoundStatement {
    return new BoundStatement(this.d1, this.sql, params as SQLInputValue[]);
  }

  /** Reads and RETURNING writes answer rows; other writes answer how many rows they changed. */
  execute(): D1LikeResult {
    this.d1.onStatement?.(this.sql, this.params);
    const statement = this.d1.statement(this.sql);
    if (/^\s*(select|with)\b|\breturning\b/i.test(this.sql)) {
      return { results: statement.all(...this.params) as Row[], success: true, meta: { changes: 0 } };
    }
    const { changes } = statement.run(...this.params);
    return { results: [], success: true, meta: { changes: Number(changes) } };
  }

  async all(): Promise<D1LikeResult> {
    return this.execute();
  }

  async run(): Promise<D1LikeResult> {
    return this.execute();
  }

  async first(): Promise<Row | null> {
    return this.execute().results[0] ?? null;
  }

  async raw(): Promise<unknown[][]> {
    return this.execute().results.map((row) => Object.values(row));
  }
}

export class SqliteD1 {
  private readonly statements = new Map<string, StatementSync>();

  readonly db: DatabaseSync;
  /** Sees every statement before it runs (the growth check explains the list queries with it). */
  onStatement: ((sql: string, params: readonly unknown[]) => void) | undefined;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  prepare(sql: string): BoundStatement {
    return new BoundStatement(this, sql, []);
  }

  /** Like D1: all statements commit together or not at all. */
  async batch(statements: BoundStatement[]): Promise<D1LikeResult[]> {
    this.db.exec("BEGIN");
    try {
      const results = statements.map((s) => s.execute());
      this.db.exec("COMMIT");
      return results;
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  /** drizzle emits the same SQL text for every row of a kind; each is compiled once. */
  statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

export function openSqlite(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  // Bulk seeding of a throwaway database: durability of each commit does not matter.
  db.exec("PRAGMA synchronous = OFF");
  return db;
}
