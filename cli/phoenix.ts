// `npm run phoenix -- <command>`: operator tasks for tenants, tokens and signed test webhooks.
// Local by default (the state `npm start` serves); `--remote` acts on the Cloudflare account.
import { Command } from "commander";
import {
  awaitDeliveryOutcome,
  connectorSecret,
  curlCommand,
  findLocalConnector,
  formatBody,
  ingestUrl,
  LOCAL_ORIGIN,
  postDelivery,
  readPayloadFile,
  signedHeaders,
} from "./connectors.ts";
import { applyMigrations, type Target } from "./d1.ts";
import { listKeys, pullHandoverForward } from "./keys.ts";
import {
  ensureTenant,
  findTenantBySlug,
  listTenants,
  setDailyIngestQuota,
  slugProblem,
  tenantBinding,
  tenantDatabaseName,
} from "./tenants.ts";
import { mintLocalToken, parseScopeList, parseTtl } from "./tokens.ts";
import { WRANGLER_TOML, wrangler } from "./wrangler.ts";
import {
  addD1Database,
  CONTROL_DB_BINDING,
  type D1DatabaseConfig,
  readWranglerConfig,
  TENANT_MIGRATIONS_DIR,
} from "./wrangler-config.ts";

const program = new Command("phoenix")
  .description("Phoenix operator CLI")
  .showHelpAfterError("(add --help for usage)")
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

const tenant = program.command("tenant").description("manage tenants");

tenant
  .command("create")
  .description("create a tenant: its own D1 database, the binding in wrangler.toml, and its CONTROL_DB row")
  .argument("<slug>", "lowercase letters, digits and hyphens, 2–40 characters")
  .option("--name <name>", 'display name, e.g. "Acme Corp" (default: the slug, capitalised)')
  .option("--remote", "create the database in the Cloudflare account instead of locally")
  .action(async (slug: string, opts: { name?: string; remote?: boolean }) => {
    const name =
      opts.name?.trim() ??
      slug.replace(/(^|-)([a-z])/g, (_, sep: string, c: string) => `${sep ? " " : ""}${c.toUpperCase()}`);
    await createTenant(slug, name, opts.remote ? "remote" : "local");
  });

tenant
  .command("list")
  .description("list tenants registered in CONTROL_DB")
  .option("--remote", "read the remote CONTROL_DB")
  .action(async (opts: { remote?: boolean }) => {
    const rows = await listTenants(opts.remote ? "remote" : "local");
    const declared = new Set(readWranglerConfig().d1Databases.map((db) => db.binding));
    printTable(
      ["SLUG", "NAME", "ID", "STATUS", "D1 BINDING"],
      rows.map((t) => [
        t.slug,
        t.name,
        t.id,
        t.status,
        declared.has(t.d1Binding) ? t.d1Binding : `${t.d1Binding} (missing from wrangler.toml)`,
      ]),
    );
  });

tenant
  .command("quota")
  .description("set a tenant's daily ingest quota: findings accepted per UTC day (decision 021)")
  .argument("<slug>", "the tenant")
  .argument("<findings>", 'a whole number of findings, or "default" for DEFAULT_DAILY_INGEST_QUOTA')
  .option("--remote", "change the remote CONTROL_DB")
  .action(async (slug: string, findings: string, opts: { remote?: boolean }) => {
    const quota = findings === "default" ? null : Number(findings);
    if (quota !== null && !(/^\d+$/.test(findings) && Number.isSafeInteger(quota)))
      throw new Error(
        `the quota must be a whole number of findings (0 stops ingest) or "default", got "${findings}"`,
      );
    const target: Target = opts.remote ? "remote" : "local";
    // Locally, the same first step as `tenant create`: a CONTROL_DB older than the quota column is migrated.
    if (target === "local") await applyMigrations(CONTROL_DB_BINDING, "local");
    const row = await findTenantBySlug(slug, target);
    if (!row)
      throw new Error(
        `no tenant "${slug}" in the ${target} CONTROL_DB (see: npm run phoenix -- tenant list)`,
      );
    // The Worker reads the quota from this row on every ingest request: no restart or deploy needed.
    await setDailyIngestQuota(row.id, quota, target);
    process.stdout.write(
      `tenant "${slug}": ${quota === null ? "daily ingest quota back to the deployment default (DEFAULT_DAILY_INGEST_QUOTA)" : `daily ingest quota ${quota} findings per UTC day`}\n`,
    );
  });

