// The operations of the committed contract (contract/phoenix-v1.openapi.json), read into the shape
// the fuzz suite walks: every path and method, so a new route is fuzzed as soon as it is documented.
import contract from "../../../contract/phoenix-v1.openapi.json";
import type { Components, JsonSchema } from "./json-schema.ts";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export interface DocumentedParameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: JsonSchema;
}

export interface DocumentedResponse {
  /** Content type → schema; empty for a response without a body (204, 101). */
  content: Record<string, JsonSchema>;
  headers: string[];
}

export interface DocumentedOperation {
  operationId: string;
  method: string;
  /** As documented, without the server's base: "/cases/{id}/commands". */
  path: string;
  parameters: DocumentedParameter[];
  body?: { contentType: string; schema: JsonSchema; required: boolean };
  responses: Map<number, DocumentedResponse>;
  /** Alternatives, each naming scheme → scopes; an empty alternative makes the credential optional. */
  security: Array<Record<string, string[]>>;
}

interface RawOperation {
  operationId: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: JsonSchema }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses: Record<
    string,
    { content?: Record<string, { schema?: JsonSchema }>; headers?: Record<string, unknown> }
  >;
  security?: Array<Record<string, string[]>>;
}

interface RawDocument {
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, RawOperation>>;
  components: { schemas: Components };
}

const doc = contract as unknown as RawDocument;

/** Where the document's paths are served: "/v1". */
export const BASE_PATH = doc.servers[0]?.url ?? "";

export const COMPONENTS: Components = doc.components.schemas;

export const OPERATIONS: DocumentedOperation[] = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods)
    .filter(([method]) => (HTTP_METHODS as readonly string[]).includes(method.toUpperCase()))
    .map(([method, op]) => readOperation(path, method.toUpperCase(), op)),
);

/** Every documented path and the methods it has. */
export const DOCUMENTED_PATHS: Map<string, string[]> = new Map(
  Object.keys(doc.paths).map((path) => [
    path,
    OPERATIONS.filter((op) => op.path === path).map((op) => op.method),
  ]),
);

function readOperation(path: string, method: string, op: RawOperation): DocumentedOperation {
  const [contentType, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
  return {
    operationId: op.operationId,
    method,
    path,
    parameters: (op.parameters ?? []).map((p) => ({
      name: p.name,
      in: p.in as DocumentedParameter["in"],
      required: p.required ?? false,
      schema: p.schema ?? {},
    })),
    ...(contentType && media?.schema
      ? { body: { contentType, schema: media.schema, required: op.requestBody?.required ?? false } }
      : {}),
    responses: new Map(
      Object.entries(op.responses).map(([status, r]) => [
        Number(status),
        {
          content: Object.fromEntries(
            Object.entries(r.content ?? {}).map(([type, m]) => [type, m.schema ?? {}]),
          ),
          headers: Object.keys(r.headers ?? {}),
        },
      ]),
    ),
    security: op.security ?? [],
  };
}
