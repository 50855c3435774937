// The deprecation mechanism, exercised on a copy of the API that deprecates one operation: the
// operation keeps answering, with Deprecation, Sunset and Link headers, and the document flags it.
// The real /v1 deprecates nothing yet, and says so.
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createApi } from "../../../workers/api/app.ts";
import { type DeprecationNotice, V1_DEPRECATIONS } from "../../../workers/http/deprecation.ts";
import { call, createTenant, tokenFor } from "../../support/world.ts";

const notice: DeprecationNotice = {
  method: "get",
  path: "/cases/{id}",
  deprecatedAt: new Date("2026-12-01T00:00:00Z"),
  sunsetAt: new Date("2027-06-30T00:00:00Z"),
  link: "https://docs.phoenix.example/changes/get-case-v2",
};

function apiDeprecating(notices: DeprecationNotice[]) {
  return new Hono().route("/v1", createApi({ deprecations: notices }));
}

describe("Deprecation and Sunset", () => {
  it("answers a deprecated operation as before, with Deprecation, Sunset and Link", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const opened = (await (
      await call("POST", "/v1/cases", { token, body: { title: "Still served", severity: "low" } })
    ).json()) as { id: string };
    const app = apiDeprecating([notice]);
    const res = await app.request(
      `/v1/cases/${opened.id}`,
      { headers: { authorization: `Bearer ${token}` } },
      env,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("deprecation")).toBe(`@${Date.parse("2026-12-01T00:00:00Z") / 1000}`);
    expect(res.headers.get("sunset")).toBe("Wed, 30 Jun 2027 00:00:00 GMT");
    expect(res.headers.get("link")).toBe(
      `<${notice.link}>; rel="deprecation"; type="text/html", <${notice.link}>; rel="sunset"; type="text/html"`,
    );
    // Other operations, even on the same path, say nothing.
    const listed = await app.request("/v1/cases", { headers: { authorization: `Bearer ${token}` } }, env);
    expect(listed.headers.get("deprecation")).toBeNull();
    const commanded = await app.request(
      `/v1/cases/${opened.id}/commands`,
      { method: "POST", headers: { authorization: `Bearer ${token}` } },
      env,
    );
    expect(commanded.headers.get("deprecation")).toBeNull();
  });

  it("flags the operation in the document, with the sunset in its description", async () => {
    const doc = (await (await apiDeprecating([notice]).request("/v1/openapi.json", {}, env)).json()) as {
      paths: Record<string, Record<string, { deprecated?: boolean; description?: string }>>;
    };
    const getCase = doc.paths["/cases/{id}"]?.get;
    expect(getCase?.deprecated).toBe(true);
    expect(getCase?.description).toContain(
      "Deprecated** since 2026-12-01. It stops working after Wed, 30 Jun 2027",
    );
    expect(doc.paths["/cases"]?.get?.deprecated).toBeUndefined();
  });

  it("deprecates nothing in /v1 today, even after another API deprecated something", async () => {
    apiDeprecating([notice]);
    expect(V1_DEPRECATIONS).toEqual([]);
    const res = await call("GET", "/v1/openapi.json");
    const doc = (await res.json()) as { paths: Record<string, Record<string, { deprecated?: boolean }>> };
    const flagged = Object.values(doc.paths).flatMap((ops) =>
      Object.values(ops).filter((op) => op.deprecated),
    );
    expect(flagged).toEqual([]);
  });
});
