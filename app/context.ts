// What a workbench loader or action receives from the Worker: its bindings and execution context.
// React Router 8 only accepts a RouterContextProvider as load context, keyed by createContext().
//
// The key lives here because app/ owns what its loaders receive. workers/ may not import app/, so
// app/root.tsx re-exports the key and the Worker reads it off the server build's root route module.
import { createContext } from "react-router";
import type { SignedIn } from "../domain/auth/sessions.ts";

export interface WorkbenchContext {
  env: Env;
  // What the Worker's Hono edge hands over: enough for waitUntil.
  ctx: Pick<ExecutionContext, "waitUntil" | "passThroughOnException">;
  // The session, when the Worker already resolved it for this request (workers/render-cache.ts).
  signedIn?: Promise<SignedIn | null> | undefined;
}

export const workbenchContext = createContext<WorkbenchContext>();
