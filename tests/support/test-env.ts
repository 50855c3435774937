import { env } from "cloudflare:workers";

/** The Worker env plus the bindings only the test config adds. */
export function testEnv(): Env & Record<string, unknown> & { TEST_TENANT_BINDINGS: string[] } {
  return env as Env & Record<string, unknown> & { TEST_TENANT_BINDINGS: string[] };
}
