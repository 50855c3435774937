// Every test file starts from migrated, empty databases (storage is isolated per file).
import { applyD1Migrations, type D1Migration } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { testEnv } from "./test-env.ts";

const e = testEnv();
await applyD1Migrations(env.CONTROL_DB, e.TEST_CONTROL_MIGRATIONS as D1Migration[]);
for (const binding of ["TENANT_DEMO", ...e.TEST_TENANT_BINDINGS]) {
  await applyD1Migrations(e[binding] as D1Database, e.TEST_TENANT_MIGRATIONS as D1Migration[]);
}
