// The Cisco XDR push connector: IROH incident events, CTIA record events carrying sightings or
// incidents, and CTIM bundles, mapped to OCSF Detection Findings correlated by XDR incident.
// The pull path (OAuth2 client credentials, incident search) lives elsewhere and feeds map() too.
import type { z } from "zod";
import type { CorrelationJoin } from "../../../alerts/correlation-joins.ts";
import type { SourceVersion } from "../../../alerts/source-versions.ts";
import { type FieldError, fieldErrorsFromIssues } from "../../../errors.ts";
import { DISPOSITIONS } from "../../../intel/judgements.ts";
import type { IntelRecord } from "../../../intel/records.ts";
import type { RelationshipInput } from "../../../intel/relationships.ts";
import { DETECTION_FINDING_CLASS_UID, detectionFindingSchema } from "../../../ocsf/detection-finding.ts";
import { isExportBundle, readOcsfExport } from "../../../ocsf/export-bundle.ts";
import { unparsedItemReason } from "../../framing.ts";
import type { ConnectorKindDefinition, MapContext, MappedFinding, MapResult, RawItem } from "../../kind.ts";
import { DEFAULT_RULE_CORRELATION_WINDOW_MS, ruleAssetCorrelationKey } from "../ocsf/index.ts";
import { ciscoXdrConfigSchema } from "./config.ts";
import {
  bundleSchema,
  type CtimIncident,
  type CtimRelationship,
  ctiaEventSchema,
  incidentEventDataSchema,
  incidentSchema,
  indicatorSchema,
  irohEventSchema,
  judgementSchema,
  normaliseCtimId,
  relationshipSchema,
  sightingSchema,
  statusChangeEventDataSchema,
} from "./ctim.ts";
import { type EntityIdentity, entityIdentity, type IdentifiedType, isTransientId } from "./identity.ts";
import { repeatedKeys } from "./json-text.ts";
import {
  type EntitySource,
  incidentFinding,
  observableTypeIdOf,
  sightingFinding,
  XDR_PRODUCT,
} from "./mapping.ts";
import { BUNDLE_CONTEXT_KEY, parseDelivery } from "./parse.ts";
import { incidentVersion, sightingVersion } from "./versions.ts";

export { normaliseCtimId } from "./ctim.ts";
export { parseJsonLossless } from "./json-text.ts";
export { observableTypeIdOf, XDR_PRODUCT } from "./mapping.ts";
export { parseDelivery } from "./parse.ts";

type Json = Record<string, unknown>;
type Outcome =
  | {
      ok: true;
      findings: MappedFinding[];
      ignored?: string;
      intel?: IntelRecord[];
      joins?: CorrelationJoin[];
    }
  | { ok: false; reason: string; errors: FieldError[] };

// CTIM entities that are valid but are not detections: acknowledged and counted as ignored, never
// quarantined (quarantine is for what Phoenix should have understood). Judgements, verdicts,
// indicators and relationships are threat intelligence Phoenix keeps (domain/intel).
const NOT_FINDINGS: ReadonlySet<string> = new Set([
  "actor",
  "asset",
  "asset-mapping",
  "asset-properties",
  "attack-pattern",
  "campaign",
  "casebook",
  "coa",
  "data-table",
  "feedback",
  "identity-assertion",
  "investigation",
  "malware",
  "note",
  "target-record",
  "tool",
  "vulnerability",
  "weakness",
]);
// Bundle arrays that hold only such entities (CTIM bundle keys).
const NOT_FINDING_ARRAYS = [
  "actors",
  "asset_mappings",
  "asset_properties",
  "assets",
  "attack_patterns",
  "campaigns",
  "coas",
  "data_tables",
  "feedbacks",
  "identity_assertions",
  "malwares",
  "notes",
  "target_records",
  "tools",
  "vulnerabilities",
  "weaknesses",
] as const;

function ignore(reason: string): Outcome {
  return { ok: true, findings: [], ignored: reason };
}

