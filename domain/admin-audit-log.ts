// Reading the administration audit chain back: listing a tenant's records and re-verifying the whole
// chain. Writing stays in admin-audit.ts, inside each change's own batch.
import { and, asc, desc, eq, getTableColumns, gt, gte, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { adminAudit } from "../schema/control.ts";
import { type AdminAuditRecord, type AdminAuditVerification, verifyAdminAuditChain } from "./admin-audit.ts";
import { decodeCursor, keysetPage } from "./pagination.ts";

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
  const rows = await storedRecords(db)
    .where(
      and(eq(adminAudit.tenantId, tenantId), gte(adminAudit.at, q.since ?? 0), gt(adminAudit.seq, afterSeq)),
    )
    .orderBy(asc(adminAudit.seq))
    .limit(q.limit + 1);
  return keysetPage(rows.map(recordFromRow), q.limit, (r) => ({ k: r.seq, id: r.id }), fingerprint);
}

/** A tenant's newest records first, for a person reading what changed lately. */
export async function latestAdminAudit(
  db: D1Database,
  tenantId: string,
  limit: number,
): Promise<AdminAuditRecord[]> {
  const rows = await storedRecords(db)
    .where(eq(adminAudit.tenantId, tenantId))
    .orderBy(desc(adminAudit.seq))
    .limit(limit);
  return rows.map(recordFromRow);
}

/** What a record changed, field by field: "role: analyst → lead". Objects compare their top-level fields. */
export function describeAdminChange(before: unknown, after: unknown): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  const shown = (v: unknown) => {
    const text = v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v);
    return text.length > 80 ? `${text.slice(0, 79)}…` : text;
  };
  if (!isObject(before) || !isObject(after)) {
    return before === null
      ? ["created"]
      : after === null
        ? ["removed"]
        : [`${shown(before)} → ${shown(after)}`];
  }
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => `${k}: ${shown(before[k])} → ${shown(after[k])}`);
}

const VERIFY_PAGE = 500;

/** Re-walks the tenant's whole chain from the genesis hash; `headHash` lets a caller pin what it saw. */
export async function verifyTenantAdminAudit(
  db: D1Database,
  tenantId: string,
): Promise<AdminAuditVerification & { headHash: string | null }> {
  const records: AdminAuditRecord[] = [];
  for (let afterSeq = 0; ; ) {
    const results = await storedRecords(db)
      .where(and(eq(adminAudit.tenantId, tenantId), gt(adminAudit.seq, afterSeq)))
      .orderBy(asc(adminAudit.seq))
      .limit(VERIFY_PAGE);
    records.push(...results.map(recordFromRow));
    const last = results.at(-1);
    if (!last || results.length < VERIFY_PAGE) break;
    afterSeq = last.seq;
  }
  return { ...verifyAdminAuditChain(records), headHash: records.at(-1)?.hash ?? null };
}

/**
 * The stored records, with before and after as the text they are stored as: parsed here, so that a
 * row edited into invalid JSON fails verification rather than the request.
 */
function storedRecords(db: D1Database) {
  return drizzle(db)
    .select({
      ...getTableColumns(adminAudit),
      before: sql<string | null>`${adminAudit.before}`,
      after: sql<string | null>`${adminAudit.after}`,
    })
    .from(adminAudit)
    .$dynamic();
}

function recordFromRow(
  row: Omit<typeof adminAudit.$inferSelect, "before" | "after"> & {
    before: string | null;
    after: string | null;
  },
): AdminAuditRecord {
  return {
    tenantId: row.tenantId,
    seq: row.seq,
    id: row.id,
    at: row.at,
    actor: { type: row.actorType as AdminAuditRecord["actor"]["type"], id: row.actorId },
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    before: parseStored(row.before),
    after: parseStored(row.after),
    prevHash: row.prevHash,
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
