// Cisco's published Swagger definitions as a fixture check: every payload the XDR tests send is
// first checked against the definition it claims to be (required fields, no unknown fields where
// Cisco forbids them, primitive types, enums), so the tests cannot drift from the contract.
// Ajv is not used because it compiles with eval, which workerd forbids.

interface SchemaNode {
  type?: string;
  format?: string;
  enum?: unknown[];
  $ref?: string;
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  "x-oneOf"?: SchemaNode[];
  "x-nullable"?: boolean;
}

interface SwaggerDocument {
  definitions: Record<string, SchemaNode>;
}

const documents = import.meta.glob<SwaggerDocument>(
  [
    "../../../../../shared/contracts/xdr/api/iroh-event.swagger.json",
    "../../../../../shared/contracts/xdr/api/ctia-private-intel.subset.swagger.json",
  ],
  { eager: true, import: "default" },
);

function load(name: string): SwaggerDocument {
  const doc = documents[`../../../../../shared/contracts/xdr/api/${name}`];
  if (!doc) throw new Error(`shared/contracts/xdr/api/${name} is missing`);
  return doc;
}

export const IROH_EVENT = load("iroh-event.swagger.json");
export const CTIA = load("ctia-private-intel.subset.swagger.json");

/** Where `value` departs from `definitions[name]` of `doc`; empty when it conforms. */
export function swaggerErrors(doc: SwaggerDocument, name: string, value: unknown): string[] {
  const node = doc.definitions[name];
  if (!node) throw new Error(`no definition ${name}`);
  return check(doc, node, value, name);
}

function check(doc: SwaggerDocument, node: SchemaNode, value: unknown, path: string): string[] {
  if (node.$ref) {
    const target = doc.definitions[node.$ref.replace("#/definitions/", "")];
    if (!target) return [`${path}: unresolved ${node.$ref}`];
    return check(doc, target, value, path);
  }
  const alternatives = node["x-oneOf"];
  if (alternatives) {
    const results = alternatives.map((alt) => check(doc, alt, value, path));
    if (results.some((errors) => errors.length === 0)) return [];
    return [`${path}: matches none of its ${alternatives.length} alternatives`];
  }
  if (value === null) return node["x-nullable"] ? [] : [`${path}: is null`];
  if (node.enum && !node.enum.includes(value))
    return [`${path}: ${JSON.stringify(value)} is not in the enum`];

  if (node.type === "object" || node.properties) {
    if (typeof value !== "object" || Array.isArray(value)) return [`${path}: must be an object`];
    const record = value as Record<string, unknown>;
    const errors = (node.required ?? [])
      .filter((key) => !(key in record))
      .map((key) => `${path}.${key}: is required`);
    for (const [key, child] of Object.entries(record)) {
      const property = node.properties?.[key];
      if (property) errors.push(...check(doc, property, child, `${path}.${key}`));
      else if (node.additionalProperties === false) errors.push(`${path}.${key}: is not allowed`);
      else if (typeof node.additionalProperties === "object") {
        errors.push(...check(doc, node.additionalProperties, child, `${path}.${key}`));
      }
    }
    return errors;
  }
  switch (node.type) {
    case "array":
      if (!Array.isArray(value)) return [`${path}: must be an array`];
      return node.items
        ? value.flatMap((item, i) => check(doc, node.items as SchemaNode, item, `${path}[${i}]`))
        : [];
    case "string":
      if (typeof value !== "string") return [`${path}: must be a string`];
      if (node.format === "date-time" && Number.isNaN(Date.parse(value)))
        return [`${path}: must be a date-time`];
      return [];
    case "integer":
      return Number.isInteger(value) ? [] : [`${path}: must be an integer`];
    case "number":
      return typeof value === "number" ? [] : [`${path}: must be a number`];
    case "boolean":
      return typeof value === "boolean" ? [] : [`${path}: must be a boolean`];
    default:
      return [];
  }
}
