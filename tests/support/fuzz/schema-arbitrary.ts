// JSON Schema → fast-check arbitrary: values a schema admits, kept plausible and small (short
// strings without edge whitespace, no undeclared properties), with the boundaries (min and max
// lengths, numbers at their bounds) drawn often enough to matter. Requests the document alone
// cannot describe are shaped by a hook (see tests/support/fuzz/request-rules.ts).
import fc from "fast-check";
import {
  type Components,
  type JsonSchema,
  type JsonType,
  type Path,
  refName,
  resolve,
  typesOf,
  withSiblings,
} from "./json-schema.ts";

/**
 * Called at every node before the generic arbitrary is built: answers a replacement (which may wrap
 * `generic()`), or undefined to keep the generic one. `ref` is the component the node came from.
 */
export type Shaper = (
  node: JsonSchema,
  at: { path: Path; ref?: string },
  generic: () => fc.Arbitrary<unknown>,
) => fc.Arbitrary<unknown> | undefined;

// Letters, digits, inner spaces and punctuation, and a few non-ASCII characters: what names and
// descriptions look like. Edges are never whitespace, since Phoenix trims before it counts.
const TEXT_UNITS = [
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
  " ",
  "-",
  ".",
  "é",
  "ß",
  "日",
  // Outside the BMP: one code point (as JSON Schema counts length), two UTF-16 units (as JS does).
  "😀",
];
const EDGE_SAFE = "abcdefghijklmnopqrstuvwxyz";
// Long enough to show a real string; the exact maximum is drawn separately, sometimes.
const SHORT_STRING = 16;
// Beyond this, a string at its exact maximum costs more than it tells.
const LONGEST_EXACT_MAXIMUM = 10_000;
const SHORT_ARRAY = 3;
const PLAUSIBLE_INTEGER = 1_000_000;

export function schemaArbitrary(
  schema: JsonSchema,
  components: Components,
  shape?: Shaper,
): fc.Arbitrary<unknown> {
  const build = (node: JsonSchema, path: Path): fc.Arbitrary<unknown> => {
    const ref = refName(node);
    const target = resolve(node, components);
    const generic = () => structural(target, path);
    return shape?.(target, ref === undefined ? { path } : { path, ref }, generic) ?? generic();
  };

  const structural = (s: JsonSchema, path: Path): fc.Arbitrary<unknown> => {
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    const branches = s.oneOf ?? s.anyOf;
    if (branches) return fc.oneof(...branches.map((b) => build(withSiblings(s, b, components), path)));
    if (s.allOf) return build(mergeAll(s.allOf.map((b) => resolve(b, components))), path);
    const types = typesOf(s);
    if (types.length === 0) return fc.constant({});
    if (types.length === 1) return ofType(s, types[0] as JsonType, path);
    // A nullable field is usually set: null is one choice in four.
    return fc.oneof(...types.map((t) => ({ arbitrary: ofType(s, t, path), weight: t === "null" ? 1 : 3 })));
  };

  const ofType = (s: JsonSchema, type: JsonType, path: Path): fc.Arbitrary<unknown> => {
    switch (type) {
      case "null":
        return fc.constant(null);
      case "boolean":
        return fc.boolean();
      case "integer":
        return integerArbitrary(s);
      case "number":
        return numberArbitrary(s);
      case "string":
        return stringArbitrary(s);
      case "array": {
        const min = s.minItems ?? 0;
        const max = Math.min(s.maxItems ?? Number.MAX_SAFE_INTEGER, min + SHORT_ARRAY);
        const item = s.items ?? {};
        // Sometimes exactly full: a batch at its documented limit must still be taken.
        const exact =
          s.maxItems !== undefined && s.maxItems <= 1000
            ? [fc.array(build(item, [...path, 0]), { minLength: s.maxItems, maxLength: s.maxItems })]
            : [];
        return fc.oneof(
          { arbitrary: fc.array(build(item, [...path, 0]), { minLength: min, maxLength: max }), weight: 9 },
          ...exact,
        );
      }
      case "object":
        return objectArbitrary(s, path);
    }
  };

  const objectArbitrary = (s: JsonSchema, path: Path): fc.Arbitrary<unknown> => {
    const properties = s.properties ?? {};
    const names = Object.keys(properties);
    if (
      names.length === 0 &&
      typeof s.additionalProperties === "object" &&
      hasConstraints(s.additionalProperties)
    ) {
      // A map (Jira status name → Phoenix state): a few entries with plausible keys.
      const value = build(s.additionalProperties, [...path, "*"]);
      return fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,11}[a-z]$/), value, { maxKeys: 3 });
    }
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const name of names) {
      const prop = properties[name] as JsonSchema;
      const arb = build(prop, [...path, name]);
      const fallback = resolve(prop, components).default;
      // Sometimes the documented default itself, which the server must accept as readily.
      model[name] =
        fallback === undefined ? arb : fc.oneof({ arbitrary: arb, weight: 3 }, fc.constant(fallback));
    }
    return fc.record(model, { requiredKeys: s.required ?? [] });
  };

  return build(schema, []);
}

