import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./schema/tenant.ts",
  out: "./migrations/tenant",
});
