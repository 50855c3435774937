import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { exportJWK, generateKeyPair } from "jose";
import { defineConfig } from "vitest/config";
import { generateContractValidators } from "./scripts/generate-contract-validators.ts";
import { generateOcsfValidators } from "./scripts/generate-ocsf-validators.ts";
import { QuietDefaultReporter } from "./tests/support/quiet-reporter.ts";
import { SecretScanReporter } from "./tests/support/secret-scan-reporter.ts";

const CUSTOMER_IDP_TENANT_ID = "tnt_01customeridp00000000000000";

// Tenant ids map 1:1 to databases, so every tenant a test file mints gets one of these.
const TEST_TENANT_BINDINGS = Array.from(
  { length: 16 },
  (_, i) => `TENANT_T${String(i + 1).padStart(2, "0")}`,
);

/**
 * Generated validators (domain/ocsf/generated, tests/support/generated) are megabytes of code no one
 * debugs; without this their inline source maps grow them fivefold, and every test file's worker
 * receives its modules in one message, which workerd caps at 32 MiB (decision 047).
 */
const generatedCodeWithoutSourceMaps = {
  name: "phoenix:generated-code-without-source-maps",
  enforce: "pre" as const,
  transform(code: string, id: string) {
    if (!/\/generated\/[^/]+\.js$/.test(id)) return null;
    // An empty mapping is Vite's "no source map": the module runner then inlines none.
    return { code, map: { mappings: "" } };
  },
};

// The limit of TEST_RATE_LIMITER, a real local limiter that tests/workers/limits swap in for the
// Worker's own (whose wrangler.toml limits no other test file can reach). Decision 021.
const TEST_RATE_LIMIT = 5;

