// Every way to break exactly one constraint of a schema in a value it admits: a required property
// removed, a wrong type, a value outside the enum or const, a string past its length bounds or its
// pattern, a number out of range, an array past its item bounds, an unknown property where the
// object is closed. Parameters (strings on the wire) get their own list. Whether a violation
// really makes the request invalid is checked against the document's own validators by the caller.
import {
  admits,
  type Components,
  type JsonSchema,
  type JsonType,
  jsonTypeOf,
  type Path,
  resolve,
  typeAdmits,
  typesOf,
  withSiblings,
} from "./json-schema.ts";

export interface Violation {
  /** What was broken: "missing required", "wrong type", "over maxLength", ... */
  kind: string;
  /** Where: the property or item whose constraint no longer holds. */
  path: Path;
  /** The whole value with this one violation, as a fresh copy. */
  value: unknown;
}

// Past this, an over-long string or array is a test of the body cap, not of the field's bound.
const LONGEST_VIOLATION = 20_000;
// Items looked into per array: the first two show whether items are checked at all.
const ITEMS_VISITED = 2;
export const UNKNOWN_PROPERTY = "unexpected_field";

/** `opaque` strings stand for values resolved later (fixture ids): they satisfy any string rule. */
export function violationsOf(
  root: unknown,
  schema: JsonSchema,
  components: Components,
  opaque: (s: string) => boolean = () => false,
): Violation[] {
  const out: Violation[] = [];
  const put = (kind: string, path: Path, replacement: unknown) =>
    out.push({ kind, path, value: setAt(root, path, replacement) });

  const visit = (value: unknown, node: JsonSchema, path: Path): void => {
    let s = resolve(node, components);
    const branches = s.oneOf ?? s.anyOf;
    if (branches) {
      // Break the branch the value took; the others are not what the caller meant.
      const taken = branches
        .map((b) => resolve(withSiblings(s, b, components), components))
        .find((b) => admits(b, value, components, opaque));
      if (!taken) {
        for (const wrong of wrongTypeValues(branchTypes(branches, components)))
          put("wrong type", path, wrong);
        return;
      }
      s = taken;
    }
    local(value, s, path);
    if (Array.isArray(value) && s.items) {
      value.slice(0, ITEMS_VISITED).forEach((item, i) => {
        visit(item, s.items as JsonSchema, [...path, i]);
      });
    } else if (isRecord(value)) {
      for (const [name, child] of Object.entries(value)) {
        const declared = s.properties?.[name];
        const extra = typeof s.additionalProperties === "object" ? s.additionalProperties : undefined;
        const childSchema = declared ?? extra;
        if (childSchema) visit(child, childSchema, [...path, name]);
      }
    }
  };

  const local = (value: unknown, s: JsonSchema, path: Path): void => {
    const types = typesOf(s);
    for (const wrong of wrongTypeValues(types)) put("wrong type", path, wrong);
    const actual = jsonTypeOf(value);
    if (s.enum && value !== null) {
      const outside = outsideOf(s.enum, actual);
      if (outside !== undefined) put("outside enum", path, outside);
      return;
    }
    if (s.const !== undefined) {
      put("not the const", path, typeof s.const === "number" ? s.const + 1 : `${String(s.const)}x`);
      return;
    }
    if (typeof value === "string") {
      for (const [kind, bad] of stringViolations(s, value)) put(kind, path, bad);
    } else if (typeof value === "number") {
      if (s.minimum !== undefined) put("under minimum", path, s.minimum - 1);
      if (s.maximum !== undefined) put("over maximum", path, s.maximum + 1);
    } else if (Array.isArray(value)) {
      if (s.minItems !== undefined && s.minItems > 0 && value.length >= s.minItems) {
        put("under minItems", path, value.slice(0, s.minItems - 1));
      }
      if (s.maxItems !== undefined && s.maxItems <= LONGEST_VIOLATION / 20 && value.length > 0) {
        put(
          "over maxItems",
          path,
          Array.from({ length: s.maxItems + 1 }, (_, i) => value[i % value.length]),
        );
      }
    } else if (isRecord(value)) {
      for (const name of s.required ?? []) {
        if (name in value)
          out.push({
            kind: "missing required",
            path: [...path, name],
            value: setAt(root, path, without(value, name)),
          });
      }
      if (s.additionalProperties === false && !s.properties?.[UNKNOWN_PROPERTY]) {
        put("unknown property", [...path, UNKNOWN_PROPERTY], "x");
      }
      // An optional property the value left out, sent with a type it may not have.
      for (const [name, prop] of Object.entries(s.properties ?? {})) {
        if (name in value) continue;
        const wrong = wrongTypeValues(typesOf(resolve(prop, components)))[0];
        if (wrong !== undefined) put("wrong type", [...path, name], wrong);
      }
    }
  };

  visit(root, schema, []);
  return out;
}

