// A fake Cisco XDR org, answering the Worker's outbound fetch in the test isolate the way XDR does:
// - OAuth2 client credentials (POST /iroh/oauth2/token; README "Auth": form grant, HTTP Basic,
//   600 s bearer tokens, no refresh);
// - IROH `GET /iroh/private-intel/incident/search` (iroh-private-intel.subset.swagger.json);
// - CTIA `GET /ctia/relationship/search` and `GET /ctia/sighting/{id}` (ctia-private-intel.subset);
// - CTIA paging: a bare JSON array, with X-Total-Hits, X-Next, X-Previous and X-Sort headers
//   (threatgrid/ctia routes/common.clj map->paging-headers); X-Ratelimit-Org-Limit on every response,
//   and 429 with Retry-After when told to.
// Query parameters are checked against the operation's Swagger parameters, and every entity seeded
// is checked against its Swagger definition, so neither the client nor the data can leave the contract.
import { vi } from "vitest";
import type { XdrPullCredentials, XdrRegion } from "../../domain/connectors/xdr-pull.ts";
import { swaggerErrors } from "../workers/ingest/cisco-xdr/swagger.ts";

interface SwaggerParameter {
  name: string;
  in: string;
  type?: string;
  required?: boolean;
  items?: { type?: string; enum?: unknown[] };
  enum?: unknown[];
}

interface SwaggerDocument {
  paths: Record<string, Record<string, { parameters?: SwaggerParameter[] }>>;
  definitions: Record<string, unknown>;
}

const documents = import.meta.glob<SwaggerDocument>(
  [
    "../../../shared/contracts/xdr/api/iroh-private-intel.subset.swagger.json",
    "../../../shared/contracts/xdr/api/ctia-private-intel.subset.swagger.json",
  ],
  { eager: true, import: "default" },
);

function load(name: string): SwaggerDocument {
  const doc = documents[`../../../shared/contracts/xdr/api/${name}`];
  if (!doc) throw new Error(`shared/contracts/xdr/api/${name} is missing`);
  return doc;
}

const IROH_PRIVATE_INTEL = load("iroh-private-intel.subset.swagger.json");
const CTIA = load("ctia-private-intel.subset.swagger.json");

const HOSTS: Record<XdrRegion, { iroh: string; ctia: string }> = {
  us: { iroh: "visibility.amp.cisco.com", ctia: "private.intel.amp.cisco.com" },
  eu: { iroh: "visibility.eu.amp.cisco.com", ctia: "private.intel.eu.amp.cisco.com" },
  apjc: { iroh: "visibility.apjc.amp.cisco.com", ctia: "private.intel.apjc.amp.cisco.com" },
};

export const XDR_ORG_LIMIT = 8000;
const TOKEN_TTL_S = 600;
/** CTIA's default page size (ctia.lib.pagination/default-limit). */
const DEFAULT_LIMIT = 100;

type Json = Record<string, unknown>;

/** An entity as XDR stores it: its value, and the exact text served (which may hold big integers). */
interface Entity {
  value: Json;
  text: string;
}

export interface LoggedRequest {
  method: string;
  host: string;
  path: string;
  params: URLSearchParams;
  status: number;
  /** The API client the request was made for (from Basic auth or the bearer token). */
  clientId: string | null;
}

interface Scripted {
  status: number;
  retryAfter?: string;
  match: (url: URL) => boolean;
}

// Every fake org installed in this test; one fetch spy routes to the org that knows the credentials.
let installed: FakeXdr[] = [];

export interface FakeXdrOptions {
  region?: XdrRegion;
  orgId?: string;
}

export class FakeXdr {
  readonly region: XdrRegion;
  readonly orgId: string;
  readonly incidents = new Map<string, Entity>();
  readonly sightings = new Map<string, Entity>();
  readonly relationships = new Map<string, Entity>();
  readonly requests: LoggedRequest[] = [];
  /** Tokens minted, per API client. */
  readonly mints = new Map<string, number>();
  private readonly clients = new Map<string, string>();
  private readonly tokens = new Map<string, { clientId: string; expiresAt: number }>();
  private readonly scripted: Scripted[] = [];

  constructor(options: FakeXdrOptions = {}) {
    this.region = options.region ?? "us";
    this.orgId = options.orgId ?? crypto.randomUUID();
  }

