import type { ApiPrincipal } from "../auth/bearer.ts";

/** What every authenticated /v1 handler gets: the verified principal and its tenant's database. */
export interface ApiEnv {
  Bindings: Env;
  Variables: { principal: ApiPrincipal; tenantDb: D1Database };
}