program
  .command("token")
  .description(
    "mint an access token for the local Worker (signed with the key in .dev.vars); prints only the token",
  )
  .requiredOption("--tenant <slug>", "tenant the token acts for")
  .requiredOption("--scopes <scopes>", 'space-separated, e.g. "alerts:read cases:read"')
  .option("--ttl <ttl>", "lifetime: 30s, 15m, 1h, 12h, 1d …", "1h")
  .option("--subject <subject>", "the token's sub claim", "phoenix-cli")
  .action(async (opts: { tenant: string; scopes: string; ttl: string; subject: string }) => {
    const scopes = parseScopeList(opts.scopes);
    const ttlSeconds = parseTtl(opts.ttl);
    const row = await findTenantBySlug(opts.tenant, "local");
    if (!row)
      throw new Error(
        `no tenant "${opts.tenant}" in the local CONTROL_DB (see: npm run phoenix -- tenant list)`,
      );
    if (row.status !== "active")
      throw new Error(`tenant "${opts.tenant}" is ${row.status}; tokens are only minted for active tenants`);
    const token = await mintLocalToken({ tenantId: row.id, scopes, ttlSeconds, subject: opts.subject });
    process.stdout.write(`${token}\n`);
  });

const webhook = program.command("webhook").description("signed webhook deliveries, as a source sends them");

webhook
  .command("send")
  .description(
    "sign a payload file with a connector's secret (Standard Webhooks) and POST it to the local Worker's /ingest/<connectorId>",
  )
  .argument("<connectorId>", "the connector to deliver as (con_…), from the local CONTROL_DB")
  .argument("<file>", "the payload: JSON (one item or an array) or, for .ndjson/.jsonl, one item per line")
  .option("--print-curl", "print the equivalent signed curl command instead of sending")
  .option("--origin <url>", "where the Worker listens", LOCAL_ORIGIN)
  .action(async (connectorId: string, path: string, opts: { printCurl?: boolean; origin: string }) => {
    // The file first: it is the cheap check, and the usual typo.
    const file = readPayloadFile(path);
    const connector = await findLocalConnector(connectorId);
    if (!connector) {
      throw new Error(
        `no connector ${connectorId} in the local CONTROL_DB (\`npm start\` prints the demo connectors; GET /v1/connectors lists a tenant's)`,
      );
    }
    if (connector.status !== "active" || (connector.tenantStatus ?? "active") !== "active") {
      process.stderr.write(
        `warning: ${connector.id} (${connector.name}) is ${connector.status}` +
          `${connector.tenantStatus && connector.tenantStatus !== "active" ? ` and its tenant is ${connector.tenantStatus}` : ""}; ` +
          "the Worker answers 404 to its deliveries\n",
      );
    }
    const secret = await connectorSecret(connector);
    const headers = signedHeaders(secret, file.text);
    const url = ingestUrl(opts.origin, connector.id);

    if (opts.printCurl) {
      process.stdout.write(`${curlCommand(url, file, headers)}\n`);
      process.stderr.write(
        `# signed for ${connector.kind} connector "${connector.name}" (tenant ${connector.tenantSlug ?? "?"}); ` +
          "the signature covers the file's current bytes and is accepted for 5 minutes\n",
      );
      return;
    }

    process.stderr.write(
      `POST ${url}  (${connector.kind} "${connector.name}", ${file.bytes.length} bytes ${file.contentType}, webhook-id ${headers["webhook-id"]})\n`,
    );
    const result = await postDelivery(url, file, headers);
    process.stdout.write(`${result.status} ${result.statusText}\n${formatBody(result)}\n`);
    if (result.status >= 400) process.exitCode = 1;
    if (result.status !== 202 || !connector.tenantId) return;
    // Queued: wait for the consumer and show what it made of the delivery, as the source would read it.
    const token = await mintLocalToken({
      tenantId: connector.tenantId,
      scopes: ["admin"],
      ttlSeconds: 60,
      subject: "phoenix-cli",
    });
    const outcome = await awaitDeliveryOutcome(opts.origin, result, token);
    if (outcome === null)
      process.stderr.write("the delivery is queued; its outcome was not there within 10 s\n");
    else if (JSON.parse(result.body).status === "queued")
      process.stdout.write(`outcome:\n${JSON.stringify(outcome, null, 2)}\n`);
  });

const keys = program
  .command("keys")
  .description("Phoenix's token-signing keys: next (published), current (signs), retiring, retired");

keys
  .command("list")
  .description("list the signing keys in CONTROL_DB")
  .option("--remote", "read the remote CONTROL_DB")
  .action(async (opts: { remote?: boolean }) => {
    // Locally, the same first step as `tenant create`: a CONTROL_DB older than the keyring is migrated.
    if (!opts.remote) await applyMigrations(CONTROL_DB_BINDING, "local");
    const rows = await listKeys(opts.remote ? "remote" : "local");
    if (rows.length === 0) {
      process.stdout.write(
        "no signing keys registered yet: the first cron run registers the PHOENIX_SIGNING_JWK key as current\n",
      );
      return;
    }
    printTable(
      ["KID", "ALG", "STATUS", "CREATED", "ROTATE AT", "RETIRED AT"],
      rows.map((k) => [k.kid, k.alg, k.status, time(k.createdAt), time(k.rotateAt), time(k.retiredAt)]),
    );
  });

