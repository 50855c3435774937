// A tenant's own D1 database. Every tenant has one, with the same schema; the tenant id is
// implicit in which database you are talking to, so no table here carries it.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

type Json = Record<string, unknown>;

// OCSF Detection Finding (class 2004). Hot attributes are columns for filtering; nested OCSF
// objects are kept as JSON so the finding renders back without loss.
export const alerts = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    // Stable identity of the finding across re-deliveries; see dedupKeyFor in domain/ocsf/detection-finding.ts.
    dedupKey: text("dedup_key").notNull(),
    classUid: integer("class_uid").notNull(),
    categoryUid: integer("category_uid").notNull(),
    activityId: integer("activity_id").notNull(),
    typeUid: integer("type_uid").notNull(),
    severityId: integer("severity_id").notNull(),
    statusId: integer("status_id"),
    // Epoch milliseconds, normalised on the way in (some producers send seconds).
    time: integer("time").notNull(),
    title: text("title").notNull(),
    findingUid: text("finding_uid").notNull(),
    findingInfo: text("finding_info", { mode: "json" }).$type<Json>().notNull(),
    metadata: text("metadata", { mode: "json" }).$type<Json>().notNull(),
    productName: text("product_name"),
    vendorName: text("vendor_name"),
    observables: text("observables", { mode: "json" }).$type<Json[]>(),
    device: text("device", { mode: "json" }).$type<Json>(),
    actor: text("actor", { mode: "json" }).$type<Json>(),
    resources: text("resources", { mode: "json" }).$type<Json[]>(),
    // Every other OCSF attribute the producer sent, so rendering loses nothing.
    attributes: text("attributes", { mode: "json" }).$type<Json>().notNull(),
    rawData: text("raw_data").notNull(),
    occurrenceCount: integer("occurrence_count").notNull().default(1),
    firstSeenAt: integer("first_seen_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    sourceConnectorId: text("source_connector_id"),
    // Alerts sharing a correlation key are grouped into one case (see domain/case/correlation.ts).
    correlationKey: text("correlation_key"),
    // Set once the alert is linked to (or opened) its case; null means correlation is still owed.
    correlatedAt: integer("correlated_at"),
    caseId: text("case_id"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("alerts_dedup_key_unique").on(t.dedupKey),
    // Keyset pagination walks (time, id) newest first; the filtered variants keep it index-only.
    index("alerts_time_id_idx").on(t.time, t.id),
    index("alerts_severity_time_id_idx").on(t.severityId, t.time, t.id),
    index("alerts_status_time_id_idx").on(t.statusId, t.time, t.id),
    index("alerts_case_idx").on(t.caseId),
    index("alerts_uncorrelated_idx").on(t.correlatedAt, t.createdAt),
  ],
);

// Read model of each case; CaseObject is the record and writes this through its outbox.
export const cases = sqliteTable(
  "cases",
  {
    id: text("id").primaryKey(),
    title: text("title").notNull(),
    severity: text("severity").notNull(),
    priority: text("priority").notNull(),
    state: text("state").notNull(),
    assigneeId: text("assignee_id"),
    queue: text("queue").notNull(),
    resolution: text("resolution"),
    mergedInto: text("merged_into"),
    alertCount: integer("alert_count").notNull().default(0),
    // Earliest pending SLA warning and deadline; null once every clock is met.
    slaWarnAt: integer("sla_warn_at"),
    slaDueAt: integer("sla_due_at"),
    slaBreachedAt: integer("sla_breached_at"),
    // Version of the case object this projection reflects; older updates are ignored.
    version: integer("version").notNull(),
    openedAt: integer("opened_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    closedAt: integer("closed_at"),
  },
  (t) => [
    index("cases_updated_idx").on(t.updatedAt, t.id),
    index("cases_state_updated_idx").on(t.state, t.updatedAt, t.id),
    index("cases_sla_due_idx").on(t.slaDueAt, t.id),
    // The work-queue order (soonest deadline first, none last), as domain/case/queries.ts sorts it.
    index("cases_due_key_idx").on(sql`coalesce(${t.slaDueAt}, 8640000000000000)`, t.id),
    index("cases_assignee_idx").on(t.assigneeId, t.updatedAt),
  ],
);

export const caseTimeline = sqliteTable(
  "case_timeline",
  {
    caseId: text("case_id").notNull(),
    // Position in the case object's event log; (case_id, seq) makes projection idempotent.
    seq: integer("seq").notNull(),
    type: text("type").notNull(),
    actor: text("actor").notNull(),
    at: integer("at").notNull(),
    data: text("data", { mode: "json" }).$type<Json>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.seq] })],
);