  /** Registers an API client of this org (XDR Administration → API Clients) and returns its credentials. */
  addClient(
    clientId = `client-${crypto.randomUUID()}`,
    clientPassword: string = crypto.randomUUID(),
  ): XdrPullCredentials {
    this.clients.set(clientId, clientPassword);
    return { clientId, clientPassword, orgId: this.orgId, region: this.region };
  }

  get tokenMints(): number {
    return [...this.mints.values()].reduce((a, b) => a + b, 0);
  }

  /** API requests (token mints excluded). */
  get apiRequests(): LoggedRequest[] {
    return this.requests.filter((r) => r.path !== "/iroh/oauth2/token");
  }

  addIncident(value: Json, text = JSON.stringify(value)): this {
    expectConforms(IROH_PRIVATE_INTEL, "IncidentSearchResults", value);
    this.incidents.set(shortId(value, "incident"), { value, text });
    return this;
  }

  addSighting(value: Json, text = JSON.stringify(value)): this {
    expectConforms(CTIA, "PartialSighting", value);
    this.sightings.set(shortId(value, "sighting"), { value, text });
    return this;
  }

  addRelationship(value: Json): this {
    expectConforms(CTIA, "PartialRelationship", value);
    this.relationships.set(shortId(value, "relationship"), { value, text: JSON.stringify(value) });
    return this;
  }

  /** The next matching request (any API request by default) gets 429 with this Retry-After. */
  rateLimitNext(retryAfter = "30", match: (url: URL) => boolean = () => true): this {
    this.scripted.push({ status: 429, retryAfter, match });
    return this;
  }

  /** The next `times` matching requests get `status` (e.g. 503). */
  failNext(status: number, times = 1, match: (url: URL) => boolean = () => true): this {
    for (let i = 0; i < times; i++) this.scripted.push({ status, match });
    return this;
  }

  /** Answers the Worker's outbound fetch for this org until vi.restoreAllMocks and uninstallFakeXdr. */
  install(): this {
    installed.push(this);
    if (!vi.isMockFunction(globalThis.fetch)) {
      const realFetch = globalThis.fetch;
      vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
        const request = new Request(input, init);
        const host = new URL(request.url).hostname;
        const isXdr = Object.values(HOSTS).some((h) => h.iroh === host || h.ctia === host);
        if (!isXdr) return realFetch(input, init);
        return route(request);
      });
    }
    return this;
  }

  knowsClient(clientId: string, password: string): boolean {
    return this.clients.get(clientId) === password;
  }

  ownsToken(token: string): boolean {
    return this.tokens.has(token);
  }

  /** Serves one request to this org. */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const entry: LoggedRequest = {
      method: request.method,
      host: url.hostname,
      path: url.pathname,
      params: url.searchParams,
      status: 0,
      clientId: null,
    };
    this.requests.push(entry);
    const response = await this.answer(request, url, entry);
    entry.status = response.status;
    response.headers.set("x-ratelimit-org-limit", String(XDR_ORG_LIMIT));
    return response;
  }

  private async answer(request: Request, url: URL, entry: LoggedRequest): Promise<Response> {
    const hosts = HOSTS[this.region];
    const scripted = this.scripted.findIndex((s) => s.match(url));
    if (scripted >= 0) {
      const [s] = this.scripted.splice(scripted, 1);
      if (s) {
        const headers: Record<string, string> =
          s.retryAfter !== undefined ? { "retry-after": s.retryAfter } : {};
        return Response.json(
          { error: s.status === 429 ? "too many requests" : "unavailable" },
          {
            status: s.status,
            headers,
          },
        );
      }
    }

    if (url.hostname === hosts.iroh && url.pathname === "/iroh/oauth2/token")
      return this.mint(request, entry);

    const bearer = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    const token = bearer !== undefined ? this.tokens.get(bearer) : undefined;
    if (!token || Date.now() >= token.expiresAt)
      return Response.json({ error: "invalid_token" }, { status: 401 });
    entry.clientId = token.clientId;

    if (request.method !== "GET")
      return Response.json({ error: "no such route on the fake XDR server" }, { status: 404 });
    if (url.hostname === hosts.iroh && url.pathname === "/iroh/private-intel/incident/search") {
      return (
        checkQuery(IROH_PRIVATE_INTEL, "/iroh/private-intel/incident/search", url) ??
        search([...this.incidents.values()], url)
      );
    }
    if (url.hostname === hosts.ctia && url.pathname === "/ctia/relationship/search") {
      const invalid = checkQuery(CTIA, "/ctia/relationship/search", url);
      if (invalid) return invalid;
      const filters = ["target_ref", "source_ref", "relationship_type"] as const;
      const matching = [...this.relationships.values()].filter((r) =>
        filters.every((f) => !url.searchParams.has(f) || r.value[f] === url.searchParams.get(f)),
      );
      return search(matching, url);
    }
    const sighting = /^\/ctia\/sighting\/([^/]+)$/.exec(url.pathname)?.[1];
    if (url.hostname === hosts.ctia && sighting !== undefined) {
      const invalid = checkQuery(CTIA, "/ctia/sighting/{id}", url);
      if (invalid) return invalid;
      const found = this.sightings.get(shortIdOf(decodeURIComponent(sighting), "sighting"));
      if (!found) return Response.json({ error: "not found" }, { status: 404 });
      return new Response(found.text, { headers: { "content-type": "application/json" } });
    }
    return Response.json({ error: "no such route on the fake XDR server" }, { status: 404 });
  }

  private async mint(request: Request, entry: LoggedRequest): Promise<Response> {
    const isForm = request.headers.get("content-type")?.startsWith("application/x-www-form-urlencoded");
    const form = request.method === "POST" && isForm ? await request.formData() : null;
    if (form?.get("grant_type") !== "client_credentials") {
      return Response.json({ error: "unsupported_grant_type" }, { status: 400 });
    }
    const basic = /^Basic (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    const decoded = basic !== undefined ? atob(basic) : "";
    const colon = decoded.indexOf(":");
    const clientId = decoded.slice(0, colon);
    entry.clientId = clientId;
    if (colon < 0 || !this.knowsClient(clientId, decoded.slice(colon + 1))) {
      return Response.json({ error: "invalid_client" }, { status: 401 });
    }
    const accessToken = `fake-xdr-${crypto.randomUUID()}`;
    this.tokens.set(accessToken, { clientId, expiresAt: Date.now() + TOKEN_TTL_S * 1000 });
    this.mints.set(clientId, (this.mints.get(clientId) ?? 0) + 1);
    return Response.json({
      access_token: accessToken,
      token_type: "bearer",
      expires_in: TOKEN_TTL_S,
      scope: "private-intel:read",
    });
  }
}

