// OAuth-style scopes carried by machine tokens. The list is closed: an unknown scope in a
// token is ignored, never widened into something it was not.
export const SCOPES = [
  "alerts:read",
  "alerts:write",
  "cases:read",
  "cases:write",
  "reports:read",
  "admin",
] as const;

export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Parses a space-separated `scope` claim, keeping only known scopes, each once. */
export function parseScopes(claim: unknown): Scope[] {
  if (typeof claim !== "string") return [];
  return [...new Set(claim.split(" ").filter(isScope))];
}
