// What a valid Phoenix request needs that the OpenAPI document cannot state, in one place: rules that
// hang on the tenant's state (which ids exist, a case's current version, which scopes a client
// holds), on the test environment (where outbound calls may go), or on one field's value choosing
// another's schema (a sink's kind and its config and credentials). Every other value comes from the
// document's schemas alone.
import fc from "fast-check";
import type { DocumentedOperation, DocumentedParameter } from "./documented-operations.ts";
import { COMPONENTS } from "./documented-operations.ts";
import { type JsonSchema, resolve } from "./json-schema.ts";
import type { Mode, RequestRules } from "./request-plans.ts";
import { type Shaper, schemaArbitrary } from "./schema-arbitrary.ts";

/** The fixtures a tenant has (tests/support/route-catalog.ts TenantFixtures), by the prefix of their ids. */
export const FIXTURE_BY_ID_PREFIX: Record<string, string> = {
  alrt: "alert",
  case: "case",
  con: "connector",
  snk: "sink",
  dlq: "deadLetter",
  qrn: "quarantined",
  ast: "asset",
  prn: "user",
  cli: "client",
};

// Operations whose success uses up the resource in the path: each such request gets a fixture of
// its own, never the shared one, which the other operations still need.
const CONSUMING: Record<string, string> = {
  deleteConnector: "connector",
  deleteSink: "sink",
  revokeUser: "user",
  revokeClient: "client",
  replaySinkDeadLetter: "deadLetter",
  replayQuarantined: "quarantined",
};

// Operations that reach more of their successes on a fixture of their own: a fresh case is in a
// state where most commands are allowed, where the shared one may have been closed or merged.
const FRESH_OFTEN: Record<string, string> = { commandCase: "case" };

// Path ids whose operation needs a fixture of a particular sort, not any of that id's prefix.
const PATH_FIXTURE: Record<string, string> = {
  setConnectorXdrPull: "xdrConnector",
  setConnectorAiDefensePull: "aiDefenseConnector",
  setConnectorM365Pull: "m365Connector",
};

// Path parameters that are not Phoenix ids, by name: a delivery's webhook-id is the sender's.
const PARAM_FIXTURE: Record<string, string> = { webhookId: "delivery" };

// The kinds of the shared fixtures, whose configuration an update must match (TenantFixtures).
const SHARED_KIND: Record<string, string> = { updateSink: "platform", updateConnector: "ocsf" };

// The test environment's outbound rule (decision 035) allows http on loopback only; port 9
// (discard) is closed, so a sink check or sync fails fast and nothing leaves the machine.
const OUTBOUND_URL = fc
  .stringMatching(/^[a-z]{1,10}(\/[a-z0-9-]{1,8}){0,2}$/)
  .map((path) => `http://127.0.0.1:9/${path}`);

// Only the server mints a pagination cursor (a made-up one is refused, as it should be): these
// are sent as a real next_cursor, read from a first page with the same filters.
const OPAQUE_CURSORS: Record<string, string[]> = { listChanges: ["since"] };

/** The scopes of the machine client whose credentials `POST /oauth/token` is fuzzed with. */
export const TOKEN_CLIENT_SCOPES = ["alerts:read", "cases:read", "cases:write"];

const DAY_MS = 86_400_000;

const REPORTS = new Set([
  "getSlaComplianceReport",
  "getMttxReport",
  "getAlertVolumeReport",
  "getCaseOutcomesReport",
]);

/** The tenant's shared fixture ids by kind (TenantFixtures.shared), which the rules name directly. */
export type SharedIds = Record<string, string>;

