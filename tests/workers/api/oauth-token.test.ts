// POST /v1/oauth/token: the client credentials grant, from a client's registration to the calls
// its token may and may not make.
import { exports } from "cloudflare:workers";
import { decodeJwt, decodeProtectedHeader } from "jose";
import * as oauth from "oauth4webapi";
import { describe, expect, it } from "vitest";
import type { Scope } from "../../../domain/auth/scopes.ts";
import { parseSigningKey } from "../../../domain/auth/tokens.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, tokenFor } from "../../support/world.ts";

interface Registered {
  tenantId: string;
  adminToken: string;
  id: string;
  secret: string;
}

interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

interface OAuthProblem {
  error: string;
  error_description: string;
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

const FORM = "application/x-www-form-urlencoded";

async function registerClient(scopes: Scope[]): Promise<Registered> {
  const tenant = await createTenant();
  const adminToken = await tokenFor(tenant, { scopes: ["admin"] });
  const res = await call("POST", "/v1/clients", { token: adminToken, body: { name: "Platform", scopes } });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { id: string; client_secret: string };
  return { tenantId: tenant.id, adminToken, id: body.id, secret: body.client_secret };
}

function basic(id: string, secret: string): string {
  return `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;
}

function requestToken(
  params: Record<string, string>,
  options: { authorization?: string; contentType?: string; accept?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { "content-type": options.contentType ?? FORM };
  if (options.authorization) headers.authorization = options.authorization;
  if (options.accept) headers.accept = options.accept;
  return call("POST", "/v1/oauth/token", { rawBody: new URLSearchParams(params).toString(), headers });
}

async function expectOAuthError(res: Response, status: number, error: string): Promise<OAuthProblem> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.headers.get("cache-control")).toBe("no-store");
  const body = (await res.json()) as OAuthProblem;
  expect(body).toMatchObject({ error, status, detail: body.error_description });
  expect(body.type).toMatch(/^\/problems\//);
  return body;
}

describe("POST /v1/oauth/token", () => {
  it("issues a token with exactly the client's scopes, usable against /v1 (HTTP Basic)", async () => {
    const client = await registerClient(["alerts:read"]);
    const before = Date.now();
    const res = await requestToken(
      { grant_type: "client_credentials" },
      { authorization: basic(client.id, client.secret) },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as TokenBody;
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 600, scope: "alerts:read" });
    expect(body.expires_in).toBeLessThanOrEqual(900);

    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({
      iss: testEnv().PHOENIX_ISSUER,
      sub: client.id,
      tid: client.tenantId,
      scope: "alerts:read",
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(body.expires_in);
    expect((claims.iat ?? 0) * 1000).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    // No rotation has happened in this file: the bootstrap key from PHOENIX_SIGNING_JWK signs.
    expect(decodeProtectedHeader(body.access_token).kid).toBe(
      parseSigningKey(testEnv().PHOENIX_SIGNING_JWK).jwk.kid,
    );

    const token = body.access_token;
    expect((await call("GET", "/v1/alerts", { token })).status).toBe(200);
    expect((await call("POST", "/v1/alerts", { token, body: {} })).status).toBe(403);
    expect((await call("GET", "/v1/cases", { token })).status).toBe(403);
    expect((await call("GET", "/v1/clients", { token })).status).toBe(403);

    const used = await testEnv()
      .CONTROL_DB.prepare("SELECT last_used_at FROM machine_clients WHERE id = ?")
      .bind(client.id)
      .first<number>("last_used_at");
    expect(used).toBeGreaterThanOrEqual(before);
  });

  it("accepts client_secret_post and narrows to the requested scopes", async () => {
    const client = await registerClient(["alerts:read", "cases:read"]);
    const res = await requestToken({
      grant_type: "client_credentials",
      client_id: client.id,
      client_secret: client.secret,
      scope: "cases:read",
    });
    expect(res.status).toBe(200);
    const { access_token: token, scope } = (await res.json()) as TokenBody;
    expect(scope).toBe("cases:read");
    expect(decodeJwt(token).scope).toBe("cases:read");
    expect((await call("GET", "/v1/cases", { token })).status).toBe(200);
    expect((await call("GET", "/v1/alerts", { token })).status).toBe(403);
  });

  it("refuses more scope than the client holds with invalid_scope, issuing nothing", async () => {
    const client = await registerClient(["alerts:read"]);
    const auth = { authorization: basic(client.id, client.secret) };
    const more = await requestToken(
      { grant_type: "client_credentials", scope: "alerts:read alerts:write" },
      auth,
    );
    const problem = await expectOAuthError(more, 400, "invalid_scope");
    expect(problem.detail).toContain('"alerts:write"');
    expect(problem).not.toHaveProperty("access_token");
    await expectOAuthError(
      await requestToken({ grant_type: "client_credentials", scope: "root" }, auth),
      400,
      "invalid_scope",
    );
    await expectOAuthError(
      await requestToken({ grant_type: "client_credentials", scope: "admin" }, auth),
      400,
      "invalid_scope",
    );
    const used = await testEnv()
      .CONTROL_DB.prepare("SELECT last_used_at FROM machine_clients WHERE id = ?")
      .bind(client.id)
      .first<number | null>("last_used_at");
    expect(used).toBeNull();
  });

  it("answers invalid_client for a wrong secret, an unknown client and no credentials", async () => {
    const client = await registerClient(["alerts:read"]);
    const wrong = await requestToken(
      { grant_type: "client_credentials" },
      // One character changed: the last one, to something it certainly is not.
      {
        authorization: basic(
          client.id,
          `${client.secret.slice(0, -1)}${client.secret.endsWith("A") ? "B" : "A"}`,
        ),
      },
    );
    const problem = await expectOAuthError(wrong, 401, "invalid_client");
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    expect(JSON.stringify(problem)).not.toContain(client.secret.slice(4, 20));

    const unknown = await requestToken({
      grant_type: "client_credentials",
      client_id: "cli_01m00000000000000000000000",
      client_secret: client.secret,
    });
    const unknownProblem = await expectOAuthError(unknown, 401, "invalid_client");
    // Unknown and wrong-secret clients are indistinguishable.
    expect(unknownProblem.detail).toBe(problem.detail);
    await expectOAuthError(await requestToken({ grant_type: "client_credentials" }), 401, "invalid_client");
    await expectOAuthError(
      await requestToken({ grant_type: "client_credentials" }, { authorization: "Basic !!!" }),
      401,
      "invalid_client",
    );
    const used = await testEnv()
      .CONTROL_DB.prepare("SELECT last_used_at FROM machine_clients WHERE id = ?")
      .bind(client.id)
      .first<number | null>("last_used_at");
    expect(used).toBeNull();
  });

  it("refuses a revoked client, and a client of a suspended tenant", async () => {
    const client = await registerClient(["alerts:read"]);
    const auth = { authorization: basic(client.id, client.secret) };
    expect((await requestToken({ grant_type: "client_credentials" }, auth)).status).toBe(200);
    const revoked = await call("POST", `/v1/clients/${client.id}/revoke`, { token: client.adminToken });
    expect(revoked.status).toBe(200);
    await expectOAuthError(
      await requestToken({ grant_type: "client_credentials" }, auth),
      401,
      "invalid_client",
    );

    const other = await registerClient(["alerts:read"]);
    await testEnv()
      .CONTROL_DB.prepare("UPDATE tenants SET status = 'suspended' WHERE id = ?")
      .bind(other.tenantId)
      .run();
    await expectOAuthError(
      await requestToken(
        { grant_type: "client_credentials" },
        { authorization: basic(other.id, other.secret) },
      ),
      401,
      "invalid_client",
    );
  });

  it("takes only a form body, one grant type, each parameter once and one authentication method", async () => {
    const client = await registerClient(["alerts:read"]);
    const auth = { authorization: basic(client.id, client.secret) };

    const json = await call("POST", "/v1/oauth/token", {
      body: { grant_type: "client_credentials", client_id: client.id, client_secret: client.secret },
    });
    await expectOAuthError(json, 415, "invalid_request");

    const password = await requestToken({ grant_type: "password", username: "u", password: "p" }, auth);
    await expectOAuthError(password, 400, "unsupported_grant_type");
    const missing = await requestToken({ scope: "alerts:read" }, auth);
    expect((await expectOAuthError(missing, 400, "invalid_request")).detail).toContain("grant_type");

    const repeated = await call("POST", "/v1/oauth/token", {
      rawBody: "grant_type=client_credentials&scope=alerts%3Aread&scope=admin",
      headers: { "content-type": FORM, ...auth },
    });
    expect((await expectOAuthError(repeated, 400, "invalid_request")).detail).toContain("scope");

    const both = await requestToken({ grant_type: "client_credentials", client_secret: client.secret }, auth);
    await expectOAuthError(both, 400, "invalid_request");

    const used = await testEnv()
      .CONTROL_DB.prepare("SELECT last_used_at FROM machine_clients WHERE id = ?")
      .bind(client.id)
      .first<number | null>("last_used_at");
    expect(used).toBeNull();
  });

  it("works with a standard OAuth client library (oauth4webapi), including its error handling", async () => {
    const client = await registerClient(["alerts:read", "cases:read"]);
    const as: oauth.AuthorizationServer = {
      issuer: "http://phoenix.test",
      token_endpoint: "http://phoenix.test/v1/oauth/token",
    };
    const options = {
      [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<"POST", URLSearchParams>) =>
        exports.default.fetch(new Request(url, init)),
      [oauth.allowInsecureRequests]: true,
    };
    const oauthClient: oauth.Client = { client_id: client.id };
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      oauthClient,
      oauth.ClientSecretBasic(client.secret),
      new URLSearchParams({ scope: "alerts:read" }),
      options,
    );
    const result = await oauth.processClientCredentialsResponse(as, oauthClient, response);
    expect(result).toMatchObject({ token_type: "bearer", expires_in: 600, scope: "alerts:read" });
    expect((await call("GET", "/v1/alerts", { token: result.access_token })).status).toBe(200);

    const refused = await oauth.clientCredentialsGrantRequest(
      as,
      oauthClient,
      oauth.ClientSecretPost(client.secret),
      new URLSearchParams({ scope: "reports:read" }),
      options,
    );
    expect(refused.headers.get("content-type")).toBe("application/json");
    const error = await oauth
      .processClientCredentialsResponse(as, oauthClient, refused)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(oauth.ResponseBodyError);
    expect((error as oauth.ResponseBodyError).error).toBe("invalid_scope");
  });

  it("is documented in the OpenAPI document as a form-encoded, bearer-less endpoint", async () => {
    const doc = (await (await call("GET", "/v1/openapi.json")).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    const post = doc.paths["/oauth/token"]?.post;
    expect(Object.keys(post?.requestBody?.content ?? {})).toEqual([FORM]);
    expect(doc.components.securitySchemes.clientBasic).toMatchObject({ type: "http", scheme: "basic" });
  });
});
