// Reading a JSON request body once, by Phoenix's input rules (decision 028).
import type { HonoRequest } from "hono";
import { PhoenixError } from "../../domain/errors.ts";
import { jsonValueProblem } from "../../domain/input/json-value.ts";
import { requireIdentityEncoding, requireJsonBody } from "../../domain/input/media-type.ts";

/** A JSON request body: the exact text (idempotency hashes it) and its parsed value. */
export interface JsonBody {
  raw: string;
  json: unknown;
}

/**
 * Reads a JSON body once, refusing what Phoenix will not store (decision 028): a media type other
 * than JSON in UTF-8 or a compressed body (415), malformed JSON (400), and text with lone
 * surrogates or nesting past the limit (422 naming the field). Route validators get the parsed
 * value from Hono's body cache, so the body is read and parsed once.
 */
export async function readJsonBody(req: HonoRequest): Promise<JsonBody> {
  requireJsonBody(req.header("content-type") ?? "");
  requireIdentityEncoding(req.header("content-encoding"));
  const raw = await req.text();
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new PhoenixError("invalid_json", "the request body is not valid JSON");
  }
  const problem = jsonValueProblem(json);
  if (problem) throw new PhoenixError("validation_failed", `invalid request: ${problem.field}`, [problem]);
  // Route validators call req.json(); hand them this parse instead of parsing the body again.
  req.bodyCache.json = Promise.resolve(json);
  return { raw, json };
}
