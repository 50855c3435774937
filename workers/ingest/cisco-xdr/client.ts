// One XDR org's API as the pull path uses it. Every request is charged to the org's budget first,
// carries a bearer token, and ends in one of: a usable response, or an XdrStop that ends the run
// (429, budget spent, bad credentials, XDR unavailable after bounded retries).

import { orgBudgetKey, type RequestBudget } from "../../../domain/connectors/xdr-budget.ts";
import type { XdrRegion } from "../../../domain/connectors/xdr-pull.ts";
import { propagateTrace, type TraceContext } from "../../telemetry/trace.ts";
import { backoffMs, MAX_ATTEMPTS, retryAfterSeconds } from "../pull-retry.ts";
import { type TokenCache, tokenCacheKey, tokenRequest, tokenResponseSchema, XDR_HOSTS } from "./oauth.ts";

export type StopReason =
  | { kind: "rate_limited"; retryAfter: number; retryAt: number }
  | { kind: "budget_exhausted"; retryAt: number; paused: boolean }
  | { kind: "auth_failed"; status: number; detail: string }
  | { kind: "unavailable"; status: number | null; detail: string }
  | { kind: "bad_response"; status: number; detail: string };

/** Ends a pull run; what was stored before it stays stored, and the cursor says where to resume. */
export class XdrStop extends Error {
  readonly reason: StopReason;

  constructor(reason: StopReason) {
    super(`XDR pull stopped: ${reason.kind}`);
    this.name = "XdrStop";
    this.reason = reason;
  }
}

export interface XdrClientOptions {
  region: XdrRegion;
  orgId: string;
  clientId: string;
  clientPassword: string;
  budget: RequestBudget;
  tokens: TokenCache;
  /** Waits between retries of a 5xx; injectable so tests never sleep. */
  sleep: (ms: number) => Promise<void>;
  /** The trace every request to XDR carries as traceparent (W3C Trace Context). */
  trace?: TraceContext;
}

const REQUEST_TIMEOUT_MS = 15_000;

export interface XdrPage {
  text: string;
  headers: Headers;
}

export class XdrClient {
  private readonly options: XdrClientOptions;
  private readonly orgKey: string;
  private tokenKey: string | undefined;
  /** Requests sent (each one charged to the budget), token mints included. */
  requests = 0;

  constructor(options: XdrClientOptions) {
    this.options = options;
    this.orgKey = orgBudgetKey(options.region, options.orgId);
  }

  get hosts() {
    return XDR_HOSTS[this.options.region];
  }

  /** GET on the IROH or CTIA host; null for 404 (an entity deleted since it was referenced). */
  async get(host: "iroh" | "ctia", path: string, params?: URLSearchParams): Promise<XdrPage | null> {
    const query = params && params.size > 0 ? `?${params.toString()}` : "";
    const url = `${this.hosts[host]}${path}${query}`;
    const response = await this.send(
      () => new Request(url, { headers: { accept: "application/json" } }),
      true,
    );
    if (response.status === 404) return null;
    if (!response.ok) {
      throw new XdrStop({ kind: "bad_response", status: response.status, detail: await excerpt(response) });
    }
    return { text: await response.text(), headers: response.headers };
  }

  private async bearer(): Promise<string> {
    const { region, clientId, clientPassword, tokens } = this.options;
    this.tokenKey ??= await tokenCacheKey(region, clientId, clientPassword);
    const cached = tokens.get(this.tokenKey, Date.now());
    if (cached !== null) return cached;

    const response = await this.send(() => tokenRequest(region, clientId, clientPassword), false);
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      throw new XdrStop({ kind: "auth_failed", status: response.status, detail: await excerpt(response) });
    }
    const body = tokenResponseSchema.safeParse(await response.json().catch(() => null));
    if (!response.ok || !body.success) {
      throw new XdrStop({
        kind: "bad_response",
        status: response.status,
        detail: body.success ? "token request failed" : "the token response is not an OAuth2 token",
      });
    }
    tokens.set(this.tokenKey, body.data.access_token, Date.now() + body.data.expires_in * 1000);
    return body.data.access_token;
  }

  private async send(build: () => Request, authenticated: boolean): Promise<Response> {
    let reminted = false;
    for (let attempt = 1; ; attempt++) {
      const request = build();
      propagateTrace(request.headers, this.options.trace);
      if (authenticated) request.headers.set("authorization", `Bearer ${await this.bearer()}`);
      await this.charge();

      let response: Response;
      try {
        response = await fetch(request, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS)
          throw new XdrStop({ kind: "unavailable", status: null, detail: String(error) });
        await this.options.sleep(backoffMs(attempt));
        continue;
      }

      if (response.status === 429) {
        // No waiting inside a Worker: the run stops, and every connector of the org holds off.
        const retryAfter = retryAfterSeconds(response.headers.get("retry-after"), Date.now());
        const retryAt = Date.now() + retryAfter * 1000;
        await this.options.budget.pause(this.orgKey, retryAt);
        throw new XdrStop({ kind: "rate_limited", retryAfter, retryAt });
      }
      // A token XDR no longer accepts (revoked, clock skew): mint once more, never loop.
      if (response.status === 401 && authenticated && !reminted && this.tokenKey !== undefined) {
        reminted = true;
        this.options.tokens.evict(this.tokenKey);
        continue;
      }
      if (response.status >= 500) {
        if (attempt >= MAX_ATTEMPTS) {
          throw new XdrStop({
            kind: "unavailable",
            status: response.status,
            detail: await excerpt(response),
          });
        }
        await response.body?.cancel();
        await this.options.sleep(backoffMs(attempt));
        continue;
      }
      return response;
    }
  }

  private async charge(): Promise<void> {
    const charged = await this.options.budget.charge(this.orgKey, Date.now());
    if (!charged.ok) {
      throw new XdrStop({
        kind: "budget_exhausted",
        retryAt: charged.retryAt,
        paused: charged.reason === "paused",
      });
    }
    this.requests++;
  }
}

/**
 * The next page's query: the base query with the paging parameters of an `X-Next` header
 * (form-encoded, e.g. `limit=50&offset=50&search_after=…&search_after=…`) in place of its own.
 */
export function nextPageParams(base: URLSearchParams, xNext: string | null): URLSearchParams | null {
  if (xNext === null || xNext.trim() === "") return null;
  const paging = new URLSearchParams(xNext);
  const next = new URLSearchParams(base);
  for (const key of new Set(paging.keys())) next.delete(key);
  for (const [key, value] of paging) next.append(key, value);
  return next;
}

async function excerpt(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  return `${response.status} ${text.slice(0, 200)}`.trim();
}