/** A lone CTIM observable ({type, value}) says what was seen, not that anything happened. */
function isLoneObservable(value: Json): boolean {
  return (
    typeof value.type === "string" && typeof value.value === "string" && observableTypeIdOf(value.type) !== 99
  );
}

const INCIDENT_EVENTS: Readonly<Record<string, 1 | 2>> = {
  "private-intel/incident/created": 1,
  "private-intel/incident/updated": 2,
};
const STATUS_CHANGED = "private-intel/incident/status-changed";
const RECORD_EVENTS: Readonly<Record<string, 1 | 2>> = { "record-created": 1, "record-updated": 2 };

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(reason: string, field: string, message: string): Outcome {
  return { ok: false, reason, errors: [{ field, message }] };
}

function invalid(what: string, error: z.ZodError, prefix: string): Outcome {
  return {
    ok: false,
    reason: `${what} cannot be mapped`,
    errors: fieldErrorsFromIssues(error.issues, prefix),
  };
}

function at(prefix: string, field: string): string {
  return prefix === "" ? field : `${prefix}.${field}`;
}

export const incidentCorrelationKey = (incidentId: string) => `xdr-incident:${incidentId}`;
export const sightingCorrelationKey = (sightingId: string) => `xdr-sighting:${sightingId}`;

// Every finding passes Phoenix's own Detection Finding schema before it leaves the connector.
function finish(candidate: Json, correlationKey: string, sourceVersion?: SourceVersion): Outcome {
  const parsed = detectionFindingSchema.safeParse(candidate);
  if (!parsed.success) {
    return {
      ok: false,
      reason: "the mapped Detection Finding is invalid",
      errors: fieldErrorsFromIssues(parsed.error.issues, "(finding)"),
    };
  }
  return {
    ok: true,
    findings: [{ finding: parsed.data, correlationKey, ...(sourceVersion ? { sourceVersion } : {}) }],
  };
}

function mapIncident(
  value: unknown,
  prefix: string,
  source: EntitySource,
  ctx: Pick<MapContext, "connectorId">,
  fallbackId?: string,
): Outcome {
  const parsed = incidentSchema.safeParse(value);
  if (!parsed.success) return invalid("the Cisco XDR incident", parsed.error, prefix);
  // An event names its incident outside the entity; a bare entity may be known only by content.
  const identity =
    parsed.data.id === undefined && fallbackId !== undefined
      ? entityIdentity({ id: fallbackId }, "incident", ctx.connectorId)
      : entityIdentity(parsed.data, "incident", ctx.connectorId);
  if (identity === null) {
    const rawId = parsed.data.id ?? fallbackId;
    return fail(
      "the Cisco XDR incident id is not a CTIM incident id",
      parsed.data.id !== undefined ? at(prefix, "id") : "data.incident_id",
      `must be a GUID, incident-<GUID>, a CTIA incident URL or transient:<id>, got ${JSON.stringify(rawId)}`,
    );
  }
  return finish(
    incidentFinding(parsed.data, identity.id, withIdentity(source, identity)),
    incidentCorrelationKey(identity.id),
    incidentVersion(parsed.data, source.eventTime),
  );
}

/** How the entity was known, kept in unmapped.xdr when it was not by its CTIA id. */
function withIdentity(source: EntitySource, identity: EntityIdentity): EntitySource {
  if (identity.basis === "ctia_id") return source;
  const recorded = {
    basis: identity.basis,
    ...(identity.transientId !== undefined ? { transient_id: identity.transientId } : {}),
  };
  return { ...source, envelope: { ...source.envelope, identity: recorded } };
}

/**
 * Where a relationship end points, as Phoenix knows the entity: a CTIA id normalised, or the stable
 * identity of the bundle entity a transient id names; null when it names nothing Phoenix can know.
 */
type RefResolver = (ref: string) => string | null;

