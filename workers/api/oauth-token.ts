// POST /v1/oauth/token: the OAuth 2.0 client credentials grant (RFC 6749 §4.4). Authenticated by the
// client's id and secret instead of a bearer token; answers with a short-lived Phoenix JWT carrying
// the client's tenant (tid) and the granted scopes.
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { issueClientToken } from "../../domain/auth/clients.ts";
import { SCOPES } from "../../domain/auth/scopes.ts";
import { type ErrorCode, isPhoenixError, PhoenixError } from "../../domain/errors.ts";
import { currentSigningKey } from "../auth/issuers.ts";
import type { ApiEnv } from "../http/context.ts";
import { PROBLEM_CONTENT_TYPE, problemResponse } from "../http/problem.ts";

/** Where the token endpoint sits inside /v1; the API's bearer and JSON-only guards let it through. */
export const TOKEN_PATH = "/oauth/token";
/** At most MAX_ACCESS_TOKEN_TTL_SECONDS (domain/auth/key-schedule.ts), which key retirement allows for. */

// RFC 6749 §5.2 error codes, carried as the problem's `error` member so OAuth clients understand it.
const OAUTH_ERRORS: Partial<Record<ErrorCode, string>> = {
  bad_request: "invalid_request",
  unsupported_media_type: "invalid_request",
  invalid_client: "invalid_client",
  invalid_scope: "invalid_scope",
  unsupported_grant_type: "unsupported_grant_type",
};

const tokenRequest = z
  .object({
    grant_type: z.literal("client_credentials"),
    scope: z
      .string()
      .optional()
      .describe(
        `Space-separated scopes to request (${SCOPES.join(", ")}); at most the client's. Absent: all of the client's scopes.`,
      ),
    client_id: z.string().optional().describe("With client_secret, instead of HTTP Basic authentication."),
    client_secret: z.string().optional(),
  })
  .openapi("ClientCredentialsTokenRequest");

const tokenResponse = z
  .object({
    access_token: z
      .string()
      .describe("A JWT for `Authorization: Bearer`, signed with Phoenix's current key."),
    token_type: z.literal("Bearer"),
    expires_in: z.int().describe("Seconds until the token expires (at most 900)."),
    scope: z.string().describe("The granted scopes, space-separated."),
  })
  .openapi("AccessTokenResponse");

const oauthProblem = z
  .object({
    error: z.enum(["invalid_request", "invalid_client", "invalid_scope", "unsupported_grant_type"]),
    error_description: z.string(),
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
  })
  .openapi("OAuthProblem", {
    description:
      "RFC 9457 problem details that also carry the RFC 6749 `error` and `error_description` members. Sent as application/json to clients that accept only that (as OAuth clients do), otherwise as application/problem+json.",
  });

const problemContent = {
  [PROBLEM_CONTENT_TYPE]: { schema: oauthProblem },
  "application/json": { schema: oauthProblem },
};

export function registerOAuthTokenRoute(app: OpenAPIHono<ApiEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "clientBasic", {
    type: "http",
    scheme: "basic",
    description: "client_secret_basic: the client id and secret, each form-urlencoded (RFC 6749 §2.3.1).",
  });
  app.openAPIRegistry.registerPath({
    method: "post",
    path: TOKEN_PATH,
    operationId: "issueToken",
    tags: ["OAuth"],
    summary: "Get an access token with client credentials",
    description:
      "The client credentials grant (RFC 6749 §4.4) for clients registered at `POST /v1/clients`. Authenticate with HTTP Basic or with client_id and client_secret in the body, not both. The token is a JWT valid for 10 minutes, for the client's tenant and the granted scopes.",
    // HTTP Basic, or nothing in the headers (client_secret_post).
    security: [{ clientBasic: [] }, {}],
    request: {
      body: { required: true, content: { "application/x-www-form-urlencoded": { schema: tokenRequest } } },
    },
    responses: {
      200: {
        description: "The access token. Never cached (Cache-Control: no-store).",
        content: { "application/json": { schema: tokenResponse } },
      },
      400: {
        description: "invalid_request, unsupported_grant_type or invalid_scope.",
        content: problemContent,
      },
      401: { description: "invalid_client: unknown, revoked, or the wrong secret.", content: problemContent },
      415: { description: "The body is not application/x-www-form-urlencoded.", content: problemContent },
    },
  });

  app.post(TOKEN_PATH, async (c) => {
    try {
      return await issueToken(c, Date.now());
    } catch (error) {
      if (isPhoenixError(error) && OAUTH_ERRORS[error.code]) return oauthErrorResponse(c, error);
      throw error;
    }
  });
}

