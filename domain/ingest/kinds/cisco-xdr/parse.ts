// Splits an XDR delivery into items. Framing (one object, a JSON array, NDJSON) is shared with the
// other JSON kinds; on top of it each item is re-read keeping integers beyond 2^53 exact, and a CTIM
// bundle becomes one item per entity (a sighting carries its member-of relationships) and per other relationship.
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

/**
 * A split bundle item's key for the entities its relationships name by transient id, by bundle
 * array ({"incidents": [...]}): context to resolve those ids, never findings or intelligence.
 */
export const BUNDLE_CONTEXT_KEY = "phoenix_referenced";

/** Bundle arrays whose entities are items of their own. */
const ENTITY_ARRAYS = ["sightings", "incidents", "judgements", "verdicts", "indicators"] as const;
type EntityArray = (typeof ENTITY_ARRAYS)[number];

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
 * incident, judgement, verdict and indicator, and per other relationship.
 */
function expand(text: string, span: Span, value: unknown): RawItem[] {
  const raw = text.slice(span[0], span[1]);
  if (!isRecord(value) || value.type !== "bundle") return [{ raw, value }];
  const arrays = Object.fromEntries(
    [...ENTITY_ARRAYS, "relationships"].map((key) => [key, value[key] ?? []]),
  ) as Record<EntityArray | "relationships", unknown>;
  // A malformed bundle stays whole: map() names the field that is wrong.
  if (!Object.values(arrays).every(Array.isArray)) return [{ raw, value }];
  const bundle = arrays as Bundle;
  const carried = carriedBySighting(bundle);
  const items =
    ENTITY_ARRAYS.reduce((n, key) => n + bundle[key].length, 0) +
    bundle.relationships.filter((_, i) => !carried.has(i)).length;
  if (items <= 1) return [{ raw, value }];
  return splitBundle(text, span, bundle, carried);
}

type Bundle = Record<EntityArray | "relationships", unknown[]>;

/** member-of relationships by the bundle sighting they start from: each sighting item carries its own. */
function membershipsOf(bundle: Bundle): Map<string, number[]> {
  const sightingKeys = new Set(
    bundle.sightings.flatMap((s) =>
      isRecord(s) && typeof s.id === "string" ? [refKey(s.id, "sighting")].filter((k) => k !== null) : [],
    ),
  );
  const memberships = new Map<string, number[]>();
  for (const [i, rel] of bundle.relationships.entries()) {
    if (!isRecord(rel) || rel.relationship_type !== "member-of" || typeof rel.source_ref !== "string")
      continue;
    const from = refKey(rel.source_ref, "sighting");
    if (from === null || !sightingKeys.has(from)) continue;
    memberships.set(from, [...(memberships.get(from) ?? []), i]);
  }
  return memberships;
}

function carriedBySighting(bundle: Bundle): Set<number> {
  return new Set([...membershipsOf(bundle).values()].flat());
}

function splitBundle(text: string, span: Span, bundle: Bundle, carried: Set<number>): RawItem[] {
  const members = objectMemberSpans(text, span[0]);
  const spansOf = (key: string): Span[] => {
    const at = members.get(key);
    return at === undefined ? [] : arrayElementSpans(text, at[0]);
  };
  const spans = Object.fromEntries(
    [...ENTITY_ARRAYS, "relationships"].map((key) => [key, spansOf(key)]),
  ) as Record<EntityArray | "relationships", Span[]>;
  const slice = (s: Span | undefined) => (s === undefined ? "null" : text.slice(s[0], s[1]));
  const memberships = membershipsOf(bundle);

  // Bundle entities by their bundle-local id, for relationships that name them that way.
  const byTransientId = new Map<string, { key: EntityArray; index: number }>();
  for (const key of ENTITY_ARRAYS) {
    for (const [index, entity] of bundle[key].entries()) {
      if (isRecord(entity) && isTransientId(entity.id)) byTransientId.set(entity.id.trim(), { key, index });
    }
  }
  // The context an item needs to resolve the transient ends of `relationships`, as text and value.
  const contextFor = (relationships: number[], skip?: { key: EntityArray; index: number }) => {
    const named = new Map<EntityArray, Set<number>>();
    for (const r of relationships) {
      const rel = bundle.relationships[r];
      if (!isRecord(rel)) continue;
      for (const end of [rel.source_ref, rel.target_ref]) {
        const found = typeof end === "string" ? byTransientId.get(end.trim()) : undefined;
        if (found === undefined || (found.key === skip?.key && found.index === skip.index)) continue;
        named.set(found.key, (named.get(found.key) ?? new Set()).add(found.index));
      }
    }
    if (named.size === 0) return { text: "", value: {} };
    const keys = [...named.keys()];
    return {
      text: `,"${BUNDLE_CONTEXT_KEY}":{${keys
        .map((k) => `"${k}":[${[...(named.get(k) ?? [])].map((i) => slice(spans[k][i])).join(",")}]`)
        .join(",")}}`,
      value: {
        [BUNDLE_CONTEXT_KEY]: Object.fromEntries(
          keys.map((k) => [k, [...(named.get(k) ?? [])].map((i) => bundle[k][i])]),
        ),
      },
    };
  };

  // Each item is itself a CTIM bundle built from the delivery's own bytes, so replaying its raw
  // text through parse() gives back the same item.
  const items: RawItem[] = [];
  for (const [i, sighting] of bundle.sightings.entries()) {
    const id = isRecord(sighting) && typeof sighting.id === "string" ? refKey(sighting.id, "sighting") : null;
    const rels = (id === null ? undefined : memberships.get(id)) ?? [];
    const context = contextFor(rels, { key: "sightings", index: i });
    items.push({
      raw: `{"type":"bundle","sightings":[${slice(spans.sightings[i])}],"relationships":[${rels.map((r) => slice(spans.relationships[r])).join(",")}]${context.text}}`,
      value: {
        type: "bundle",
        sightings: [sighting],
        relationships: rels.map((r) => bundle.relationships[r]),
        ...context.value,
      },
    });
  }
  for (const key of ["incidents", "judgements", "verdicts", "indicators"] as const) {
    for (const [i, entity] of bundle[key].entries()) {
      items.push({
        raw: `{"type":"bundle","${key}":[${slice(spans[key][i])}]}`,
        value: { type: "bundle", [key]: [entity] },
      });
    }
  }
  for (const [r, rel] of bundle.relationships.entries()) {
    if (carried.has(r)) continue;
    const context = contextFor([r]);
    items.push({
      raw: `{"type":"bundle","relationships":[${slice(spans.relationships[r])}]${context.text}}`,
      value: { type: "bundle", relationships: [rel], ...context.value },
    });
  }
  return items;
}
