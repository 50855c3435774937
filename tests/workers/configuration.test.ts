// A Worker deployed without its secrets refuses to serve and says which secret is missing,
// without ever printing a secret's value.
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import worker from "../../workers/index.ts";
import { testEnv } from "../support/test-env.ts";

async function fetchWith(overrides: Partial<Env>, path = "/healthz"): Promise<Response> {
  const env = { ...testEnv(), ...overrides } as Env;
  return worker.fetch(new Request(`http://phoenix.test${path}`), env, createExecutionContext());
}

describe("required secrets", () => {
  it("a missing PHOENIX_SIGNING_JWK fails every request with 503 naming the secret", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await fetchWith({ PHOENIX_SIGNING_JWK: "" }, "/v1/alerts");
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = (await res.json()) as { detail: string };
    expect(body.detail).toContain("PHOENIX_SIGNING_JWK secret is not set");
    expect(errors).toHaveBeenCalled();
    errors.mockRestore();
  });

  it("a malformed SECRETS_ENCRYPTION_KEY is named, and its value is not echoed", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await fetchWith({ SECRETS_ENCRYPTION_KEY: "dG9vLXNob3J0LWtleQ==" });
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).toContain("SECRETS_ENCRYPTION_KEY secret must be 32 bytes");
    expect(text).not.toContain("dG9vLXNob3J0LWtleQ==");
    expect(JSON.stringify(errors.mock.calls)).not.toContain("dG9vLXNob3J0LWtleQ==");
    errors.mockRestore();
  });

  it("with both secrets in place the Worker serves", async () => {
    expect((await fetchWith({})).status).toBe(200);
  });
});
