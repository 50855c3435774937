// A tenant's whole state, to prove a refused request changed nothing, and to say what did if it
// did: every row of the tenant's database and of its control-plane rows.
import { runInDurableObject } from "cloudflare:test";
import type { Tenant } from "../../domain/tenancy.ts";
import { caseObjectStub } from "../../durable-objects/case-gateway.ts";
import { correlationSettled } from "./ingest.ts";
import { testEnv } from "./test-env.ts";
import { tenantDb } from "./world.ts";

/** Everything a tenant owns, as a digest of every row, to prove nothing changed. */
export async function tenantStateDigest(tenant: Tenant): Promise<string> {
  return digestOf(await tenantStateTables(tenant));
}

/** Every row a tenant owns, as JSON by table (control tables prefixed "control."). */
export async function tenantStateTables(tenant: Tenant): Promise<Record<string, string>> {
  const db = tenantDb(tenant);
  const { results: tables } = await db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'd1_%' ORDER BY name",
    )
    .all<{ name: string }>();
  // One round trip per database: the bad-input sweep takes this digest thousands of times.
  const tenantRows = await db.batch(
    tables.map(({ name }) => db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`)),
  );
  const parts: Record<string, string> = {};
  tables.forEach(({ name }, i) => {
    parts[name] = JSON.stringify(tenantRows[i]?.results);
  });
  const control = testEnv().CONTROL_DB;
  const controlTables = [
    ["tenants", "id"],
    ["connectors", "tenant_id"],
    ["sinks", "tenant_id"],
    ["grants", "tenant_id"],
    ["machine_clients", "tenant_id"],
    ["admin_audit", "tenant_id"],
    ["work_queue", "tenant_id"],
    ["principals", "home_tenant_id"],
  ] as const;
  const controlRows = await control.batch(
    controlTables.map(([table, column]) =>
      control.prepare(`SELECT * FROM ${table} WHERE ${column} = ? ORDER BY rowid`).bind(tenant.id),
    ),
  );
  controlTables.forEach(([table], i) => {
    parts[`control.${table}`] = JSON.stringify(controlRows[i]?.results);
  });
  return parts;
}

/** Every value a tenant has stored, as one text: to prove something (prompt text, a secret) is nowhere. */
export async function tenantStoredText(tenant: Tenant): Promise<string> {
  const tables = await tenantStateTables(tenant);
  if (!tables.alerts || !tables.quarantine) throw new Error("the tenant's tables were not all read");
  return Object.values(tables).join("\n");
}

/** A digest of tenantStateTables' answer. */
export async function digestOf(tables: Record<string, string>): Promise<string> {
  const text = Object.entries(tables)
    .map(([name, rows]) => `${name}:${rows}`)
    .join("\n");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * What differs between two tenantStateTables answers, for a failure message: each changed table
 * with its rows before and after from the first difference; empty when nothing changed.
 */
export function stateDifference(before: Record<string, string>, after: Record<string, string>): string {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names
    .filter((name) => before[name] !== after[name])
    .map((name) => {
      const was = before[name] ?? "(no table)";
      const is = after[name] ?? "(no table)";
      let at = 0;
      while (at < was.length && was[at] === is[at]) at++;
      const from = Math.max(0, at - 80);
      return `${name}: was …${was.slice(from, at + 120)}… now …${is.slice(from, at + 120)}…`;
    })
    .join("; ");
}

/**
 * The tenant's rows once whatever earlier requests set off has landed: correlation, and every case
 * object's outbox (projections, the work queue, sink syncs). A delivery that failed under load is
 * made due and sent now, not after its back-off, which could land in the middle of a later check.
 */
export async function settledState(tenant: Tenant): Promise<Record<string, string>> {
  await correlationSettled(tenant);
  // A delivery sent now is consumed in a moment, not within one 25 ms look: watch longer then.
  const pause = (await outboxesCaughtUp(tenant)) > 0 ? 200 : 25;
  let last = await tenantStateTables(tenant);
  for (let i = 0; i < 40; i++) {
    await scheduler.wait(pause);
    const next = await tenantStateTables(tenant);
    if (stateDifference(last, next) === "") return next;
    last = next;
  }
  return last;
}

/** Makes every outbox entry of the tenant's case objects due and drains them; answers how many were owed. */
async function outboxesCaughtUp(tenant: Tenant): Promise<number> {
  // Both read models: a case whose first projection failed is known to one of them only.
  const [projected, queued] = await Promise.all([
    tenantDb(tenant).prepare("SELECT id FROM cases").all<{ id: string }>(),
    testEnv()
      .CONTROL_DB.prepare("SELECT case_id AS id FROM work_queue WHERE tenant_id = ?")
      .bind(tenant.id)
      .all<{ id: string }>(),
  ]);
  const ids = new Set([...projected.results, ...queued.results].map((r) => r.id));
  const owed = await Promise.all(
    [...ids].map(async (id) => {
      const stub = caseObjectStub(testEnv(), tenant.id, id);
      const due = await runInDurableObject(
        stub,
        (_object, state) => state.storage.sql.exec("UPDATE outbox SET next_attempt_at = 0").rowsWritten,
      );
      if (due > 0) await stub.flush();
      return due;
    }),
  );
  return owed.reduce((a, b) => a + b, 0);
}
