// Everything Hono does not route goes to the React Router workbench.
// The server build is imported lazily, so API tests (vitest) run without building the workbench.
import {
  createRequestHandler,
  type RequestHandler,
  type RouterContext,
  RouterContextProvider,
  type ServerBuild,
} from "react-router";
import type { SignedIn } from "../domain/auth/sessions.ts";
import { renderOrReuse } from "./render-cache.ts";

/** What Hono's `c.executionCtx` guarantees, which is all the workbench needs (waitUntil). */
type WorkerExecutionContext = Pick<ExecutionContext, "waitUntil" | "passThroughOnException">;

/** The load context the workbench's loaders read; mirrors app/context.ts (workers/ may not import app/). */
interface WorkbenchContext {
  env: Env;
  ctx: WorkerExecutionContext;
  signedIn?: Promise<SignedIn | null> | undefined;
}

// Given the build itself (not a function that loads it), React Router derives its route table once
// per isolate instead of on every request, which it does for a build function to allow hot reload.
let workbench: Promise<{ key: RouterContext<WorkbenchContext>; handle: RequestHandler }> | undefined;

function loadWorkbench() {
  workbench ??= import("virtual:react-router/server-build").then((build: ServerBuild) => ({
    key: contextKey(build),
    handle: createRequestHandler(build, import.meta.env.MODE),
  }));
  // A failed load is retried by the next request rather than remembered.
  workbench.catch(() => {
    workbench = undefined;
  });
  return workbench;
}

export async function handleWorkbench(
  request: Request,
  env: Env,
  ctx: WorkerExecutionContext,
): Promise<Response> {
  const { key, handle } = await loadWorkbench();
  return renderOrReuse(request, env, Date.now(), (signedIn) =>
    handle(request, new RouterContextProvider(new Map([[key, { env, ctx, signedIn }]]))),
  );
}

// The context key is created once, in app/context.ts; app/root.tsx re-exports it so the Worker can
// reach it through the build (the bundle's one entry into app/) instead of importing app/ code.
function contextKey(build: ServerBuild): RouterContext<WorkbenchContext> {
  const root = build.routes.root?.module as
    | { workbenchContext?: RouterContext<WorkbenchContext> }
    | undefined;
  if (!root?.workbenchContext) throw new Error("app/root.tsx must export workbenchContext");
  return root.workbenchContext;
}
