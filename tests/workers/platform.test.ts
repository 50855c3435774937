import { exports } from "cloudflare:workers";
import { importJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import committedContract from "../../contract/phoenix-v1.openapi.json";
import { API_AUDIENCE } from "../../domain/auth/tokens.ts";
import { createTenant, tokenFor } from "../support/world.ts";

const get = (path: string) => exports.default.fetch(new Request(`http://phoenix.test${path}`));

describe("platform endpoints", () => {
  it("GET /healthz answers 200", async () => {
    const res = await get("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("publishes Phoenix's public signing key, which verifies the tokens it mints", async () => {
    const res = await get("/.well-known/jwks.json");
    expect(res.status).toBe(200);
    const jwks = (await res.json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toHaveLength(1);
    const [key] = jwks.keys;
    expect(key).toMatchObject({ kid: "test-signing-key", alg: "ES256", kty: "EC", use: "sig" });
    expect(key).not.toHaveProperty("d");

    const tenant = await createTenant();
    const token = await tokenFor(tenant, { scopes: ["alerts:read"] });
    const { payload } = await jwtVerify(token, await importJWK(key as never, "ES256"), {
      audience: API_AUDIENCE,
    });
    expect(payload).toMatchObject({ tid: tenant.id, scope: "alerts:read" });
  });

  it("serves exactly the committed contract (contract/phoenix-v1.openapi.json)", async () => {
    const served = await (await get("/v1/openapi.json")).json();
    // Regenerate with `npm run contract` when the API changes on purpose.
    expect(served).toEqual(committedContract);
  });

  it("serves an OpenAPI 3.1 document generated from the routes", async () => {
    const res = await get("/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    // Every operation but the token endpoint names the scope it needs and answers 401 and 403 as
    // problems; the route catalog (BOLA and BFLA suites) checks that each is one Phoenix enforces.
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
    );
    expect(operations.length).toBeGreaterThan(20);
    const bearer = (op: { security?: unknown }) =>
      Array.isArray(op.security) && op.security.some((s) => Array.isArray(s?.bearerAuth));
    const withoutBearer = operations.filter(({ op }) => !bearer(op)).map((o) => o.route);
    expect(withoutBearer).toEqual(["POST /oauth/token"]);
    const withoutProblems = operations
      .filter(({ route }) => route !== "POST /oauth/token")
      .filter(({ op }) => !(op.responses["401"] && op.responses["403"]))
      .map((o) => o.route);
    expect(withoutProblems).toEqual([]);
    // The AI-activity webhook format is part of the contract too.
    expect(doc.components.schemas).toHaveProperty("AiActivityEvent");
    expect(doc.paths["/cases/{id}/commands"]?.post?.responses).toHaveProperty("412");
    expect(doc.components.schemas).toHaveProperty("CaseCommandRequest");
    expect(Object.keys(doc.paths["/alerts"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(doc.paths["/alerts"]?.post?.responses).toHaveProperty("422");
    expect(doc.components.schemas).toHaveProperty("DetectionFinding");
    expect(doc.components.schemas).toHaveProperty("Problem");
    expect(doc.components.securitySchemes).toHaveProperty("bearerAuth");
  });

  it("serves the interactive reference at /docs", async () => {
    const res = await get("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("/v1/openapi.json");
  });

  it("answers unknown /v1 routes with a 404 problem", async () => {
    const tenant = await createTenant();
    const res = await exports.default.fetch(
      new Request("http://phoenix.test/v1/nope", {
        headers: { authorization: `Bearer ${await tokenFor(tenant)}` },
      }),
    );
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
