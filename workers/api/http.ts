// OpenAPI plumbing shared by the /v1 routes: strict query integers and documented problems.
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { ERROR_CODES } from "../../domain/errors.ts";
import { describeValue } from "../../domain/validation-messages.ts";
import { PROBLEM_CONTENT_TYPE } from "../http/problem.ts";

/**
 * A query-string integer, read strictly: decimal digits only (no sign, exponent, hex or blank) and
 * within range, so `limit=1e2`, `limit=0x10` and `time_to=` are refused instead of guessed at.
 */
export function queryInt(min: number, max: number = Number.MAX_SAFE_INTEGER) {
  return z
    .string()
    .regex(/^\d{1,16}$/, { error: (issue) => `must be a decimal integer, got ${describeValue(issue.input)}` })
    .transform(Number)
    .pipe(z.int().min(min).max(max))
    .openapi({ type: "integer", minimum: min, maximum: max });
}

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...(keyof typeof ERROR_CODES)[]]),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem", { description: "RFC 9457 problem details." });

const DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request: invalid JSON, or a query parameter that is not what it must be (`errors` names it).",
  401: "Missing or invalid bearer token.",
  403: "The token lacks the required scope.",
  404: "Not found (including another tenant's resources).",
  409: "Conflict with the current state, or the same Idempotency-Key in flight.",
  412: "`If-Match` names a version that is no longer current: read the resource again and retry.",
  413: "The request body is too large.",
  415: "The request body is not JSON in UTF-8, or is compressed.",
  422: "The request failed validation; `errors` names each field.",
  428: "`If-Match` is required on this request.",
  429: "Throttled (rate limit) or over the tenant's daily ingest quota; Retry-After says when to try again.",
};

/** OpenAPI response entries for the problems a route can answer with. */
export function problemResponses(...statuses: Array<keyof typeof DESCRIPTIONS>) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: DESCRIPTIONS[status] ?? "Error.",
        content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
      },
    ]),
  ) as Record<number, { description: string; content: Record<string, { schema: typeof problemSchema }> }>;
}

type ConfigSchema = z.ZodType<Record<string, unknown>>;

/**
 * The `config` of a resource whose settings depend on its kind (sinks, connectors). Each kind's
 * strict schema becomes a component and responses are one of them. Requests are documented the
 * same way but stay a plain object at the route: the handler validates them against the kind, so
 * its errors name the kind's fields. A kind whose config, as read back, holds more than a client
 * may write (what other endpoints stored) documents its responses with a `views` schema of its own.
 */
export function kindConfigSchemas(
  resource: string,
  schemas: Record<string, ConfigSchema>,
  views: Record<string, ConfigSchema> = {},
) {
  const idOf = (kind: string) =>
    `${kind.replace(/(^|-)([a-z])/g, (_m, _dash, c: string) => c.toUpperCase())}${resource}Config`;
  const components = Object.entries(schemas).map(([kind, schema]) => {
    const id = idOf(kind);
    return { id, schema: schema.meta({ id }) as ConfigSchema, view: views[kind]?.meta({ id: `${id}View` }) };
  });
  const viewSchemas = components.map((c) => (c.view as ConfigSchema | undefined) ?? c.schema);
  const oneOfKinds = { anyOf: components.map((c) => ({ $ref: `#/components/schemas/${c.id}` })) };
  return {
    /** Request components no response names (a view stands in for them): register these. */
    requestOnly: components.filter((c) => c.view).map((c) => ({ id: c.id, schema: c.schema })),
    view: z.union(viewSchemas as [ConfigSchema, ...ConfigSchema[]]),
    request: z
      .record(z.string(), z.unknown())
      .refine((c) => JSON.stringify(c).length <= 16_384, "must be at most 16 KB of JSON")
      .openapi(oneOfKinds as object),
  };
}

/**
 * Registers a domain schema as a named component. The workbench's bundle shares the domain's
 * modules with the Worker's, so a schema may be built before @hono/zod-openapi extends zod and
 * lack `.openapi`; its clone, built now over the same definition, is registered instead.
 */
export function registerDomainSchema(
  app: Pick<OpenAPIHono, "openAPIRegistry">,
  id: string,
  schema: z.ZodType,
): void {
  app.openAPIRegistry.register(id, schema.clone());
}
