// Sinks: where a tenant's cases are kept in sync (Jira, Salesforce, the Platform's webhook). Like
// connectors they are administration: every change commits with its admin audit record, which
// never holds credentials. Credentials are write-only; a Platform sink's signing secret is minted
// here and shown once.
import { and, eq, type SQL } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import { sinks } from "../../schema/control.ts";
import type { Actor } from "../actor.ts";
import { commitAdminChange } from "../admin-audit.ts";
import { type FieldError, fieldErrorsFromIssues, PhoenixError } from "../errors.ts";
import { newId } from "../ids.ts";
import { decryptSecret, encryptSecret } from "../secrets.ts";
import { newWebhookSecret } from "../webhooks/standard-webhooks.ts";
import {
  credentialProblems,
  endpointProblem,
  parseSinkConfig,
  type SinkCredentials,
  type SinkKind,
} from "./config.ts";
import type { OutboundPolicy } from "./outbound-url.ts";

export type SinkRow = typeof sinks.$inferSelect;

/** What a sink's credentials hold once stored: the admin's, or the webhook secret Phoenix minted. */
export type StoredCredentials = SinkCredentials & { signing_secret?: string };

/** The public view of a sink: never any credential. */
export interface SinkView {
  id: string;
  kind: SinkKind;
  name: string;
  config: Record<string, unknown>;
  status: SinkRow["status"];
  created_at: number;
  updated_at: number;
}