export default defineConfig(async () => {
  const controlMigrations = await readD1Migrations("migrations/control");
  const tenantMigrations = await readD1Migrations("migrations/tenant");
  // A throwaway signing key per run: tests never depend on a committed secret.
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const signingJwk = { ...(await exportJWK(privateKey)), kid: "test-signing-key", alg: "ES256", use: "sig" };
  // Two outside identity providers: one trusted through an inline JWKS, one through a JWKS URL
  // (its document is served by a fetch mock in the tests, as the IdP would serve it).
  const inlineIdp = await testIssuerKey("RS256", "inline-idp-key");
  const urlIdp = await testIssuerKey("ES256", "url-idp-key");
  const trustedIssuers = [
    {
      issuer: "https://idp-inline.test",
      jwks: { keys: [inlineIdp.publicJwk] },
      algorithms: ["RS256"],
      tenants: "*",
    },
    { issuer: "https://idp.test", jwksUrl: "https://idp.test/.well-known/jwks.json", tenants: "*" },
    // A customer's own IdP, trusted for one tenant only (tests/workers/api/auth.issuers.test.ts).
    {
      issuer: "https://idp-customer.test",
      jwks: { keys: [inlineIdp.publicJwk] },
      algorithms: ["RS256"],
      tenants: [CUSTOMER_IDP_TENANT_ID],
    },
  ];
  // Ajv cannot compile schemas inside workerd, so the OCSF validators are generated here, in Node
  // (npm start and npm run build do the same for the Worker itself).
  await generateOcsfValidators(import.meta.dirname);
  // The same for the /v1 contract, which the fuzz suite checks every request and response against.
  await generateContractValidators(import.meta.dirname);
  const encryptionKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
  // Phoenix's client secret at the local OIDC provider the globalSetup starts (decision 022).
  const oidcClientSecret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");

  return {
    test: {
      // A safety net for hung tests, not a performance assertion: speed lives in `npm run bench`.
      testTimeout: 60_000,
      // Two files at a time, where vitest's default on two cores is one: much of a file's time is
      // spent waiting (queues, alarms, servers it starts), so two share the cores well.
      maxWorkers: 2,
      // Fails the run if any secret reaches the logs of the whole suite (issue 5, secrets hygiene).
      reporters: [
        // Test output shows what tests print, not the Worker's request logs (decision 023).
        new QuietDefaultReporter(),
        new SecretScanReporter({
          PHOENIX_SIGNING_JWK: String(signingJwk.d),
          SECRETS_ENCRYPTION_KEY: encryptionKey,
          TEST_INLINE_IDP_JWK: String(inlineIdp.privateJwk.d),
          TEST_URL_IDP_JWK: String(urlIdp.privateJwk.d),
          OIDC_CLIENT_SECRET: oidcClientSecret,
        }),
      ],
      projects: [
        {
          // Tests of code that needs no binding (`*.unit.test.ts`): in workerd like the Worker, but
          // sharing one runtime per worker across files, where a file with bindings gets a fresh
          // runtime and storage of its own (about 5 s each on two cores). Decision 058.
          test: {
            name: "unit",
            include: ["tests/**/*.unit.test.ts"],
            isolate: false,
          },
          plugins: [
            generatedCodeWithoutSourceMaps,
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: { bindings: { ENVIRONMENT: "test" } },
            }),
          ],
        },
        {
          test: {
            name: "workers",
            include: ["tests/**/*.test.ts"],
            exclude: ["tests/tooling/**", "tests/contracts/**", "tests/e2e/**", "tests/**/*.unit.test.ts"],
            setupFiles: ["tests/support/apply-migrations.ts"],
            globalSetup: ["tests/e2e/local-oidc-provider.ts", "tests/e2e/vendors/local-vendors.ts"],
            provide: { oidcClientSecret },
          },
          plugins: [
            generatedCodeWithoutSourceMaps,
            cloudflareTest(({ inject }) => ({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  ENVIRONMENT: "test",
                  // Sign-in (decision 022): OIDC against the local provider, Cloudflare Access against
                  // a team whose certificates the Access tests serve through a fetch mock.
                  OIDC_ISSUER: inject("oidcIssuer"),
                  OIDC_CLIENT_ID: inject("oidcClientId"),
                  OIDC_CLIENT_SECRET: oidcClientSecret,
                  ACCESS_TEAM_DOMAIN: "https://phoenix-test.cloudflareaccess.com",
                  ACCESS_AUD: "phoenix-test-access-aud",
                  PHOENIX_SIGNING_JWK: JSON.stringify(signingJwk),
                  SECRETS_ENCRYPTION_KEY: encryptionKey,
                  TRUSTED_ISSUERS: JSON.stringify(trustedIssuers),
                  TEST_INLINE_IDP_JWK: inlineIdp.privateJwk,
                  TEST_URL_IDP_JWK: urlIdp.privateJwk,
                  TEST_URL_IDP_PUBLIC_JWK: urlIdp.publicJwk,
                  TEST_CONTROL_MIGRATIONS: controlMigrations,
                  TEST_TENANT_MIGRATIONS: tenantMigrations,
                  TEST_TENANT_BINDINGS,
                  TEST_CUSTOMER_IDP_TENANT_ID: CUSTOMER_IDP_TENANT_ID,
                  TEST_RATE_LIMIT,
                },
                d1Databases: Object.fromEntries(
                  TEST_TENANT_BINDINGS.map((b) => [b, `phoenix-test-${b.toLowerCase()}`]),
                ),
                // As wrangler.toml, but a batch leaves as soon as it is sent: tests wait for the work,
                // not for a batch window (tests/support/ingest.ts, correlationSettled; a state digest
                // settled in tests/support/tenant-state.ts must not miss a sink sync still batching).
                queueConsumers: {
                  "phoenix-ingest": {
                    maxBatchSize: 100,
                    maxBatchTimeout: 0,
                    maxRetries: 5,
                    retryDelay: 0,
                    deadLetterQueue: "phoenix-ingest-dlq",
                  },
                  "phoenix-ingest-dlq": { maxBatchSize: 10, maxBatchTimeout: 0 },
                  "phoenix-ingest-bulk": {
                    maxBatchSize: 100,
                    maxBatchTimeout: 0,
                    maxRetries: 5,
                    retryDelay: 0,
                    deadLetterQueue: "phoenix-ingest-dlq",
                  },
                  "phoenix-correlation-bulk": {
                    maxBatchSize: 100,
                    maxBatchTimeout: 0,
                    maxRetries: 5,
                    retryDelay: 0,
                    deadLetterQueue: "phoenix-correlation-dlq",
                  },
                  "phoenix-correlation": {
                    maxBatchSize: 100,
                    maxBatchTimeout: 0,
                    maxRetries: 5,
                    retryDelay: 0,
                    deadLetterQueue: "phoenix-correlation-dlq",
                  },
                  "phoenix-correlation-dlq": { maxBatchSize: 100, maxBatchTimeout: 0 },
                  "phoenix-sink-sync": {
                    maxBatchSize: 10,
                    maxBatchTimeout: 0,
                    maxRetries: 19,
                    retryDelay: 2,
                    deadLetterQueue: "phoenix-sink-sync-dlq",
                  },
                  "phoenix-sink-sync-dlq": { maxBatchSize: 10, maxBatchTimeout: 0 },
                },
                ratelimits: {
                  TEST_RATE_LIMITER: { namespace_id: "1099", simple: { limit: TEST_RATE_LIMIT, period: 60 } },
                },
              },
            })),
          ],
        },
        {
          // Node-side checks: lint rules, vendor contracts (Ajv compiles their schemas, which workerd
          // does not allow), and the local stack end to end.
          test: {
            name: "node",
            environment: "node",
            include: ["tests/tooling/**/*.test.ts", "tests/contracts/**/*.test.ts", "tests/e2e/**/*.test.ts"],
          },
        },
      ],
    },
  };
});

async function testIssuerKey(alg: "RS256" | "ES256", kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" },
  };
}
