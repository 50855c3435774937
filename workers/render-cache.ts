// Serving a signed-in workbench page again without rendering it, while nothing it shows has changed
// (decision 043). A page is kept per session and address with the stamp it was rendered at: the
// person, their grants and CSRF token, and the render epochs of their tenants. Every request still
// resolves its session and reads the epochs, so a revoked session, a changed grant or any write to a
// shown row renders afresh; only the React render and its queries are saved.
import { resolveSession, type SignedIn } from "../domain/auth/sessions.ts";
import { findQueuedCase } from "../domain/case/work-queue.ts";
import { RENDER_FRESH_UNTIL_HEADER, readRenderStamp, renderScopes } from "../domain/render-epochs.ts";
import { caseObjectStub } from "../durable-objects/case-gateway.ts";

/**
 * The addresses whose route offers its page for reuse, as a document and as the data React Router's
 * client asks for when it navigates or revalidates (an index route's is `/_.data`): the queue and
 * the dashboard.
 */
export const REUSABLE_PATHS: ReadonlySet<string> = new Set(["/", "/_.data", "/dashboard", "/dashboard.data"]);

/** A case page, as a document or as data: kept also by the case's own version (its object's). */
const CASE_PAGE = /^\/cases\/(case_[0-9a-z]{26})(?:\.data)?$/;

interface KeptPage {
  stamp: string;
  freshUntil: number;
  status: number;
  headers: [string, string][];
  body: ArrayBuffer;
}

/** A bounded, least-recently-used set of rendered pages, in one isolate's memory. */
export class RenderCache {
  readonly #pages = new Map<string, KeptPage>();
  #bytes = 0;
  readonly maxPages: number;
  readonly maxBytes: number;

  constructor(maxPages = 64, maxBytes = 16 * 1024 * 1024) {
    this.maxPages = maxPages;
    this.maxBytes = maxBytes;
  }

  get size(): number {
    return this.#pages.size;
  }

  /** The page kept for `key`, if it was rendered at `stamp` and still holds at `now`. */
  take(key: string, stamp: string, now: number): KeptPage | undefined {
    const page = this.#pages.get(key);
    if (!page) return undefined;
    if (page.stamp !== stamp || now >= page.freshUntil) {
      this.drop(key);
      return undefined;
    }
    // Most recently used last: Map keeps insertion order, so eviction takes the first key.
    this.#pages.delete(key);
    this.#pages.set(key, page);
    return page;
  }

  keep(key: string, page: KeptPage): void {
    this.drop(key);
    if (page.body.byteLength > this.maxBytes) return;
    this.#pages.set(key, page);
    this.#bytes += page.body.byteLength;
    for (const [oldest, kept] of this.#pages) {
      if (this.#pages.size <= this.maxPages && this.#bytes <= this.maxBytes) break;
      this.#pages.delete(oldest);
      this.#bytes -= kept.body.byteLength;
    }
  }

  drop(key: string): void {
    const page = this.#pages.get(key);
    if (!page) return;
    this.#pages.delete(key);
    this.#bytes -= page.body.byteLength;
  }
}

const isolatePages = new RenderCache();

/** Renders the page, given the session already resolved for it (undefined: not resolved yet). */
export type Render = (signedIn: Promise<SignedIn | null> | undefined) => Promise<Response>;

/**
 * The workbench's answer to `request`: a kept page when its stamp still holds, else `render`'s,
 * kept when the route offered it (RENDER_FRESH_UNTIL_HEADER) and it is a plain 200.
 */
export async function renderOrReuse(
  request: Request,
  env: Env,
  now: number,
  render: Render,
  pages: RenderCache = isolatePages,
): Promise<Response> {
  const url = new URL(request.url);
  const cookie = request.headers.get("cookie");
  const caseId = CASE_PAGE.exec(url.pathname)?.[1] ?? null;
  if (request.method !== "GET" || !cookie || !(REUSABLE_PATHS.has(url.pathname) || caseId)) {
    return withoutOffer(await render(undefined));
  }
  const key = `${url.pathname}${url.search}\n${cookie}`;
  let signedIn: SignedIn | null;
  let stamp: string | null;
  try {
    signedIn = await resolveSession(env, request, now);
    // Read before the page's own queries run: a write racing the render can only leave the stamp
    // older than the page, which costs a render later, never a stale page.
    stamp = signedIn ? await stampOf(env, signedIn, caseId) : "";
  } catch {
    // A failed read here is the loaders' to meet and explain with the workbench's error page.
    pages.drop(key);
    return withoutOffer(await render(undefined));
  }
  if (!signedIn) {
    pages.drop(key);
    return withoutOffer(await render(Promise.resolve(null)));
  }
  // A case the person cannot see has no version to key on: its page (a 404) is never kept.
  if (stamp === null) {
    pages.drop(key);
    return withoutOffer(await render(Promise.resolve(signedIn)));
  }
  const kept = pages.take(key, stamp, now);
  if (kept) return new Response(kept.body, { status: kept.status, headers: kept.headers });

  const rendered = await render(Promise.resolve(signedIn));
  const freshUntil = Number(rendered.headers.get(RENDER_FRESH_UNTIL_HEADER));
  const response = withoutOffer(rendered);
  if (response.status !== 200 || response.headers.has("set-cookie") || !(freshUntil > now)) return response;
  const body = await response.arrayBuffer();
  const headers = [...response.headers];
  pages.keep(key, { stamp, freshUntil, status: response.status, headers, body });
  return new Response(body, { status: response.status, headers });
}

async function stampOf(env: Env, signedIn: SignedIn, caseId: string | null): Promise<string | null> {
  const { principal, grants, session } = signedIn;
  const tenantIds = grants.map((g) => g.tenantId);
  const [epochs, caseVersion] = await Promise.all([
    readRenderStamp(env.CONTROL_DB, renderScopes(principal.id, tenantIds)),
    caseId ? caseVersionOf(env, caseId, tenantIds) : null,
  ]);
  if (caseId && caseVersion === null) return null;
  // Who the page is for, as the shell shows them: their name, preferences, grants and CSRF token.
  return JSON.stringify([principal, grants, session.csrfToken, epochs, caseVersion]);
}

// The case object's own version, read before the page: the work queue's counters move only once
// the outbox has delivered, after the command's reply, so they alone could keep a page too long.
async function caseVersionOf(env: Env, caseId: string, tenantIds: string[]): Promise<number | null> {
  const queued = await findQueuedCase(env.CONTROL_DB, caseId, tenantIds);
  return queued ? caseObjectStub(env, queued.tenantId, caseId).version() : null;
}

/** The offer is between the route and this module: it never leaves the Worker. */
function withoutOffer(response: Response): Response {
  if (!response.headers.has(RENDER_FRESH_UNTIL_HEADER)) return response;
  const headers = new Headers(response.headers);
  headers.delete(RENDER_FRESH_UNTIL_HEADER);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
