// Every test file starts from a migrated, empty control database (storage is isolated per file).
// Tenant databases are migrated when a test provisions a tenant on one (see world.ts).
import type { D1Migration } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { applyMigrationsAtOnce } from "./migrate-at-once.ts";
import { testEnv } from "./test-env.ts";

await applyMigrationsAtOnce(env.CONTROL_DB, testEnv().TEST_CONTROL_MIGRATIONS as D1Migration[]);