keys
  .command("rotate")
  .description(
    "make the current key due now: the next cron run (every 5 minutes) hands over to the next key, and the current one keeps verifying until its tokens have expired",
  )
  .option("--remote", "act on the remote CONTROL_DB")
  .action(async (opts: { remote?: boolean }) => {
    const target: Target = opts.remote ? "remote" : "local";
    if (target === "local") await applyMigrations(CONTROL_DB_BINDING, "local");
    const plan = await pullHandoverForward(target);
    if (!plan) {
      throw new Error(
        "no current signing key in CONTROL_DB yet: the first cron run registers the PHOENIX_SIGNING_JWK key and publishes a next one; run this again after it",
      );
    }
    if (!plan.next || plan.handoverFrom === null) {
      process.stdout.write(
        `${plan.current.kid} is due now, but no next key is published yet: the next cron run publishes one, and a later run hands over once it has been published long enough\n`,
      );
    } else {
      process.stdout.write(
        `${plan.current.kid} is due now: the first cron run from ${time(plan.handoverFrom)} hands over to ${plan.next.kid}\n`,
      );
    }
    if (target === "local") {
      process.stderr.write(
        "note: wrangler dev runs crons only when asked: start it with --test-scheduled and open /__scheduled\n",
      );
    }
  });

function time(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString();
}

/**
 * Local: binding in wrangler.toml → types → tenant migrations → CONTROL_DB row.
 * Remote: the same, after `wrangler d1 create` gives the real database id, with --remote throughout.
 * Re-running after a failure resumes: an existing wrangler.toml entry for the binding is reused.
 */
async function createTenant(slug: string, name: string, target: Target): Promise<void> {
  const problem = slugProblem(slug);
  if (problem) throw new Error(problem);
  if (!name) throw new Error("--name must not be empty");
  const binding = tenantBinding(slug);
  const databaseName = tenantDatabaseName(slug);

  if (target === "local") await applyMigrations(CONTROL_DB_BINDING, "local");
  if (await findTenantBySlug(slug, target)) throw new Error(`tenant "${slug}" already exists`);

  let db = readWranglerConfig().d1Databases.find((d) => d.binding === binding);
  if (db && (db.database_name !== databaseName || db.migrations_dir !== TENANT_MIGRATIONS_DIR)) {
    throw new Error(
      `wrangler.toml already declares ${binding} for something else (${db.database_name}); fix it by hand`,
    );
  }
  if (db && target === "remote" && db.database_id.startsWith("local-")) {
    throw new Error(
      `wrangler.toml declares ${binding} with a local-only database_id; remove that block and re-run`,
    );
  }
  if (db) {
    step(`wrangler.toml already declares ${binding}; reusing it`);
  } else {
    const databaseId =
      target === "local" ? `local-${databaseName}` : await createRemoteDatabase(databaseName);
    db = {
      binding,
      database_name: databaseName,
      database_id: databaseId,
      migrations_dir: TENANT_MIGRATIONS_DIR,
    };
    addD1Database(db);
    step(`added ${binding} (${databaseName}, ${databaseId}) to wrangler.toml`);
  }

  await wrangler(["types", "-c", WRANGLER_TOML, "--strict-vars=false"]);
  step("regenerated worker-configuration.d.ts (wrangler types)");

  const applied = await applyMigrations(binding, target);
  step(`applied ${applied.length} tenant migration(s) to ${target} ${databaseName}`);

  const { row, created } = await ensureTenant({ slug, name, binding }, target);
  if (!created) throw new Error(`tenant "${slug}" was registered concurrently as ${row.id}`);
  step(`registered tenant ${row.id} in the ${target} CONTROL_DB`);

  process.stdout.write(
    target === "local"
      ? `\nTenant "${slug}" is ready locally. Restart \`npm start\` so the Worker gets the ${binding} binding, then:\n` +
          `  npm run phoenix -- token --tenant ${slug} --scopes "alerts:read alerts:write"\n` +
          "Commit wrangler.toml and worker-configuration.d.ts.\n"
      : `\nTenant "${slug}" exists in the Cloudflare account. Commit wrangler.toml and worker-configuration.d.ts,\n` +
          `then deploy the Worker so it gets the ${binding} binding.\n`,
  );
}

/** `wrangler d1 create` prints the new database's config; its database_id is a UUID. */
async function createRemoteDatabase(databaseName: string): Promise<D1DatabaseConfig["database_id"]> {
  const out = await wrangler(["d1", "create", databaseName, "-c", WRANGLER_TOML]);
  const id = /database_id"?\s*[:=]\s*"([0-9a-f-]{36})"/.exec(out)?.[1];
  if (!id) throw new Error(`wrangler d1 create did not print a database_id:\n${out}`);
  step(`created D1 database ${databaseName} (${id})`);
  return id;
}

function step(message: string): void {
  process.stderr.write(`• ${message}\n`);
}

function printTable(header: string[], rows: string[][]): void {
  if (rows.length === 0) {
    process.stdout.write("no tenants\n");
    return;
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  for (const row of [header, ...rows]) {
    process.stdout.write(
      `${row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd()}\n`,
    );
  }
}

// Usage errors are commander's (it prints them and exits 1); everything else is reported here.
try {
  await program.parseAsync();
} catch (error) {
  process.stderr.write(`phoenix: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
