// A fake Microsoft 365 tenant answering the Worker's outbound fetch as Microsoft does
// (docs/vendors/m365-copilot-audit.md): the identity platform's v2 token endpoint (client
// credentials, scope https://manage.office.com/.default), and the Office 365 Management Activity
// API: subscriptions/start, subscriptions/content (startTime and endTime both or neither, at most
// 24 hours apart, starting within 7 days; NextPageUri paging), and content blobs that expire after
// 7 days (AF20051). Errors are `{"error": {"code", "message"}}`; throttling is AF429.
import { vi } from "vitest";

const LOGIN = "login.microsoftonline.com";
const MANAGE = "manage.office.com";
const DAY = 86_400_000;

type Json = Record<string, unknown>;

export interface Office365Request {
  method: string;
  path: string;
  params: URLSearchParams;
  status: number;
}

interface Blob {
  contentId: string;
  created: number;
  records: Json[];
  expired: boolean;
}

export class FakeOffice365 {
  readonly tenantId = crypto.randomUUID();
  readonly clientId = crypto.randomUUID();
  readonly clientSecret = `secret-${crypto.randomUUID()}`;
  readonly requests: Office365Request[] = [];
  subscribed = false;
  pageSize = 2;
  /** When set, NextPageUri points at this host instead (a link Phoenix must not follow). */
  pageLinkHost: string | undefined;
  private readonly tokens = new Set<string>();
  private readonly blobs: Blob[] = [];
  private readonly scripted: Array<{
    status: number;
    code: string;
    retryAfter?: string;
    match: (path: string) => boolean;
  }> = [];

  /** A content blob made available at `created`, holding `records`. */
  addBlob(created: number, records: Json[], options: { expired?: boolean } = {}): string {
    const contentId = `${created}$${crypto.randomUUID()}$audit_general$Audit_General$na0034`;
    this.blobs.push({ contentId, created, records, expired: options.expired ?? false });
    return contentId;
  }

  /** The next `times` API requests whose path matches answer `status` with `code`. */
  failNext(
    status: number,
    code: string,
    times = 1,
    options: { retryAfter?: string; match?: (path: string) => boolean } = {},
  ): this {
    for (let i = 0; i < times; i++) {
      this.scripted.push({
        status,
        code,
        match: options.match ?? (() => true),
        ...(options.retryAfter ? { retryAfter: options.retryAfter } : {}),
      });
    }
    return this;
  }

  /** Revokes every token minted so far (as a credential rotation would). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  get feed(): string {
    return `/api/v1.0/${this.tenantId}/activity/feed`;
  }

  install(): this {
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      const host = new URL(request.url).hostname;
      if (host !== LOGIN && host !== MANAGE) return realFetch(input, init);
      const url = new URL(request.url);
      const entry: Office365Request = {
        method: request.method,
        path: url.pathname,
        params: url.searchParams,
        status: 0,
      };
      this.requests.push(entry);
      const response = host === LOGIN ? await this.token(request, url) : this.api(request, url);
      entry.status = response.status;
      return response;
    });
    return this;
  }

  private async token(request: Request, url: URL): Promise<Response> {
    if (request.method !== "POST" || url.pathname.toLowerCase() !== `/${this.tenantId}/oauth2/v2.0/token`) {
      return Response.json({ error: "invalid_request" }, { status: 400 });
    }
    const form = new URLSearchParams(await request.text());
    if (
      form.get("grant_type") !== "client_credentials" ||
      form.get("scope") !== "https://manage.office.com/.default"
    ) {
      return Response.json({ error: "invalid_request" }, { status: 400 });
    }
    if (
      form.get("client_id")?.toLowerCase() !== this.clientId ||
      form.get("client_secret") !== this.clientSecret
    ) {
      return Response.json(
        { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret" },
        { status: 401 },
      );
    }
    const token = `eyJ.${crypto.randomUUID()}`;
    this.tokens.add(token);
    return Response.json({
      token_type: "Bearer",
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: token,
    });
  }

  private api(request: Request, url: URL): Response {
    const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
      Response.json({ error: { code, message } }, { status, headers });
    const bearer = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!bearer || !this.tokens.has(bearer)) return error(401, "AF10001", "Authorization has been denied");
    if (!url.pathname.startsWith(`${this.feed}/`))
      return error(400, "AF20010", "The tenant ID in the URL does not match");
    const scripted = this.scripted.findIndex((s) => s.match(url.pathname));
    if (scripted >= 0) {
      const [s] = this.scripted.splice(scripted, 1);
      if (s) return error(s.status, s.code, "scripted", s.retryAfter ? { "retry-after": s.retryAfter } : {});
    }
    const path = url.pathname.slice(this.feed.length);
    // (Content ids keep their case: only the tenant id in the path is compared without it.)
    const contentType = url.searchParams.get("contentType");
    if (path === "/subscriptions/start" && request.method === "POST") {
      if (contentType !== "Audit.General") return error(400, "AF20001", "contentType is invalid");
      if (this.subscribed) return error(400, "AF20024", "The subscription is already enabled");
      this.subscribed = true;
      return Response.json({ contentType, status: "enabled", webhook: null });
    }
    if (path === "/subscriptions/content" && request.method === "GET") {
      if (contentType !== "Audit.General") return error(400, "AF20001", "contentType is invalid");
      if (!this.subscribed)
        return error(400, "AF20022", "No subscription found for the specified content type");
      const startText = url.searchParams.get("startTime");
      const endText = url.searchParams.get("endTime");
      if ((startText === null) !== (endText === null))
        return error(400, "AF20030", "Start time and end time must both be specified");
      const end = endText === null ? Date.now() : Date.parse(`${endText}Z`);
      const start = startText === null ? end - DAY : Date.parse(`${startText}Z`);
      if (
        !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/.test(startText ?? "2000-01-01") ||
        Number.isNaN(start) ||
        Number.isNaN(end)
      ) {
        return error(400, "AF20030", "Start time and end time must be valid");
      }
      if (end - start > DAY || end <= start || start < Date.now() - 7 * DAY) {
        return error(
          400,
          "AF20030",
          "Start time and end time must be within 24 hours and start within the last 7 days",
        );
      }
      const matching = this.blobs
        .filter((b) => b.created >= start && b.created < end)
        // Blobs are not listed in time order.
        .sort((a, b) => a.contentId.localeCompare(b.contentId));
      const offset = Number(url.searchParams.get("nextPage") ?? "0");
      const page = matching.slice(offset, offset + this.pageSize);
      const headers: Record<string, string> = {};
      if (offset + this.pageSize < matching.length) {
        const next = new URL(url);
        next.searchParams.set("nextPage", String(offset + this.pageSize));
        if (this.pageLinkHost) next.host = this.pageLinkHost;
        headers.NextPageUri = next.toString();
      }
      return Response.json(
        page.map((b) => ({
          contentType: "Audit.General",
          contentId: b.contentId,
          contentUri: `https://${MANAGE}${this.feed}/audit/${b.contentId}`,
          contentCreated: new Date(b.created).toISOString(),
          contentExpiration: new Date(b.created + 7 * DAY).toISOString(),
        })),
        { headers },
      );
    }
    const blob = /^\/audit\/(.+)$/.exec(path)?.[1];
    if (blob !== undefined && request.method === "GET") {
      const found = this.blobs.find((b) => b.contentId === decodeURIComponent(blob));
      if (!found) return error(400, "AF20050", "The specified content does not exist");
      if (found.expired)
        return error(400, "AF20051", "Content requested with the key does not exist or has expired");
      return Response.json(found.records);
    }
    return error(404, "AF20000", "not found");
  }
}
