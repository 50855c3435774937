// CONTROL_DB: who the tenants are, who may act on them, and how Phoenix reaches them.
// Tenant data never lives here; only routing and identity metadata does.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { JWK } from "jose";

export const tenants = sqliteTable(
  "tenants",
  {
    id: text("id").primaryKey(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    status: text("status", { enum: ["active", "suspended", "deleted"] })
      .notNull()
      .default("active"),
    // The Worker binding of this tenant's own D1 database (hard isolation).
    d1Binding: text("d1_binding").notNull(),
    // Findings accepted per UTC day; null means the deployment default (DEFAULT_DAILY_INGEST_QUOTA).
    dailyIngestQuota: integer("daily_ingest_quota"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("tenants_slug_unique").on(t.slug),
    uniqueIndex("tenants_d1_binding_unique").on(t.d1Binding),
  ],
);

export const principals = sqliteTable(
  "principals",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["staff", "customer"] }).notNull(),
    email: text("email").notNull(),
    displayName: text("display_name").notNull(),
    // Customer users belong to exactly one tenant; provider staff have none here and act through grants.
    homeTenantId: text("home_tenant_id").references(() => tenants.id),
    status: text("status", { enum: ["active", "disabled"] })
      .notNull()
      .default("active"),
    // WCAG 2.1.4: a person who works by speech input or a screen reader can switch single-key
    // shortcuts off; kept with the person, so it follows them to every browser.
    singleKeyShortcuts: integer("single_key_shortcuts", { mode: "boolean" }).notNull().default(true),
    // When the person last looked at their notifications: newer ones are counted in the header.
    notificationsSeenAt: integer("notifications_seen_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("principals_email_unique").on(sql`lower(${t.email})`)],
);

// A person's named queue views: the view's URL query, so opening one is following a link.
export const savedViews = sqliteTable(
  "saved_views",
  {
    id: text("id").primaryKey(),
    principalId: text("principal_id")
      .notNull()
      .references(() => principals.id),
    name: text("name").notNull(),
    search: text("search").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("saved_views_principal_name_unique").on(t.principalId, t.name)],
);

export const ROLES = ["viewer", "analyst", "lead", "admin"] as const;

export const grants = sqliteTable(
  "grants",
  {
    principalId: text("principal_id")
      .notNull()
      .references(() => principals.id),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    role: text("role", { enum: ROLES }).notNull(),
    grantedBy: text("granted_by"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull().default(0),
    // A revoked grant is kept (who had access, until when); re-granting clears it.
    revokedAt: integer("revoked_at"),
  },
  (t) => [primaryKey({ columns: [t.principalId, t.tenantId] }), index("grants_tenant_idx").on(t.tenantId)],
);

export const machineClients = sqliteTable(
  "machine_clients",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    name: text("name").notNull(),
    // Space-separated OAuth scopes this client may be issued, e.g. "alerts:read cases:read".
    scopes: text("scopes").notNull(),
    // Hash of the client secret; the secret itself is shown once at registration.
    secretHash: text("secret_hash").notNull(),
    status: text("status", { enum: ["active", "revoked"] })
      .notNull()
      .default("active"),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("machine_clients_tenant_idx").on(t.tenantId)],
);

export const connectors = sqliteTable(
  "connectors",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    // One of the kinds registered in domain/ingest/kinds/index.ts, which is where kinds are declared.
    kind: text("kind").notNull(),
    name: text("name").notNull(),
    config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    // AES-GCM ciphertext (base64url, IV prefixed) of the current and previous signing secrets.
    secretCiphertext: text("secret_ciphertext").notNull(),
    previousSecretCiphertext: text("previous_secret_ciphertext"),
    previousSecretExpiresAt: integer("previous_secret_expires_at"),
    status: text("status", { enum: ["active", "disabled"] })
      .notNull()
      .default("active"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("connectors_tenant_idx").on(t.tenantId)],
);

// Where a tenant's cases are kept in sync: Jira, Salesforce, the Platform's webhook (domain/sinks/).
// Credentials (an API token, a client secret, the webhook's signing secret) are one AES-GCM
// ciphertext of their JSON, under SECRETS_ENCRYPTION_KEY; the readable config never holds one.
export const sinks = sqliteTable(
  "sinks",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    kind: text("kind", { enum: ["jira", "salesforce", "platform"] }).notNull(),
    name: text("name").notNull(),
    config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    credentialsCiphertext: text("credentials_ciphertext").notNull(),
    status: text("status", { enum: ["active", "disabled"] })
      .notNull()
      .default("active"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("sinks_tenant_idx").on(t.tenantId)],
);

// Phoenix's own token-signing keys. `next` is published before it signs, `current` signs, and
// `retiring` stays published until every token it signed has expired. The private JWK is kept
// AES-GCM-encrypted under SECRETS_ENCRYPTION_KEY; the bootstrap key from PHOENIX_SIGNING_JWK has none.
export const SIGNING_KEY_STATUSES = ["next", "current", "retiring", "retired"] as const;

export const signingKeys = sqliteTable("signing_keys", {
  kid: text("kid").primaryKey(),
  alg: text("alg").notNull(),
  publicJwk: text("public_jwk", { mode: "json" }).$type<JWK>().notNull(),
  privateJwkCiphertext: text("private_jwk_ciphertext"),
  status: text("status", { enum: SIGNING_KEY_STATUSES }).notNull(),
  createdAt: integer("created_at").notNull(),
  activatedAt: integer("activated_at"),
  // When the current key is due to hand over to the next one (operators may pull this forward).
  rotateAt: integer("rotate_at"),
  retiredAt: integer("retired_at"),
});

// Workbench sign-in sessions. The cookie carries the id, signed; the row is what makes sign-out
// and revocation real. Idle expiry slides with use, absolute expiry never moves.
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    principalId: text("principal_id")
      .notNull()
      .references(() => principals.id),
    // How the principal proved who they are: "oidc", "access" or "dev".
    method: text("method", { enum: ["oidc", "access", "dev"] }).notNull(),
    // Bound to the session: mutating form posts must carry it back (see decision note on CSRF).
    csrfToken: text("csrf_token").notNull(),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    idleExpiresAt: integer("idle_expires_at").notNull(),
    absoluteExpiresAt: integer("absolute_expires_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("sessions_principal_idx").on(t.principalId)],
);

// Who changed administration (grants, clients, connectors, configuration), when, and from what to
// what. Per tenant, hash-linked: each record's hash covers the previous one, and (tenant, seq) is
// unique, so two racing writers cannot fork the chain; the loser's whole batch rolls back and retries.
export const adminAudit = sqliteTable(
  "admin_audit",
  {
    tenantId: text("tenant_id").notNull(),
    seq: integer("seq").notNull(),
    id: text("id").notNull(),
    at: integer("at").notNull(),
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    before: text("before", { mode: "json" }).$type<unknown>(),
    after: text("after", { mode: "json" }).$type<unknown>(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.seq] }),
    index("admin_audit_tenant_at_idx").on(t.tenantId, t.at),
  ],
);