/** Resolves refs against one bundle's entities (and the context a split item carries). */
function bundleResolver(
  entities: ReadonlyArray<{ values: unknown[]; type: IdentifiedType }>,
  connectorId: string,
): RefResolver {
  const byTransientId = new Map<string, string>();
  for (const { values, type } of entities) {
    for (const value of values) {
      if (!isRecord(value) || !isTransientId(value.id)) continue;
      const identity = entityIdentity(value, type, connectorId);
      if (identity !== null) byTransientId.set(value.id.trim(), identity.id);
    }
  }
  return (ref) => (isTransientId(ref) ? (byTransientId.get(ref.trim()) ?? null) : normaliseCtimId(ref));
}

const standalone: RefResolver = (ref) => (isTransientId(ref) ? null : normaliseCtimId(ref));

/** A sighting's bundle: its relationships, and how their ends resolve. */
interface SightingContext {
  connectorId: string;
  relationships: unknown[];
  resolve: RefResolver;
}

export const memberOfReason = (sightingId: string, incidentId: string) =>
  `XDR: sighting ${sightingId} is a member of incident ${incidentId}`;

function mapSighting(value: unknown, prefix: string, source: EntitySource, ctx: SightingContext): Outcome {
  const parsed = sightingSchema.safeParse(value);
  if (!parsed.success) return invalid("the Cisco XDR sighting", parsed.error, prefix);
  const identity = entityIdentity(parsed.data, "sighting", ctx.connectorId);
  if (identity === null) {
    return fail(
      "the Cisco XDR sighting id is not a CTIM sighting id",
      at(prefix, "id"),
      `must be a GUID, sighting-<GUID>, a CTIA sighting URL or transient:<id>, got ${JSON.stringify(parsed.data.id)}`,
    );
  }
  const { id } = identity;
  // Membership: a member-of relationship from this sighting to an incident (CTIA Relationship),
  // which inside a bundle may name both ends by their transient ids.
  const isThis = (ref: string) =>
    identity.transientId !== undefined
      ? ref.trim() === identity.transientId
      : normaliseCtimId(ref, "sighting") === id;
  let incidentId: string | undefined;
  const memberOf: string[] = [];
  const intel: IntelRecord[] = [];
  const joins: CorrelationJoin[] = [];
  for (const [i, candidate] of ctx.relationships.entries()) {
    const rel = relationshipSchema.safeParse(candidate);
    if (!rel.success) return invalid("a relationship of the sighting", rel.error, `relationships[${i}]`);
    if (rel.data.relationship_type !== "member-of" || !isThis(rel.data.source_ref)) continue;
    const target = ctx.resolve(rel.data.target_ref);
    if (target === null || !target.startsWith("incident-")) continue;
    memberOf.push(target);
    incidentId ??= target;
    const record = relationshipRecord(rel.data, id, target, ctx.connectorId);
    if (record !== null) intel.push(record);
    // Joined too: the sighting may already have a case of its own from an earlier delivery.
    joins.push({
      fromKey: sightingCorrelationKey(id),
      intoKey: incidentCorrelationKey(target),
      reason: memberOfReason(id, target),
    });
  }
  const withMembership: EntitySource =
    memberOf.length > 0 ? { ...source, envelope: { ...source.envelope, member_of: memberOf } } : source;
  const key = incidentId !== undefined ? incidentCorrelationKey(incidentId) : sightingCorrelationKey(id);
  const outcome = finish(
    sightingFinding(parsed.data, id, incidentId, withIdentity(withMembership, identity)),
    key,
    sightingVersion(parsed.data, source.eventTime),
  );
  if (!outcome.ok) return outcome;
  return { ...outcome, ...(intel.length > 0 ? { intel } : {}), ...(joins.length > 0 ? { joins } : {}) };
}