export const ASSET_CRITICALITIES = ["low", "medium", "high", "critical"] as const;

export const assets = sqliteTable(
  "assets",
  {
    // Content-addressed (kind + uid), so concurrent alerts upsert one row without a read.
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["device", "user", "resource"] }).notNull(),
    // The producer's identifier for the asset (device uid, user uid, cloud resource uid).
    uid: text("uid").notNull(),
    name: text("name"),
    details: text("details", { mode: "json" }).$type<Json>(),
    // Set by the tenant's analysts; high and critical assets raise the priority of their cases.
    criticality: text("criticality", { enum: ASSET_CRITICALITIES }),
    firstSeenAt: integer("first_seen_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
  },
  (t) => [uniqueIndex("assets_kind_uid_unique").on(t.kind, t.uid)],
);

// OCSF observables, normalised so "Evil.EXAMPLE" and "evil.example" are one indicator.
export const observables = sqliteTable(
  "observables",
  {
    // Content-addressed (type + normalised value), so concurrent writers agree without a read.
    id: text("id").primaryKey(),
    typeId: integer("type_id").notNull(),
    type: text("type").notNull(),
    value: text("value").notNull(),
    firstSeenAt: integer("first_seen_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
  },
  (t) => [
    uniqueIndex("observables_type_value_unique").on(t.typeId, t.value),
    index("observables_value_idx").on(t.value),
  ],
);

export const alertObservables = sqliteTable(
  "alert_observables",
  {
    alertId: text("alert_id").notNull(),
    observableId: text("observable_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.alertId, t.observableId] }),
    index("alert_observables_observable_idx").on(t.observableId),
  ],
);

export const enrichments = sqliteTable(
  "enrichments",
  {
    id: text("id").primaryKey(),
    observableId: text("observable_id").notNull(),
    provider: text("provider").notNull(),
    verdict: text("verdict"),
    data: text("data", { mode: "json" }).$type<Json>().notNull(),
    fetchedAt: integer("fetched_at").notNull(),
    expiresAt: integer("expires_at"),
  },
  (t) => [uniqueIndex("enrichments_observable_provider_unique").on(t.observableId, t.provider)],
);

export const comments = sqliteTable(
  "comments",
  {
    id: text("id").primaryKey(),
    caseId: text("case_id").notNull(),
    authorId: text("author_id").notNull(),
    body: text("body").notNull(),
    visibility: text("visibility", { enum: ["internal", "customer"] })
      .notNull()
      .default("internal"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("comments_case_idx").on(t.caseId, t.createdAt)],
);

// Where each case stands in each sink (CONTROL_DB `sinks`): the case version and event it was last
// brought to, the record it is there (a Jira issue key, a Salesforce Case id) and the last error.
export const sinkSync = sqliteTable(
  "sink_sync",
  {
    caseId: text("case_id").notNull(),
    sinkId: text("sink_id").notNull(),
    syncedVersion: integer("synced_version").notNull().default(0),
    // The last case event delivered (Platform webhooks send one request per event).
    syncedSeq: integer("synced_seq").notNull().default(0),
    externalId: text("external_id"),
    externalUrl: text("external_url"),
    // What the sink kind keeps between syncs (Jira: the status it set, a comment whose answer was lost).
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
    // One sync per case and sink at a time: concurrent deliveries of the same case wait their turn.
    leaseUntil: integer("lease_until"),
    lastError: text("last_error"),
    lastErrorAt: integer("last_error_at"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.sinkId] }),
    // A sink's page lists its cases' sync, most recently touched first.
    index("sink_sync_sink_idx").on(t.sinkId, t.updatedAt),
  ],
);

// Sync work that ran out of retries or met a permanent error, kept with the error until an
// operator replays it (the queue's own retention would otherwise lose it).
export const sinkDeadLetters = sqliteTable(
  "sink_dead_letters",
  {
    id: text("id").primaryKey(),
    sinkId: text("sink_id").notNull(),
    caseId: text("case_id").notNull(),
    version: integer("version").notNull(),
    error: text("error").notNull(),
    attempts: integer("attempts").notNull(),
    createdAt: integer("created_at").notNull(),
    replayedAt: integer("replayed_at"),
  },
  (t) => [
    index("sink_dead_letters_open_idx").on(t.createdAt).where(sql`replayed_at IS NULL`),
    index("sink_dead_letters_sink_idx").on(t.sinkId, t.createdAt).where(sql`replayed_at IS NULL`),
  ],
);

// Payloads that could not be mapped, kept verbatim with the reason so they can be fixed and replayed.
export const quarantine = sqliteTable(
  "quarantine",
  {
    id: text("id").primaryKey(),
    sourceConnectorId: text("source_connector_id"),
    reason: text("reason").notNull(),
    // Problem details naming the offending fields, as JSON.
    details: text("details", { mode: "json" }).$type<Json>(),
    payload: text("payload").notNull(),
    receivedAt: integer("received_at").notNull(),
    replayedAt: integer("replayed_at"),
  },
  (t) => [index("quarantine_received_idx").on(t.receivedAt, t.id)],
);

// POST idempotency: the key is claimed in the same batch as the writes it guards.
export const idempotencyRecords = sqliteTable(
  "idempotency_records",
  {
    // Keys are scoped to the caller that chose them.
    principal: text("principal").notNull(),
    key: text("key").notNull(),
    // What was sent under the key; a different request under the same key is refused.
    requestHash: text("request_hash").notNull(),
    // Null until the response is recorded, right after the guarded batch commits.
    statusCode: integer("status_code"),
    responseBody: text("response_body"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.principal, t.key] }),
    index("idempotency_records_expires_idx").on(t.expiresAt),
  ],
);

