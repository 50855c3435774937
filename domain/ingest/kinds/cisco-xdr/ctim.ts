// The Cisco shapes the XDR connector reads, as zod schemas that check only the fields Phoenix maps
// (loose objects: every other field passes through untouched). Field names and enums follow
// shared/contracts/xdr: IROH `Event` (api/iroh-event.swagger.json), CTIA `PartialEvent`, `Sighting`,
// `Incident`, `Relationship` (api/ctia-private-intel.subset.swagger.json) and the CTIM bundle skeleton.
import { z } from "zod";

// CTIM times are ISO 8601 with a zone ("2016-01-01T01:01:01.000Z"); a time without one is ambiguous.
const isoTime = () => z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time with a zone" });
const text = () => z.string();
const textList = () => z.array(z.string());

/** CTIM `Observable`: {type, value}. Values are strings in CTIM; a number is accepted and kept exact. */
export const observableSchema = z.looseObject({
  type: z.string().min(1),
  value: z.union([z.string(), z.number()]),
});
export type CtimObservable = z.infer<typeof observableSchema>;

/** CTIM `ObservedTime`. */
export const observedTimeSchema = z.looseObject({
  start_time: isoTime(),
  end_time: isoTime().optional(),
});

/** CTIM `IdentitySpecification` (a sighting target). `observed_time` is required by CTIM, not by the mapping. */
export const targetSchema = z.looseObject({
  type: z.string(),
  observables: z.array(observableSchema),
  observed_time: observedTimeSchema.optional(),
  os: text().optional(),
});
export type CtimTarget = z.infer<typeof targetSchema>;

/** CTIM `ExternalReference`; MITRE ATT&CK links arrive here. */
export const externalReferenceSchema = z.looseObject({
  source_name: z.string(),
  external_id: text().optional(),
  url: text().optional(),
  description: text().optional(),
});
export type CtimExternalReference = z.infer<typeof externalReferenceSchema>;

// Enumerated CTIM fields (severity, confidence, status, tlp) are read as strings: a value outside
// the published enum still maps (to Unknown/Other) and is kept verbatim in unmapped.ctim.
const entityCommon = {
  // Optional: relay modules send sightings without one, and bundles use transient ids (identity.ts).
  id: z.string().min(1).optional(),
  external_ids: z.array(z.string()).optional(),
  title: text().optional(),
  description: text().optional(),
  short_description: text().optional(),
  severity: text().optional(),
  confidence: text().optional(),
  tlp: text().optional(),
  source: text().optional(),
  source_uri: text().optional(),
  timestamp: isoTime().optional(),
  external_references: z.array(externalReferenceSchema).optional(),
};

/** CTIA `Sighting`. CTIM requires `observed_time`; the mapping also accepts `timestamp` alone. */
export const sightingSchema = z
  .looseObject({
    ...entityCommon,
    type: z.literal("sighting").optional(),
    observed_time: observedTimeSchema.optional(),
    observables: z.array(observableSchema).optional(),
    targets: z.array(targetSchema).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.observed_time === undefined && s.timestamp === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["observed_time", "start_time"],
        message: "is required (or timestamp): a sighting needs a time",
      });
    }
  });
export type CtimSighting = z.infer<typeof sightingSchema>;

/** CTIA/IROH `IncidentTime`. */
export const incidentTimeSchema = z.looseObject({
  opened: isoTime().optional(),
  discovered: isoTime().optional(),
  reported: isoTime().optional(),
  remediated: isoTime().optional(),
  closed: isoTime().optional(),
  rejected: isoTime().optional(),
  contained: isoTime().optional(),
});

/** IROH/CTIA `Incident`. `id` may be left out inside an IROH event, which names it in `incident_id`. */
export const incidentSchema = z
  .looseObject({
    ...entityCommon,
    id: z.string().min(1).optional(),
    type: z.literal("incident").optional(),
    short_id: text().optional(),
    status: text().optional(),
    incident_time: incidentTimeSchema.optional(),
    created: isoTime().optional(),
    modified: isoTime().optional(),
    tactics: textList().optional(),
    techniques: textList().optional(),
    detection_sources: textList().optional(),
    categories: textList().optional(),
  })
  .superRefine((i, ctx) => {
    if (i.incident_time?.opened === undefined && i.created === undefined && i.timestamp === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["incident_time", "opened"],
        message: "is required (or created, or timestamp): an incident needs a time",
      });
    }
  });
export type CtimIncident = z.infer<typeof incidentSchema>;

/** CTIA `Relationship`; `member-of` from a sighting to an incident expresses incident membership. */
export const relationshipSchema = z.looseObject({
  id: z.string().min(1).optional(),
  external_ids: z.array(z.string()).optional(),
  type: z.literal("relationship").optional(),
  relationship_type: z.string(),
  source_ref: z.string(),
  target_ref: z.string(),
  source: text().optional(),
  timestamp: isoTime().optional(),
});
export type CtimRelationship = z.infer<typeof relationshipSchema>;

/** IROH `EventEmiter` (sic: Cisco's spelling). */
const emiterSchema = z.looseObject({
  user_id: text().optional(),
  org_id: text().optional(),
  client_id: text().optional(),
});

/** IROH `Event`, the envelope of iroh-events webhook deliveries; `data` is read per event_type. */
export const irohEventSchema = z.looseObject({
  id: z.string().min(1),
  created_at: isoTime().optional(),
  issuer: text().optional(),
  emiter: emiterSchema.optional(),
  data: z.looseObject({ event_type: z.string() }),
});
export type IrohEvent = z.infer<typeof irohEventSchema>;

