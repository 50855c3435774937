// Runs the demo SOC (demo-soc.ts) against a running Phoenix: invites the people, signs each of them
// in through the development IdP, and works the cases through /v1 with their sessions.
import { eq } from "drizzle-orm";
import {
  awaitDeliveryOutcome,
  connectorSecret,
  findLocalConnector,
  ingestUrl,
  postDelivery,
  readPayloadFile,
  type SendResult,
  signedHeaders,
} from "../../cli/connectors.ts";
import { d1Through } from "../../cli/d1.ts";
import type { TenantRow } from "../../cli/tenants.ts";
import { mintLocalToken, parseTtl } from "../../cli/tokens.ts";
import { PROJECT_ROOT } from "../../cli/wrangler.ts";
import { CONTROL_DB_BINDING } from "../../cli/wrangler-config.ts";
import { DEFAULT_REOPEN_WINDOW_MS } from "../../domain/case/decide.ts";
import { slaPolicies } from "../../schema/control.ts";
import {
  DEMO_PEOPLE,
  DEMO_TENANTS,
  type DemoCase,
  type DemoPerson,
  demoCasesFor,
  stepsTo,
} from "./demo-soc.ts";
import { signInThroughDevIdp } from "./dev-sign-in.ts";

interface Session {
  person: DemoPerson;
  id: string;
  cookie: string;
  csrf: string;
}

/** Invites every demo person on each tenant they hold a grant on; people already there are kept. */
export async function ensureDemoPeople(origin: string, tenants: readonly TenantRow[]): Promise<string> {
  let invited = 0;
  let kept = 0;
  for (const tenant of tenants) {
    const headers = await adminHeaders(tenant);
    const list = await fetch(`${origin}/v1/users?limit=200`, { headers });
    if (!list.ok) throw new Error(`GET /v1/users answered ${list.status}: ${await list.text()}`);
    const existing = new Set(
      ((await list.json()) as { data: Array<{ email: string }> }).data.map((u) => u.email.toLowerCase()),
    );
    for (const person of DEMO_PEOPLE) {
      const role = person.grants[tenant.slug];
      if (!role) continue;
      if (existing.has(person.email)) {
        kept++;
        continue;
      }
      const post = await fetch(`${origin}/v1/users`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          email: person.email,
          display_name: person.displayName,
          kind: person.kind,
          role,
        }),
      });
      if (!post.ok) throw new Error(`POST /v1/users answered ${post.status}: ${await post.text()}`);
      invited++;
    }
  }
  return [invited > 0 ? `invited ${invited} grants` : "", kept > 0 ? `kept ${kept}` : ""]
    .filter(Boolean)
    .join(", ");
}

/** A demo connector and the sample deliveries it sends when its tenant is first seeded. */
export interface DemoWebhookSource {
  connectorId: string;
  samples: readonly string[];
}

/**
 * Seeds the cases of every demo tenant that does not have them yet; returns what it did. The first
 * tenant's demo alerts are linked to its cases, and its connectors send their samples, signed, so
 * correlation opens cases from all three source kinds.
 */
export async function seedDemoCases(
  origin: string,
  tenants: readonly TenantRow[],
  webhooks: readonly DemoWebhookSource[],
): Promise<string> {
  const sessions = new Map<string, Session>();
  for (const person of DEMO_PEOPLE) {
    if (person.kind === "staff") sessions.set(person.email, await signIn(origin, person));
  }
  const lead = [...sessions.values()].find((s) => Object.values(s.person.grants).every((r) => r === "lead"));
  if (!lead) throw new Error("the demo needs a lead on every tenant");

  // Which tenants still need their cases, with their SLA policies stored first (there is no /v1
  // route for a policy: it is written to the local CONTROL_DB, cli/local-d1.ts).
  const pending: Array<{ tenant: TenantRow; cases: ReturnType<typeof demoCasesFor> }> = [];
  const said = new Map<TenantRow, string>();
  for (const tenant of tenants) {
    const spec = DEMO_TENANTS.find((t) => t.slug === tenant.slug);
    const cases = demoCasesFor(tenant.slug);
    if (!spec || cases.length === 0) continue;
    const listed = (await client(origin, tenant.id)(lead, "GET", "/v1/cases?limit=200")) as {
      data: Array<{ title: string }>;
    };
    if (listed.data.some((c) => c.title === cases[0]?.title)) {
      said.set(tenant, `${tenant.slug}: kept`);
      continue;
    }
    if (spec.slaPolicy) await storeSlaPolicy(tenant.id, spec.slaPolicy);
    pending.push({ tenant, cases });
  }

  // Tenants are independent: their cases are worked side by side, each tenant's in order.
  await Promise.all(
    pending.map(async ({ tenant, cases }) => {
      const opened = await workDemoCases(client(origin, tenant.id), tenant, cases, sessions, lead);
      said.set(tenant, `${tenant.slug}: ${opened} cases`);
    }),
  );
  // Then the demo tenant's connectors send their samples as signed webhooks.
  const demo = tenants[0];
  if (demo && pending.some((p) => p.tenant === demo)) {
    said.set(demo, `${said.get(demo)}, ${await sendDemoWebhooks(origin, webhooks)} signed webhooks`);
  }
  return tenants.flatMap((t) => said.get(t) ?? []).join(", ");
}