/** A relationship as Phoenix keeps it, both ends resolved; its identity never rests on transient ids. */
function relationshipRecord(
  rel: CtimRelationship,
  sourceRef: string,
  targetRef: string,
  connectorId: string,
): RelationshipInput | null {
  const identity = entityIdentity(
    { ...rel, source_ref: sourceRef, target_ref: targetRef },
    "relationship",
    connectorId,
  );
  if (identity === null) return null;
  const time = rel.timestamp !== undefined ? Date.parse(rel.timestamp) : 0;
  return {
    kind: "relationship",
    id: identity.id,
    relationshipType: rel.relationship_type,
    sourceRef,
    targetRef,
    sourceTime: time,
    data: rel,
  };
}

/**
 * A relationship on its own (or one a bundle carries beside its entities): kept, and a member-of
 * from a sighting to an incident joins their cases, whichever of the three arrives first.
 */
function mapRelationship(value: unknown, prefix: string, resolve: RefResolver, connectorId: string): Outcome {
  const parsed = relationshipSchema.safeParse(value);
  if (!parsed.success) return invalid("the CTIM relationship", parsed.error, prefix);
  const rel = parsed.data;
  if (
    typeof rel.id === "string" &&
    !isTransientId(rel.id) &&
    normaliseCtimId(rel.id, "relationship") === null
  ) {
    return fail(
      "the CTIM relationship id is not a CTIM id",
      at(prefix, "id"),
      `must be a GUID, relationship-<GUID>, a CTIA URL or transient:<id>, got ${JSON.stringify(rel.id)}`,
    );
  }
  const ends = { source_ref: resolve(rel.source_ref), target_ref: resolve(rel.target_ref) };
  for (const [field, resolved] of Object.entries(ends)) {
    if (resolved === null) {
      return fail(
        "a relationship end names no entity Phoenix can know",
        at(prefix, field),
        "must be a typed CTIA id (e.g. sighting-<GUID> or a CTIA URL) or the transient id of an entity in the same bundle",
      );
    }
  }
  const sourceRef = ends.source_ref as string;
  const targetRef = ends.target_ref as string;
  const record = relationshipRecord(rel, sourceRef, targetRef, connectorId);
  if (record === null)
    return fail("the CTIM relationship has no identity", at(prefix, "id"), "must be a CTIM id");
  const joins: CorrelationJoin[] =
    rel.relationship_type === "member-of" &&
    sourceRef.startsWith("sighting-") &&
    targetRef.startsWith("incident-")
      ? [
          {
            fromKey: sightingCorrelationKey(sourceRef),
            intoKey: incidentCorrelationKey(targetRef),
            reason: memberOfReason(sourceRef, targetRef),
          },
        ]
      : [];
  return { ok: true, findings: [], intel: [record], ...(joins.length > 0 ? { joins } : {}) };
}

/** A CTIM indicator: kept with its title, producer, types, kill-chain phases and validity. */
function mapIndicator(value: unknown, prefix: string, ctx: Pick<MapContext, "connectorId">): Outcome {
  const parsed = indicatorSchema.safeParse(value);
  if (!parsed.success) return invalid("the CTIM indicator", parsed.error, prefix);
  const ind = parsed.data;
  const identity = entityIdentity(ind, "indicator", ctx.connectorId);
  if (identity === null) {
    return fail(
      "the CTIM indicator id is not a CTIM id",
      at(prefix, "id"),
      `must be a GUID, indicator-<GUID>, a CTIA URL or transient:<id>, got ${JSON.stringify(ind.id)}`,
    );
  }
  const time = (iso: string | undefined) => (iso === undefined ? null : Date.parse(iso));
  return {
    ok: true,
    findings: [],
    intel: [
      {
        kind: "indicator",
        id: identity.id,
        source: ind.source ?? ind.producer,
        title: ind.title ?? ind.short_description ?? null,
        producer: ind.producer,
        types: ind.indicator_type ?? [],
        killChainPhases: (ind.kill_chain_phases ?? []).map((k) => `${k.kill_chain_name}: ${k.phase_name}`),
        confidence: ind.confidence ?? null,
        severity: ind.severity ?? null,
        validFrom: time(ind.valid_time?.start_time),
        validUntil: time(ind.valid_time?.end_time),
        sourceTime: time(ind.timestamp) ?? time(ind.valid_time?.start_time) ?? 0,
        data: ind,
      },
    ],
  };
}

