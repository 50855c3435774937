// Cross-site request forgery checks for anything a browser's cookies authenticate: the token bound
// to the session (or the pre-session double-submit cookie) must come back, and an Origin header,
// when the browser sends one, must be this site's own origin.
import { PhoenixError } from "../errors.ts";

/** Refuses with 403 csrf_rejected unless `presented` equals `expected` and the Origin is ours. */
export function requireCsrf(request: Request, expected: string | null, presented: string | null): void {
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== new URL(request.url).origin) {
    throw new PhoenixError("csrf_rejected", "the request comes from another origin");
  }
  if (!expected || !presented || !constantTimeEqual(expected, presented)) {
    throw new PhoenixError("csrf_rejected", "the request's CSRF token is missing or does not match");
  }
}

// Tokens are fixed-length base64url; comparing every byte keeps the time independent of the match.
function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