/** IROH `PrivateIntelIncidentData` (created/updated/deleted). */
export const incidentEventDataSchema = z.looseObject({
  event_type: z.string(),
  incident_id: z.string().min(1),
  incident: z.looseObject({}).optional(),
});

/** IROH `IncidentStatusChangeEventData`; `incident` is not in Cisco's definition but is read when present. */
export const statusChangeEventDataSchema = z.looseObject({
  event_type: z.string(),
  incident_id: z.string().min(1),
  status_from: text().optional(),
  status_to: z.string(),
  external_ids: textList().nullish(),
  incident: z.looseObject({}).optional(),
});

/** CTIA `PartialEvent`, the envelope of ctia-events webhook deliveries. */
export const ctiaEventSchema = z.looseObject({
  type: z.literal("event").optional(),
  id: text().optional(),
  owner: text().optional(),
  timestamp: isoTime().optional(),
  tlp: text().optional(),
  event_type: z.string(),
  entity: z.looseObject({ type: z.string() }),
});
export type CtiaEvent = z.infer<typeof ctiaEventSchema>;

/** A CTIM bundle item as the parser leaves it: one sighting with its relationships, or one incident. */
/** CTIM `Judgement` and `Verdict`: what a source says about one observable, for a while. */
export const judgementSchema = z.looseObject({
  id: z.string().min(1).optional(),
  external_ids: z.array(z.string()).optional(),
  type: z.enum(["judgement", "verdict"]).optional(),
  observable: observableSchema,
  disposition: z.int().min(1).max(5),
  disposition_name: text().optional(),
  priority: z.int().min(0).max(100).optional(),
  severity: text().optional(),
  confidence: text().optional(),
  reason: text().optional(),
  reason_uri: text().optional(),
  source: text().optional(),
  valid_time: z.looseObject({ start_time: isoTime().optional(), end_time: isoTime().optional() }).optional(),
  timestamp: isoTime().optional(),
});
export type CtimJudgement = z.infer<typeof judgementSchema>;

/** CTIM `Indicator`: CTIM requires `producer` and `valid_time`; only `producer` is needed to keep one. */
export const indicatorSchema = z.looseObject({
  id: z.string().min(1).optional(),
  external_ids: z.array(z.string()).optional(),
  type: z.literal("indicator").optional(),
  title: text().optional(),
  short_description: text().optional(),
  producer: text(),
  source: text().optional(),
  indicator_type: textList().optional(),
  kill_chain_phases: z.array(z.looseObject({ kill_chain_name: text(), phase_name: text() })).optional(),
  confidence: text().optional(),
  severity: text().optional(),
  valid_time: z.looseObject({ start_time: isoTime().optional(), end_time: isoTime().optional() }).optional(),
  timestamp: isoTime().optional(),
});
export type CtimIndicator = z.infer<typeof indicatorSchema>;

export const bundleSchema = z.looseObject({
  type: z.literal("bundle"),
  sightings: z.array(z.unknown()).optional(),
  incidents: z.array(z.unknown()).optional(),
  relationships: z.array(z.unknown()).optional(),
  judgements: z.array(z.unknown()).optional(),
  verdicts: z.array(z.unknown()).optional(),
  indicators: z.array(z.unknown()).optional(),
});

// --- Ids ----------------------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TYPED_UUID =
  /^([a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*)-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * One form for the three ways CTIM names an entity: a GUID (`<uuid>`), a short id (`incident-<uuid>`)
 * and a long id, the CTIA URL (`https://private.intel.amp.cisco.com:443/ctia/incident/incident-<uuid>`).
 * All become `<type>-<uuid>` with the uuid in lower case. `type` is needed for a bare GUID and, when
 * given, must agree with the id; null means the text is not an id of that entity type.
 */
export function normaliseCtimId(id: string, type?: string): string | null {
  let candidate = id.trim();
  let urlType: string | undefined;
  if (/^https?:\/\//i.test(candidate)) {
    let segments: string[];
    try {
      segments = new URL(candidate).pathname.split("/").filter((s) => s !== "");
    } catch {
      return null;
    }
    const last = segments.at(-1);
    if (last === undefined || segments.length < 2) return null;
    candidate = decodeURIComponent(last);
    urlType = segments.at(-2);
  }
  const wanted = type ?? urlType;
  if (UUID.test(candidate)) {
    // A bare GUID says nothing about its type; a URL ending in one still names it in its path.
    return wanted === undefined ? null : `${wanted}-${candidate.toLowerCase()}`;
  }
  if (wanted !== undefined) {
    if (!candidate.startsWith(`${wanted}-`) || candidate.length === wanted.length + 1) return null;
    if (urlType !== undefined && urlType !== wanted) return null;
    const rest = candidate.slice(wanted.length + 1);
    // CTIA mints uuids, but ids it imported keep their own text, so only a uuid is case-folded.
    return /^[A-Za-z0-9._:-]+$/.test(rest)
      ? `${wanted}-${UUID.test(rest) ? rest.toLowerCase() : rest}`
      : null;
  }
  const typed = TYPED_UUID.exec(candidate);
  if (!typed?.[1] || !typed[2]) return null;
  return `${typed[1]}-${typed[2].toLowerCase()}`;
}
