// Request and response plumbing shared by the /v1 routes.
import { z } from "@hono/zod-openapi";
import { ERROR_CODES, PhoenixError } from "../../domain/errors.ts";
import { PROBLEM_CONTENT_TYPE } from "./problem.ts";

/** Reads a JSON body, keeping the raw text (idempotency hashes it). */
export async function readJsonBody(request: Request): Promise<{ raw: string; json: unknown }> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(contentType)) {
    throw new PhoenixError("unsupported_media_type", "the request body must be application/json");
  }
  const raw = await request.text();
  try {
    return { raw, json: JSON.parse(raw) };
  } catch {
    throw new PhoenixError("invalid_json", "the request body is not valid JSON");
  }
}

const problemSchema = z
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
  400: "Malformed request (e.g. invalid JSON).",
  401: "Missing or invalid bearer token.",
  403: "The token lacks the required scope.",
  404: "Not found (including another tenant's resources).",
  409: "Conflict with the current state, or the same Idempotency-Key in flight.",
  413: "The request body is too large.",
  415: "The request body is not JSON.",
  422: "The request failed validation; `errors` names each field.",
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
