// The slice of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that the Phoenix contract uses, and
// the few operations on it that the generators share: resolving component references, reading a
// node's types, and finding where a value lives in a document.

export interface JsonSchema {
  $ref?: string;
  type?: JsonType | JsonType[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  description?: string;
}

export type JsonType = "string" | "integer" | "number" | "boolean" | "object" | "array" | "null";

export type Components = Record<string, JsonSchema>;

const COMPONENT_REF = "#/components/schemas/";

/** The component a `$ref` names ("DetectionFinding"), or undefined for a node without one. */
export function refName(schema: JsonSchema): string | undefined {
  return schema.$ref?.startsWith(COMPONENT_REF) ? schema.$ref.slice(COMPONENT_REF.length) : undefined;
}

/** The schema a node stands for, following `$ref`s into the components. */
export function resolve(schema: JsonSchema, components: Components): JsonSchema {
  let node = schema;
  for (let hops = 0; node.$ref !== undefined; hops++) {
    const name = refName(node);
    const target = name === undefined ? undefined : components[name];
    if (!target || hops > 20) throw new Error(`unresolvable $ref ${node.$ref}`);
    node = target;
  }
  return node;
}

/**
 * A branch of a oneOf/anyOf with the keywords beside the oneOf/anyOf folded in, since a value must
 * satisfy both: `{type: object, anyOf: [{required: [name]}]}` reads as one object schema.
 */
export function withSiblings(node: JsonSchema, branch: JsonSchema, components: Components): JsonSchema {
  const { oneOf: _one, anyOf: _any, default: _default, description: _d, ...siblings } = node;
  if (Object.keys(siblings).length === 0) return branch;
  const b = resolve(branch, components);
  return {
    ...siblings,
    ...b,
    properties: { ...(siblings.properties ?? {}), ...(b.properties ?? {}) },
    required: [...new Set([...(siblings.required ?? []), ...(b.required ?? [])])],
  };
}

/** The JSON types a node admits; an `enum` or `const` without `type` admits its values' types. */
export function typesOf(schema: JsonSchema): JsonType[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  const values = schema.enum ?? (schema.const !== undefined ? [schema.const] : undefined);
  if (values) return [...new Set(values.map(jsonTypeOf))];
  if (schema.properties || schema.additionalProperties !== undefined) return ["object"];
  if (schema.items) return ["array"];
  return [];
}

export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value as JsonType;
}

/** Whether a value of JSON type `actual` is admitted by `allowed` (an integer is also a number). */
export function typeAdmits(allowed: JsonType[], actual: JsonType): boolean {
  return allowed.includes(actual) || (actual === "integer" && allowed.includes("number"));
}

export type Path = ReadonlyArray<string | number>;

/** A path as Phoenix's problems name fields: `config.auth.email`, `alert_ids[2]`, `[0].time`. */
export function fieldName(path: Path): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out || "(body)";
}

/**
 * Whether `value` satisfies `schema`, for the keywords above (formats aside). Used to tell which
 * branch of a oneOf/anyOf a value took; `opaque` strings (placeholders for ids resolved at send
 * time) satisfy any string constraint.
 */
export function admits(
  schema: JsonSchema,
  value: unknown,
  components: Components,
  opaque: (s: string) => boolean = () => false,
): boolean {
  const s = resolve(schema, components);
  const check = (child: JsonSchema, v: unknown) => admits(child, v, components, opaque);
  if (s.const !== undefined && value !== s.const) return false;
  if (s.enum && !s.enum.includes(value)) return false;
  if (s.oneOf && s.oneOf.filter((b) => check(b, value)).length !== 1) return false;
  if (s.anyOf && !s.anyOf.some((b) => check(b, value))) return false;
  if (s.allOf && !s.allOf.every((b) => check(b, value))) return false;
  const types = typesOf(s);
  if (types.length > 0 && !typeAdmits(types, jsonTypeOf(value))) return false;
  if (typeof value === "string") {
    if (opaque(value)) return true;
    const n = [...value].length;
    if (n < (s.minLength ?? 0) || n > (s.maxLength ?? Number.POSITIVE_INFINITY)) return false;
    return s.pattern === undefined || new RegExp(s.pattern).test(value);
  }
  if (typeof value === "number") {
    return (
      value >= (s.minimum ?? Number.NEGATIVE_INFINITY) && value <= (s.maximum ?? Number.POSITIVE_INFINITY)
    );
  }
  if (Array.isArray(value)) {
    if (value.length < (s.minItems ?? 0) || value.length > (s.maxItems ?? Number.POSITIVE_INFINITY))
      return false;
    return s.items === undefined || value.every((item) => check(s.items as JsonSchema, item));
  }
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    if (!(s.required ?? []).every((name) => name in record)) return false;
    return Object.entries(record).every(([name, v]) => {
      const declared = s.properties?.[name];
      if (declared) return check(declared, v);
      if (s.additionalProperties === false) return false;
      return typeof s.additionalProperties !== "object" || check(s.additionalProperties, v);
    });
  }
  return true;
}