// The cross-tenant work queue: routing metadata of every open case, so staff working many tenants
// list their queue from one place. Written by each CaseObject's outbox, guarded by version.
export const workQueue = sqliteTable(
  "work_queue",
  {
    caseId: text("case_id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    title: text("title").notNull(),
    severity: text("severity").notNull(),
    priority: text("priority").notNull(),
    state: text("state").notNull(),
    assigneeId: text("assignee_id"),
    queue: text("queue").notNull(),
    slaWarnAt: integer("sla_warn_at"),
    slaDueAt: integer("sla_due_at"),
    // Which clock (acknowledge, contain, resolve) sla_due_at belongs to.
    slaDueClock: text("sla_due_clock"),
    slaBreachedAt: integer("sla_breached_at"),
    // What the queue shows besides routing: how many alerts the case holds and how old it is.
    alertCount: integer("alert_count").notNull().default(0),
    openedAt: integer("opened_at").notNull().default(0),
    version: integer("version").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("work_queue_tenant_idx").on(t.tenantId, t.updatedAt),
    index("work_queue_queue_due_idx").on(t.queue, t.slaDueAt),
    index("work_queue_assignee_idx").on(t.assigneeId, t.slaDueAt),
    // One index per workbench queue order (domain/case/work-queue.ts, whose sort keys must be these
    // exact expressions): the queue walks it in order and stops at a page, checking tenant and
    // state from the index itself, instead of sorting every case of the person's tenants.
    index("work_queue_walk_due_idx").on(
      sql`coalesce(${t.slaDueAt}, 8640000000000000)`,
      t.caseId,
      t.tenantId,
      t.state,
    ),
    index("work_queue_walk_severity_idx").on(
      sql`(case ${t.severity} when 'low' then 1 when 'medium' then 2 when 'high' then 3 when 'critical' then 4 else 0 end)`,
      t.caseId,
      t.tenantId,
      t.state,
    ),
    index("work_queue_walk_priority_idx").on(
      sql`(case ${t.priority} when 'P4' then 1 when 'P3' then 2 when 'P2' then 3 when 'P1' then 4 else 0 end)`,
      t.caseId,
      t.tenantId,
      t.state,
    ),
    index("work_queue_walk_activity_idx").on(t.updatedAt, t.caseId, t.tenantId, t.state),
    index("work_queue_walk_age_idx").on(t.openedAt, t.caseId, t.tenantId, t.state),
  ],
);

// A tenant's own SLA policy (JSON, see domain/sla/types.ts); tenants without a row use the default.
export const slaPolicies = sqliteTable("sla_policies", {
  tenantId: text("tenant_id")
    .primaryKey()
    .references(() => tenants.id),
  policy: text("policy", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  reopenWindowMs: integer("reopen_window_ms").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

// Cisco XDR allows 8,000 API requests per hour per organisation, shared by every client of the org:
// the pull path charges each request here, per fixed window, atomically (see budget.ts).
export const xdrRequestBudget = sqliteTable(
  "xdr_request_budget",
  {
    orgKey: text("org_key").notNull(),
    windowStart: integer("window_start").notNull(),
    used: integer("used").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgKey, t.windowStart] })],
);

// An org XDR answered 429 for holds off every client until Retry-After.
export const xdrOrgPauses = sqliteTable("xdr_org_pauses", {
  orgKey: text("org_key").primaryKey(),
  pausedUntil: integer("paused_until").notNull(),
});

// One counter per scope ("tenant:<id>", "principal:<id>"), moved by triggers (control migrations
// 0009, 0010) whenever something a workbench page shows of that scope is written: the work queue,
// grants, people, tenant names, saved views. A page rendered at one set of counters is still right at the
// same set, so the Worker can serve it again without rendering (decision 043).
export const renderEpochs = sqliteTable("render_epochs", {
  scope: text("scope").primaryKey(),
  epoch: integer("epoch").notNull(),
});