/** Forgets every fake org (call with vi.restoreAllMocks, in afterEach). */
export function uninstallFakeXdr(): void {
  installed = [];
}

async function route(request: Request): Promise<Response> {
  const auth = request.headers.get("authorization") ?? "";
  const bearer = /^Bearer (.+)$/.exec(auth)?.[1];
  let owner: FakeXdr | undefined;
  if (bearer !== undefined) owner = installed.find((x) => x.ownsToken(bearer));
  const basic = /^Basic (.+)$/.exec(auth)?.[1];
  if (basic !== undefined) {
    const decoded = atob(basic);
    const colon = decoded.indexOf(":");
    owner = installed.find((x) => x.knowsClient(decoded.slice(0, colon), decoded.slice(colon + 1)));
  }
  // Unknown credentials still reach an org of that region, which refuses them as XDR would.
  const host = new URL(request.url).hostname;
  owner ??= installed.find((x) => HOSTS[x.region].iroh === host || HOSTS[x.region].ctia === host);
  if (!owner) return Response.json({ error: "no fake XDR org for this host" }, { status: 404 });
  return owner.handle(request);
}

// --- CTIA search semantics ---------------------------------------------------------------------

const DATE_FIELDS = new Set(["timestamp", "created", "modified"]);

/** Sort value of an entity for one field: dates as epoch ms (as Elasticsearch sorts them), else the text. */
function sortValue(entity: Entity, field: string): number | string {
  const value = entity.value[field];
  if (DATE_FIELDS.has(field)) {
    return typeof value === "string" ? Date.parse(value) : 0;
  }
  return typeof value === "string" ? value : String(value ?? "");
}

function compareTuples(a: ReadonlyArray<number | string>, b: ReadonlyArray<number | string>): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

// The one Lucene form the pull path sends: a range on `timestamp`, quoted, open at the top.
const TIMESTAMP_RANGE = /^timestamp:\["([^"]+)" TO \*\]$/;