/**
 * One-constraint violations of a parameter, as the strings a client would send: the value read as
 * the parameter's type breaks the schema (the caller checks that with the document's validator).
 */
export function parameterViolations(schema: JsonSchema, valid: string): Array<[kind: string, value: string]> {
  const types = typesOf(schema);
  const out: Array<[string, string]> = [];
  if (types.includes("integer") || types.includes("number")) {
    out.push(["wrong type", "abc"], ["wrong type", "1.5"], ["wrong type", ""]);
    if (schema.minimum !== undefined) out.push(["under minimum", String(schema.minimum - 1)]);
    if (schema.maximum !== undefined && Number.isSafeInteger(schema.maximum + 1)) {
      out.push(["over maximum", String(schema.maximum + 1)]);
    }
    return out;
  }
  if (schema.enum) {
    const outside = outsideOf(schema.enum, "string");
    if (typeof outside === "string") out.push(["outside enum", outside]);
    return out;
  }
  return [...out, ...stringViolations(schema, valid)];
}

function stringViolations(s: JsonSchema, value: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (s.pattern !== undefined) {
    const re = new RegExp(s.pattern);
    // Near misses first: one character too many, another case, one character short.
    const candidates = [`~${value}`, value.toUpperCase(), value.slice(0, -1), `${value}~`, "~"];
    const bad = [...new Set(candidates.filter((c) => !re.test(c) && fitsLength(s, c)))].slice(0, 3);
    for (const b of bad) out.push(["pattern mismatch", b]);
    return out;
  }
  if (s.format !== undefined) return out;
  if (s.maxLength !== undefined && s.maxLength < LONGEST_VIOLATION)
    out.push(["over maxLength", "x".repeat(s.maxLength + 1)]);
  if (s.minLength !== undefined && s.minLength > 0)
    out.push(["under minLength", "x".repeat(s.minLength - 1)]);
  return out;
}

function fitsLength(s: JsonSchema, value: string): boolean {
  const n = [...value].length;
  return n >= (s.minLength ?? 0) && n <= (s.maxLength ?? Number.MAX_SAFE_INTEGER);
}

/** A value of the same JSON type as the enum's, outside it. */
function outsideOf(values: unknown[], type: JsonType): unknown {
  if (type === "integer" || type === "number") {
    const numbers = values.filter((v): v is number => typeof v === "number");
    return Math.max(0, ...numbers) + 1000;
  }
  const strings = values.filter((v): v is string => typeof v === "string");
  if (strings.length === 0) return undefined;
  let candidate = "not_in_enum";
  while (strings.includes(candidate)) candidate += "_";
  return candidate;
}

// For each type a value may have, the wrong values a careless client sends most often.
const WRONG_VALUES: Record<JsonType, unknown[]> = {
  string: [7, null],
  integer: ["7", 1.5],
  number: ["7"],
  boolean: ["true", 1],
  object: [[], "x"],
  array: [{}, "x"],
  null: ["x"],
};

function wrongTypeValues(types: JsonType[]): unknown[] {
  if (types.length === 0) return [];
  const candidates = types.flatMap((t) => WRONG_VALUES[t]);
  const wrong = candidates.filter((v) => !typeAdmits(types, jsonTypeOf(v)));
  return [...new Set(wrong.map((v) => JSON.stringify(v)))].slice(0, 2).map((v) => JSON.parse(v));
}

function branchTypes(branches: JsonSchema[], components: Components): JsonType[] {
  return [...new Set(branches.flatMap((b) => typesOf(resolve(b, components))))];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function without(value: Record<string, unknown>, name: string): Record<string, unknown> {
  const copy = { ...value };
  delete copy[name];
  return copy;
}

/** A deep copy of `root` with the value at `path` replaced. */
function setAt(root: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return structuredClone(replacement);
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const part of path.slice(0, -1)) node = node[part] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = structuredClone(replacement);
  return copy;
}
