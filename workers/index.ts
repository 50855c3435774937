// The one Worker: API, webhooks, well-known endpoints and the workbench, behind a Hono root.
import { Scalar } from "@scalar/hono-api-reference";
import { Hono } from "hono";
import { PhoenixError } from "../domain/errors.ts";
import { createApi } from "./api/app.ts";
import { problemResponse, toProblem } from "./api/problem.ts";
import { ownJwks } from "./auth/issuers.ts";
import { createIngest } from "./ingest/route.ts";
import { runScheduled } from "./scheduled.ts";
import { handleWorkbench } from "./workbench.ts";

const app = new Hono<{ Bindings: Env }>();

app.get("/healthz", (c) => c.json({ status: "ok" }));
app.get("/.well-known/jwks.json", (c) => {
  c.header("cache-control", "public, max-age=300");
  return c.json(ownJwks(c.env));
});
app.get("/docs", Scalar({ url: "/v1/openapi.json", pageTitle: "Phoenix API" }));
app.route("/v1", createApi());
app.route("/ingest", createIngest());
app.all("/v1/*", (c) => problemResponse(new PhoenixError("not_found", "no such route"), c.req.path));
app.all("*", (c) => handleWorkbench(c.req.raw, c.env, c.executionCtx));
app.onError(toProblem);

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;

export { CaseObject } from "../durable-objects/case-object.ts";
