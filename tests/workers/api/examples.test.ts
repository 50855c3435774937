// Every /v1 operation shows an example in the document, and every example is something the API
// really answers: it passes the very schemas the routes validate and answer with.
import type { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { createApi } from "../../../workers/api/app.ts";
import { V1_EXAMPLES } from "../../../workers/api/examples.ts";
import { call } from "../../support/world.ts";

interface DocOperation {
  operationId: string;
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, { content?: Record<string, { example?: unknown }> }>;
}

const isZod = (schema: unknown): schema is z.ZodType =>
  typeof (schema as { safeParse?: unknown } | undefined)?.safeParse === "function";

describe("examples in the /v1 document", () => {
  it("every operation with a body or an answer body shows an example of it", async () => {
    const doc = (await (await call("GET", "/v1/openapi.json")).json()) as {
      paths: Record<string, Record<string, DocOperation>>;
    };
    const missing: string[] = [];
    let shown = 0;
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        for (const media of Object.values(op.requestBody?.content ?? {})) {
          if (media.example === undefined) missing.push(`${op.operationId} request`);
          else shown++;
        }
        const success = Object.entries(op.responses).filter(
          ([status, r]) => status.startsWith("2") && r.content,
        );
        for (const [status, response] of success) {
          if (status !== String(V1_EXAMPLES[op.operationId]?.status) && success.length > 1) continue;
          for (const media of Object.values(response.content ?? {})) {
            if (media.example === undefined) missing.push(`${op.operationId} ${status}`);
            else shown++;
          }
        }
      }
    }
    console.log(`examples shown: ${shown}, missing: ${missing.length}`);
    expect(missing).toEqual([]);
  });

  it("every example passes the schema its route validates or answers with", () => {
    const api = createApi();
    const wrong: string[] = [];
    let checked = 0;
    for (const definition of api.openAPIRegistry.definitions) {
      if (definition.type !== "route" || !definition.route.operationId) continue;
      const id = definition.route.operationId;
      const example = V1_EXAMPLES[id];
      if (!example) continue;
      const check = (what: string, schema: unknown, value: unknown) => {
        if (value === undefined || !isZod(schema)) return;
        checked++;
        const parsed = schema.safeParse(value);
        if (!parsed.success)
          wrong.push(`${id} ${what}: ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`);
      };
      for (const media of Object.values(definition.route.request?.body?.content ?? {})) {
        check("request", (media as { schema?: unknown }).schema, example.request);
      }
      const answer = definition.route.responses[example.status] as {
        content?: Record<string, { schema?: unknown }>;
      };
      for (const media of Object.values(answer?.content ?? {}))
        check(String(example.status), media.schema, example.response);
    }
    console.log(`examples checked against their schemas: ${checked}, wrong: ${wrong.length}`);
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });
});
