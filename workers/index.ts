// The one Worker: API, webhooks, well-known endpoints and the workbench, behind a Hono root.
import { Hono } from "hono";
import { JWKS_MAX_AGE_SECONDS } from "../domain/auth/key-schedule.ts";
import { PhoenixError } from "../domain/errors.ts";
import { createApi } from "./api/app.ts";
import { ownJwks } from "./auth/issuers.ts";
import { createSessionRoutes } from "./auth/routes.ts";
import { createSignInRoutes } from "./auth/sign-in.ts";
import { configurationProblems } from "./configuration.ts";
import { apiReference } from "./docs.ts";
import { problemResponse, toProblem } from "./http/problem.ts";
import { consumeIngest, consumeIngestDeadLetters } from "./ingest/consume.ts";
import { createIngest } from "./ingest/route.ts";
import { limitByAddress } from "./limits/rate-limit.ts";
import { createLiveRoutes } from "./live/route.ts";
import { createProbeRoutes } from "./probes/routes.ts";
import { consumeCorrelation, consumeCorrelationDeadLetters } from "./queues/correlation.ts";
import { runScheduled } from "./scheduled.ts";
import { consumeSinkDeadLetters, consumeSinkSync } from "./sinks/consume.ts";
import { requestTelemetry } from "./telemetry/request-log.ts";
import { handleWorkbench } from "./workbench.ts";

const app = new Hono<{ Bindings: Env }>();

// First, so every request gets its one log line, x-request-id and trace, whatever answers it.
app.use("*", requestTelemetry());
app.use("*", async (c, next) => {
  const problems = configurationProblems(c.env);
  if (problems.length > 0) {
    console.error(JSON.stringify({ level: "error", msg: "phoenix is misconfigured", problems }));
    throw new PhoenixError("unavailable", `Phoenix is misconfigured: ${problems.join("; ")}`);
  }
  return next();
});
// Per address, before any credential is looked at: floods of sign-ins, tokens and webhooks stop here.
for (const path of ["/v1/*", "/ingest/*", "/auth/*", "/live/*"]) app.use(path, limitByAddress());

app.get("/healthz", (c) => c.json({ status: "ok" }));
app.route("/", createProbeRoutes());
// Current, next and retiring keys: a next key is listed here well before it signs (decision 019).
app.get("/.well-known/jwks.json", async (c) => {
  c.header("cache-control", `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
  return c.json(await ownJwks(c.env));
});
app.get("/docs", apiReference);
app.route("/v1", createApi());
app.route("/ingest", createIngest());
app.route("/auth", createSessionRoutes());
app.route("/auth", createSignInRoutes());
app.route("/live", createLiveRoutes());
app.all("/v1/*", (c) => problemResponse(new PhoenixError("not_found", "no such route"), c.req.path));
app.all("*", (c) => handleWorkbench(c.req.raw, c.env, c.executionCtx));
app.onError(toProblem);

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    const problems = configurationProblems(env);
    if (problems.length > 0) throw new Error(`Phoenix is misconfigured: ${problems.join("; ")}`);
    ctx.waitUntil(runScheduled(env, controller.scheduledTime));
  },
  async queue(batch, env) {
    // Queue names carry the environment ("phoenix-correlation-staging"); the role is the prefix.
    if (/^phoenix-ingest-dlq(-|$)/.test(batch.queue)) return consumeIngestDeadLetters(batch, env);
    if (/^phoenix-ingest-bulk(-|$)/.test(batch.queue)) return consumeIngest(batch, env, "bulk");
    if (/^phoenix-ingest(-|$)/.test(batch.queue)) return consumeIngest(batch, env, "main");
    if (/^phoenix-correlation-dlq(-|$)/.test(batch.queue)) return consumeCorrelationDeadLetters(batch, env);
    // Both lanes group alerts the same way; only who waits behind whom differs (decision 053).
    if (/^phoenix-correlation(-bulk)?(-|$)/.test(batch.queue)) return consumeCorrelation(batch, env);
    if (/^phoenix-sink-sync-dlq(-|$)/.test(batch.queue)) return consumeSinkDeadLetters(batch, env);
    if (/^phoenix-sink-sync(-|$)/.test(batch.queue)) return consumeSinkSync(batch, env);
    // A queue this Worker does not consume: retried, so a wiring mistake is loud and loses nothing.
    console.error(JSON.stringify({ level: "error", msg: "no consumer for queue", queue: batch.queue }));
    batch.retryAll();
  },
} satisfies ExportedHandler<Env>;

export { CaseObject } from "../durable-objects/case-object.ts";
export { TenantLive } from "../durable-objects/tenant-live.ts";
export { TenantQuota } from "../durable-objects/tenant-quota.ts";
