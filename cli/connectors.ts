// `phoenix webhook send`: sign a payload file as a connector's source would (Standard Webhooks) and
// post it to the local Worker, or print the equivalent curl. The secret is never typed in: it is
// read from the local CONTROL_DB and decrypted with SECRETS_ENCRYPTION_KEY from .dev.vars, exactly
// as the Worker does when it verifies the delivery.
import { readFileSync, statSync } from "node:fs";
import { extname, resolve } from "node:path";
import { eq, sql } from "drizzle-orm";
import { ulid } from "ulid";
import { isIdOf } from "../domain/ids.ts";
import { decryptSecret } from "../domain/secrets.ts";
import { signWebhook } from "../domain/webhooks/standard-webhooks.ts";
import { connectors, tenants } from "../schema/control.ts";
import { d1Through } from "./d1.ts";
import { DEV_VARS_PATH, readDevVars } from "./dev-vars.ts";
import { CommandError } from "./wrangler.ts";
import { CONTROL_DB_BINDING } from "./wrangler-config.ts";

export const LOCAL_ORIGIN = "http://localhost:8787";
const ENCRYPTION_KEY_VAR = "SECRETS_ENCRYPTION_KEY";
const NDJSON_EXTENSIONS = new Set([".ndjson", ".jsonl"]);
const SEND_TIMEOUT_MS = 30_000;

// Aliased: the connector's and the tenant's columns share names, and rows come back keyed by name.
const CONNECTOR_RECORD = {
  id: connectors.id,
  kind: connectors.kind,
  name: connectors.name,
  status: connectors.status,
  secretCiphertext: connectors.secretCiphertext,
  tenantId: connectors.tenantId,
  tenantSlug: sql<string | null>`${tenants.slug}`.as("tenant_slug"),
  tenantStatus: sql<string | null>`${tenants.status}`.as("tenant_status"),
};

export type ConnectorRecord = Pick<
  typeof connectors.$inferSelect,
  "id" | "kind" | "name" | "status" | "secretCiphertext" | "tenantId"
> & { tenantSlug: string | null; tenantStatus: string | null };

/** A connector in the local CONTROL_DB, with its tenant; null when there is none with this id. */
export async function findLocalConnector(id: string): Promise<ConnectorRecord | null> {
  if (!isIdOf("connector", id)) {
    throw new Error(`"${id}" is not a connector id: they look like con_ followed by 26 characters`);
  }
  let rows: ConnectorRecord[];
  try {
    rows = await d1Through(CONTROL_DB_BINDING, "local")
      .select(CONNECTOR_RECORD)
      .from(connectors)
      .leftJoin(tenants, eq(tenants.id, connectors.tenantId))
      .where(eq(connectors.id, id));
  } catch (error) {
    if (error instanceof CommandError && /no such table/i.test(error.message)) {
      throw new Error("the local CONTROL_DB has no connectors table yet: run `npm start` once");
    }
    throw error;
  }
  return rows[0] ?? null;
}

/** The connector's current signing secret (whsec_…), decrypted as the Worker would. */
export async function connectorSecret(connector: ConnectorRecord): Promise<string> {
  const key = readDevVars()[ENCRYPTION_KEY_VAR];
  if (!key) throw new Error(`${ENCRYPTION_KEY_VAR} is not in ${DEV_VARS_PATH}: run \`npm start\` once`);
  try {
    return await decryptSecret(connector.secretCiphertext, key, connector.id);
  } catch {
    // AES-GCM fails closed; the usual cause is a .dev.vars replaced after the connector was made.
    throw new Error(
      `could not decrypt the secret of ${connector.id} with ${ENCRYPTION_KEY_VAR} from .dev.vars ` +
        "(was .dev.vars recreated after the connector was made? rotate its secret through the API)",
    );
  }
}

export interface PayloadFile {
  /** As the user typed it, relative to where they typed it (curl's @file runs there too). */
  path: string;
  bytes: Buffer;
  /** The body as the Worker reads it (`Request.text()`: UTF-8, a leading BOM dropped); this is what is signed. */
  text: string;
  contentType: string;
}

/**
 * Reads the file as bytes. npm runs scripts from the project root, so a relative path is resolved
 * against INIT_CWD, the directory `npm run` was typed in.
 */
