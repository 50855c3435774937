// The one-binding-call routes the bench measures beside the bare route (workers/probes/routes.ts).
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index.ts";
import { call } from "../support/world.ts";

const fetchWith = async (request: Request, overrides: Partial<Env>) => {
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
};

/** A queue that records what it is sent. */
function recordingQueue() {
  const sent: unknown[] = [];
  const queue = {
    send: async (body: unknown) => {
      sent.push(body);
    },
    sendBatch: async () => {},
  } as unknown as Queue;
  return { queue, sent };
}

describe("GET /readyz", () => {
  it("answers ok once the control database answers", async () => {
    const res = await call("GET", "/readyz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("is a 503 problem when the control database does not answer", async () => {
    const failing = {
      prepare: () => ({
        first: async () => {
          throw new Error("D1_ERROR: network connection lost");
        },
      }),
    } as unknown as D1Database;
    const res = await fetchWith(new Request("http://phoenix.test/readyz"), { CONTROL_DB: failing });
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(((await res.json()) as { detail: string }).detail).toBe("the control database did not answer");
  });
});

describe("POST /healthz/queue", () => {
  it("sends one probe to the ingest queue, locally", async () => {
    expect((await call("POST", "/healthz/queue")).status).toBe(202);
    const { queue, sent } = recordingQueue();
    const res = await fetchWith(new Request("http://phoenix.test/healthz/queue", { method: "POST" }), {
      INGEST_QUEUE: queue,
    });
    expect(res.status).toBe(202);
    expect(sent).toEqual([{ probe: true }]);
  });

  it("does not exist in staging or production, and sends nothing there", async () => {
    for (const ENVIRONMENT of ["staging", "production"]) {
      const { queue, sent } = recordingQueue();
      const res = await fetchWith(new Request("http://phoenix.test/healthz/queue", { method: "POST" }), {
        INGEST_QUEUE: queue,
        ENVIRONMENT,
      });
      expect(res.status, ENVIRONMENT).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(sent).toEqual([]);
    }
  });
});

describe("the ingest queue's consumer", () => {
  it("acknowledges probes, and drops what it cannot read rather than retry it for ever", async () => {
    const batch = createMessageBatch(
      "phoenix-ingest",
      [{ probe: true }, { something: "else" }].map((body, i) => ({
        id: `msg-${i}`,
        timestamp: new Date(),
        attempts: 1,
        body,
      })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<unknown>, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-1"]);
    expect(result.retryMessages).toEqual([]);
  });
});
