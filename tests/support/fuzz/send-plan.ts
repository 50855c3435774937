// Turns a request plan into a real request against one tenant: placeholders become that tenant's
// fixture ids (shared, or made for this request), a case's current version, a fresh idempotency
// key or a machine client's credentials; then the request goes through the Worker's fetch handler.
import type { TenantFixtures } from "../route-catalog.ts";
import { call } from "../world.ts";
import { BASE_PATH, type DocumentedOperation } from "./documented-operations.ts";
import { type ConcreteRequest, placeholdersIn, type RequestPlan } from "./request-plans.ts";

type FixtureKind = Parameters<TenantFixtures["shared"]>[0];

export interface Target {
  fixtures: TenantFixtures;
  /** A machine client of the tenant, for POST /oauth/token. */
  client: { id: string; secret: string };
  /** A token with every scope, for the reads a placeholder needs (a list's first page). */
  token: string;
}

const NEXT_CURSOR = "{{next-cursor}}";

export async function concrete(
  plan: RequestPlan,
  target: Target,
  op?: DocumentedOperation,
): Promise<ConcreteRequest> {
  const values = new Map<string, string>();
  const resolveText = async (text: string, caseId?: string): Promise<string> => {
    let out = text;
    for (const token of placeholdersIn(text)) {
      let value = values.get(token);
      if (value === undefined) {
        value = await resolvePlaceholder(token, target, caseId);
        // A fresh fixture is made once per request, wherever the plan names it.
        if (token !== "{{unique-key}}") values.set(token, value);
      }
      out = out.replace(token, value);
    }
    return out;
  };
  const path: Record<string, string> = {};
  for (const [name, value] of Object.entries(plan.path)) path[name] = await resolveText(value);
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(plan.query)) {
    if (value !== NEXT_CURSOR) query[name] = await resolveText(value);
  }
  // A cursor only the server can mint: the next_cursor of a one-item first page with the same filters.
  for (const [name, value] of Object.entries(plan.query)) {
    if (value !== NEXT_CURSOR) continue;
    if (!op) throw new Error(`${NEXT_CURSOR} needs the operation to read a first page from`);
    const cursor = await nextCursor(op, path, { ...query, limit: "1" }, target.token);
    if (cursor !== undefined) query[name] = cursor;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(plan.headers)) headers[name] = await resolveText(value, path.id);
  const body = plan.body === undefined ? undefined : await resolveDeep(plan.body, (s) => resolveText(s));
  return { path, query, headers, ...(body === undefined ? {} : { body }) };
}

async function resolvePlaceholder(
  token: string,
  target: Target,
  caseId: string | undefined,
): Promise<string> {
  const [, family, kind] = /^\{\{([a-z-]+)(?::(\w+))?\}\}$/.exec(token) ?? [];
  const w = target.fixtures;
  switch (family) {
    case "fixture":
      return w.shared(kind as FixtureKind);
    case "fresh":
      return fresh(w, kind as FixtureKind);
    case "case-version":
      return caseId ? w.caseVersion(caseId) : '"1"';
    case "unique-key":
      return `fuzz-${crypto.randomUUID()}`;
    case "client-id":
      return target.client.id;
    case "client-secret":
      return target.client.secret;
  }
  throw new Error(`unknown placeholder ${token}`);
}

async function nextCursor(
  op: DocumentedOperation,
  path: Record<string, string>,
  query: Record<string, string>,
  token: string,
): Promise<string | undefined> {
  const res = await send(op, { path, query, headers: {} }, { token });
  if (res.status !== 200) {
    await res.body?.cancel();
    return undefined;
  }
  const page = (await res.json()) as { next_cursor?: unknown };
  return typeof page.next_cursor === "string" ? page.next_cursor : undefined;
}

function fresh(w: TenantFixtures, kind: FixtureKind): Promise<string> {
  switch (kind) {
    case "alert":
      return w.alert();
    case "case":
      return w.case();
    case "connector":
      return w.connector();
    case "xdrConnector":
      return w.xdrConnector();
    case "aiDefenseConnector":
      return w.aiDefenseConnector();
    case "m365Connector":
      return w.m365Connector();
    case "sink":
      return w.sink();
    case "deadLetter":
      return w.deadLetter();
    case "quarantined":
      return w.quarantined();
    case "user":
      return w.user();
    case "client":
      return w.client();
    case "asset":
      return w.asset();
    case "delivery":
      return w.delivery();
  }
}

async function resolveDeep(value: unknown, text: (s: string) => Promise<string>): Promise<unknown> {
  if (typeof value === "string") return text(value);
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveDeep(v, text)));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolveDeep(v, text);
    return out;
  }
  return value;
}

export interface Credentials {
  /** A bearer token; omitted for operations that take none. */
  token?: string;
  /** Raw Authorization header, for tests of the header itself. */
  authorization?: string;
}

/** Sends a concrete request for `op` and answers the Worker's response. */
export async function send(
  op: DocumentedOperation,
  req: ConcreteRequest,
  credentials: Credentials,
): Promise<Response> {
  const pathname = op.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    encodeURIComponent(req.path[name] ?? ""),
  );
  const search = new URLSearchParams(req.query).toString();
  const headers: Record<string, string> = { ...req.headers };
  if (credentials.authorization !== undefined) headers.authorization = credentials.authorization;
  let rawBody: string | undefined;
  if (req.body !== undefined) {
    const form = op.body?.contentType === "application/x-www-form-urlencoded";
    headers["content-type"] = op.body?.contentType ?? "application/json";
    rawBody = form
      ? new URLSearchParams(req.body as Record<string, string>).toString()
      : JSON.stringify(req.body);
  }
  return call(op.method, `${BASE_PATH}${pathname}${search ? `?${search}` : ""}`, {
    ...(credentials.token === undefined ? {} : { token: credentials.token }),
    headers,
    ...(rawBody === undefined ? {} : { rawBody }),
  });
}

/** HTTP Basic credentials as RFC 6749 §2.3.1 has a client send them (each part form-urlencoded). */
export function basicAuthorization(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replaceAll("%20", "+");
  return `Basic ${btoa(`${enc(id)}:${enc(secret)}`)}`;
}