/**
 * A judgement or verdict: Phoenix's record of what a source says about an observable. Stored as
 * intelligence, not as an alert; the observable's enrichment and its cases' priority read it.
 */
function mapJudgement(
  value: unknown,
  prefix: string,
  kind: "judgement" | "verdict",
  ctx: Pick<MapContext, "connectorId">,
): Outcome {
  const parsed = judgementSchema.safeParse(value);
  if (!parsed.success) return invalid(`the CTIM ${kind}`, parsed.error, prefix);
  const j = parsed.data;
  const identity = entityIdentity(j, kind, ctx.connectorId);
  if (identity === null) {
    return fail(
      `the CTIM ${kind} id is not a CTIM id`,
      at(prefix, "id"),
      `must be a GUID, ${kind}-<GUID>, a CTIA URL or transient:<id>, got ${JSON.stringify(j.id)}`,
    );
  }
  const time = (iso: string | undefined) => (iso === undefined ? null : Date.parse(iso));
  const observableType = j.observable.type;
  return {
    ok: true,
    findings: [],
    intel: [
      {
        id: identity.id,
        kind,
        source: j.source ?? "Cisco XDR",
        observable: {
          typeId: observableTypeIdOf(observableType),
          type: observableType,
          value: String(j.observable.value),
        },
        disposition: j.disposition,
        dispositionName: j.disposition_name ?? DISPOSITIONS[j.disposition] ?? "Unknown",
        priority: j.priority ?? null,
        severity: j.severity ?? null,
        confidence: j.confidence ?? null,
        reason: j.reason ?? null,
        reasonUri: j.reason_uri ?? null,
        validFrom: time(j.valid_time?.start_time),
        validUntil: time(j.valid_time?.end_time),
        // The source's own clock orders versions; without one, the start of validity does.
        sourceTime: time(j.timestamp) ?? time(j.valid_time?.start_time) ?? 0,
        data: j,
      },
    ],
  };
}

// IROH `Event` (iroh-event.swagger.json): incident created/updated carry the incident in data.incident;
// status-changed carries only the two statuses in Cisco's schema, so it maps from those when needed.
function mapIrohEvent(value: Json, raw: string, ctx: MapContext): Outcome {
  const event = irohEventSchema.safeParse(value);
  if (!event.success) return invalid("the IROH event", event.error, "");
  const { data } = event.data;
  const { data: _data, ...outer } = event.data;
  const base = {
    raw,
    eventId: event.data.id,
    ...(event.data.emiter?.org_id !== undefined ? { orgId: event.data.emiter.org_id } : {}),
    ...(event.data.created_at !== undefined ? { eventTime: event.data.created_at } : {}),
  };

  const activity = INCIDENT_EVENTS[data.event_type];
  if (activity !== undefined) {
    const parsed = incidentEventDataSchema.safeParse(data);
    if (!parsed.success) return invalid("the IROH incident event", parsed.error, "data");
    if (parsed.data.incident === undefined) {
      return fail(
        "the IROH incident event carries no incident",
        "data.incident",
        "is required to map the event (XDR sends it on created and updated events)",
      );
    }
    const { incident, ...rest } = parsed.data;
    const source: EntitySource = { ...base, activityId: activity, envelope: { ...outer, data: rest } };
    return mapIncident(incident, "data.incident", source, ctx, parsed.data.incident_id);
  }

  if (data.event_type === STATUS_CHANGED) {
    const parsed = statusChangeEventDataSchema.safeParse(data);
    if (!parsed.success) return invalid("the IROH status-changed event", parsed.error, "data");
    const { incident, ...rest } = parsed.data;
    const source: EntitySource = { ...base, activityId: 2, envelope: { ...outer, data: rest } };
    if (incident !== undefined) {
      return mapIncident(
        { ...incident, status: parsed.data.status_to },
        "data.incident",
        source,
        ctx,
        rest.incident_id,
      );
    }
    // Only what the event says; the id comes in as the fallback so an error names data.incident_id.
    const known: CtimIncident = {
      status: rest.status_to,
      timestamp: event.data.created_at ?? new Date(ctx.now).toISOString(),
    };
    return mapIncident(known, "data", source, ctx, rest.incident_id);
  }

  const [, entityType] = /^private-intel\/([a-z-]+)\//.exec(data.event_type) ?? [];
  if (entityType !== undefined && NOT_FINDINGS.has(entityType))
    return ignore(`an IROH ${entityType} event is not a detection`);
  return fail(
    `IROH event_type "${data.event_type}" is not a detection the Cisco XDR connector maps`,
    "data.event_type",
    `must be one of ${[...Object.keys(INCIDENT_EVENTS), STATUS_CHANGED].join(", ")}`,
  );
}

