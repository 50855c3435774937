import type { Principal } from "../../domain/auth/principal.ts";
import type { JsonBody } from "./json-body.ts";

/** What every authenticated /v1 handler gets: the verified principal and its tenant's database. */
export interface ApiEnv {
  Bindings: Env;
  /** jsonBody: a write's body, read and checked once before the route (workers/api/app.ts). */
  Variables: { principal: Principal; tenantDb: D1Database; jsonBody?: JsonBody };
}
