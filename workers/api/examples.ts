// Examples for every /v1 operation, in the document where the Platform's developers read it. They
// were recorded from real answers of this API and are checked against the routes' own schemas by
// tests/workers/api/examples.test.ts, so an example that no longer fits fails the build.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../http/context.ts";
import recorded from "./examples/v1-examples.json";

export interface OperationExample {
  /** The request body, for operations that take one. */
  request?: unknown;
  status: number;
  /** The body of the success answer, for answers that have one. */
  response?: unknown;
}

export const V1_EXAMPLES: Readonly<Record<string, OperationExample>> = recorded;

type Content = Record<string, Record<string, unknown>>;

/**
 * Puts each operation's example on its request body and success answer. The route objects are
 * shared by every API built from the modules, so each one is copied, never changed.
 */
export function attachExamples(
  api: OpenAPIHono<ApiEnv>,
  examples: Readonly<Record<string, OperationExample>> = V1_EXAMPLES,
): void {
  const withExample = (content: Content | undefined, example: unknown): Content | undefined =>
    content && example !== undefined
      ? Object.fromEntries(Object.entries(content).map(([type, media]) => [type, { ...media, example }]))
      : content;
  for (const definition of api.openAPIRegistry.definitions) {
    if (definition.type !== "route") continue;
    const { route } = definition;
    const example = route.operationId ? examples[route.operationId] : undefined;
    if (!example) continue;
    const body = route.request?.body;
    const answer = route.responses[example.status];
    definition.route = {
      ...route,
      ...(body && route.request
        ? {
            request: {
              ...route.request,
              body: {
                ...body,
                content: withExample(body.content as Content, example.request) as typeof body.content,
              },
            },
          }
        : {}),
      responses: {
        ...route.responses,
        ...(answer && "content" in answer
          ? {
              [example.status]: {
                ...answer,
                content: withExample(answer.content as Content, example.response) as typeof answer.content,
              },
            }
          : {}),
      },
    };
  }
}
