// `npm start`: from a fresh clone to a running, seeded Phoenix at http://localhost:8787.
// Every step is idempotent, so running it again only rebuilds and restarts: the signing key,
// applied migrations, the demo tenant, its alerts and its connectors are all kept (in .dev.vars and
// .wrangler/state).

import { ensureDevSecrets } from "../cli/dev-vars.ts";
import { applyLocalMigrations } from "../cli/local-migrations.ts";
import { ensureTenant, type TenantRow } from "../cli/tenants.ts";
import { mintLocalToken, parseTtl } from "../cli/tokens.ts";
import { LOCAL_STATE_DIR } from "../cli/wrangler.ts";
import { migratedDatabases, readWranglerConfig } from "../cli/wrangler-config.ts";
import type { Scope } from "../domain/auth/scopes.ts";
import { assertPortFree, buildWorker, serveBuild, waitForHealth } from "./local-server.ts";
import { DEMO_CONNECTORS, type DemoConnector, webhookSendCommand } from "./seed/demo-connectors.ts";
import { demoFindings } from "./seed/demo-findings.ts";
import { DEMO_TENANTS } from "./seed/demo-soc.ts";
import { ensureDemoPeople, seedDemoCases } from "./seed/seed-soc.ts";

// 8787 unless PHOENIX_PORT says otherwise (the end-to-end test takes a free port).
const PORT = Number(process.env.PHOENIX_PORT) || 8787;
const ORIGIN = `http://localhost:${PORT}`;
const DEMO_SCOPES: Scope[] = ["alerts:read", "alerts:write", "cases:read", "cases:write", "reports:read"];
const DEMO_TOKEN_TTL = "12h";
// Only for creating the demo connectors; the banner's token stays without admin.
const SETUP_SCOPES: Scope[] = ["admin"];
const SETUP_TOKEN_TTL = "5m";
const HEALTH_TIMEOUT_MS = 60_000;

