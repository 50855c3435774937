// Minting local access tokens for the operator tools: parsing what a human types, then
// domain/auth/tokens.ts does the signing, exactly as the Worker would.

import { isScope, SCOPES, type Scope } from "../domain/auth/scopes.ts";
import { mintAccessToken } from "../domain/auth/tokens.ts";
import { readDevSigningKey } from "./dev-vars.ts";
import { issuer, readWranglerConfig } from "./wrangler-config.ts";

const TTL_UNITS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const MAX_TTL_SECONDS = 7 * 86_400;

/** "30s", "15m", "1h", "12h", "1d" → seconds. */
export function parseTtl(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * TTL_UNITS[match[2] as keyof typeof TTL_UNITS] : Number.NaN;
  if (!(seconds > 0))
    throw new Error(`invalid ttl "${text}": use a number and a unit, e.g. 30s, 15m, 1h, 12h, 1d`);
  if (seconds > MAX_TTL_SECONDS) throw new Error(`ttl "${text}" is too long: tokens live at most 7d`);
  return seconds;
}

/** "alerts:read cases:read" → scopes; an unknown scope is an error, never silently dropped. */
export function parseScopeList(text: string): Scope[] {
  const words = text.split(/[\s,]+/).filter(Boolean);
  if (words.length === 0) throw new Error(`no scopes given; known scopes: ${SCOPES.join(" ")}`);
  const unknown = words.filter((w) => !isScope(w));
  if (unknown.length > 0) {
    throw new Error(
      `unknown scope${unknown.length > 1 ? "s" : ""} ${unknown.map((s) => `"${s}"`).join(", ")}; known scopes: ${SCOPES.join(" ")}`,
    );
  }
  return [...new Set(words as Scope[])];
}

/** A token the local Worker (`npm start`) accepts: signed with .dev.vars, issued as PHOENIX_ISSUER. */
export function mintLocalToken(req: {
  tenantId: string;
  scopes: Scope[];
  ttlSeconds: number;
  subject: string;
}) {
  return mintAccessToken({
    key: readDevSigningKey(),
    issuer: issuer(readWranglerConfig()),
    subject: req.subject,
    tenantId: req.tenantId,
    scopes: req.scopes,
    ttlSeconds: req.ttlSeconds,
    now: Date.now(),
  });
}
