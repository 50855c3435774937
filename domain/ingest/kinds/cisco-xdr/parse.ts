// Splits an XDR delivery into items. Framing (one object, a JSON array, NDJSON) is shared with the
// other JSON kinds; on top of it each item is re-read keeping integers beyond 2^53 exact, and a CTIM
// bundle becomes one item per sighting and per incident.
import { frameJsonItems } from "../../framing.ts";
import { MAX_ITEMS_PER_DELIVERY, type ParseResult, type RawItem } from "../../kind.ts";
import { normaliseCtimId } from "./ctim.ts";
import { isTransientId } from "./identity.ts";
import {
  arrayElementSpans,
  objectMemberSpans,
  parseJsonLossless,
  type Span,
  valueSpan,
} from "./json-text.ts";

type Json = Record<string, unknown>;

/** A split bundle's key for the incidents a sighting names by transient id: context, not findings. */
export const BUNDLE_CONTEXT_KEY = "phoenix_referenced_incidents";

/** How a relationship end is matched within one bundle: a CTIA id normalised, a transient id as written. */
function refKey(ref: string, type: string): string | null {
  return isTransientId(ref) ? ref.trim() : normaliseCtimId(ref, type);
}

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function parseDelivery(body: string, contentType: string): ParseResult {
  const framed = frameJsonItems(body, contentType);
  if (!framed.ok) return framed;
  const items: RawItem[] = [];
  for (const framedItem of framed.items) {
    // A malformed NDJSON line has no value; map() quarantines it on its own.
    if (framedItem.value === undefined) {
      items.push(framedItem);
      continue;
    }
    // Framing read the item with JSON.parse, which rounds big integers; its raw text is exact.
    const value = parseJsonLossless(framedItem.raw);
    items.push(...expand(framedItem.raw, valueSpan(framedItem.raw), value));
    if (items.length > MAX_ITEMS_PER_DELIVERY) {
      return {
        ok: false,
        reason: `the delivery expands to more than ${MAX_ITEMS_PER_DELIVERY} items; at most ${MAX_ITEMS_PER_DELIVERY} are accepted per delivery`,
      };
    }
  }
  return { ok: true, items };
}

/**
 * One item, or for a CTIM bundle one item per sighting (with its member-of relationships), per
 * incident and per judgement or verdict.
 */
function expand(text: string, span: Span, value: unknown): RawItem[] {
  const raw = text.slice(span[0], span[1]);
  if (!isRecord(value) || value.type !== "bundle") return [{ raw, value }];
  const sightings = value.sightings ?? [];
  const incidents = value.incidents ?? [];
  const relationships = value.relationships ?? [];
  const judgements = value.judgements ?? [];
  const verdicts = value.verdicts ?? [];
  if (
    !Array.isArray(sightings) ||
    !Array.isArray(incidents) ||
    !Array.isArray(relationships) ||
    !Array.isArray(judgements) ||
    !Array.isArray(verdicts)
  ) {
    // A malformed bundle stays whole: map() names the field that is wrong.
    return [{ raw, value }];
  }
  if (sightings.length + incidents.length + judgements.length + verdicts.length <= 1) return [{ raw, value }];
  return splitBundle(text, span, { sightings, incidents, relationships, judgements, verdicts });
}

function splitBundle(
  text: string,
  span: Span,
  bundle: {
    sightings: unknown[];
    incidents: unknown[];
    relationships: unknown[];
    judgements: unknown[];
    verdicts: unknown[];
  },
): RawItem[] {
  const members = objectMemberSpans(text, span[0]);
  const spansOf = (key: string): Span[] => {
    const at = members.get(key);
    return at === undefined ? [] : arrayElementSpans(text, at[0]);
  };
  const sightingSpans = spansOf("sightings");
  const incidentSpans = spansOf("incidents");
  const relationshipSpans = spansOf("relationships");
  const slice = (s: Span | undefined) => (s === undefined ? "null" : text.slice(s[0], s[1]));

  // member-of relationships by the sighting they start from, so each sighting item carries its own;
  // a bundle for /ctia/bundle/import names both ends by transient ids, matched as written.
  const memberships = new Map<string, number[]>();
  for (const [i, rel] of bundle.relationships.entries()) {
    if (!isRecord(rel) || rel.relationship_type !== "member-of" || typeof rel.source_ref !== "string")
      continue;
    const from = refKey(rel.source_ref, "sighting");
    if (from === null) continue;
    memberships.set(from, [...(memberships.get(from) ?? []), i]);
  }
  // Incidents by their bundle-local id, for a sighting whose relationship names one that way.
  const incidentsByTransientId = new Map<string, number>();
  for (const [i, incident] of bundle.incidents.entries()) {
    if (isRecord(incident) && isTransientId(incident.id)) incidentsByTransientId.set(incident.id.trim(), i);
  }

  const items: RawItem[] = [];
  for (const [i, sighting] of bundle.sightings.entries()) {
    const id = isRecord(sighting) && typeof sighting.id === "string" ? refKey(sighting.id, "sighting") : null;
    const rels = (id === null ? undefined : memberships.get(id)) ?? [];
    const named = rels.flatMap((r) => {
      const target = (bundle.relationships[r] as Json).target_ref;
      const at = typeof target === "string" ? incidentsByTransientId.get(target.trim()) : undefined;
      return at === undefined ? [] : [at];
    });
    // The item is itself a CTIM bundle built from the delivery's own bytes, so replaying its raw text
    // through parse() gives back the same item; incidents it names ride along as context only.
    const relationshipsText = rels.map((r) => slice(relationshipSpans[r])).join(",");
    const contextText = named.map((n) => slice(incidentSpans[n])).join(",");
    items.push({
      raw:
        `{"type":"bundle","sightings":[${slice(sightingSpans[i])}],"relationships":[${relationshipsText}]` +
        (named.length > 0 ? `,"${BUNDLE_CONTEXT_KEY}":[${contextText}]}` : "}"),
      value: {
        type: "bundle",
        sightings: [sighting],
        relationships: rels.map((r) => bundle.relationships[r]),
        ...(named.length > 0 ? { [BUNDLE_CONTEXT_KEY]: named.map((n) => bundle.incidents[n]) } : {}),
      },
    });
  }
  // Incidents, judgements and verdicts stand alone: one item each.
  for (const key of ["incidents", "judgements", "verdicts"] as const) {
    const spans = spansOf(key);
    for (const [i, entity] of bundle[key].entries()) {
      items.push({
        raw: `{"type":"bundle","${key}":[${slice(spans[i])}]}`,
        value: { type: "bundle", [key]: [entity] },
      });
    }
  }
  return items;
}
