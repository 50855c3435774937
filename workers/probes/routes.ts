// What one binding call costs, measured beside the bare /healthz by `npm run bench` (issue 18):
// GET /readyz makes one D1 read, and is a readiness probe anywhere (the control database answers);
// POST /healthz/queue makes one queue send, locally only, since in production it would let anyone
// put work on a queue.
import { Hono } from "hono";
import { PhoenixError } from "../../domain/errors.ts";

const LOCAL_ENVIRONMENTS = new Set(["development", "test"]);

export function createProbeRoutes(): Hono<{ Bindings: Env }> {
  const probes = new Hono<{ Bindings: Env }>();
  probes.get("/readyz", async (c) => {
    try {
      await c.env.CONTROL_DB.prepare("SELECT 1 AS ready").first();
    } catch {
      throw new PhoenixError("unavailable", "the control database did not answer");
    }
    return c.json({ status: "ok" });
  });
  probes.post("/healthz/queue", async (c) => {
    if (!LOCAL_ENVIRONMENTS.has(c.env.ENVIRONMENT)) throw new PhoenixError("not_found", "no such route");
    await c.env.INGEST_QUEUE.send({ probe: true }, { contentType: "json" });
    return c.json({ status: "queued" }, 202);
  });
  return probes;
}
