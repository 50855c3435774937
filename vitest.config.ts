import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { exportJWK, generateKeyPair } from "jose";
import { defineConfig } from "vitest/config";

// Tests run inside workerd against real local D1 databases: the control database, the demo
// tenant's from wrangler.toml, and extra tenant databases so isolation tests are real.
export const TEST_TENANT_BINDINGS = ["TENANT_T1", "TENANT_T2", "TENANT_T3"] as const;

export default defineConfig(async () => {
  const controlMigrations = await readD1Migrations("migrations/control");
  const tenantMigrations = await readD1Migrations("migrations/tenant");
  // A throwaway signing key per run: tests never depend on a committed secret.
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const signingJwk = { ...(await exportJWK(privateKey)), kid: "test-signing-key", alg: "ES256", use: "sig" };

  return {
    test: {
      include: ["tests/**/*.test.ts"],
      exclude: ["tests/tooling/**", "node_modules/**"],
      setupFiles: ["tests/support/apply-migrations.ts"],
    },
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ENVIRONMENT: "test",
            PHOENIX_SIGNING_JWK: JSON.stringify(signingJwk),
            TEST_CONTROL_MIGRATIONS: controlMigrations,
            TEST_TENANT_MIGRATIONS: tenantMigrations,
            TEST_TENANT_BINDINGS: [...TEST_TENANT_BINDINGS],
          },
          d1Databases: Object.fromEntries(TEST_TENANT_BINDINGS.map((b) => [b, `phoenix-test-${b.toLowerCase()}`])),
        },
      }),
    ],
  };
});
