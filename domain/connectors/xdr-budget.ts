// The XDR API allows 8,000 requests per rolling hour per organisation, shared by every API client of
// the org (two Phoenix tenants can share one org). Every request the pull path makes is charged here
// first, against the org, so connectors of one org draw on one budget.

export const XDR_REQUESTS_PER_HOUR = 8000;
const HOUR_MS = 60 * 60 * 1000;

export interface TakeRequest {
  key: string;
  /** When the request is made: a pause that ends after it refuses the request. */
  at: number;
  windowStart: number;
  cost: number;
  limit: number;
}

export type TakeResult =
  | { granted: true; used: number }
  | { granted: false; used: number; pausedUntil: number | null };

/**
 * Where the per-org counters live. `take` must be atomic (check the pause, then increment only
 * while within the limit): the durable implementation is one row or object per org, shared by
 * every isolate, so one call per request is all it costs.
 */
export interface BudgetStore {
  /** Adds `cost` to the counter of `key` in the window starting at `windowStart`, unless paused or past `limit`. */
  take(request: TakeRequest): Promise<TakeResult>;
  /** Records that XDR refused the org (429) until `until`, for every connector of the org. */
  pause(key: string, until: number): Promise<void>;
}

/** Per-isolate counters: enough for one isolate, not shared across isolates (see the durable store). */
export class MemoryBudgetStore implements BudgetStore {
  private readonly counters = new Map<string, { windowStart: number; used: number }>();
  private readonly pauses = new Map<string, number>();

  async take({ key, at, windowStart, cost, limit }: TakeRequest): Promise<TakeResult> {
    const current = this.counters.get(key);
    const used = current?.windowStart === windowStart ? current.used : 0;
    const pausedUntil = this.pauses.get(key) ?? null;
    if (pausedUntil !== null && pausedUntil > at) return { granted: false, used, pausedUntil };
    if (used + cost > limit) return { granted: false, used, pausedUntil: null };
    this.counters.set(key, { windowStart, used: used + cost });
    return { granted: true, used: used + cost };
  }

  async pause(key: string, until: number): Promise<void> {
    this.pauses.set(key, Math.max(until, this.pauses.get(key) ?? 0));
  }

  /** Requests charged to `key` in the window starting at `windowStart` (for tests and diagnostics). */
  used(key: string, windowStart: number): number {
    const current = this.counters.get(key);
    return current?.windowStart === windowStart ? current.used : 0;
  }
}

export type Charge = { ok: true; used: number } | { ok: false; retryAt: number; reason: "budget" | "paused" };

export interface BudgetLimits {
  windowMs: number;
  perWindow: number;
}

/**
 * Cisco's window rolls; fixed windows of W can let 2 × limit through across a boundary. Any rolling
 * hour overlaps at most HOUR/W + 1 windows, so a per-window limit of limit / (HOUR/W + 1) keeps every
 * rolling hour under Cisco's limit (with 5-minute windows: 615 per window, about 7,380 per hour).
 */
export function rollingHourLimits(perHour = XDR_REQUESTS_PER_HOUR, windowMs = 5 * 60 * 1000): BudgetLimits {
  return { windowMs, perWindow: Math.floor(perHour / (HOUR_MS / windowMs + 1)) };
}

/** A fixed-window request budget per XDR org. */
export class RequestBudget {
  readonly store: BudgetStore;
  readonly limits: BudgetLimits;

  constructor(store: BudgetStore, limits: BudgetLimits = rollingHourLimits()) {
    this.store = store;
    this.limits = limits;
  }

  /** Charges one request to the org at time `at`, or says when the org may be asked again. */
  async charge(orgKey: string, at: number): Promise<Charge> {
    const windowStart = this.windowOf(at);
    const taken = await this.store.take({
      key: orgKey,
      at,
      windowStart,
      cost: 1,
      limit: this.limits.perWindow,
    });
    if (taken.granted) return { ok: true, used: taken.used };
    if (taken.pausedUntil !== null) return { ok: false, retryAt: taken.pausedUntil, reason: "paused" };
    return { ok: false, retryAt: windowStart + this.limits.windowMs, reason: "budget" };
  }

  /** Start of the fixed window holding `at`. */
  windowOf(at: number): number {
    return at - (at % this.limits.windowMs);
  }

  /** XDR said 429: nobody asks on behalf of this org before `until`. */
  async pause(orgKey: string, until: number): Promise<void> {
    await this.store.pause(orgKey, until);
  }
}

/** The budget key of an org: org ids are per region, so the region is part of it. */
export const orgBudgetKey = (region: string, orgId: string) => `xdr:${region}:${orgId}`;
