// Deprecating a /v1 operation without breaking anyone: the operation keeps working, its answers
// carry `Deprecation` (RFC 9745) and, once a date is set, `Sunset` (RFC 8594) with a link to the
// notice, and the OpenAPI document marks it `deprecated`. /v1 only ever changes additively, so a
// replacement ships first and the old operation is retired only after its sunset (decision 042).
import type { MiddlewareHandler } from "hono";

export interface DeprecationNotice {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** As in the OpenAPI document: "/cases/{id}/commands". */
  path: string;
  /** When it was deprecated. */
  deprecatedAt: Date;
  /** When it may stop working; announced at least six months ahead. */
  sunsetAt?: Date;
  /** Where the notice says what to use instead. */
  link: string;
}

/** The /v1 operations deprecated so far. None yet: the list is where the first one goes. */
export const V1_DEPRECATIONS: readonly DeprecationNotice[] = [];

/** What a route definition gains when it is deprecated: the document's `deprecated` flag and a note. */
export function deprecatedInDocument<R extends { method: string; path: string; description?: string }>(
  route: R,
  notices: readonly DeprecationNotice[] = V1_DEPRECATIONS,
): R & { deprecated?: boolean } {
  const notice = notices.find((n) => n.method === route.method && n.path === route.path);
  if (!notice) return route;
  const sunset = notice.sunsetAt ? ` It stops working after ${notice.sunsetAt.toUTCString()}.` : "";
  return {
    ...route,
    deprecated: true,
    description:
      `${route.description ?? ""}\n\n**Deprecated** since ${notice.deprecatedAt.toISOString().slice(0, 10)}.${sunset} See ${notice.link}.`.trim(),
  };
}

/** Headers for the answers of deprecated operations; `basePath` is where the document's paths start. */
export function deprecationHeaders(
  basePath: string,
  notices: readonly DeprecationNotice[] = V1_DEPRECATIONS,
): MiddlewareHandler {
  const matchers = notices.map((notice) => ({
    notice,
    method: notice.method.toUpperCase(),
    pattern: new RegExp(`^${basePath}${notice.path.replace(/\{[^}]+\}/g, "[^/]+")}$`),
  }));
  return async (c, next) => {
    await next();
    const found = matchers.find((m) => m.method === c.req.method && m.pattern.test(c.req.path));
    if (!found) return;
    const { notice } = found;
    c.header("deprecation", `@${Math.floor(notice.deprecatedAt.getTime() / 1000)}`);
    const links = [`<${notice.link}>; rel="deprecation"; type="text/html"`];
    if (notice.sunsetAt) {
      c.header("sunset", notice.sunsetAt.toUTCString());
      links.push(`<${notice.link}>; rel="sunset"; type="text/html"`);
    }
    c.header("link", links.join(", "), { append: true });
  };
}