export function phoenixRules(shared: SharedIds): RequestRules {
  return {
    parameter(op, param, mode) {
      if (param.in === "path") return pathId(op, param, mode, shared);
      if (param.in === "header" && param.name === "idempotency-key") {
        // A key is the client's promise that the request is the same; reused across different
        // generated bodies it is rightly refused, so each request gets its own.
        return fc.constant("{{unique-key}}");
      }
      if (param.in === "header" && param.name === "if-match" && op.operationId === "commandCase") {
        return fc.oneof({ arbitrary: fc.constant("{{case-version}}"), weight: 6 }, fc.constant('"999999"'));
      }
      if (param.in === "query") {
        const opaque = param.name === "cursor" && param.schema.pattern === undefined;
        if (opaque || OPAQUE_CURSORS[op.operationId]?.includes(param.name))
          return fc.constant("{{next-cursor}}");
        if (op.operationId === "listAdminAudit" && param.name === "since") {
          // Epoch milliseconds or an ISO 8601 date-time: a calendar the schema's pattern cannot check.
          const ms = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) });
          return fc.oneof(
            ms.map(String),
            ms.map((t) => new Date(t).toISOString()),
          );
        }
      }
      return undefined;
    },

    finish(op, plan, mode) {
      // A report's period ends after it starts and spans at most what its buckets allow (400 days
      // by day): a relation between two parameters the document cannot state.
      if (REPORTS.has(op.operationId) && typeof plan.query.from === "string") {
        const from = Date.parse(`${plan.query.from}T00:00:00Z`);
        const days = 1 + (Math.abs(from / DAY_MS) % 120);
        const to = new Date(from + days * DAY_MS).toISOString().slice(0, 10);
        plan = { ...plan, query: { ...plan.query, to } };
      }
      const body = plan.body as Record<string, unknown> | undefined;
      // A case cannot be merged into itself; any other target the document allows.
      const mergeIntoItself = body?.type === "merge_into" && body.target_case_id === plan.path.id;
      if (mode === "exercise" && op.operationId === "commandCase" && mergeIntoItself) {
        return { ...plan, body: { ...body, target_case_id: "{{fresh:case}}" } };
      }
      return plan;
    },

    shaper(op, mode) {
      const fixtureIds = idsFromFixtures(mode, shared);
      const body = op.body ? resolve(op.body.schema, COMPONENTS) : undefined;
      const shape: Shaper = (node, at, generic) => {
        if (node === body && at.path.length === 0) {
          const custom = bodyRule(op, shape);
          if (custom) return custom;
        }
        if (node.format === "uri") return OUTBOUND_URL;
        if (at.ref === "DetectionFinding") return generic().map(consistentFinding);
        return fixtureIds(node);
      };
      return shape;
    },
  };
}

function pathId(
  op: DocumentedOperation,
  param: DocumentedParameter,
  mode: Mode,
  shared: SharedIds,
): fc.Arbitrary<string> | undefined {
  const kind = PARAM_FIXTURE[param.name] ?? PATH_FIXTURE[op.operationId] ?? fixtureOf(param.schema);
  if (!kind) return undefined;
  const own = fc.constant(sharedId(shared, kind));
  // A refused request must be refused for its one fault, not for a missing resource.
  if (mode === "refused") return own;
  // A webhook-id has no pattern; an unknown one is still a plain path segment (never "." or "..").
  const unknownValue = param.schema.pattern ? new RegExp(param.schema.pattern) : /^msg_[a-z0-9]{1,20}$/;
  const unknown = { arbitrary: fc.stringMatching(unknownValue), weight: 2 };
  const consumed = CONSUMING[op.operationId];
  // Mostly the tenant's own (a fresh one where success uses it up), sometimes one that does not exist.
  if (consumed) return fc.oneof({ arbitrary: fc.constant(`{{fresh:${consumed}}}`), weight: 8 }, unknown);
  const fresh = FRESH_OFTEN[op.operationId];
  if (fresh) {
    return fc.oneof(
      { arbitrary: fc.constant(`{{fresh:${fresh}}}`), weight: 6 },
      { arbitrary: own, weight: 2 },
      unknown,
    );
  }
  return fc.oneof({ arbitrary: own, weight: 8 }, unknown);
}

function sharedId(shared: SharedIds, kind: string): string {
  const id = shared[kind];
  if (id === undefined) throw new Error(`no shared ${kind} fixture: make it before generating requests`);
  return id;
}

/** Ids in bodies (alert_ids, target_case_id): mostly the tenant's own fixtures, sometimes unknown ones. */
function idsFromFixtures(mode: Mode, shared: SharedIds) {
  return (node: JsonSchema): fc.Arbitrary<unknown> | undefined => {
    const kind = fixtureOf(node);
    if (!kind) return undefined;
    const fixture = fc.constant(sharedId(shared, kind));
    if (mode === "refused") return fixture;
    return fc.oneof({ arbitrary: fixture, weight: 4 }, fc.stringMatching(new RegExp(node.pattern ?? ".+")));
  };
}

function fixtureOf(schema: JsonSchema): string | undefined {
  const prefix = /^\^([a-z]+)_/.exec(schema.pattern ?? "")?.[1];
  return prefix === undefined ? undefined : FIXTURE_BY_ID_PREFIX[prefix];
}

