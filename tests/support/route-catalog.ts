// Every /v1 route, the operation the permission table says it needs, a valid request a tenant can
// make against its own data, and the same request aimed at another tenant's data. The BOLA and
// BFLA suites walk this list; a documented route missing from it fails both.
import type { Operation } from "../../domain/auth/permissions.ts";
import { SCOPES } from "../../domain/auth/scopes.ts";
import { newId } from "../../domain/ids.ts";
import type { Tenant } from "../../domain/tenancy.ts";
import { makeDetectionFinding } from "./factories/findings.ts";
import { correlationSettled, deliveryStored, signedHeaders } from "./ingest.ts";
import { call, tenantDb, tokenFor } from "./world.ts";

export interface Probe {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Where the other tenant's id sits, for the BOLA report. */
  where?: "path" | "query" | "body";
  /** A bulk request: read as a whole (200), so each item naming the other tenant's id must be 404. */
  perItem?: boolean;
}

export interface RouteCase {
  /** As in the OpenAPI document: "POST /cases/{id}/commands". */
  route: string;
  variant?: string;
  operation: Operation;
  /** Status of a permitted, valid request. */
  success: number;
  /** A valid request on the tenant's own data; may create fresh fixtures so that it can succeed. */
  own: (w: TenantFixtures) => Promise<Probe>;
  /** The route aimed at `victim`'s resources by a caller of `attacker`'s tenant. */
  foreign?: (attacker: TenantFixtures, victim: TenantFixtures) => Promise<Probe[]>;
}

