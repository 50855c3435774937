// CTIM sightings and incidents as OCSF 1.8 Detection Findings (class 2004). The tables here are the
// mapping; index.ts decides which entity an item carries and validates what these functions build.
import {
  ACTIVITY_CAPTIONS,
  captionOf,
  DETECTION_FINDING_CLASS_UID,
  DETECTION_STATUS_CAPTIONS,
  FINDINGS_CATEGORY_UID,
  OBSERVABLE_TYPE_CAPTIONS,
  SEVERITY_CAPTIONS,
} from "../../../ocsf/detection-finding.ts";
import { OCSF_RENDER_VERSION } from "../../../ocsf/render.ts";
import type {
  CtimExternalReference,
  CtimIncident,
  CtimObservable,
  CtimSighting,
  CtimTarget,
} from "./ctim.ts";

export const XDR_PRODUCT = { name: "Cisco XDR", vendor_name: "Cisco" } as const;

type Json = Record<string, unknown>;

/** Where an entity came from: the envelope around it (kept in unmapped.xdr) and what it says. */
export interface EntitySource {
  raw: string;
  /** 1 Create, 2 Update, 3 Close; an incident whose status is closed is always 3. */
  activityId: 1 | 2 | 3;
  /** The delivery envelope minus the entity itself, verbatim. */
  envelope?: Json;
  eventId?: string;
  orgId?: string;
  /** The TLP of the envelope, for entities that carry none of their own. */
  envelopeTlp?: string;
  /** When the event says the entity changed, for a version that carries no time of its own. */
  eventTime?: string;
}

// --- Enumerations -------------------------------------------------------------------------------

// CTIM severity → OCSF severity_id. CTIM "None" means no impact, which OCSF calls Informational.
const SEVERITY_IDS: Readonly<Record<string, number>> = {
  unknown: 0,
  none: 1,
  info: 1,
  low: 2,
  medium: 3,
  high: 4,
  critical: 5,
};

const CONFIDENCE_CAPTIONS: Readonly<Record<number, string>> = {
  0: "Unknown",
  1: "Low",
  2: "Medium",
  3: "High",
  99: "Other",
};

// CTIM confidence → OCSF confidence_id. "Info" and "None" sit below OCSF's Low, so they are Other
// with the CTIM word as the caption.
const CONFIDENCE_IDS: Readonly<Record<string, number>> = {
  unknown: 0,
  low: 1,
  medium: 2,
  high: 3,
  info: 99,
  none: 99,
};

// CTIM incident status, by the part before ":" ("Closed: False Positive" → "Closed"), → OCSF status_id.
// Hold has no OCSF equivalent (Suppressed means muted), so it is Other with the CTIM text.
const STATUS_IDS: Readonly<Record<string, number>> = {
  new: 1,
  open: 2,
  stalled: 2,
  "containment achieved": 2,
  "restoration achieved": 2,
  "incident reported": 2,
  hold: 99,
  closed: 4,
  rejected: 4,
};

function statusBase(status: string): string {
  return (status.split(":")[0] ?? "").trim().toLowerCase();
}

function isClosedStatus(status: string): boolean {
  return STATUS_IDS[statusBase(status)] === 4;
}

// CTIM observable type → OCSF observable type_id. Types not listed are 99 (Other).
const OBSERVABLE_TYPE_IDS: Readonly<Record<string, number>> = {
  hostname: 1,
  domain: 1,
  ip: 2,
  ipv6: 2,
  mac_address: 3,
  user: 4,
  process_username: 4,
  email: 5,
  url: 6,
  file_name: 7,
  md5: 8,
  sha1: 8,
  sha256: 8,
  process_hash: 8,
  process_name: 9,
  process_args: 13,
  user_agent: 16,
  serial_number: 37,
  email_subject: 40,
  file_path: 45,
  process_path: 45,
};

// CTIM observable types that are some product's identifier for a device (EDR agents, MDM, Cisco
// telemetry): they become device.uid and observables of type 47 (Device uid).
const DEVICE_ID_TYPES = new Set([
  "amp_computer_guid",
  "ms_machine_id",
  "crowdstrike_id",
  "cybereason_id",
  "s1_agent_id",
  "trend_micro_id",
  "cortex_agent_id",
  "orbital_node_id",
  "intune_id",
  "jamf_management_id",
  "swc_device_id",
  "darktrace_id",
  "google_chromebook_id",
  "device",
]);

export function observableTypeIdOf(ctimType: string): number {
  if (DEVICE_ID_TYPES.has(ctimType)) return 47;
  return OBSERVABLE_TYPE_IDS[ctimType] ?? 99;
}