async function issueToken(c: Context<ApiEnv>, now: number): Promise<Response> {
  const params = await readForm(c.req.raw);
  const grantType = params.get("grant_type");
  if (grantType === undefined) throw new PhoenixError("bad_request", "grant_type is required");
  if (grantType !== "client_credentials") {
    throw new PhoenixError("unsupported_grant_type", "only grant_type=client_credentials is supported");
  }
  const credentials = clientCredentials(c.req.header("authorization"), params);
  const { accessToken, scopes, expiresIn } = await issueClientToken(c.env.CONTROL_DB, {
    ...credentials,
    scope: params.get("scope"),
    key: await currentSigningKey(c.env, now),
    issuer: c.env.PHOENIX_ISSUER,
    now,
  });
  return c.json(
    {
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: expiresIn,
      scope: scopes.join(" "),
    },
    200,
    NO_STORE,
  );
}

// RFC 6749 §5.1: token responses must not be cached.
const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" };

/** The form parameters. Empty ones count as absent (§3.1); a repeated one is refused (§3.2). */
async function readForm(request: Request): Promise<Map<string, string>> {
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(request.headers.get("content-type") ?? "")) {
    throw new PhoenixError(
      "unsupported_media_type",
      "the token request body must be application/x-www-form-urlencoded",
    );
  }
  // Decoded from bytes: workerd warns when .text() reads a body whose media type is not text.
  const form = new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer()));
  const params = new Map<string, string>();
  for (const [name, value] of form) {
    if (value === "") continue;
    if (params.has(name)) throw new PhoenixError("bad_request", `the ${name} parameter is repeated`);
    params.set(name, value);
  }
  return params;
}

/** client_secret_basic or client_secret_post, never both (§2.3.1). */
function clientCredentials(
  authorization: string | undefined,
  params: Map<string, string>,
): { id: string; secret: string } {
  const bodyId = params.get("client_id");
  const bodySecret = params.get("client_secret");
  if (authorization !== undefined && /^basic /i.test(authorization)) {
    if (bodySecret !== undefined) {
      throw new PhoenixError("bad_request", "authenticate with HTTP Basic or with client_secret, not both");
    }
    const basic = parseBasic(authorization);
    if (bodyId !== undefined && bodyId !== basic.id) {
      throw new PhoenixError("bad_request", "client_id differs from the HTTP Basic user name");
    }
    return basic;
  }
  if (bodyId !== undefined && bodySecret !== undefined) return { id: bodyId, secret: bodySecret };
  throw new PhoenixError(
    "invalid_client",
    "client authentication is required: HTTP Basic, or client_id and client_secret in the body",
  );
}

function parseBasic(authorization: string): { id: string; secret: string } {
  try {
    const decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(authorization.slice(6).trim()), (ch) => ch.charCodeAt(0)),
    );
    const colon = decoded.indexOf(":");
    if (colon > 0)
      return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    // Malformed base64, UTF-8 or percent-encoding: the same answer as a missing colon.
  }
  throw new PhoenixError("invalid_client", "the HTTP Basic credentials are malformed");
}

// §2.3.1: the id and secret are form-urlencoded before they are joined and base64-encoded.
function formDecode(value: string): string {
  return decodeURIComponent(value.replaceAll("+", " "));
}

/**
 * The problem, plus RFC 6749's `error` and `error_description`. OAuth clients require
 * application/json (§5.2), so that is the media type whenever the client accepts JSON but not
 * problem+json; everyone else gets application/problem+json.
 */
async function oauthErrorResponse(c: Context<ApiEnv>, error: PhoenixError): Promise<Response> {
  const problem = problemResponse(error, new URL(c.req.url).pathname);
  const body = {
    error: OAUTH_ERRORS[error.code],
    error_description: error.message,
    ...((await problem.json()) as object),
  };
  const headers = new Headers(problem.headers);
  for (const [name, value] of Object.entries(NO_STORE)) headers.set(name, value);
  const accept = c.req.header("accept") ?? "";
  if (/application\/json/i.test(accept) && !/application\/problem\+json/i.test(accept)) {
    headers.set("content-type", "application/json");
  }
  // §5.2: a client that tried HTTP Basic gets the Basic challenge back.
  if (error.code === "invalid_client" && /^basic /i.test(c.req.header("authorization") ?? "")) {
    headers.set("www-authenticate", 'Basic realm="phoenix", charset="UTF-8"');
  }
  return new Response(JSON.stringify(body), { status: problem.status, headers });
}