export function toSinkView(row: SinkRow): SinkView {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    config: row.config,
    status: row.status,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

function sinkChange(
  tenantId: string,
  id: string,
  actor: Actor,
  action: string,
  before: SinkRow | null,
  after: SinkRow | null,
) {
  return {
    tenantId,
    actor,
    action,
    targetType: "sink",
    targetId: id,
    before: before && toSinkView(before),
    after: after && toSinkView(after),
  };
}

export interface SinkContext {
  controlDb: D1Database;
  encryptionKey: string | undefined;
  policy: OutboundPolicy;
  now: number;
  actor: Actor;
}

/** The config as the kind reads it, with its endpoint checked and the credentials it needs: or 422. */
function validated(
  kind: SinkKind,
  config: unknown,
  credentials: SinkCredentials | undefined,
  policy: OutboundPolicy,
): Record<string, unknown> {
  const parsed = parseSinkConfig(kind, config);
  if (!parsed.ok) {
    throw new PhoenixError(
      "validation_failed",
      `the ${kind} sink configuration is invalid`,
      fieldErrorsFromIssues(parsed.issues, "config"),
    );
  }
  const problems: FieldError[] = [];
  const endpoint = endpointProblem(kind, parsed.config, policy);
  if (endpoint) problems.push(endpoint);
  if (credentials !== undefined) problems.push(...credentialProblems(kind, parsed.config, credentials));
  if (problems.length > 0)
    throw new PhoenixError("validation_failed", `the ${kind} sink cannot be used as configured`, problems);
  return parsed.config;
}

export async function createSink(
  ctx: SinkContext,
  tenantId: string,
  input: {
    kind: SinkKind;
    name: string;
    config: unknown;
    credentials: SinkCredentials;
    status?: SinkRow["status"];
  },
): Promise<{ sink: SinkView; secret?: string }> {
  const config = validated(input.kind, input.config, input.credentials, ctx.policy);
  const id = newId("sink", ctx.now);
  const secret = input.kind === "platform" ? newWebhookSecret() : undefined;
  const stored: StoredCredentials = { ...input.credentials, ...(secret ? { signing_secret: secret } : {}) };
  const row: SinkRow = {
    id,
    tenantId,
    kind: input.kind,
    name: input.name,
    config,
    credentialsCiphertext: await encryptSecret(JSON.stringify(stored), ctx.encryptionKey, id),
    status: input.status ?? "active",
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await commitAdminChange(
    ctx.controlDb,
    sinkChange(tenantId, id, ctx.actor, "sink.created", null, row),
    () => [drizzle(ctx.controlDb).insert(sinks).values(row)],
    ctx.now,
  );
  return { sink: toSinkView(row), ...(secret ? { secret } : {}) };
}

export async function listSinks(controlDb: D1Database, tenantId: string): Promise<SinkView[]> {
  const rows = await drizzle(controlDb)
    .select()
    .from(sinks)
    .where(eq(sinks.tenantId, tenantId))
    .orderBy(sinks.id);
  return rows.map(toSinkView);
}

/** The sinks a case change is sent to. */
export async function activeSinks(controlDb: D1Database, tenantId: string): Promise<SinkRow[]> {
  return activeSinksQuery(drizzle(controlDb), tenantId);
}

/** The active sinks query, for a caller that batches it with other reads. */
export function activeSinksQuery(d: DrizzleD1Database, tenantId: string | SQL) {
  return d
    .select()
    .from(sinks)
    .where(and(eq(sinks.tenantId, tenantId), eq(sinks.status, "active")))
    .orderBy(sinks.id);
}

/** The tenant's sink; another tenant's answers 404, as if it did not exist. */
export async function getSink(controlDb: D1Database, tenantId: string, id: string): Promise<SinkRow> {
  const [row] = await drizzle(controlDb)
    .select()
    .from(sinks)
    .where(and(eq(sinks.id, id), eq(sinks.tenantId, tenantId)))
    .limit(1);
  if (!row) throw new PhoenixError("not_found", "no such sink");
  return row;
}

/** The sink's credentials, decrypted, for the consumer that calls it; never for a response. */
export async function sinkCredentials(
  row: SinkRow,
  encryptionKey: string | undefined,
): Promise<StoredCredentials> {
  return JSON.parse(
    await decryptSecret(row.credentialsCiphertext, encryptionKey, row.id),
  ) as StoredCredentials;
}

export async function updateSink(
  ctx: SinkContext,
  tenantId: string,
  id: string,
  patch: {
    name?: string | undefined;
    config?: unknown;
    credentials?: SinkCredentials | undefined;
    status?: SinkRow["status"] | undefined;
  },
): Promise<SinkView> {
  const current = await getSink(ctx.controlDb, tenantId, id);
  const config = patch.config !== undefined ? patch.config : current.config;
  // New credentials replace the old ones whole; a Platform sink keeps the secret it was given.
  const kept = await sinkCredentials(current, ctx.encryptionKey);
  const checked = validated(current.kind, config, patch.credentials ?? withoutMinted(kept), ctx.policy);
  const credentials: StoredCredentials | null =
    patch.credentials !== undefined
      ? { ...patch.credentials, ...(kept.signing_secret ? { signing_secret: kept.signing_secret } : {}) }
      : null;
  const next: SinkRow = {
    ...current,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    config: checked,
    ...(credentials
      ? { credentialsCiphertext: await encryptSecret(JSON.stringify(credentials), ctx.encryptionKey, id) }
      : {}),
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    updatedAt: ctx.now,
  };
  const action =
    next.status === current.status
      ? "sink.updated"
      : next.status === "disabled"
        ? "sink.disabled"
        : "sink.enabled";
  await commitAdminChange(
    ctx.controlDb,
    // Credentials never enter the audit; that they changed is said by the action.
    sinkChange(tenantId, id, ctx.actor, credentials ? `${action}.credentials` : action, current, next),
    () => [
      drizzle(ctx.controlDb)
        .update(sinks)
        .set({
          name: next.name,
          config: next.config,
          credentialsCiphertext: next.credentialsCiphertext,
          status: next.status,
          updatedAt: ctx.now,
        })
        .where(and(eq(sinks.id, id), eq(sinks.tenantId, tenantId))),
    ],
    ctx.now,
  );
  return toSinkView(next);
}

function withoutMinted(credentials: StoredCredentials): SinkCredentials {
  const { signing_secret: _minted, ...given } = credentials;
  return given;
}

export async function deleteSink(ctx: SinkContext, tenantId: string, id: string): Promise<void> {
  const current = await getSink(ctx.controlDb, tenantId, id);
  await commitAdminChange(
    ctx.controlDb,
    sinkChange(tenantId, id, ctx.actor, "sink.deleted", current, null),
    () => [
      drizzle(ctx.controlDb)
        .delete(sinks)
        .where(and(eq(sinks.id, id), eq(sinks.tenantId, tenantId))),
    ],
    ctx.now,
  );
}