// Webhook deliveries seen per connector: `webhook-id` is the sender's idempotency key, so a
// re-delivery hits this primary key and changes nothing. Kept 7 days, with what became of each
// delivery for GET /v1/connectors/{id}/deliveries/{webhookId} (null before that was recorded, and
// for Jira's deliveries, which change cases rather than store findings).
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    connectorId: text("connector_id").notNull(),
    webhookId: text("webhook_id").notNull(),
    receivedAt: integer("received_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** "stored": its items were taken one by one; "quarantined": the whole delivery waits there. */
    outcome: text("outcome", { enum: ["stored", "quarantined"] }),
    accepted: integer("accepted"),
    duplicates: integer("duplicates"),
    quarantined: integer("quarantined"),
    ignored: integer("ignored"),
    intel: integer("intel"),
    /** The quarantined items' ids, each with its reason in the quarantine table. */
    quarantineIds: text("quarantine_ids", { mode: "json" }).$type<string[]>(),
    /** Copies of this webhook-id that arrived after it was stored, each of which changed nothing. */
    redeliveries: integer("redeliveries").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.connectorId, t.webhookId] }),
    index("webhook_deliveries_expires_idx").on(t.expiresAt),
  ],
);

// Which case a correlation key currently feeds. Claimed with INSERT … ON CONFLICT, so concurrent
// alerts for one key open exactly one case; re-pointed (compare-and-set) when that case is done.
export const correlations = sqliteTable("correlations", {
  key: text("key").primaryKey(),
  caseId: text("case_id").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const alertAssets = sqliteTable(
  "alert_assets",
  {
    alertId: text("alert_id").notNull(),
    assetId: text("asset_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.alertId, t.assetId] }), index("alert_assets_asset_idx").on(t.assetId)],
);

// What a source says about an observable (a CTIM judgement or verdict): Phoenix's record of
// threat intelligence, per source. Keyed by the entity's stable identity; a later version from the
// source replaces an earlier one, never the reverse (source_time decides).
export const intelJudgements = sqliteTable(
  "intel_judgements",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["judgement", "verdict"] }).notNull(),
    sourceConnectorId: text("source_connector_id"),
    // Who judged: the CTIM `source` (e.g. "Cisco Talos Intelligence"), or the connector's kind.
    source: text("source").notNull(),
    observableId: text("observable_id").notNull(),
    observableType: text("observable_type").notNull(),
    observableValue: text("observable_value").notNull(),
    // CTIM disposition: 1 Clean, 2 Malicious, 3 Suspicious, 4 Common, 5 Unknown.
    disposition: integer("disposition").notNull(),
    dispositionName: text("disposition_name").notNull(),
    priority: integer("priority"),
    severity: text("severity"),
    confidence: text("confidence"),
    reason: text("reason"),
    reasonUri: text("reason_uri"),
    validFrom: integer("valid_from"),
    // Null: valid until the source says otherwise.
    validUntil: integer("valid_until"),
    sourceTime: integer("source_time").notNull(),
    data: text("data", { mode: "json" }).$type<Json>().notNull(),
    firstSeenAt: integer("first_seen_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    // Null while the cases holding the observable still owe a look at this version (their priority).
    appliedAt: integer("applied_at"),
  },
  (t) => [
    index("intel_judgements_observable_idx").on(t.observableId, t.validUntil),
    index("intel_judgements_owed_idx").on(t.id).where(sql`applied_at IS NULL`),
  ],
);

// CTIM indicators: a source's description of a pattern worth watching for, linked to the sightings
// and judgements that point at it (intel_relationships). Newest version per identity wins.
export const intelIndicators = sqliteTable("intel_indicators", {
  id: text("id").primaryKey(),
  sourceConnectorId: text("source_connector_id"),
  source: text("source").notNull(),
  title: text("title"),
  producer: text("producer").notNull(),
  indicatorTypes: text("indicator_types", { mode: "json" }).$type<string[]>().notNull(),
  killChainPhases: text("kill_chain_phases", { mode: "json" }).$type<string[]>().notNull(),
  confidence: text("confidence"),
  severity: text("severity"),
  validFrom: integer("valid_from"),
  validUntil: integer("valid_until"),
  sourceTime: integer("source_time").notNull(),
  data: text("data", { mode: "json" }).$type<Json>().notNull(),
  firstSeenAt: integer("first_seen_at").notNull(),
  lastSeenAt: integer("last_seen_at").notNull(),
});

// CTIM relationships, with both ends as Phoenix knows the entities (their stable identities), so
// an alert can list what links to it whichever arrived first.
export const intelRelationships = sqliteTable(
  "intel_relationships",
  {
    id: text("id").primaryKey(),
    sourceConnectorId: text("source_connector_id"),
    relationshipType: text("relationship_type").notNull(),
    sourceRef: text("source_ref").notNull(),
    targetRef: text("target_ref").notNull(),
    sourceTime: integer("source_time").notNull(),
    data: text("data", { mode: "json" }).$type<Json>().notNull(),
    firstSeenAt: integer("first_seen_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
  },
  (t) => [
    index("intel_relationships_source_idx").on(t.sourceRef),
    index("intel_relationships_target_idx").on(t.targetRef),
  ],
);

// A source saying two correlation keys are one matter (an XDR sighting is a member of an
// incident): alerts of `from_key` go to the case of `into_key`. Owed until applied to the cases
// that already exist, since either end may arrive first.
export const correlationJoins = sqliteTable(
  "correlation_joins",
  {
    fromKey: text("from_key").notNull(),
    intoKey: text("into_key").notNull(),
    reason: text("reason").notNull(),
    createdAt: integer("created_at").notNull(),
    appliedAt: integer("applied_at"),
  },
  (t) => [
    primaryKey({ columns: [t.fromKey, t.intoKey] }),
    index("correlation_joins_owed_idx").on(t.fromKey).where(sql`applied_at IS NULL`),
  ],
);

// Each version of an alert as its source sent it (the fields a source changes: severity, status,
// assignees, scores, observables), newest source time last. The alert keeps its first-seen view;
// the versions say what changed since, and are owed to the alert's case timeline until applied.
export const alertSourceVersions = sqliteTable(
  "alert_source_versions",
  {
    alertId: text("alert_id").notNull(),
    sourceTime: integer("source_time").notNull(),
    source: text("source").notNull(),
    state: text("state", { mode: "json" }).$type<Json>().notNull(),
    receivedAt: integer("received_at").notNull(),
    appliedAt: integer("applied_at"),
  },
  (t) => [
    primaryKey({ columns: [t.alertId, t.sourceTime] }),
    index("alert_source_versions_owed_idx").on(t.alertId).where(sql`applied_at IS NULL`),
  ],
);

// The change feed (GET /v1/changes, issue 16): one row per case version and per alert change, in
// commit order. D1 commits one transaction at a time, so `seq` (AUTOINCREMENT) is also the order in
// which readers can see rows: a reader that has seen seq N has seen every row before it. A replayed
// projection or delivery inserts nothing twice (the unique key, which counts an alert's link or
// unlink by the case that made it: two cases may both be at version 3).
export const changes = sqliteTable(
  "changes",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    kind: text("kind", { enum: ["case", "alert"] }).notNull(),
    entityId: text("entity_id").notNull(),
    // The case version, or for an alert the occurrence count or the linking case's version.
    version: integer("version").notNull(),
    type: text("type").notNull(),
    at: integer("at").notNull(),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    // Whose version `version` is, when not the entity's own: the case an alert joined or left.
    origin: text("origin").notNull().default(""),
  },
  (t) => [
    uniqueIndex("changes_entity_origin_version_type").on(t.kind, t.entityId, t.origin, t.version, t.type),
  ],
);

// Report aggregates (issue 16, decision 040): counters per time bucket, kept up to date in the same
// batches as the writes they count, so a report reads a few rows per bucket and never the alerts or
// cases themselves. Each bucket exists at three grains (day, week, month; UTC), so any report reads
// one grain. Empty dimensions are '' (not NULL), so they can be part of the key.
export const reportCounts = sqliteTable(
  "report_counts",
  {
    grain: text("grain", { enum: ["day", "week", "month"] }).notNull(),
    metric: text("metric").notNull(),
    // The bucket's start, epoch ms (UTC midnight; Monday for weeks; the 1st for months).
    bucket: integer("bucket").notNull(),
    severity: text("severity").notNull(),
    dim1: text("dim1").notNull(),
    dim2: text("dim2").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.grain, t.metric, t.bucket, t.severity, t.dim1, t.dim2] })],
);

// Time to acknowledge, contain and resolve per bucket, severity and clock: count, exact sums (for
// means) and histograms of seconds to two significant figures (for percentiles), in business time
// as the SLA policy counts it and in wall time.
export const reportDurations = sqliteTable(
  "report_durations",
  {
    grain: text("grain", { enum: ["day", "week", "month"] }).notNull(),
    bucket: integer("bucket").notNull(),
    severity: text("severity").notNull(),
    clock: text("clock").notNull(),
    n: integer("n").notNull(),
    businessSumMs: integer("business_sum_ms").notNull(),
    wallSumMs: integer("wall_sum_ms").notNull(),
    // {"<seconds to 2 significant figures>": count}
    businessBins: text("business_bins", { mode: "json" }).$type<Record<string, number>>().notNull(),
    wallBins: text("wall_bins", { mode: "json" }).$type<Record<string, number>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.grain, t.bucket, t.severity, t.clock] })],
);