/** Opens a tenant's demo cases and works each to its outcome; answers how many were opened. */
async function workDemoCases(
  api: Api,
  tenant: TenantRow,
  cases: ReturnType<typeof demoCasesFor>,
  sessions: ReadonlyMap<string, Session>,
  lead: Session,
): Promise<number> {
  const workers = [...sessions.values()].filter((s) => s.person.grants[tenant.slug] === "analyst");
  const alertsByCase = await alertsToLink(api, lead, cases);
  const opened: string[] = [];
  for (const [i, demoCase] of cases.entries()) {
    const worker = workers[i % workers.length] ?? lead;
    const alertIds = alertsByCase.get(i) ?? [];
    const created = (await api(worker, "POST", "/v1/cases", {
      title: demoCase.title,
      severity: demoCase.severity,
      description: `Raised by the ${tenant.name} detection pipeline.`,
      ...(alertIds.length > 0 ? { alert_ids: alertIds } : {}),
    })) as { id: string; version: number };
    let version = created.version;
    for (const step of stepsTo(demoCase.outcome, worker.id, demoCase.note)) {
      const actor = step.by === "lead" ? lead : worker;
      const result = (await api(
        actor,
        "POST",
        `/v1/cases/${created.id}/commands`,
        step.command,
        version,
      )) as {
        version: number;
      };
      version = result.version;
    }
    opened.push(created.id);
  }
  // One merged case: the TOR sign-in turns out to be part of the impossible-travel case.
  if (tenant.slug === "demo") {
    const from = opened.at(-1);
    const into = opened[3];
    if (from && into)
      await api(lead, "POST", `/v1/cases/${from}/commands`, { type: "merge_into", target_case_id: into }, 1);
  }
  return opened.length;
}

type Api = ReturnType<typeof client>;

/**
 * The tenant's alerts (those posted before the cases) spread over its cases, except those that end
 * closed: closing needs every linked alert reviewed, which a lead does case by case.
 */
async function alertsToLink(
  api: Api,
  lead: Session,
  cases: readonly DemoCase[],
): Promise<Map<number, string[]>> {
  const listed = (await api(lead, "GET", "/v1/alerts?limit=200")) as {
    data: Array<{ unmapped: { phoenix: { alert_id: string } } }>;
  };
  const ids = listed.data.map((a) => a.unmapped.phoenix.alert_id);
  const open = [...cases.keys()].filter((i) => !["closed", "reopened"].includes(cases[i]?.outcome ?? ""));
  const linked = new Map<number, string[]>();
  // The first open case takes the most, like the incident a morning's alerts are about.
  for (const [k, id] of ids.entries()) {
    const index = k < 4 ? open[0] : open[(k - 3) % open.length];
    if (index === undefined) continue;
    linked.set(index, [...(linked.get(index) ?? []), id]);
  }
  return linked;
}

/**
 * Each sample, signed with its connector's secret exactly as the source would sign it, sent in
 * order; then every delivery awaited until it is stored (queued, decision 052), so what the seed
 * prints is what is there.
 */
async function sendDemoWebhooks(origin: string, sources: readonly DemoWebhookSource[]): Promise<number> {
  const queued: Array<{ sample: string; result: SendResult; token: string }> = [];
  for (const source of sources) {
    const connector = await findLocalConnector(source.connectorId);
    if (!connector) throw new Error(`no local connector ${source.connectorId}`);
    const secret = await connectorSecret(connector);
    const token = await mintLocalToken({
      tenantId: connector.tenantId,
      scopes: ["admin"],
      ttlSeconds: 60,
      subject: "local-dev",
    });
    for (const sample of source.samples) {
      const file = readPayloadFile(sample, PROJECT_ROOT);
      const result = await postDelivery(
        ingestUrl(origin, source.connectorId),
        file,
        signedHeaders(secret, file.text),
      );
      if (result.status !== 202) throw new Error(`${sample} answered ${result.status}: ${result.body}`);
      queued.push({ sample, result, token });
    }
  }
  await Promise.all(
    queued.map(async ({ sample, result, token }) => {
      if ((await awaitDeliveryOutcome(origin, result, token)) === null)
        throw new Error(`${sample} was queued but not stored within 10 s`);
    }),
  );
  return queued.length;
}

async function adminHeaders(tenant: TenantRow): Promise<Record<string, string>> {
  const token = await mintLocalToken({
    tenantId: tenant.id,
    scopes: ["admin"],
    ttlSeconds: parseTtl("5m"),
    subject: "local-dev",
  });
  return { authorization: `Bearer ${token}`, "content-type": "application/json" };
}

async function storeSlaPolicy(tenantId: string, policy: object): Promise<void> {
  const row = { policy: { ...policy }, reopenWindowMs: DEFAULT_REOPEN_WINDOW_MS, updatedAt: Date.now() };
  const db = d1Through(CONTROL_DB_BINDING, "local");
  await db
    .insert(slaPolicies)
    .values({ tenantId, ...row })
    .onConflictDoUpdate({ target: slaPolicies.tenantId, set: row });
  const [stored] = await db
    .select({ tenantId: slaPolicies.tenantId })
    .from(slaPolicies)
    .where(eq(slaPolicies.tenantId, tenantId));
  if (!stored) throw new Error(`the SLA policy of ${tenantId} was not stored`);
}

async function signIn(origin: string, person: DemoPerson): Promise<Session> {
  const session = await signInThroughDevIdp(origin, person.displayName);
  return { person, id: session.principalId, cookie: session.cookie, csrf: session.csrf };
}

/** /v1 as a signed-in person of one tenant (their cookie, CSRF token and the tenant header). */
function client(origin: string, tenantId: string) {
  return async (
    as: Session,
    method: string,
    path: string,
    body?: unknown,
    version?: number,
  ): Promise<unknown> => {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: {
        cookie: as.cookie,
        "x-csrf-token": as.csrf,
        "x-phoenix-tenant": tenantId,
        "content-type": "application/json",
        ...(version !== undefined ? { "if-match": `"${version}"` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`${method} ${path} as ${as.person.displayName} answered ${response.status}: ${text}`);
    return JSON.parse(text);
  };
}