async function json<T>(res: Response, expected: number, what: string): Promise<T> {
  if (res.status !== expected) throw new Error(`fixture ${what}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The fixtures every tenant can share, one of each kind: what the BOLA and fuzz suites aim at. */
export const SHARED_FIXTURES = [
  "alert",
  "case",
  "connector",
  "xdrConnector",
  "aiDefenseConnector",
  "m365Connector",
  "asset",
  "quarantined",
  "user",
  "client",
  "sink",
  "deadLetter",
  "delivery",
] as const;
export type SharedFixture = (typeof SHARED_FIXTURES)[number];

/** A tenant with one of everything, created through the API with an all-powerful setup token. */
export class TenantFixtures {
  private cache = new Map<string, Promise<string>>();
  /** Signing secrets of the connectors made here, for deliveries to them. */
  private secrets = new Map<string, string>();

  readonly tenant: Tenant;
  readonly setup: string;

  private constructor(tenant: Tenant, setup: string) {
    this.tenant = tenant;
    this.setup = setup;
  }

  static async create(tenant: Tenant): Promise<TenantFixtures> {
    const setup = await tokenFor(tenant, {
      scopes: [...SCOPES],
      subject: `setup-${tenant.id}`,
    });
    return new TenantFixtures(tenant, setup);
  }

  /** A shared fixture (for reads), created once. */
  shared(kind: SharedFixture) {
    let made = this.cache.get(kind);
    if (!made) {
      made = this[kind]();
      this.cache.set(kind, made);
    }
    return made;
  }

  async alert(): Promise<string> {
    const body = await json<{ alerts: Array<{ id: string }> }>(
      // Seeded at random: unseeded findings share a device, and so an asset id, across tenants.
      await call("POST", "/v1/alerts", {
        token: this.setup,
        body: makeDetectionFinding({}, crypto.getRandomValues(new Uint32Array(1))[0]),
      }),
      201,
      "alert",
    );
    return body.alerts[0]?.id ?? "";
  }

  async case(): Promise<string> {
    const body = await json<{ id: string }>(
      await call("POST", "/v1/cases", {
        token: this.setup,
        body: { title: "Matrix case", severity: "medium", alert_ids: [await this.alert()] },
      }),
      201,
      "case",
    );
    return body.id;
  }

  async connector(
    kind: "ocsf" | "cisco-xdr" | "cisco-ai-defense" | "m365-copilot" = "ocsf",
  ): Promise<string> {
    const body = await json<{ connector: { id: string }; secret: string }>(
      await call("POST", "/v1/connectors", { token: this.setup, body: { kind, name: `${kind} matrix` } }),
      201,
      "connector",
    );
    this.secrets.set(body.connector.id, body.secret);
    return body.connector.id;
  }

  /** The webhook-id of a signed delivery of one finding to the shared connector. */
  async delivery(): Promise<string> {
    const connector = await this.shared("connector");
    const payload = JSON.stringify(makeDetectionFinding({}, crypto.getRandomValues(new Uint32Array(1))[0]));
    const webhookId = `msg_matrix_${crypto.randomUUID()}`;
    const res = await call("POST", `/ingest/${connector}`, {
      rawBody: payload,
      headers: signedHeaders(this.secrets.get(connector) ?? "", payload, { id: webhookId }),
    });
    if (res.status !== 202) throw new Error(`fixture delivery: ${res.status} ${await res.text()}`);
    // Queued: stored by the consumer, and its alert's case opened in the background, both done
    // before anyone takes the tenant's digest.
    await deliveryStored({ id: connector, tenant: this.tenant }, webhookId);
    await correlationSettled(this.tenant);
    return webhookId;
  }

  xdrConnector(): Promise<string> {
    return this.connector("cisco-xdr");
  }

  aiDefenseConnector(): Promise<string> {
    return this.connector("cisco-ai-defense");
  }

  m365Connector(): Promise<string> {
    return this.connector("m365-copilot");
  }

  /**
   * A Platform webhook sink at a closed loopback port (allowed only outside deployment), created
   * disabled: case changes in the sweeps must not set the sink queue delivering in the background.
   */
  async sink(): Promise<string> {
    const body = await json<{ sink: { id: string } }>(
      await call("POST", "/v1/sinks", {
        token: this.setup,
        body: {
          kind: "platform",
          name: "matrix sink",
          config: { url: "http://127.0.0.1:9/hooks" },
          status: "disabled",
        },
      }),
      201,
      "sink",
    );
    return body.sink.id;
  }

  /**
   * A dead letter of an active sink that hears only SLA breaches (so replays send nothing in the
   * background), for the shared case.
   */
  async deadLetter(): Promise<string> {
    const sink = await json<{ sink: { id: string } }>(
      await call("POST", "/v1/sinks", {
        token: this.setup,
        body: {
          kind: "platform",
          name: "matrix breach sink",
          config: { url: "http://127.0.0.1:9/hooks", event_types: ["sla.breached"] },
        },
      }),
      201,
      "dead letter sink",
    );
    const id = newId("deadLetter");
    await tenantDb(this.tenant)
      .prepare(
        "INSERT INTO sink_dead_letters (id, sink_id, case_id, version, error, attempts, created_at) VALUES (?, ?, ?, 1, ?, 1, ?)",
      )
      .bind(
        id,
        sink.sink.id,
        await this.shared("case"),
        "POST http://127.0.0.1:9/hooks answered 410",
        Date.now(),
      )
      .run();
    return id;
  }

  async asset(): Promise<string> {
    await this.shared("alert");
    const body = await json<{ data: Array<{ id: string }> }>(
      await call("GET", "/v1/assets", { token: this.setup }),
      200,
      "asset",
    );
    const id = body.data[0]?.id;
    if (!id) throw new Error("fixture asset: the alert produced no asset");
    return id;
  }

  /** A valid finding held in quarantine, as if it arrived while its connector was misconfigured. */
  async quarantined(): Promise<string> {
    const id = newId("quarantine");
    await tenantDb(this.tenant)
      .prepare(
        "INSERT INTO quarantine (id, source_connector_id, reason, details, payload, received_at) VALUES (?, ?, ?, NULL, ?, ?)",
      )
      .bind(
        id,
        await this.shared("connector"),
        "mapping_failed",
        JSON.stringify(makeDetectionFinding()),
        Date.now(),
      )
      .run();
    return id;
  }

  async user(): Promise<string> {
    const body = await json<{ id: string }>(
      await call("POST", "/v1/users", {
        token: this.setup,
        body: {
          email: `analyst-${crypto.randomUUID()}@matrix.test`,
          display_name: "Matrix Analyst",
          kind: "staff",
          role: "analyst",
        },
      }),
      201,
      "user",
    );
    return body.id;
  }

  async client(): Promise<string> {
    const body = await json<{ id: string }>(
      await call("POST", "/v1/clients", {
        token: this.setup,
        body: { name: "Matrix client", scopes: ["alerts:read"] },
      }),
      201,
      "client",
    );
    return body.id;
  }

  /** A fresh case's current version, for If-Match. */
  async caseVersion(id: string): Promise<string> {
    const res = await call("GET", `/v1/cases/${id}`, { token: this.setup });
    await res.body?.cancel();
    return res.headers.get("etag") ?? '"1"';
  }
}

const command = (type: string, extra: Record<string, unknown> = {}) => ({ type, ...extra });

async function commandProbe(w: TenantFixtures, caseId: string, body: unknown, where?: Probe["where"]) {
  return {
    method: "POST",
    path: `/v1/cases/${caseId}/commands`,
    body,
    headers: { "if-match": await w.caseVersion(caseId) },
    where,
  } satisfies Probe;
}

export const ROUTES: RouteCase[] = [
  // Alerts and assets
  {
    route: "GET /alerts",
    operation: "alerts.read",
    success: 200,
    own: async () => ({ method: "GET", path: "/v1/alerts" }),
  },
  {
    route: "POST /alerts",
    operation: "alerts.submit",
    success: 201,
    own: async () => ({ method: "POST", path: "/v1/alerts", body: makeDetectionFinding() }),
  },
  {
    route: "GET /alerts/{id}",
    operation: "alerts.read",
    success: 200,
    own: async (w) => ({ method: "GET", path: `/v1/alerts/${await w.shared("alert")}` }),
    foreign: async (_a, v) => [
      { method: "GET", path: `/v1/alerts/${await v.shared("alert")}`, where: "path" },
    ],
  },
  {
    route: "GET /assets",
    operation: "alerts.read",
    success: 200,
    own: async () => ({ method: "GET", path: "/v1/assets" }),
  },
  {
    route: "PATCH /assets/{id}",
    operation: "assets.update",
    success: 200,
    own: async (w) => ({
      method: "PATCH",
      path: `/v1/assets/${await w.shared("asset")}`,
      body: { criticality: "high" },
    }),
    foreign: async (_a, v) => [
      {
        method: "PATCH",
        path: `/v1/assets/${await v.shared("asset")}`,
        body: { criticality: "low" },
        where: "path",
      },
    ],
  },
  // Cases
  {
    route: "GET /cases",
    operation: "cases.read",
    success: 200,
    own: async () => ({ method: "GET", path: "/v1/cases" }),
    foreign: async (_a, v) => [
      { method: "GET", path: `/v1/cases?assignee=${await v.shared("user")}`, where: "query" },
    ],
  },
  {
    route: "POST /cases",
    operation: "cases.create",
    success: 201,
    own: async () => ({
      method: "POST",
      path: "/v1/cases",
      body: { title: "Opened in the matrix", severity: "low" },
    }),
    foreign: async (_a, v) => [
      {
        method: "POST",
        path: "/v1/cases",
        body: { title: "Steal an alert", severity: "low", alert_ids: [await v.shared("alert")] },
        where: "body",
      },
    ],
  },
  {
    route: "GET /cases/{id}",
    operation: "cases.read",
    success: 200,
    own: async (w) => ({ method: "GET", path: `/v1/cases/${await w.shared("case")}` }),
    foreign: async (_a, v) => [
      { method: "GET", path: `/v1/cases/${await v.shared("case")}`, where: "path" },
      { method: "GET", path: `/v1/cases/${await v.shared("case")}?format=ocsf`, where: "path" },
    ],
  },
  {
    route: "POST /cases/{id}/commands",
    variant: "acknowledge",
    operation: "cases.work",
    success: 200,
    own: async (w) => commandProbe(w, await w.case(), command("acknowledge")),
    foreign: async (a, v) => [
      await commandProbe(v, await v.shared("case"), command("acknowledge"), "path"),
      await commandProbe(
        a,
        await a.case(),
        command("link_alert", { alert_id: await v.shared("alert") }),
        "body",
      ),
      await commandProbe(
        a,
        await a.case(),
        command("review_alert", { alert_id: await v.shared("alert") }),
        "body",
      ),
      await commandProbe(
        a,
        await a.case(),
        command("merge_into", { target_case_id: await v.shared("case") }),
        "body",
      ),
    ],
  },
  {
    route: "POST /cases/{id}/commands",
    variant: "change_severity",
    operation: "cases.supervise",
    success: 200,
    own: async (w) => commandProbe(w, await w.case(), command("change_severity", { severity: "high" })),
  },
  {
    route: "GET /cases/{id}/audit",
    operation: "cases.read",
    success: 200,
    own: async (w) => ({ method: "GET", path: `/v1/cases/${await w.shared("case")}/audit` }),
    foreign: async (_a, v) => [
      { method: "GET", path: `/v1/cases/${await v.shared("case")}/audit`, where: "path" },
    ],
  },
  {
    route: "GET /cases/{id}/live",
    operation: "cases.read",
    success: 101,
    own: async (w) => ({
      method: "GET",
      path: `/v1/cases/${await w.shared("case")}/live`,
      headers: { upgrade: "websocket" },
    }),
    foreign: async (_a, v) => [
      {
        method: "GET",
        path: `/v1/cases/${await v.shared("case")}/live`,
        headers: { upgrade: "websocket" },
        where: "path",
      },
    ],
  },
  // Connectors
  {
    route: "GET /connectors",
    operation: "connectors.read",
    success: 200,
    own: async () => ({ method: "GET", path: "/v1/connectors" }),
  },
  {
    route: "POST /connectors",
    operation: "connectors.manage",
    success: 201,
    own: async () => ({
      method: "POST",
      path: "/v1/connectors",
      body: { kind: "ocsf", name: "matrix source" },
    }),
  },
  {
    route: "GET /connectors/{id}",
    operation: "connectors.read",
    success: 200,
    own: async (w) => ({ method: "GET", path: `/v1/connectors/${await w.shared("connector")}` }),
    foreign: async (_a, v) => [
      { method: "GET", path: `/v1/connectors/${await v.shared("connector")}`, where: "path" },
    ],
  },
  {
    route: "GET /connectors/{id}/deliveries/{webhookId}",
    operation: "connectors.read",
    success: 200,
    own: async (w) => ({
      method: "GET",
      path: `/v1/connectors/${await w.shared("connector")}/deliveries/${await w.shared("delivery")}`,
    }),
    foreign: async (a, v) => [
      {
        method: "GET",
        path: `/v1/connectors/${await v.shared("connector")}/deliveries/${await v.shared("delivery")}`,
        where: "path",
      },
      // The caller's own connector, asked for the other tenant's delivery: nothing to find either.
      {
        method: "GET",
        path: `/v1/connectors/${await a.shared("connector")}/deliveries/${await v.shared("delivery")}`,
        where: "path",
      },
    ],
  },
  {
    route: "PATCH /connectors/{id}",
    operation: "connectors.manage",
    success: 200,
    own: async (w) => ({
      method: "PATCH",
      path: `/v1/connectors/${await w.shared("connector")}`,
      body: { name: "renamed" },
    }),
    foreign: async (_a, v) => [
      {
        method: "PATCH",
        path: `/v1/connectors/${await v.shared("connector")}`,
        body: { name: "hijacked" },
        where: "path",
      },
    ],
  },
  {
    route: "DELETE /connectors/{id}",
    operation: "connectors.manage",
    success: 204,
    own: async (w) => ({ method: "DELETE", path: `/v1/connectors/${await w.connector()}` }),
    foreign: async (_a, v) => [
      { method: "DELETE", path: `/v1/connectors/${await v.shared("connector")}`, where: "path" },
    ],
  },
  {
    route: "PUT /connectors/{id}/xdr-pull",
    operation: "connectors.manage",
    success: 200,
    own: async (w) => ({
      method: "PUT",
      path: `/v1/connectors/${await w.shared("xdrConnector")}/xdr-pull`,
      body: { client_id: "client", client_password: "password", region: "us", org_id: "org-1" },
    }),
    foreign: async (_a, v) => [
      {
        method: "PUT",
        path: `/v1/connectors/${await v.shared("xdrConnector")}/xdr-pull`,
        body: { client_id: "evil", client_password: "evil", region: "eu", org_id: "evil" },
        where: "path",
      },
    ],
  },
  {
    route: "PUT /connectors/{id}/ai-defense-pull",
    operation: "connectors.manage",
    success: 200,
    own: async (w) => ({
      method: "PUT",
      path: `/v1/connectors/${await w.shared("aiDefenseConnector")}/ai-defense-pull`,
      body: { api_key: "aid-key", region: "us" },
    }),
    foreign: async (_a, v) => [
      {
        method: "PUT",
        path: `/v1/connectors/${await v.shared("aiDefenseConnector")}/ai-defense-pull`,
        body: { api_key: "evil", region: "eu" },
        where: "path",
      },
    ],
  },
  {
    route: "PUT /connectors/{id}/m365-pull",
    operation: "connectors.manage",
    success: 200,
    own: async (w) => ({
      method: "PUT",
      path: `/v1/connectors/${await w.shared("m365Connector")}/m365-pull`,
      body: {
        tenant_id: "408e31c8-8f05-410a-9221-84335f0ce512",
        client_id: "5f0c2a1e-3b7d-4c55-9e21-0d8a4f7b1c01",
        client_secret: "secret",
      },
    }),
    foreign: async (_a, v) => [
      {
        method: "PUT",
        path: `/v1/connectors/${await v.shared("m365Connector")}/m365-pull`,
        body: {
          tenant_id: "00000000-0000-4000-8000-000000000666",
          client_id: "00000000-0000-4000-8000-000000000667",
          client_secret: "evil",
        },
        where: "path",
      },
    ],
  },
  {
    route: "POST /connectors/{id}/rotate-secret",
    operation: "connectors.manage",
    success: 200,
    own: async (w) => ({ method: "POST", path: `/v1/connectors/${await w.connector()}/rotate-secret` }),
    foreign: async (_a, v) => [
      { method: "POST", path: `/v1/connectors/${await v.shared("connector")}/rotate-secret`, where: "path" },
    ],
  },
  // Sinks
  {
    route: "GET /sinks",
    operation: "sinks.read",
    success: 200,
    own: async () => ({ method: "GET", path: "/v1/sinks" }),
  },
  {
    route: "POST /sinks",
    operation: "sinks.manage",
    success: 201,
    own: async () => ({
      method: "POST",
      path: "/v1/sinks",
      body: {
        kind: "platform",
        name: "matrix sink",
        config: { url: "http://127.0.0.1:9/hooks" },
        status: "disabled",
      },
    }),
  },
  {
    route: "GET /sinks/{id}",
    operation: "sinks.read",
    success: 200,
    own: async (w) => ({ method: "GET", path: `/v1/sinks/${await w.shared("sink")}` }),
    foreign: async (_a, v) => [{ method: "GET", path: `/v1/sinks/${await v.shared("sink")}`, where: "path" }],
  },
  {
    route: "PATCH /sinks/{id}",
    operation: "sinks.manage",
    success: 200,
    own: async (w) => ({
      method: "PATCH",
      path: `/v1/sinks/${await w.shared("sink")}`,
      body: { name: "renamed" },
    }),
    foreign: async (_a, v) => [
      {
        method: "PATCH",
        path: `/v1/sinks/${await v.shared("sink")}`,
        body: { name: "hijacked" },
        where: "path",
      },
    ],
  },
  {
    // The shared sink points at a closed loopback port: the check reports it, with a 200.
    route: "POST /sinks/{id}/test",
    operation: "sinks.manage",
    success: 200,
    own: async (w) => ({ method: "POST", path: `/v1/sinks/${await w.shared("sink")}/test` }),
    foreign: async (_a, v) => [
      { method: "POST", path: `/v1/sinks/${await v.shared("sink")}/test`, where: "path" },
    ],
  },
  {
    route: "DELETE /sinks/{id}",
    operation: "sinks.manage",
    success: 204,
    own: async (w) => ({ method: "DELETE", path: `/v1/sinks/${await w.sink()}` }),
    foreign: async (_a, v) => [
      { method: "DELETE", path: `/v1/sinks/${await v.shared("sink")}`, where: "path" },
    ],
  },
  {
    route: "GET /sinks/dead-letters",
    operation: "sinks.read",
    success: 200,
    own: async () => ({ method: "GET", path: "/v1/sinks/dead-letters?include_replayed=true" }),
  },
  {
    route: "POST /sinks/dead-letters/{id}/replay",
    operation: "sinks.manage",
    success: 202,
    own: async (w) => ({ method: "POST", path: `/v1/sinks/dead-letters/${await w.deadLetter()}/replay` }),
    foreign: async (_a, v) => [
      {
        method: "POST",
        path: `/v1/sinks/dead-letters/${await v.shared("deadLetter")}/replay`,
        where: "path",
      },
    ],
  },
  {
    route: "POST /cases/bulk-commands",
    operation: "cases.work",
    success: 200,
    own: async (w) => {
      const id = await w.case();
      return {
        method: "POST",
        path: "/v1/cases/bulk-commands",
        body: { commands: [{ case_id: id, if_match: 1, command: { type: "acknowledge" } }] },
      };
    },
    foreign: async (_a, v) => {
      const id = await v.shared("case");
      const version = Number((await v.caseVersion(id)).replaceAll('"', ""));
      return [
        {
          method: "POST",
          path: "/v1/cases/bulk-commands",
          body: { commands: [{ case_id: id, if_match: version, command: { type: "acknowledge" } }] },
          where: "body",
          perItem: true,
        },
      ];
    },
  },
  {
    route: "POST /alerts/bulk-review",
    operation: "cases.work",
    success: 200,
    own: async (w) => ({
      method: "POST",
      path: "/v1/alerts/bulk-review",
      body: { alert_ids: [await w.shared("alert")] },
    }),
    foreign: async (_a, v) => [
      {
        method: "POST",
        path: "/v1/alerts/bulk-review",
        body: { alert_ids: [await v.shared("alert")] },
        where: "body",
        perItem: true,
      },
    ],
  },
  {
    route: "POST /cases/{id}/resync",
    operation: "sinks.manage",
    success: 202,
    own: async (w) => ({ method: "POST", path: `/v1/cases/${await w.shared("case")}/resync` }),
    foreign: async (_a, v) => [
      { method: "POST", path: `/v1/cases/${await v.shared("case")}/resync`, where: "path" },
    ],
  },
  // Reports
  ...(["sla-compliance", "case-outcomes", "mttx", "alert-volume"] as const).map(
    (report): RouteCase => ({
      route: `GET /reports/${report}`,
      operation: "reports.read",
      success: 200,
      own: async () => ({ method: "GET", path: `/v1/reports/${report}?from=2026-11-01&to=2026-12-01` }),
      foreign: async (_a, v) => [
        {
          method: "GET",
          path: `/v1/reports/${report}?from=2026-11-01&to=2026-12-01&tenant=${v.tenant.id}`,
          where: "query",
        },
      ],
    }),
  ),
  // Change feed
  {
    route: "GET /changes",
    operation: "changes.read",
    success: 200,
    own: async () => ({ method: "GET", path: "/v1/changes?limit=5" }),
  },
  // Quarantine
  {
    route: "GET /quarantine",
    operation: "quarantine.read",
    success: 200,
    own: async () => ({ method: "GET", path: "/v1/quarantine" }),
  },
  {
    route: "POST /quarantine/{id}/replay",
    operation: "quarantine.replay",
    success: 200,
    own: async (w) => ({ method: "POST", path: `/v1/quarantine/${await w.quarantined()}/replay` }),
    foreign: async (_a, v) => [
      { method: "POST", path: `/v1/quarantine/${await v.shared("quarantined")}/replay`, where: "path" },
    ],
  },
  // People
  {
    route: "GET /users",
    operation: "users.read",
    success: 200,
    own: async () => ({ method: "GET", path: "/v1/users" }),
  },
  {
    route: "POST /users",
    operation: "users.manage",
    success: 201,
    own: async () => ({
      method: "POST",
      path: "/v1/users",
      body: {
        email: `new-${crypto.randomUUID()}@matrix.test`,
        display_name: "New",
        kind: "staff",
        role: "viewer",
      },
    }),
  },
  {
    route: "GET /users/{id}",
    operation: "users.read",
    success: 200,
    own: async (w) => ({ method: "GET", path: `/v1/users/${await w.shared("user")}` }),
    foreign: async (_a, v) => [{ method: "GET", path: `/v1/users/${await v.shared("user")}`, where: "path" }],
  },
  {
    route: "PUT /users/{id}/grant",
    operation: "users.manage",
    success: 200,
    own: async (w) => ({ method: "PUT", path: `/v1/users/${await w.user()}/grant`, body: { role: "lead" } }),
    foreign: async (_a, v) => [
      {
        method: "PUT",
        path: `/v1/users/${await v.shared("user")}/grant`,
        body: { role: "admin" },
        where: "path",
      },
    ],
  },
  {
    route: "POST /users/{id}/revoke",
    operation: "users.manage",
    success: 200,
    own: async (w) => ({ method: "POST", path: `/v1/users/${await w.user()}/revoke` }),
    foreign: async (_a, v) => [
      { method: "POST", path: `/v1/users/${await v.shared("user")}/revoke`, where: "path" },
    ],
  },
  // Machine clients
  {
    route: "GET /clients",
    operation: "clients.manage",
    success: 200,
    own: async () => ({ method: "GET", path: "/v1/clients" }),
  },
  {
    route: "POST /clients",
    operation: "clients.manage",
    success: 201,
    own: async () => ({
      method: "POST",
      path: "/v1/clients",
      body: { name: "New client", scopes: ["cases:read"] },
    }),
  },
  {
    route: "GET /clients/{id}",
    operation: "clients.manage",
    success: 200,
    own: async (w) => ({ method: "GET", path: `/v1/clients/${await w.shared("client")}` }),
    foreign: async (_a, v) => [
      { method: "GET", path: `/v1/clients/${await v.shared("client")}`, where: "path" },
    ],
  },
  {
    route: "POST /clients/{id}/revoke",
    operation: "clients.manage",
    success: 200,
    own: async (w) => ({ method: "POST", path: `/v1/clients/${await w.client()}/revoke` }),
    foreign: async (_a, v) => [
      { method: "POST", path: `/v1/clients/${await v.shared("client")}/revoke`, where: "path" },
    ],
  },
  // Administration audit and health
  {
    route: "GET /audit",
    operation: "audit.read",
    success: 200,
    own: async () => ({ method: "GET", path: "/v1/audit" }),
  },
  {
    route: "GET /audit/verify",
    operation: "audit.read",
    success: 200,
    own: async () => ({ method: "GET", path: "/v1/audit/verify" }),
  },
  {
    route: "GET /admin/health",
    operation: "health.read",
    success: 200,
    own: async () => ({ method: "GET", path: "/v1/admin/health" }),
  },
];

/** Routes outside the permission table: public documents and endpoints with their own authentication. */
export const UNGUARDED_ROUTES = new Set(["POST /oauth/token"]);

/** Every documented "METHOD /path" of /v1, from the OpenAPI document the API serves. */
export async function documentedRoutes(): Promise<string[]> {
  const doc = (await (await call("GET", "/v1/openapi.json")).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => ["get", "post", "put", "patch", "delete"].includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
}
