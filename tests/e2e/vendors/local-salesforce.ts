// A local Salesforce org for the sink tests: the client-credentials token endpoint and Case upsert
// by external id (shared/contracts/salesforce/README.md), with every written field checked against
// the Case field reference (known, writable, within its length). Sessions can end at any call, and
// the org answers 403 REQUEST_LIMIT_EXCEEDED when its allowance is "spent", as Salesforce does.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { type FaultKind, type FaultPlan, faultFor, neverAnswer, readBody, sendJson } from "./faults.ts";

const reference = JSON.parse(
  readFileSync(
    fileURLToPath(
      new URL("../../../../shared/contracts/salesforce/case-object.sf-explorer.json", import.meta.url),
    ),
    "utf8",
  ),
) as { Case: { properties: Record<string, { type: string; maxLength?: number; readOnly?: boolean }> } };
const CASE_FIELDS = reference.Case.properties;
/** The org's external id field on Case (custom, so not in the reference). */
const EXTERNAL_ID_FIELD = "Phoenix_Case_Id__c";
const API_VERSION = "v62.0";

type SalesforceFault = FaultKind | "expired" | "limit";

interface Org {
  clientId: string;
  clientSecret: string;
  tokens: Set<string>;
  cases: Map<string, { Id: string; fields: Record<string, unknown> }>;
  faults: FaultPlan;
  stats: {
    calls: number;
    faults: Record<SalesforceFault, number>;
    invalid: string[];
    created: number;
    updated: number;
  };
}

const orgs = new Map<string, Org>();

function org(name: string): Org {
  let o = orgs.get(name);
  if (!o) {
    o = {
      clientId: "phoenix-client",
      clientSecret: "salesforce-client-secret",
      tokens: new Set(),
      cases: new Map(),
      faults: { rate: 0, seed: 1 },
      stats: {
        calls: 0,
        faults: { "500": 0, "429": 0, timeout: 0, lost: 0, expired: 0, limit: 0 },
        invalid: [],
        created: 0,
        updated: 0,
      },
    };
    orgs.set(name, o);
  }
  return o;
}

const errors = (res: ServerResponse, status: number, errorCode: string, message: string) =>
  sendJson(res, status, [{ errorCode, message }]);

/** Serves /sf/<org>/… ; answers false for other paths. */
export async function serveSalesforce(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? "/", "http://local");
  const m = /^\/sf\/([\w-]+)(\/.*)$/.exec(url.pathname);
  if (!m) return false;
  const [, name = "", path = "/"] = m;
  const o = org(name);
  const raw = await readBody(req);
  if (path === "/__control" && req.method === "POST") {
    const body = JSON.parse(raw) as { faults?: FaultPlan; reset?: boolean };
    if (body.reset) orgs.delete(name);
    if (body.faults) org(name).faults = body.faults;
    sendJson(res, 200, { ok: true });
    return true;
  }
  if (path === "/__state") {
    sendJson(res, 200, { cases: [...o.cases.entries()], stats: o.stats });
    return true;
  }
  o.stats.calls++;
  // Faults as Salesforce has them: 429 is not one of them (limits are 403 REQUEST_LIMIT_EXCEEDED),
  // and a session may end at any call.
  const drawn = faultFor(o.faults);
  const onToken = path.endsWith("/token");
  // Half the 500s on API calls are an ended session instead.
  const fault: SalesforceFault | null =
    drawn === "429"
      ? onToken
        ? "500"
        : "limit"
      : drawn === "500" && !onToken && o.stats.calls % 2 === 0
        ? "expired"
        : drawn;
  if (fault) o.stats.faults[fault]++;
  if (fault === "500") {
    errors(res, 500, "UNKNOWN_EXCEPTION", "An unexpected error occurred.");
    return true;
  }
  if (fault === "timeout") {
    neverAnswer(res);
    return true;
  }

  if (path === "/services/oauth2/token" && req.method === "POST") {
    const form = new URLSearchParams(raw);
    if (
      form.get("grant_type") !== "client_credentials" ||
      form.get("client_id") !== o.clientId ||
      form.get("client_secret") !== o.clientSecret
    ) {
      sendJson(res, 400, { error: "invalid_client", error_description: "invalid client credentials" });
      return true;
    }
    const token = randomUUID();
    o.tokens.add(token);
    if (fault === "lost") {
      neverAnswer(res);
      return true;
    }
    sendJson(res, 200, {
      access_token: token,
      instance_url: `http://${req.headers.host}/sf/${name}`,
      id: `http://${req.headers.host}/id/00D/005`,
      token_type: "Bearer",
      issued_at: String(Date.now()),
      signature: "local",
      scope: "api",
    });
    return true;
  }

  const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
  if (!o.tokens.has(token) || fault === "expired") {
    o.tokens.delete(token);
    errors(res, 401, "INVALID_SESSION_ID", "Session expired or invalid");
    return true;
  }
  if (fault === "limit") {
    errors(res, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
    return true;
  }
  const upsert = new RegExp(
    `^/services/data/${API_VERSION.replace(".", "\\.")}/sobjects/Case/(\\w+)/([^/]+)$`,
  ).exec(path);
  if (upsert && req.method === "GET") {
    const record =
      upsert[1] === EXTERNAL_ID_FIELD ? o.cases.get(decodeURIComponent(upsert[2] ?? "")) : undefined;
    if (!record) errors(res, 404, "NOT_FOUND", "The requested resource does not exist");
    else sendJson(res, 200, { attributes: { type: "Case" }, Id: record.Id });
    return true;
  }
  if (!upsert || req.method !== "PATCH") {
    o.stats.invalid.push(`${req.method} ${path}`);
    errors(res, 404, "NOT_FOUND", "The requested resource does not exist");
    return true;
  }
  const [, field, value = ""] = upsert;
  if (field !== EXTERNAL_ID_FIELD) {
    o.stats.invalid.push(`upsert by ${field}`);
    errors(res, 404, "NOT_FOUND", "The requested resource does not exist");
    return true;
  }
  const body = JSON.parse(raw) as Record<string, unknown>;
  for (const [key, v] of Object.entries(body)) {
    const known = CASE_FIELDS[key];
    const problem = !known
      ? `No such column '${key}' on sobject of type Case`
      : known.readOnly
        ? `Unable to create/update fields: ${key}`
        : typeof v === "string" && known.maxLength !== undefined && v.length > known.maxLength
          ? `${key}: data value too large`
          : null;
    if (problem) {
      o.stats.invalid.push(problem);
      errors(res, 400, known ? "INVALID_FIELD_FOR_INSERT_UPDATE" : "INVALID_FIELD", problem);
      return true;
    }
  }
  const id = decodeURIComponent(value);
  const existing = o.cases.get(id);
  if (existing) {
    Object.assign(existing.fields, body);
    o.stats.updated++;
  } else {
    o.cases.set(id, { Id: `500${String(o.cases.size + 1).padStart(15, "0")}`, fields: body });
    o.stats.created++;
  }
  if (fault === "lost") {
    neverAnswer(res);
    return true;
  }
  const record = o.cases.get(id);
  // Updates answer 200 with created:false (API 46.0+), or 204 on older behaviour: both happen.
  if (existing && o.stats.updated % 2 === 0) {
    res.writeHead(204);
    res.end();
  } else
    sendJson(res, existing ? 200 : 201, { id: record?.Id, success: true, errors: [], created: !existing });
  return true;
}