/** Request bodies where one field's value decides another's schema, or where state decides a value. */
function bodyRule(op: DocumentedOperation, shape: Shaper): fc.Arbitrary<unknown> | undefined {
  const component = (name: string) =>
    schemaArbitrary({ $ref: `#/components/schemas/${name}` }, COMPONENTS, shape);
  // The document's own body, shaped everywhere but at its root (which is this rule).
  const generic = () =>
    schemaArbitrary(op.body?.schema ?? {}, COMPONENTS, (n, a, g) =>
      a.path.length === 0 ? undefined : shape(n, a, g),
    );
  switch (op.operationId) {
    case "createSink":
      // The config is the kind's, and the credentials are exactly those the kind (and for Jira,
      // its auth type) uses: domain/sinks/config.ts credentialProblems.
      return fc.oneof(
        ...(["Platform", "Salesforce", "Jira"] as const).map((kind) =>
          fc.tuple(generic(), component(`${kind}SinkConfig`), secret()).map(([body, config, s]) => {
            const b = body as Record<string, unknown>;
            const auth = (config as { auth?: { type?: string } }).auth?.type;
            const credentials =
              kind === "Platform"
                ? {}
                : kind === "Salesforce"
                  ? { client_secret: s }
                  : auth === "api_token"
                    ? { api_token: s }
                    : { client_secret: s, refresh_token: s };
            return { ...b, kind: kind.toLowerCase(), config, credentials };
          }),
        ),
      );
    case "updateSink":
      return generic().chain((body) => {
        const b = { ...(body as Record<string, unknown>) };
        // The shared sink is a Platform sink, which takes no credentials.
        delete b.credentials;
        if (!("config" in b)) return fc.constant(b);
        return component(configComponent("Sink", SHARED_KIND.updateSink as string)).map((config) => ({
          ...b,
          config,
        }));
      });
    case "createConnector":
      return fc.oneof(
        ...["cisco-xdr", "ai-activity", "ocsf", "jira"].map((kind) =>
          fc
            .tuple(generic(), component(configComponent("Connector", kind)))
            .map(([body, config]) => ({ ...(body as object), kind, config })),
        ),
      );
    case "updateConnector":
      return generic().chain((body) => {
        const b = body as Record<string, unknown>;
        if (!("config" in b)) return fc.constant(b);
        return component(configComponent("Connector", SHARED_KIND.updateConnector as string)).map(
          (config) => ({ ...b, config }),
        );
      });
    case "issueToken":
      // The fuzz client's own credentials, in the form or as HTTP Basic, and at most its scopes.
      return fc
        .record({
          inForm: fc.boolean(),
          scope: fc.option(
            fc.subarray(TOKEN_CLIENT_SCOPES, { minLength: 1 }).map((s) => s.join(" ")),
            { nil: undefined },
          ),
        })
        .map(({ inForm, scope }) => ({
          grant_type: "client_credentials",
          ...(inForm ? { client_id: "{{client-id}}", client_secret: "{{client-secret}}" } : {}),
          ...(scope === undefined ? {} : { scope }),
        }));
  }
  return undefined;
}

function configComponent(resource: "Sink" | "Connector", kind: string): string {
  return `${kind.replace(/(^|-)([a-z])/g, (_m, _dash, c: string) => c.toUpperCase())}${resource}Config`;
}

function secret(): fc.Arbitrary<string> {
  return fc.stringMatching(/^[A-Za-z0-9]{8,40}$/);
}

// Attributes the document leaves open ({}) because their schema is OCSF 1.8's own, which Phoenix
// also checks findings against (domain/ocsf/schema-validation.ts): an empty one is not a device.
const OCSF_OPEN_OBJECTS = ["device", "actor", "resources"];

/**
 * An OCSF Detection Finding as Phoenix stores it: its times are not ahead of Phoenix's clock (a
 * bound relative to now, which a document cannot state: domain/ocsf/finding-limits.ts), here within
 * the last 30 days; and the attributes only the OCSF schema describes are left out.
 */
function consistentFinding(value: unknown): unknown {
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const name of OCSF_OPEN_OBJECTS) delete out[name];
  for (const field of ["time", "start_time", "end_time"]) {
    if (typeof out[field] === "number") out[field] = Date.now() - ((out[field] as number) % (30 * DAY_MS));
  }
  return out;
}
