// Who an XDR entity is when it carries no CTIA id: bundles meant for /ctia/bundle/import name
// their entities `transient:<anything>` (CTIA mints real ids on import) and relay modules send
// sightings with no id at all. Such an entity is known by its external_ids, as CTIA's own import
// de-duplicates on them, or else by a hash of what it says, scoped to the connector; never by the
// transient id, which a sender may mint afresh on every delivery (decision 032).
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import canonicalize from "canonicalize";
import { normaliseCtimId } from "./ctim.ts";

export type IdentityBasis = "ctia_id" | "external_ids" | "content";

export interface EntityIdentity {
  /** The normalised id Phoenix knows the entity by, e.g. `sighting-…` or `incident-…`. */
  id: string;
  basis: IdentityBasis;
  /** The bundle-local id it arrived with, when it had one. */
  transientId?: string;
}

type Json = Record<string, unknown>;

export function isTransientId(id: unknown): id is string {
  return typeof id === "string" && /^transient:./i.test(id.trim());
}

// What an entity says about itself that does not change when its source updates it: not its id,
// timestamps of the record, severity, status, confidence or description.
const CONTENT_FIELDS: Readonly<Record<IdentifiedType, readonly string[]>> = {
  sighting: ["title", "source", "source_uri", "observed_time", "observables", "targets", "sensor"],
  incident: ["title", "source", "source_uri", "incident_time", "created"],
  judgement: ["observable", "source", "disposition", "valid_time", "reason"],
  verdict: ["observable", "disposition", "valid_time", "judgement_id"],
  indicator: ["title", "producer", "source", "indicator_type", "valid_time", "specification"],
  // Its ends as resolved identities (never transient ids), so a re-sent bundle finds the same link.
  relationship: ["relationship_type", "source_ref", "target_ref", "source"],
};

export type IdentifiedType = "sighting" | "incident" | "judgement" | "verdict" | "indicator" | "relationship";

/**
 * The entity's identity, or null when it names an id that is neither a CTIA id nor a transient
 * one (that is a mapping failure the caller reports).
 */
export function entityIdentity(
  entity: Json,
  type: IdentifiedType,
  connectorId: string,
): EntityIdentity | null {
  const given = entity.id;
  if (typeof given === "string" && !isTransientId(given)) {
    const id = normaliseCtimId(given, type);
    return id === null ? null : { id, basis: "ctia_id" };
  }
  const transient = isTransientId(given) ? { transientId: given.trim() } : {};
  const external = externalIds(entity);
  if (external.length > 0) {
    return { id: `${type}-x-${digest(external.join("\n"))}`, basis: "external_ids", ...transient };
  }
  const content: Json = {};
  // A transient reference (a verdict's judgement_id, say) is as unstable as a transient id.
  for (const field of CONTENT_FIELDS[type]) {
    if (entity[field] !== undefined && !isTransientId(entity[field])) content[field] = entity[field];
  }
  return {
    id: `${type}-c-${digest(`${connectorId}\n${canonicalize(sorted(content)) ?? ""}`)}`,
    basis: "content",
    ...transient,
  };
}

function externalIds(entity: Json): string[] {
  const ids = Array.isArray(entity.external_ids) ? entity.external_ids : [];
  return [...new Set(ids.filter((x): x is string => typeof x === "string" && x.trim() !== ""))]
    .map((x) => x.trim())
    .sort();
}

/** Arrays in a canonical order too, so a sender listing observables differently is the same entity. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sorted).sort((a, b) => {
      const [x, y] = [canonicalize(a) ?? "", canonicalize(b) ?? ""];
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sorted(v)]));
  }
  return value;
}

function digest(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text))).slice(0, 32);
}
