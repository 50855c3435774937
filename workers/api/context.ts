import type { Principal } from "../../domain/auth/principal.ts";

/** What every authenticated /v1 handler gets: the verified principal and its tenant's database. */
export interface ApiEnv {
  Bindings: Env;
  Variables: { principal: Principal; tenantDb: D1Database };
}
