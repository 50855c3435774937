// Which ingest lane a delivery takes (issue 18, decision 053). A tenant sending more than its share
// within a short window is flooding: its deliveries go to the bulk lane, where they wait behind
// each other and not in front of every other tenant's. Counted per isolate: no binding call, and a
// flood large enough to matter shows in every isolate it lands on.

export type IngestLane = "main" | "bulk";

/** What a tenant may send within one window before it is flooding: bodies plus a cost per delivery. */
export const FLOOD_BYTES_PER_WINDOW = 512 * 1024;
export const FLOOD_WINDOW_MS = 2_000;
/** A flooding tenant stays in the bulk lane this long after it last went over, so it cannot flap. */
export const BULK_HOLD_MS = 10_000;
/** Storing a delivery costs more than its bytes: a small one still counts for this much. */
export const DELIVERY_COST_BYTES = 2 * 1024;

const MAX_TENANTS = 10_000;

interface TenantWindow {
  start: number;
  bytes: number;
  bulkUntil: number;
}

export class IngestLanes {
  private readonly windows = new Map<string, TenantWindow>();

  /** Counts a delivery of `bytes` for the tenant and says which lane it takes. */
  laneFor(tenantId: string, bytes: number, now: number): IngestLane {
    let w = this.windows.get(tenantId);
    if (!w || now - w.start >= FLOOD_WINDOW_MS) {
      w = { start: now, bytes: 0, bulkUntil: w?.bulkUntil ?? 0 };
      // Deleted first, so insertion order stays the order windows last started in.
      this.windows.delete(tenantId);
      if (this.windows.size >= MAX_TENANTS) this.forgetOldest();
      this.windows.set(tenantId, w);
    }
    w.bytes += bytes + DELIVERY_COST_BYTES;
    if (w.bytes > FLOOD_BYTES_PER_WINDOW) w.bulkUntil = now + BULK_HOLD_MS;
    return now < w.bulkUntil ? "bulk" : "main";
  }

  private forgetOldest(): void {
    const oldest = this.windows.keys().next().value;
    if (oldest !== undefined) this.windows.delete(oldest);
  }
}