async function main(): Promise<void> {
  const started = performance.now();
  // A second `npm start` would otherwise seed and print a token for whatever already holds the port.
  await assertPortFree(PORT, "localhost", "is another `npm start` (or `npm run dev`) running?");
  const config = readWranglerConfig();
  for (const tenant of DEMO_TENANTS) {
    if (!config.d1Databases.some((db) => db.binding === tenant.binding)) {
      throw new Error(`wrangler.toml has no ${tenant.binding} database for the demo tenant "${tenant.slug}"`);
    }
  }

  // Before the build: the Vite plugin copies .dev.vars into build/server/ (we also point wrangler
  // dev at the original with --env-file, so a stale copy can never win).
  await step("Secrets in .dev.vars", async () => {
    const { created, kept } = await ensureDevSecrets();
    return [
      created.length > 0 ? `created ${created.join(", ")}` : "",
      kept.length > 0 ? `kept ${kept.join(", ")}` : "",
    ]
      .filter(Boolean)
      .join("; ");
  });

  await step("Build Worker and workbench (react-router build)", async () => {
    await buildWorker();
    return "build/client, build/server";
  });

  const databases = migratedDatabases(config);
  await step(`Migrations for ${databases.map((db) => db.binding).join(", ")}`, async () => {
    // CONTROL_DB first, as wrangler.toml lists it; all in one local Miniflare (decision 054).
    const applied = await applyLocalMigrations(databases, LOCAL_STATE_DIR);
    const changed = applied.filter((a) => a.names.length > 0);
    if (changed.length === 0) return `all ${databases.length} up to date`;
    return changed.map((a) => `${a.binding}: applied ${a.names.length} (to ${a.names.at(-1)})`).join("; ");
  });

  const tenants = await step("Demo tenants in CONTROL_DB", async () => {
    const rows: TenantRow[] = [];
    let created = 0;
    for (const tenant of DEMO_TENANTS) {
      const ensured = await ensureTenant(tenant, "local");
      rows.push(ensured.row);
      if (ensured.created) created++;
    }
    return {
      value: rows,
      detail: `${rows.map((r) => r.slug).join(", ")} (${created > 0 ? `registered ${created}` : "all kept"})`,
    };
  });
  // The first is the one the banner's token and the demo connectors and alerts belong to.
  const demo = tenants[0];
  if (!demo) throw new Error("no demo tenant");

  // Serve the build with the state the steps above just migrated (both add v3/ under it).
  const { child: server, exited } = serveBuild({ port: PORT, persistTo: LOCAL_STATE_DIR });
  serverSharesTerminal = true;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => server.kill(signal));
  }

  try {
    await step(`Worker on ${ORIGIN}`, () => waitForHealth(ORIGIN, exited, HEALTH_TIMEOUT_MS));
  } catch (error) {
    server.kill("SIGTERM");
    await exited;
    throw error;
  }
  const token = await mintLocalToken({
    tenantId: demo.id,
    scopes: DEMO_SCOPES,
    ttlSeconds: parseTtl(DEMO_TOKEN_TTL),
    subject: "local-dev",
  });
  // A failed seed leaves the server up: the API is what needs debugging then.
  await step("Demo alerts", () => seedDemoAlerts(token)).catch((error: unknown) => {
    process.stderr.write(
      `  could not seed the demo tenant: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  });

  const connectors = await step("Demo connectors", () => ensureDemoConnectors(demo)).catch(
    (error: unknown): DemoConnectorRow[] => {
      process.stderr.write(
        `  could not set up the demo connectors: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return [];
    },
  );

  await step("Demo people and their grants", () => ensureDemoPeople(ORIGIN, tenants)).catch(
    (error: unknown) => {
      process.stderr.write(
        `  could not set up the demo people: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    },
  );
  const webhooks = connectors.map((c) => ({ connectorId: c.id, samples: c.spec.samples }));
  await step("Demo cases", () => seedDemoCases(ORIGIN, tenants, webhooks)).catch((error: unknown) => {
    process.stderr.write(
      `  could not seed the demo cases: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  });

  printBanner(demo, token, connectors, performance.now() - started);
  process.exitCode = await exited;
}

/** Seeds only an empty tenant: a tenant with any alert is left alone. */
async function seedDemoAlerts(token: string): Promise<string> {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const list = await fetch(`${ORIGIN}/v1/alerts?limit=1`, { headers });
  if (list.status === 404) return "skipped: this build has no GET /v1/alerts yet";
  if (!list.ok) throw new Error(`GET /v1/alerts answered ${list.status}: ${await list.text()}`);
  const page = (await list.json()) as { data: unknown[] };
  if (page.data.length > 0) return "tenant already has alerts, not seeding";

  const findings = demoFindings(Date.now());
  const post = await fetch(`${ORIGIN}/v1/alerts`, {
    method: "POST",
    headers,
    body: JSON.stringify(findings),
  });
  if (!post.ok) throw new Error(`POST /v1/alerts answered ${post.status}: ${await post.text()}`);
  const result = (await post.json()) as { created: number; duplicates: number };
  return `seeded ${result.created} alerts (${result.duplicates} duplicates)`;
}

interface DemoConnectorRow {
  spec: DemoConnector;
  id: string;
  status: string;
}

/**
 * One connector per kind, through the API as an admin would, unless the tenant already has one of
 * that kind and name. The signing secret in the reply is not kept: `webhook send` decrypts it from D1.
 */
async function ensureDemoConnectors(demo: TenantRow): Promise<{ value: DemoConnectorRow[]; detail: string }> {
  const token = await mintLocalToken({
    tenantId: demo.id,
    scopes: SETUP_SCOPES,
    ttlSeconds: parseTtl(SETUP_TOKEN_TTL),
    subject: "local-dev",
  });
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const list = await fetch(`${ORIGIN}/v1/connectors`, { headers });
  if (list.status === 404) return { value: [], detail: "skipped: this build has no GET /v1/connectors yet" };
  if (!list.ok) throw new Error(`GET /v1/connectors answered ${list.status}: ${await list.text()}`);
  const existing = (
    (await list.json()) as { data: Array<{ id: string; kind: string; name: string; status: string }> }
  ).data;

  const rows: DemoConnectorRow[] = [];
  let created = 0;
  for (const spec of DEMO_CONNECTORS) {
    const found = existing.find((c) => c.kind === spec.kind && c.name === spec.name);
    if (found) {
      rows.push({ spec, id: found.id, status: found.status });
      continue;
    }
    const post = await fetch(`${ORIGIN}/v1/connectors`, {
      method: "POST",
      headers,
      body: JSON.stringify({ kind: spec.kind, name: spec.name }),
    });
    if (!post.ok) throw new Error(`POST /v1/connectors answered ${post.status}: ${await post.text()}`);
    const body = (await post.json()) as { connector: { id: string; status: string } };
    rows.push({ spec, id: body.connector.id, status: body.connector.status });
    created++;
  }
  const kept = rows.length - created;
  return {
    value: rows,
    detail: [created > 0 ? `created ${created}` : "", kept > 0 ? `kept ${kept}` : ""]
      .filter(Boolean)
      .join(", "),
  };
}

type StepResult<T> = string | { value: T; detail: string };

// Prints "• label … detail (time)". Once wrangler dev shares the terminal, its log lines would
// split that line, so from then on the whole line is printed when the step ends.
let serverSharesTerminal = false;

async function step<T = void>(label: string, run: () => Promise<StepResult<T>>): Promise<T> {
  const t0 = performance.now();
  const inline = !serverSharesTerminal;
  if (inline) process.stdout.write(`• ${label} … `);
  try {
    const result = await run();
    const detail = typeof result === "string" ? result : result.detail;
    const done = `${detail} (${seconds(performance.now() - t0)})`;
    process.stdout.write(inline ? `${done}\n` : `• ${label}: ${done}\n`);
    return (typeof result === "string" ? undefined : result.value) as T;
  } catch (error) {
    process.stdout.write(inline ? "failed\n" : `• ${label}: failed\n`);
    throw error;
  }
}

function printBanner(
  demo: TenantRow,
  token: string,
  connectors: DemoConnectorRow[],
  elapsedMs: number,
): void {
  const lines = [
    "",
    `Phoenix is running (ready in ${seconds(elapsedMs)}). Ctrl-C stops it; data stays in .wrangler/state.`,
    "",
    `  Workbench   ${ORIGIN}/`,
    `  Sign in: ${ORIGIN}/auth/dev (Ana Analyst: two tenants; Lee Lead: all three; Vera Viewer: a customer)`,
    `  API         ${ORIGIN}/v1`,
    `  API docs    ${ORIGIN}/docs`,
    `  Health      ${ORIGIN}/healthz`,
    "",
    `Demo tenant "${demo.slug}" (${demo.id}). API token, ${DEMO_TOKEN_TTL}, scopes: ${DEMO_SCOPES.join(" ")}`,
    "",
    `export PHOENIX_TOKEN='${token}'`,
    "",
    "Try it:",
    `  curl -s -H "Authorization: Bearer $PHOENIX_TOKEN" '${ORIGIN}/v1/alerts?limit=5'`,
    "",
    ...webhookLines(connectors),
    "Another token or tenant: npm run phoenix -- token --tenant demo --scopes 'alerts:read' --ttl 1h",
    "                         npm run phoenix -- tenant create acme --name 'Acme Corp'",
    "",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** One copy-paste `webhook send` per sample delivery, under its connector. */
function webhookLines(connectors: DemoConnectorRow[]): string[] {
  if (connectors.length === 0) return [];
  return [
    "Send a signed webhook as a demo source (add --print-curl for the equivalent curl):",
    ...connectors.flatMap(({ spec, id, status }) => [
      `  ${spec.name} (${spec.kind}${status === "active" ? "" : `, ${status}: the Worker refuses its deliveries`})`,
      ...spec.samples.map((sample) => `    ${webhookSendCommand(id, sample)}`),
    ]),
    "",
  ];
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

main().catch((error: unknown) => {
  process.stderr.write(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
