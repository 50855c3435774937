// Reading the administration audit chain back: listing a tenant's records and re-verifying the whole
// chain. Writing stays in admin-audit.ts, inside each change's own batch.
import { type AdminAuditRecord, type AdminAuditVerification, verifyAdminAuditChain } from "./admin-audit.ts";
import { decodeCursor, keysetPage } from "./pagination.ts";

interface AdminAuditSqlRow {
  tenant_id: string;
  seq: number;
  id: string;
  at: number;
  actor_type: AdminAuditRecord["actor"]["type"];
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
}

export interface AdminAuditQuery {
  /** Only records at or after this instant (epoch ms). */
  since?: number | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** A tenant's records in chain (seq) order, a page at a time. */
export async function listAdminAudit(
  db: D1Database,
  tenantId: string,
  q: AdminAuditQuery,
): Promise<{ items: AdminAuditRecord[]; nextCursor: string | null }> {
  const fingerprint = JSON.stringify([q.since ?? null]);
  const afterSeq = q.cursor ? decodeCursor(q.cursor, fingerprint).k : 0;
  const { results } = await db
    .prepare(
      `SELECT * FROM admin_audit WHERE tenant_id = ? AND at >= ? AND seq > ?
        ORDER BY seq LIMIT ?`,
    )
    .bind(tenantId, q.since ?? 0, afterSeq, q.limit + 1)
    .all<AdminAuditSqlRow>();
  return keysetPage(results.map(recordFromRow), q.limit, (r) => ({ k: r.seq, id: r.id }), fingerprint);
}

const VERIFY_PAGE = 500;

/** Re-walks the tenant's whole chain from the genesis hash; `headHash` lets a caller pin what it saw. */
export async function verifyTenantAdminAudit(
  db: D1Database,
  tenantId: string,
): Promise<AdminAuditVerification & { headHash: string | null }> {
  const records: AdminAuditRecord[] = [];
  for (let afterSeq = 0; ; ) {
    const { results } = await db
      .prepare("SELECT * FROM admin_audit WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?")
      .bind(tenantId, afterSeq, VERIFY_PAGE)
      .all<AdminAuditSqlRow>();
    records.push(...results.map(recordFromRow));
    const last = results.at(-1);
    if (!last || results.length < VERIFY_PAGE) break;
    afterSeq = last.seq;
  }
  return { ...verifyAdminAuditChain(records), headHash: records.at(-1)?.hash ?? null };
}

function recordFromRow(row: AdminAuditSqlRow): AdminAuditRecord {
  return {
    tenantId: row.tenant_id,
    seq: row.seq,
    id: row.id,
    at: row.at,
    actor: { type: row.actor_type, id: row.actor_id },
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    before: parseStored(row.before),
    after: parseStored(row.after),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

// A row edited into invalid JSON must fail verification, not the request.
function parseStored(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { unparseable: text };
  }
}
