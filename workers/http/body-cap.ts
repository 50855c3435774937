// One cap on request bodies for /v1 and webhooks (decision 028): MAX_BODY_BYTES, or 4 MiB. A larger
// body is refused with 413 before it is read.
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { PhoenixError } from "../../domain/errors.ts";
import { maxBodyBytes } from "../../domain/input/limits.ts";

/** `what` names the body in the problem: "the request body", "a delivery". */
export function capBody(what: string): MiddlewareHandler<{ Bindings: Env }> {
  return (c, next) => {
    const maxSize = maxBodyBytes(c.env.MAX_BODY_BYTES);
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new PhoenixError("payload_too_large", `${what} may be at most ${maxSize} bytes`);
      },
    })(c, next);
  };
}