// OpenC2 actuator names (CTIM target/sensor types) → OCSF device type_id.
const DEVICE_TYPE_IDS: Readonly<Record<string, number>> = {
  "endpoint.server": 1,
  "endpoint.workstation": 2,
  "endpoint.desktop": 2,
  "endpoint.laptop": 3,
  "endpoint.tablet": 4,
  "endpoint.mobile": 5,
  "endpoint.smartphone": 5,
  "endpoint.vm": 6,
  "endpoint.iot": 7,
  "network.firewall": 9,
  "network.switch": 10,
  "network.router": 12,
  "network.ids": 13,
  "network.ips": 14,
  "network.load_balancer": 15,
};

const DEVICE_TYPE_CAPTIONS: Readonly<Record<number, string>> = {
  0: "Unknown",
  1: "Server",
  2: "Desktop",
  3: "Laptop",
  4: "Tablet",
  5: "Mobile",
  6: "Virtual",
  7: "IOT",
  9: "Firewall",
  10: "Switch",
  12: "Router",
  13: "IDS",
  14: "IPS",
  15: "Load Balancer",
};

// OS family from the free-text CTIM `os`; checked in order, so "Windows Mobile" is not plain Windows.
const OS_FAMILIES: ReadonlyArray<readonly [RegExp, number, string]> = [
  [/windows\s*mobile/i, 101, "Windows Mobile"],
  [/windows/i, 100, "Windows"],
  [/android/i, 201, "Android"],
  [/ipados/i, 302, "iPadOS"],
  [/\bios\b|iphone/i, 301, "iOS"],
  [/mac\s*os|os\s*x|darwin/i, 300, "macOS"],
  [/linux|ubuntu|debian|centos|red\s*hat|rhel|fedora|suse|alpine/i, 200, "Linux"],
];

// MITRE ATT&CK Enterprise tactics: a closed list of 14 that ATT&CK has kept stable since v7.
const ATTACK_TACTIC_NAMES: Readonly<Record<string, string>> = {
  TA0001: "Initial Access",
  TA0002: "Execution",
  TA0003: "Persistence",
  TA0004: "Privilege Escalation",
  TA0005: "Defense Evasion",
  TA0006: "Credential Access",
  TA0007: "Discovery",
  TA0008: "Lateral Movement",
  TA0009: "Collection",
  TA0010: "Exfiltration",
  TA0011: "Command and Control",
  TA0040: "Impact",
  TA0042: "Resource Development",
  TA0043: "Reconnaissance",
};

// --- Small readers ------------------------------------------------------------------------------

/** The OCSF severity_id of a CTIM severity word, when it is one CTIM defines. */
export function ctimSeverityId(ctim: string): number | undefined {
  return lookup(SEVERITY_IDS, ctim);
}

function lookup(table: Readonly<Record<string, number>>, value: string): number | undefined {
  const key = value.trim().toLowerCase();
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function epochMs(iso: string): number {
  return Date.parse(iso);
}

/** Only keys whose value is defined: OCSF optional attributes are absent, never null. */
function compact(record: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = value;
  return out;
}

function without(record: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(record)) if (!keys.includes(key)) out[key] = value;
  return out;
}

function nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const MAC = /^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$/;
// The OCSF 1.8 email_t pattern, so a value that lands in user.email_addr always validates.
const EMAIL = /^[a-zA-Z0-9!#$%&'*+-/=?^_`{|}~.]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$/;

// OCSF ip_t is a pattern; device.ip only takes values that pass it (all of them stay observables).
function isIpAddress(value: string): boolean {
  if (IPV4.test(value)) return true;
  if (!value.includes(":")) return false;
  try {
    return new URL(`http://[${value}]/`).hostname !== "";
  } catch {
    return false;
  }
}

function observableValue(observable: CtimObservable): string {
  return typeof observable.value === "string" ? observable.value : String(observable.value);
}

// --- Shared pieces ------------------------------------------------------------------------------

function severityOf(ctim: string | undefined): { severity_id: number; severity: string } {
  const id = ctim === undefined ? 0 : (lookup(SEVERITY_IDS, ctim) ?? 0);
  return { severity_id: id, severity: captionOf(SEVERITY_CAPTIONS, id) ?? "Unknown" };
}

function confidenceOf(ctim: string | undefined): Json {
  if (ctim === undefined) return {};
  const id = lookup(CONFIDENCE_IDS, ctim) ?? 99;
  return { confidence_id: id, confidence: id === 99 ? ctim : CONFIDENCE_CAPTIONS[id] };
}

function statusOf(ctim: string): Json {
  const id = STATUS_IDS[statusBase(ctim)] ?? 99;
  return {
    status_id: id,
    status: id === 99 ? ctim : captionOf(DETECTION_STATUS_CAPTIONS, id),
    status_detail: ctim,
  };
}

function activityOf(activityId: number): Json {
  const caption = captionOf(ACTIVITY_CAPTIONS, activityId) ?? "Other";
  return {
    class_uid: DETECTION_FINDING_CLASS_UID,
    class_name: "Detection Finding",
    category_uid: FINDINGS_CATEGORY_UID,
    category_name: "Findings",
    activity_id: activityId,
    activity_name: caption,
    type_uid: DETECTION_FINDING_CLASS_UID * 100 + activityId,
    type_name: `Detection Finding: ${caption}`,
  };
}

function labelsOf(tlp: string | undefined, status: string | undefined): string[] | undefined {
  const labels: string[] = [];
  if (tlp !== undefined) labels.push(`tlp:${tlp.toLowerCase()}`);
  if (status !== undefined) labels.push(`ctim-status:${status}`);
  return nonEmpty(labels);
}

function metadataOf(
  uid: string,
  source: EntitySource,
  labels: string[] | undefined,
  correlationUid?: string,
) {
  return compact({
    version: OCSF_RENDER_VERSION,
    product: { ...XDR_PRODUCT },
    uid,
    correlation_uid: correlationUid,
    original_event_uid: source.eventId,
    tenant_uid: source.orgId,
    labels,
  });
}

function unmappedOf(
  entity: Json,
  mappedKeys: readonly string[],
  source: EntitySource,
  leniency: string[] = [],
): Json {
  return compact({ ctim: without(entity, mappedKeys), xdr: source.envelope, leniency: nonEmpty(leniency) });
}

// CTIM `ObservedRelation` requires all four; real examples leave some out. The relation is kept
// as sent (in unmapped.ctim) and what was missing is said, rather than the sighting refused.
const OBSERVED_RELATION_FIELDS = ["origin", "relation", "source", "related"] as const;

function relationsLeniency(sighting: CtimSighting): string[] {
  const relations = (sighting as Json).relations;
  if (!Array.isArray(relations)) return [];
  return relations.flatMap((relation, i) => {
    if (typeof relation !== "object" || relation === null) return [`relations[${i}] is not an object`];
    const missing = OBSERVED_RELATION_FIELDS.filter((f) => (relation as Json)[f] === undefined);
    return missing.length > 0
      ? [`relations[${i}] has no ${missing.join(", ")} (CTIM requires it); kept as sent`]
      : [];
  });
}

// --- MITRE ATT&CK -------------------------------------------------------------------------------

const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/;
const TACTIC_ID = /^TA\d{4}$/;

interface AttackRef {
  id: string;
  name?: string;
  url?: string;
}

function isMitreUrl(url: string | undefined): boolean {
  if (url === undefined) return false;
  try {
    return /(^|\.)attack\.mitre\.org$/i.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

// attack.mitre.org/techniques/T1059/001 is sub-technique T1059.001; /tactics/TA0002 is a tactic.
function idFromMitreUrl(url: string): string | undefined {
  const segments = new URL(url).pathname.split("/").filter((s) => s !== "");
  const at = segments.findIndex((s) => s === "techniques" || s === "tactics");
  const id = segments[at + 1]?.toUpperCase();
  if (at < 0 || id === undefined) return undefined;
  const sub = segments[at + 2];
  return sub !== undefined && /^\d{3}$/.test(sub) ? `${id}.${sub}` : id;
}

// A reference's description is a technique name only when it reads like one: a single short line.
function nameFrom(description: string | undefined): string | undefined {
  const trimmed = description?.trim();
  return trimmed && trimmed.length <= 80 && !trimmed.includes("\n") ? trimmed : undefined;
}

function mitreRefOf(ref: CtimExternalReference): AttackRef | undefined {
  const mitreUrl = isMitreUrl(ref.url);
  if (!/mitre|att&ck/i.test(ref.source_name) && !mitreUrl) return undefined;
  const fromId = ref.external_id?.trim().toUpperCase();
  const id =
    fromId !== undefined && (TECHNIQUE_ID.test(fromId) || TACTIC_ID.test(fromId))
      ? fromId
      : mitreUrl && ref.url !== undefined
        ? idFromMitreUrl(ref.url)
        : undefined;
  if (id === undefined || !(TECHNIQUE_ID.test(id) || TACTIC_ID.test(id))) return undefined;
  const out: AttackRef = { id };
  const name = nameFrom(ref.description);
  if (name !== undefined) out.name = name;
  if (mitreUrl && ref.url !== undefined) out.url = ref.url;
  return out;
}

function tacticOf(ref: AttackRef): Json {
  return compact({ uid: ref.id, name: ATTACK_TACTIC_NAMES[ref.id] ?? ref.name, src_url: ref.url });
}

/**
 * OCSF `attacks` from ATT&CK ids. CTIM does not pair techniques with tactics, so a lone tactic is
 * attached to every technique; with several, each tactic gets its own entry rather than a guess.
 */
function attacksOf(refs: AttackRef[]): Json[] | undefined {
  const byId = new Map<string, AttackRef>();
  for (const ref of refs) if (!byId.has(ref.id)) byId.set(ref.id, ref);
  const techniques = [...byId.values()].filter((r) => TECHNIQUE_ID.test(r.id));
  const tactics = [...byId.values()].filter((r) => TACTIC_ID.test(r.id));
  const sharedTactic = tactics.length === 1 && tactics[0] !== undefined ? tacticOf(tactics[0]) : undefined;

  const attacks: Json[] = techniques.map((t) => {
    const [base] = t.id.split(".");
    const technique =
      base !== undefined && base !== t.id
        ? { technique: { uid: base }, sub_technique: compact({ uid: t.id, name: t.name, src_url: t.url }) }
        : { technique: compact({ uid: t.id, name: t.name, src_url: t.url }) };
    return compact({ ...technique, tactic: sharedTactic });
  });
  if (sharedTactic === undefined || techniques.length === 0) {
    for (const tactic of tactics) attacks.push({ tactic: tacticOf(tactic) });
  }
  return nonEmpty(attacks);
}

function mitreRefsOf(refs: CtimExternalReference[] | undefined): AttackRef[] {
  return (refs ?? []).flatMap((ref) => mitreRefOf(ref) ?? []);
}

// --- Observables, device, user ------------------------------------------------------------------

// `name` keeps the CTIM type for every observable: OCSF's Hash (8) alone would lose md5 vs sha256.
function ocsfObservable(observable: CtimObservable): Json {
  const typeId = observableTypeIdOf(observable.type);
  return {
    type_id: typeId,
    type: typeId === 99 ? observable.type : captionOf(OBSERVABLE_TYPE_CAPTIONS, typeId),
    name: observable.type,
    value: observableValue(observable),
  };
}

function observablesOf(sighting: CtimSighting): Json[] | undefined {
  const seen = new Set<string>();
  const out: Json[] = [];
  const all = [...(sighting.observables ?? []), ...(sighting.targets ?? []).flatMap((t) => t.observables)];
  for (const observable of all) {
    const mapped = ocsfObservable(observable);
    const key = JSON.stringify([mapped.type_id, mapped.name, mapped.value]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(mapped);
  }
  return nonEmpty(out);
}

const DEVICE_OBSERVABLE_TYPES = new Set(["hostname", "ip", "ipv6", "mac_address", ...DEVICE_ID_TYPES]);

function isEndpoint(target: CtimTarget): boolean {
  return target.type === "endpoint" || target.type.startsWith("endpoint.");
}

function firstValue(target: CtimTarget, accept: (o: CtimObservable, value: string) => boolean) {
  for (const o of target.observables) {
    const value = observableValue(o).trim();
    if (accept(o, value)) return value;
  }
  return undefined;
}

function osOf(os: string | undefined): Json | undefined {
  const name = os?.trim();
  if (!name) return undefined;
  const family = OS_FAMILIES.find(([pattern]) => pattern.test(name));
  return family ? { name, type_id: family[1], type: family[2] } : { name, type_id: 99, type: "Other" };
}

/** OCSF `device` from the first endpoint target (else the first target naming a device). */
function deviceOf(targets: CtimTarget[] | undefined): Json | undefined {
  const list = targets ?? [];
  const target =
    list.find(isEndpoint) ?? list.find((t) => t.observables.some((o) => DEVICE_OBSERVABLE_TYPES.has(o.type)));
  if (target === undefined) return undefined;
  const hostname = firstValue(target, (o, v) => o.type === "hostname" && v !== "");
  const device = compact({
    hostname,
    name: hostname,
    ip: firstValue(target, (o, v) => (o.type === "ip" || o.type === "ipv6") && isIpAddress(v)),
    mac: firstValue(target, (o, v) => o.type === "mac_address" && MAC.test(v)),
    uid: firstValue(target, (o, v) => DEVICE_ID_TYPES.has(o.type) && v !== ""),
    os: osOf(target.os),
  });
  if (Object.keys(device).length === 0) return undefined;
  const typeId = DEVICE_TYPE_IDS[target.type.toLowerCase()] ?? 0;
  return { ...device, type_id: typeId, type: DEVICE_TYPE_CAPTIONS[typeId] };
}

/** OCSF `actor.user` from the first user (and e-mail) observables among the targets. */
function ocsfActorFromTargets(targets: CtimTarget[] | undefined): Json | undefined {
  let name: string | undefined;
  let email: string | undefined;
  for (const target of targets ?? []) {
    name ??= firstValue(target, (o, v) => o.type === "user" && v !== "");
    email ??= firstValue(target, (o, v) => o.type === "email" && EMAIL.test(v));
  }
  if (name === undefined && email === undefined) return undefined;
  return { user: compact({ name, email_addr: email }) };
}

// --- Entities -----------------------------------------------------------------------------------

/** A CTIM sighting as a Detection Finding. `incidentId` is the incident it is a member of, if known. */
export function sightingFinding(
  sighting: CtimSighting,
  sightingId: string,
  incidentId: string | undefined,
  source: EntitySource,
): Json {
  const start = sighting.observed_time?.start_time ?? sighting.timestamp ?? "";
  const end = sighting.observed_time?.end_time;
  const tlp = sighting.tlp ?? source.envelopeTlp;
  return compact({
    ...activityOf(source.activityId),
    ...severityOf(sighting.severity),
    ...confidenceOf(sighting.confidence),
    time: epochMs(start),
    start_time: sighting.observed_time ? epochMs(sighting.observed_time.start_time) : undefined,
    end_time: end !== undefined ? epochMs(end) : undefined,
    finding_info: compact({
      uid: sightingId,
      title: sighting.title ?? sighting.short_description,
      desc: sighting.description,
      attacks: attacksOf(mitreRefsOf(sighting.external_references)),
      first_seen_time: epochMs(start),
      last_seen_time: end !== undefined ? epochMs(end) : undefined,
      modified_time: sighting.timestamp !== undefined ? epochMs(sighting.timestamp) : undefined,
      data_sources: sighting.source !== undefined ? [sighting.source] : undefined,
      src_url: sighting.source_uri,
    }),
    metadata: metadataOf(sightingId, source, labelsOf(tlp, undefined), incidentId),
    observables: observablesOf(sighting),
    device: deviceOf(sighting.targets),
    actor: ocsfActorFromTargets(sighting.targets),
    raw_data: source.raw,
    unmapped: unmappedOf(
      sighting,
      ["title", "description", "observables"],
      source,
      relationsLeniency(sighting),
    ),
  });
}

/** A CTIM incident as a Detection Finding: in XDR the incident is the detection an analyst works. */
export function incidentFinding(incident: CtimIncident, incidentId: string, source: EntitySource): Json {
  const times = incident.incident_time;
  const opened = times?.opened ?? incident.created ?? incident.timestamp ?? "";
  const modified = incident.modified ?? incident.timestamp;
  const created = incident.created ?? times?.opened;
  const tlp = incident.tlp ?? source.envelopeTlp;
  const attackRefs = [
    ...(incident.techniques ?? []).map((id) => ({ id: id.trim().toUpperCase() })),
    ...(incident.tactics ?? []).map((id) => ({ id: id.trim().toUpperCase() })),
    ...mitreRefsOf(incident.external_references),
  ].filter((r) => TECHNIQUE_ID.test(r.id) || TACTIC_ID.test(r.id));
  const activityId = incident.status !== undefined && isClosedStatus(incident.status) ? 3 : source.activityId;
  return compact({
    ...activityOf(activityId),
    ...severityOf(incident.severity),
    ...confidenceOf(incident.confidence),
    ...(incident.status !== undefined ? statusOf(incident.status) : {}),
    time: epochMs(opened),
    finding_info: compact({
      uid: incidentId,
      uid_alt: incident.short_id,
      title:
        incident.title ??
        incident.short_description ??
        `Cisco XDR incident ${incident.short_id ?? incidentId}`,
      desc: incident.description,
      attacks: attacksOf(attackRefs),
      created_time: created !== undefined ? epochMs(created) : undefined,
      modified_time: modified !== undefined ? epochMs(modified) : undefined,
      first_seen_time: times?.discovered !== undefined ? epochMs(times.discovered) : undefined,
      data_sources: incident.detection_sources && nonEmpty(incident.detection_sources),
      types: incident.categories && nonEmpty(incident.categories),
      src_url: incident.source_uri,
    }),
    metadata: metadataOf(incidentId, source, labelsOf(tlp, incident.status), incidentId),
    raw_data: source.raw,
    unmapped: unmappedOf(incident, ["title", "description"], source),
  });
}