export function readPayloadFile(path: string, baseDir = process.env.INIT_CWD ?? process.cwd()): PayloadFile {
  const absolute = resolve(baseDir, path);
  let bytes: Buffer;
  try {
    if (statSync(absolute).isDirectory()) throw new Error(`${path} is a directory, not a payload file`);
    bytes = readFileSync(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`no such file: ${path}`);
    if (code === "EACCES") throw new Error(`cannot read ${path}: permission denied`);
    throw error;
  }
  if (bytes.length === 0) throw new Error(`${path} is empty`);
  return {
    path,
    bytes,
    text: new TextDecoder().decode(bytes),
    contentType: NDJSON_EXTENSIONS.has(extname(path).toLowerCase())
      ? "application/x-ndjson"
      : "application/json",
  };
}

/** Standard Webhooks headers for one delivery: a fresh msg_ id, the current time, the v1 signature. */
export function signedHeaders(
  secret: string,
  payload: string,
  now: number = Date.now(),
): Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string> {
  const id = `msg_${ulid(now).toLowerCase()}`;
  const timestamp = Math.floor(now / 1000);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signWebhook(secret, id, timestamp, payload),
  };
}

export function ingestUrl(origin: string, connectorId: string): string {
  return `${origin.replace(/\/+$/, "")}/ingest/${connectorId}`;
}

/** A POSIX shell word: single-quoted, with embedded single quotes closed, escaped and reopened. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=,+-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The curl that sends the file's own bytes with these headers (curl's @file reads them verbatim). */
export function curlCommand(url: string, file: PayloadFile, headers: Record<string, string>): string {
  const parts = [
    "curl -sS -i -X POST",
    shellQuote(url),
    `-H ${shellQuote(`content-type: ${file.contentType}`)}`,
    ...Object.entries(headers).map(([name, value]) => `-H ${shellQuote(`${name}: ${value}`)}`),
    // `@` outside the quotes, so a file name with spaces or quotes stays one word.
    `--data-binary @${shellQuote(file.path)}`,
  ];
  return parts.join(" \\\n  ");
}

export interface SendResult {
  status: number;
  statusText: string;
  contentType: string;
  body: string;
}

export async function postDelivery(
  url: string,
  file: PayloadFile,
  headers: Record<string, string>,
): Promise<SendResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": file.contentType, ...headers },
      body: new Uint8Array(file.bytes),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
  } catch (error) {
    const origin = new URL(url).origin;
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === "ECONNREFUSED") {
      throw new Error(`nothing is listening on ${origin}: start Phoenix with \`npm start\` and try again`);
    }
    if (error instanceof DOMException && error.name === "TimeoutError") {
      throw new Error(`${origin} did not answer within ${SEND_TIMEOUT_MS / 1000} s`);
    }
    throw new Error(
      `could not reach ${origin}: ${cause?.code ?? (error instanceof Error ? error.message : String(error))}`,
    );
  }
  return {
    status: response.status,
    statusText: response.statusText,
    contentType: response.headers.get("content-type") ?? "",
    body: await response.text(),
  };
}

/**
 * What became of a delivery (decision 052): for a queued one, polls the outcome URL its 202 named
 * until the consumer has stored it; null after `timeoutMs`. The token must hold the admin scope.
 */
export async function awaitDeliveryOutcome(
  origin: string,
  accepted: SendResult,
  token: string,
  timeoutMs = 10_000,
): Promise<unknown | null> {
  let body: { status?: string; outcome?: string };
  try {
    body = JSON.parse(accepted.body);
  } catch {
    return null;
  }
  // A delivery too large for the queue was stored before its 202, which carries the outcome.
  if (body.status !== "queued") return body;
  const outcomePath = body.outcome;
  if (!outcomePath) return null;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(new URL(outcomePath, origin), { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 200) return res.json();
    await res.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return null;
}

/** A problem+json or JSON body pretty-printed; anything else as it came. */
export function formatBody(result: SendResult): string {
  if (!/json/i.test(result.contentType)) return result.body;
  try {
    return JSON.stringify(JSON.parse(result.body), null, 2);
  } catch {
    return result.body;
  }
}
