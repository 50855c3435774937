// Every test file starts from a migrated, empty control database (storage is isolated per file).
// Tenant databases are migrated when a test provisions a tenant on one (see world.ts).
import { applyD1Migrations, type D1Migration } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { testEnv } from "./test-env.ts";

await applyD1Migrations(env.CONTROL_DB, testEnv().TEST_CONTROL_MIGRATIONS as D1Migration[]);
