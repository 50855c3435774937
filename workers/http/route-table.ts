// The documented routes as a table the API consults before routing: which methods a path has (an
// undocumented method is 405, RFC 9110 §15.5.6, with `Allow`), and whether a route's body is
// required. It is built from the API's own route registry, so a new route is covered as soon as it
// is registered (decision 041).
import type { MiddlewareHandler } from "hono";
import { PhoenixError } from "../../domain/errors.ts";
import { problemResponse } from "./problem.ts";

export interface RegisteredRoute {
  method: string;
  /** As documented: "/cases/{id}/commands". */
  path: string;
  bodyRequired: boolean;
}

interface PathTemplate {
  segments: Array<string | null>;
  routes: Map<string, RegisteredRoute>;
}

// The order `Allow` lists methods in, whatever the order routes were registered.
const METHOD_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

export class RouteTable {
  private templates: PathTemplate[] | undefined;
  private readonly base: string;
  private readonly routes: () => RegisteredRoute[];

  /** `routes` is read on first use, once every route is registered; `base` is where the API is mounted. */
  constructor(base: string, routes: () => RegisteredRoute[]) {
    this.base = base;
    this.routes = routes;
  }

  /** The routes of the documented path `requestPath` is an instance of, by method; undefined if none. */
  lookup(requestPath: string): Map<string, RegisteredRoute> | undefined {
    if (!requestPath.startsWith(`${this.base}/`)) return undefined;
    this.templates ??= compile(this.routes());
    return mostSpecific(this.templates, requestPath.slice(this.base.length).split("/"))?.routes;
  }

  /** The route a request will reach, if it is documented. */
  route(method: string, requestPath: string): RegisteredRoute | undefined {
    return this.lookup(requestPath)?.get(method);
  }
}

/** 405 with `Allow` for a documented path asked with another method. Runs before authentication: which methods a path has is public. */
export function methodNotAllowed(table: RouteTable): MiddlewareHandler {
  return async (c, next) => {
    const routes = table.lookup(c.req.path);
    // Hono answers HEAD with the GET route, so HEAD is allowed wherever GET is.
    const method = c.req.method === "HEAD" ? "GET" : c.req.method;
    if (!routes || routes.has(method)) return next();
    const allow = [...routes.keys()].sort((a, b) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b));
    const res = problemResponse(
      new PhoenixError(
        "method_not_allowed",
        `${c.req.method} is not supported here; use ${allow.join(", ")}`,
      ),
      c.req.path,
    );
    res.headers.set("allow", allow.join(", "));
    return res;
  };
}

function compile(routes: RegisteredRoute[]): PathTemplate[] {
  const byPath = new Map<string, PathTemplate>();
  for (const route of routes) {
    let template = byPath.get(route.path);
    if (!template) {
      const segments = route.path.split("/").map((s) => (/^\{[^}]+\}$/.test(s) ? null : s));
      template = { segments, routes: new Map() };
      byPath.set(route.path, template);
    }
    template.routes.set(route.method.toUpperCase(), route);
  }
  return [...byPath.values()];
}

/**
 * The template a path is an instance of. As in OpenAPI, a literal segment wins over a parameter:
 * /sinks/dead-letters is its own path, not the sink "dead-letters".
 */
function mostSpecific(templates: PathTemplate[], segments: string[]): PathTemplate | undefined {
  let best: PathTemplate | undefined;
  for (const t of templates) {
    if (t.segments.length !== segments.length) continue;
    if (!t.segments.every((s, i) => (s === null ? segments[i] !== "" : s === segments[i]))) continue;
    if (!best || moreLiteral(t, best)) best = t;
  }
  return best;
}

function moreLiteral(a: PathTemplate, b: PathTemplate): boolean {
  for (let i = 0; i < a.segments.length; i++) {
    const aLiteral = a.segments[i] !== null;
    const bLiteral = b.segments[i] !== null;
    if (aLiteral !== bLiteral) return aLiteral;
  }
  return false;
}
