// autocannon ships no types; this is the part of its API the benchmark uses, typed once here.
import { createRequire } from "node:module";

export interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Called before each send; returns the request to send (a fresh body, signed headers, …). */
  setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
  /** Called with each response of this request; `body` is only collected when this is set. */
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}

export interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  maxOverallRequests?: number;
  timeout?: number;
  requests: AutocannonRequest[];
}

export interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

export interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: "response", listener: (client: unknown, status: number, bytes: number, ms: number) => void): this;
  on(event: "reqError", listener: (error: Error) => void): this;
  stop(): void;
}

const require = createRequire(import.meta.url);
export const autocannon = require("autocannon") as (options: AutocannonOptions) => AutocannonInstance;
