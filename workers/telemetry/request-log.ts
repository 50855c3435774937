// One structured log line per request (docs/decisions/023), written by the Worker's first
// middleware once the response is known. It names the route pattern, never the raw path, query,
// headers or body, so no id-bearing URL, token, cookie, secret or payload can reach the logs.
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { Principal } from "../../domain/auth/principal.ts";
import { continueTrace, type TraceContext } from "./trace.ts";

export type PrincipalType = "client" | "user" | "connector" | "anonymous";

interface Attribution {
  tenant: string;
  principalType: PrincipalType;
}

// Context keys; the values are read back through the functions below, never by name elsewhere.
const REQUEST_ID = "telemetry.requestId";
const TRACE = "telemetry.trace";
const ATTRIBUTION = "telemetry.attribution";

// cf-ray is set by Cloudflare's edge (`<16 hex>-<colo>`); anything else is not trusted as an id.
const CF_RAY = /^[0-9a-f]{16}(-[A-Z]{3,4})?$/;

export function requestTelemetry(): MiddlewareHandler {
  return async (c, next) => {
    const started = Date.now();
    const rayId = c.req.header("cf-ray");
    const requestId = rayId && CF_RAY.test(rayId) ? rayId : crypto.randomUUID();
    const trace = continueTrace(c.req.header("traceparent"), c.req.header("tracestate"));
    c.set(REQUEST_ID, requestId);
    c.set(TRACE, trace);
    try {
      await next();
    } catch (error) {
      // Only non-Error throws get past Hono's error handler; they still get their line.
      writeLine(c, requestId, trace, 500, Date.now() - started);
      throw error;
    }
    // A WebSocket upgrade's response cannot be rebuilt with another header; it is logged all the same.
    if (c.res.status !== 101) c.header("x-request-id", requestId);
    writeLine(c, requestId, trace, c.res.status, Date.now() - started);
  };
}

/** For routes outside /v1 that resolve the tenant themselves (the ingest resolves the connector's). */
export function attributeRequest(c: Context, attribution: Attribution): void {
  c.set(ATTRIBUTION, attribution);
}

export function requestIdOf(c: Context): string | undefined {
  return c.get(REQUEST_ID) as string | undefined;
}

/** The request's trace, to hand to outbound calls; a fresh one outside a request. */
export function traceOf(c: Context): TraceContext {
  return (c.get(TRACE) as TraceContext | undefined) ?? continueTrace(null);
}

function writeLine(c: Context, requestId: string, trace: TraceContext, status: number, durationMs: number) {
  const principal = c.get("principal") as Principal | undefined;
  const attribution = c.get(ATTRIBUTION) as Attribution | undefined;
  const line = {
    level: status >= 500 ? "error" : status >= 400 ? "warn" : "info",
    msg: "request",
    request_id: requestId,
    trace_id: trace.traceId,
    span_id: trace.spanId,
    tenant: principal?.tenant.id ?? attribution?.tenant ?? null,
    route: routeOf(c),
    method: c.req.method,
    status,
    duration_ms: durationMs,
    principal_type: principal?.type ?? attribution?.principalType ?? "anonymous",
  };
  const text = JSON.stringify(line);
  if (line.level === "error") console.error(text);
  else if (line.level === "warn") console.warn(text);
  else console.log(text);
}

/**
 * The pattern of the route the request was for. Hono leaves routeIndex on the last handler that
 * ran; when that is a middleware or catch-all that answered early (401, 429), the request was
 * still aimed at the first method-specific route after it.
 */
function routeOf(c: Context): string {
  const routes = matchedRoutes(c);
  const index = c.req.routeIndex;
  const answered = routes[index];
  if (!answered) return "unmatched";
  if (answered.method !== "ALL") return answered.path;
  const aimed = routes.slice(index + 1).find((r) => r.method !== "ALL");
  return aimed?.path ?? answered.path;
}