// CTIA `PartialEvent`: a record event whose entity is the sighting or incident itself.
function mapCtiaEvent(value: Json, raw: string, ctx: MapContext): Outcome {
  const event = ctiaEventSchema.safeParse(value);
  if (!event.success) return invalid("the CTIA event", event.error, "");
  const { entity, ...outer } = event.data;
  if (event.data.event_type === "record-deleted")
    return ignore("a CTIA deletion does not delete what Phoenix recorded");
  if (NOT_FINDINGS.has(entity.type)) return ignore(`a CTIA ${entity.type} is not a detection`);
  const activity = RECORD_EVENTS[event.data.event_type];
  if (activity === undefined) {
    return fail(
      `CTIA event_type "${event.data.event_type}" is not a detection the Cisco XDR connector maps`,
      "event_type",
      `must be one of ${Object.keys(RECORD_EVENTS).join(", ")}`,
    );
  }
  const source: EntitySource = {
    raw,
    activityId: activity,
    envelope: outer,
    ...(event.data.id !== undefined ? { eventId: event.data.id } : {}),
    ...(event.data.tlp !== undefined ? { envelopeTlp: event.data.tlp } : {}),
    ...(typeof outer.timestamp === "string" ? { eventTime: outer.timestamp } : {}),
  };
  const lone = { connectorId: ctx.connectorId, relationships: [], resolve: standalone };
  if (entity.type === "sighting") return mapSighting(entity, "entity", source, lone);
  if (entity.type === "judgement" || entity.type === "verdict")
    return mapJudgement(entity, "entity", entity.type, ctx);
  if (entity.type === "incident") return mapIncident(entity, "entity", source, ctx);
  if (entity.type === "indicator") return mapIndicator(entity, "entity", ctx);
  if (entity.type === "relationship") return mapRelationship(entity, "entity", standalone, ctx.connectorId);
  return fail(
    `a CTIA ${entity.type} event is not an entity the Cisco XDR connector maps`,
    "entity.type",
    `must be a sighting, incident, judgement, verdict, indicator or relationship, got ${JSON.stringify(entity.type)}`,
  );
}

