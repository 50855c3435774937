// The Platform's client for Phoenix's /v1 API: openapi-fetch over the types generated from
// contract/phoenix-v1.openapi.json (`npm run contract`), so a call that does not match the
// contract does not compile. Usage: contract/client/README.md.
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.d.ts";

export type { components, paths };
export type PhoenixClient = Client<paths>;

export interface PhoenixClientOptions {
  /** Phoenix's origin plus /v1, e.g. https://phoenix.example.com/v1. */
  baseUrl: string;
  /** A bearer token from POST /v1/oauth/token, or a function that answers a fresh one. */
  token: string | (() => Promise<string>);
  /** Defaults to the global fetch; tests pass the Worker's own. */
  fetch?: (request: Request) => Promise<Response>;
}

export function createPhoenixClient(options: PhoenixClientOptions): PhoenixClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  client.use({
    async onRequest({ request }) {
      const token = typeof options.token === "string" ? options.token : await options.token();
      request.headers.set("authorization", `Bearer ${token}`);
      return request;
    },
  });
  return client;
}