function hasConstraints(schema: JsonSchema): boolean {
  return Object.keys(schema).some((k) => k !== "description");
}

function mergeAll(parts: JsonSchema[]): JsonSchema {
  return {
    type: "object",
    properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
    required: parts.flatMap((p) => p.required ?? []),
  };
}

function integerArbitrary(s: JsonSchema): fc.Arbitrary<number> {
  const min = s.minimum ?? Math.min(0, s.maximum ?? 0);
  const max = s.maximum ?? Math.max(min + PLAUSIBLE_INTEGER, PLAUSIBLE_INTEGER);
  const bounds = [min, max];
  return fc.oneof({ arbitrary: fc.integer({ min, max }), weight: 4 }, fc.constantFrom(...bounds));
}

function numberArbitrary(s: JsonSchema): fc.Arbitrary<number> {
  const min = s.minimum ?? -PLAUSIBLE_INTEGER;
  const max = s.maximum ?? PLAUSIBLE_INTEGER;
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

function stringArbitrary(s: JsonSchema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? Number.MAX_SAFE_INTEGER;
  const fits = (v: string) => [...v].length >= min && [...v].length <= max;
  if (s.pattern !== undefined) return fc.stringMatching(new RegExp(s.pattern)).filter(fits);
  switch (s.format) {
    case "email":
      return fc
        .tuple(
          fc.stringMatching(/^[a-z][a-z0-9]{0,8}(\.[a-z0-9]{1,6})?$/),
          fc.stringMatching(/^[a-z]{1,10}$/),
        )
        .map(([local, domain]) => `${local}@${domain}.test`)
        .filter(fits);
    case "uri":
      return fc
        .stringMatching(/^[a-z]{1,10}(\/[a-z0-9-]{1,8}){0,2}$/)
        .map((p) => `https://example.test/${p}`);
    case "date":
      return fc
        .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 0, 1) })
        .map((ms) => new Date(ms).toISOString().slice(0, 10));
    case "date-time":
      return fc
        .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 0, 1) })
        .map((ms) => new Date(ms).toISOString());
  }
  const text = (length: fc.Arbitrary<number>) =>
    length.chain((n) =>
      fc
        .array(fc.constantFrom(...TEXT_UNITS), { minLength: n, maxLength: n })
        .map((units) => trimSafe(units).join("")),
    );
  const short = text(fc.integer({ min, max: Math.min(max, min + SHORT_STRING) }));
  if (max > LONGEST_EXACT_MAXIMUM || max <= min + SHORT_STRING) return short;
  // Exactly at the maximum: a short random head, one character repeated, and often a last one
  // beyond ASCII (where counting characters goes wrong); built so shrinking takes a few steps.
  const full = fc
    .tuple(
      text(fc.integer({ min: 0, max: SHORT_STRING })),
      fc.constantFrom(...TEXT_UNITS.filter((u) => u !== " ")),
      fc.constantFrom("", "😀", "é", "日"),
    )
    .map(([head, pad, last]) => head + pad.repeat(max - [...head].length - [...last].length) + last);
  return fc.oneof({ arbitrary: short, weight: 9 }, full);
}

function trimSafe(units: string[]): string[] {
  const out = [...units];
  const edge = EDGE_SAFE[out.length % EDGE_SAFE.length] as string;
  if (out.length > 0 && out[0] === " ") out[0] = edge;
  if (out.length > 0 && out[out.length - 1] === " ") out[out.length - 1] = edge;
  return out;
}