// A CTIM bundle: each sighting (with its member-of relationships) and each incident is a finding;
// judgements, verdicts, indicators and the other relationships are intelligence.
function mapBundle(value: Json, raw: string, ctx: MapContext): Outcome {
  const bundle = bundleSchema.safeParse(value);
  if (!bundle.success) return invalid("the CTIM bundle", bundle.error, "");
  const sightings = bundle.data.sightings ?? [];
  const incidents = bundle.data.incidents ?? [];
  const judgements = bundle.data.judgements ?? [];
  const verdicts = bundle.data.verdicts ?? [];
  const indicators = bundle.data.indicators ?? [];
  const relationships = bundle.data.relationships ?? [];
  const others = NOT_FINDING_ARRAYS.filter((key) => Array.isArray(value[key]) && value[key].length > 0);
  const kept = sightings.length + incidents.length + judgements.length + verdicts.length + indicators.length;
  if (kept + relationships.length === 0) {
    if (others.length > 0) return ignore(`the CTIM bundle holds no detection, only ${others.join(", ")}`);
    return fail(
      "the CTIM bundle carries no sighting or incident",
      "sightings",
      "must hold at least one sighting",
    );
  }
  // Entities a split bundle's item carries only so its relationships can name them (parse.ts).
  const context = isRecord(bundle.data[BUNDLE_CONTEXT_KEY]) ? (bundle.data[BUNDLE_CONTEXT_KEY] as Json) : {};
  const along = (key: string): unknown[] => (Array.isArray(context[key]) ? context[key] : []);
  const resolve = bundleResolver(
    [
      { values: [...sightings, ...along("sightings")], type: "sighting" },
      { values: [...incidents, ...along("incidents")], type: "incident" },
      { values: [...judgements, ...along("judgements")], type: "judgement" },
      { values: [...verdicts, ...along("verdicts")], type: "verdict" },
      { values: [...indicators, ...along("indicators")], type: "indicator" },
    ],
    ctx.connectorId,
  );
  const sightingCtx: SightingContext = { connectorId: ctx.connectorId, relationships, resolve };
  // A sighting's member-of relationships are mapped with it; every other relationship on its own.
  const sightingIsSource = (rel: unknown) =>
    isRecord(rel) &&
    rel.relationship_type === "member-of" &&
    typeof rel.source_ref === "string" &&
    sightings.some((s) => isRecord(s) && typeof s.id === "string" && sameRef(s.id, rel.source_ref as string));
  const outcomes = [
    ...sightings.map((s, i) => mapSighting(s, `sightings[${i}]`, { raw, activityId: 1 }, sightingCtx)),
    ...incidents.map((inc, i) => mapIncident(inc, `incidents[${i}]`, { raw, activityId: 1 }, ctx)),
    ...judgements.map((j, i) => mapJudgement(j, `judgements[${i}]`, "judgement", ctx)),
    ...verdicts.map((v, i) => mapJudgement(v, `verdicts[${i}]`, "verdict", ctx)),
    ...indicators.map((ind, i) => mapIndicator(ind, `indicators[${i}]`, ctx)),
    ...relationships.flatMap((rel, i) =>
      sightingIsSource(rel) ? [] : [mapRelationship(rel, `relationships[${i}]`, resolve, ctx.connectorId)],
    ),
  ];
  const findings: MappedFinding[] = [];
  const intel: IntelRecord[] = [];
  const joins: CorrelationJoin[] = [];
  for (const outcome of outcomes) {
    if (!outcome.ok) return outcome;
    findings.push(...outcome.findings);
    intel.push(...(outcome.intel ?? []));
    joins.push(...(outcome.joins ?? []));
  }
  return {
    ok: true,
    findings,
    ...(intel.length > 0 ? { intel } : {}),
    ...(joins.length > 0 ? { joins } : {}),
  };
}

/** Two ids naming the same entity: transient ids as written, CTIA ids normalised. */
function sameRef(a: string, b: string): boolean {
  if (isTransientId(a) || isTransientId(b)) return a.trim() === b.trim();
  const x = normaliseCtimId(a);
  return x !== null && x === normaliseCtimId(b);
}

/**
 * XDR's own OCSF export (a Detection Finding, or its export bundle): read as the ocsf kind reads it.
 * A finding about an XDR incident is that incident, so it takes the incident's identity and case
 * and folds into the same alert as the incident arriving as CTIM.
 */