/** A CTIA search over `entities`: filters, `sort_by`/`sort_order`, `limit`/`offset`/`search_after`, paging headers. */
function search(entities: Entity[], url: URL): Response {
  const params = url.searchParams;
  let matching = entities;
  const query = params.get("query");
  if (query !== null) {
    const range = TIMESTAMP_RANGE.exec(query);
    if (!range?.[1] || Number.isNaN(Date.parse(range[1]))) {
      return Response.json({ error: `the fake XDR does not understand query ${query}` }, { status: 400 });
    }
    const from = Date.parse(range[1]);
    matching = matching.filter((e) => (sortValue(e, "timestamp") as number) >= from);
  }

  const fields = (params.get("sort_by") ?? "created,id").split(",").map((f) => f.split(":")[0] ?? f);
  const direction = params.get("sort_order") === "desc" ? -1 : 1;
  const keyOf = (e: Entity) => fields.map((f) => sortValue(e, f));
  const sorted = [...matching].sort((a, b) => direction * compareTuples(keyOf(a), keyOf(b)));

  const limit = Number(params.get("limit") ?? DEFAULT_LIMIT);
  const offset = Number(params.get("offset") ?? 0);
  const after = params.getAll("search_after");
  // Elasticsearch ignores the offset once search_after is given: the page starts after that hit.
  let rest = sorted.slice(offset);
  if (after.length > 0) {
    const cursor = after.map((v, i) => (DATE_FIELDS.has(fields[i] ?? "") ? Number(v) : v));
    rest = sorted.filter((e) => direction * compareTuples(keyOf(e), cursor) > 0);
  }
  const page = rest.slice(0, limit);
  const headers = new Headers({
    "content-type": "application/json",
    "x-total-hits": String(matching.length),
  });
  const last = page.at(-1);
  if (last) {
    const sort = keyOf(last);
    headers.set("x-sort", JSON.stringify(sort));
    if (rest.length > page.length) {
      const next = new URLSearchParams({ limit: String(limit), offset: String(offset + limit) });
      for (const v of sort) next.append("search_after", String(v));
      headers.set("x-next", next.toString());
    }
  }
  if (offset > 0) {
    headers.set(
      "x-previous",
      new URLSearchParams({ limit: String(limit), offset: String(Math.max(0, offset - limit)) }).toString(),
    );
  }
  return new Response(`[${page.map((e) => e.text).join(",")}]`, { headers });
}

/** 400 when the query uses a parameter the Swagger operation does not declare, or a value of the wrong type. */
function checkQuery(doc: SwaggerDocument, template: string, url: URL): Response | null {
  const parameters = (doc.paths[template]?.get?.parameters ?? []).filter((p) => p.in === "query");
  const errors: string[] = [];
  for (const key of new Set(url.searchParams.keys())) {
    const declared = parameters.find((p) => p.name === key);
    if (!declared) {
      errors.push(`${key}: is not a parameter of GET ${template}`);
      continue;
    }
    const values = url.searchParams.getAll(key);
    if (declared.type !== "array" && values.length > 1) errors.push(`${key}: is not an array`);
    for (const value of values) {
      const type = declared.type === "array" ? declared.items?.type : declared.type;
      const allowed = declared.type === "array" ? declared.items?.enum : declared.enum;
      if (type === "integer" && !/^-?\d+$/.test(value)) errors.push(`${key}: must be an integer`);
      if (allowed && !allowed.includes(value)) errors.push(`${key}: ${value} is not allowed`);
    }
  }
  for (const p of parameters) {
    if (p.required && !url.searchParams.has(p.name)) errors.push(`${p.name}: is required`);
  }
  return errors.length > 0 ? Response.json({ errors }, { status: 400 }) : null;
}

function expectConforms(doc: SwaggerDocument, definition: string, value: unknown): void {
  const errors = swaggerErrors(doc as unknown as Parameters<typeof swaggerErrors>[0], definition, value);
  if (errors.length > 0) throw new Error(`not a ${definition}: ${errors.join("; ")}`);
}

function shortId(value: Json, type: string): string {
  if (typeof value.id !== "string") throw new Error(`a ${type} needs an id`);
  return shortIdOf(value.id, type);
}

/** `<type>-<uuid>` from any of CTIM's id forms (the long form is the CTIA URL). */
function shortIdOf(id: string, type: string): string {
  const last = id.split("/").at(-1) ?? id;
  return last.startsWith(`${type}-`) ? last : `${type}-${last}`;
}