function mapOcsfExport(value: unknown, ctx: MapContext): Outcome {
  const received = readOcsfExport(value);
  if ("error" in received) return fail(received.error, "events", "must hold one Detection Finding");
  const parsed = detectionFindingSchema.safeParse(received.value);
  if (!parsed.success) return invalid("the OCSF Detection Finding", parsed.error, "");
  const finding = parsed.data;
  const incident = normaliseCtimId(finding.finding_info.uid, "incident");
  if (incident === null) {
    return {
      ok: true,
      findings: [
        {
          finding,
          correlationKey: ruleAssetCorrelationKey(finding, DEFAULT_RULE_CORRELATION_WINDOW_MS, ctx.now),
        },
      ],
    };
  }
  const asIncident = {
    ...finding,
    metadata: { ...finding.metadata, product: { ...finding.metadata.product, ...XDR_PRODUCT } },
    finding_info: { ...finding.finding_info, uid: incident },
  };
  return finish(asIncident, incidentCorrelationKey(incident));
}

/** Maps one parsed item; see parse.ts for the envelopes that become items. */
export function mapItem(item: RawItem, ctx: MapContext): MapResult {
  const outcome = mapValue(item, ctx);
  // A key the sender repeated: JSON keeps the last value, and the alert says it did.
  const repeated = outcome.ok && outcome.findings.length > 0 ? repeatedKeys(item.raw) : [];
  if (!outcome.ok || repeated.length === 0) return outcome;
  const notes = repeated.map((path) => `${path} appears more than once; the last value was used`);
  return {
    ...outcome,
    findings: outcome.findings.map((m) => {
      const unmapped = (m.finding.unmapped ?? {}) as Json;
      const earlier = Array.isArray(unmapped.leniency) ? (unmapped.leniency as string[]) : [];
      return { ...m, finding: { ...m.finding, unmapped: { ...unmapped, leniency: [...earlier, ...notes] } } };
    }),
  };
}

function mapValue(item: RawItem, ctx: MapContext): MapResult {
  const { value, raw } = item;
  const unparsed = unparsedItemReason(item);
  if (unparsed !== undefined) return fail(unparsed, "(item)", "must be valid JSON");
  if (!isRecord(value)) {
    return fail("the item is not a JSON object", "(item)", "must be a JSON object");
  }
  if (value.class_uid === DETECTION_FINDING_CLASS_UID || isExportBundle(value))
    return mapOcsfExport(value, ctx);
  if ("data" in value && isRecord(value.data) && "event_type" in value.data)
    return mapIrohEvent(value, raw, ctx);
  if (value.type === "event" || ("event_type" in value && "entity" in value))
    return mapCtiaEvent(value, raw, ctx);
  if (value.type === "bundle") return mapBundle(value, raw, ctx);
  const lone = { connectorId: ctx.connectorId, relationships: [], resolve: standalone };
  if (value.type === "sighting") return mapSighting(value, "", { raw, activityId: 1 }, lone);
  if (value.type === "incident") return mapIncident(value, "", { raw, activityId: 1 }, ctx);
  if (value.type === "judgement" || value.type === "verdict") return mapJudgement(value, "", value.type, ctx);
  if (value.type === "indicator") return mapIndicator(value, "", ctx);
  if (value.type === "relationship") return mapRelationship(value, "", standalone, ctx.connectorId);
  if (typeof value.type === "string" && NOT_FINDINGS.has(value.type))
    return ignore(`a CTIM ${value.type} is not a detection`);
  if (isLoneObservable(value)) return ignore("a lone CTIM observable is not a detection");
  return fail(
    "the item is not a Cisco XDR event or CTIM entity",
    "type",
    'must identify an IROH event (data.event_type), a CTIA event ("event"), a "bundle" or a CTIM entity ("sighting", "incident", "judgement", "verdict", "indicator", "relationship")',
  );
}

export const ciscoXdr: ConnectorKindDefinition = {
  kind: "cisco-xdr",
  configSchema: ciscoXdrConfigSchema,
  parse: parseDelivery,
  map: mapItem,
};
