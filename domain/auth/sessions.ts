// Workbench sign-in sessions. The browser holds only the session id, HMAC-signed, in a __Host-
// cookie; the CONTROL_DB row is what makes expiry, sign-out and revocation real. resolveSession is
// the one function the Worker and the workbench use to learn who is signed in.
import { and, eq, isNull, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { base64url } from "jose";
import { principals, sessions } from "../../schema/control.ts";
import { newId } from "../ids.ts";
import { type ActiveGrant, activeGrantOf, activeGrantsQuery, type PrincipalRow } from "./people.ts";

/** A live session: its row, less the revocation (a revoked session is no session at all). */
export type Session = Omit<typeof sessions.$inferSelect, "revokedAt">;
export type SessionMethod = Session["method"];

export interface SignedIn {
  session: Session;
  principal: PrincipalRow;
  grants: ActiveGrant[];
}

/** What resolving a session needs from the Worker's env. */
export interface SessionEnv {
  CONTROL_DB: D1Database;
  SECRETS_ENCRYPTION_KEY: string;
}

export const SESSION_COOKIE = "__Host-phoenix_session";
export const SESSION_IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
/** last_seen_at is written at most this often, so a busy page does not write on every request. */
export const SESSION_TOUCH_INTERVAL_MS = 60 * 1000;

export async function createSession(
  db: D1Database,
  input: { principalId: string; method: SessionMethod },
  now: number,
): Promise<Session> {
  const session: Session = {
    id: newId("session", now),
    principalId: input.principalId,
    method: input.method,
    csrfToken: randomToken(),
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: now + SESSION_IDLE_TIMEOUT_MS,
    absoluteExpiresAt: now + SESSION_ABSOLUTE_TIMEOUT_MS,
  };
  await drizzle(db).insert(sessions).values(session);
  return session;
}

/** Idempotent: revoking twice keeps the first revocation time. */
export async function revokeSession(db: D1Database, sessionId: string, now: number): Promise<void> {
  await drizzle(db)
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/**
 * The signed-in person behind the request's session cookie, or null when there is none or it is
 * forged, expired, revoked, or its principal is gone or disabled. Slides the idle expiry.
 */
export async function resolveSession(
  env: SessionEnv,
  request: Request,
  now: number,
): Promise<SignedIn | null> {
  const cookie = readCookie(request.headers.get("cookie"), SESSION_COOKIE);
  if (!cookie) return null;
  const sessionId = await verifySessionCookie(env.SECRETS_ENCRYPTION_KEY, cookie);
  if (!sessionId) return null;
  const d = drizzle(env.CONTROL_DB);
  // One round trip for every signed-in request: the session, its person and their grants, the
  // latter two through the session row; nothing of them is used unless the session holds.
  const ofSession = sql`(select ${sessions.principalId} from ${sessions} where ${sessions.id} = ${sessionId})`;
  const [[row], [principal], grants] = await d.batch([
    d.select().from(sessions).where(eq(sessions.id, sessionId)).limit(1),
    d.select().from(principals).where(eq(principals.id, ofSession)).limit(1),
    activeGrantsQuery(d, ofSession),
  ]);
  if (!row || row.revokedAt !== null) return null;
  if (now >= row.idleExpiresAt || now >= row.absoluteExpiresAt) return null;
  if (principal?.status !== "active") return null;
  const { revokedAt: _live, ...session } = row;
  if (now - session.lastSeenAt >= SESSION_TOUCH_INTERVAL_MS) {
    session.lastSeenAt = now;
    session.idleExpiresAt = Math.min(now + SESSION_IDLE_TIMEOUT_MS, session.absoluteExpiresAt);
    // Guarded so a concurrent sign-out is never undone by a late slide.
    await d
      .update(sessions)
      .set({ lastSeenAt: session.lastSeenAt, idleExpiresAt: session.idleExpiresAt })
      .where(and(eq(sessions.id, session.id), isNull(sessions.revokedAt)));
  }
  return { session, principal, grants: grants.map(activeGrantOf) };
}

/** The cookie value for a session: "<id>.<HMAC-SHA256(id)>", base64url. */
export async function signSessionCookie(keyB64: string | undefined, sessionId: string): Promise<string> {
  const key = await cookieKey(keyB64);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(sessionId));
  return `${sessionId}.${base64url.encode(new Uint8Array(mac))}`;
}

/** The session id in a cookie value whose signature holds, else null. */
export async function verifySessionCookie(keyB64: string | undefined, value: string): Promise<string | null> {
  const dot = value.lastIndexOf(".");
  if (dot <= 0 || value.length > 256) return null;
  const sessionId = value.slice(0, dot);
  let mac: Uint8Array<ArrayBuffer>;
  try {
    mac = new Uint8Array(base64url.decode(value.slice(dot + 1)));
  } catch {
    return null;
  }
  const key = await cookieKey(keyB64);
  // crypto.subtle.verify compares in constant time.
  const ok = await crypto.subtle.verify("HMAC", key, mac, new TextEncoder().encode(sessionId));
  return ok ? sessionId : null;
}

/** One cookie's value from a Cookie header (first occurrence), or null. */
export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

/** 256 random bits, base64url: CSRF tokens. */
export function randomToken(): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
}

// The cookie key is derived (HKDF) rather than the encryption key itself, so a key used for
// AES-GCM is never also used for HMAC. Derived once per isolate per key.
const derivedKeys = new Map<string, ReturnType<typeof deriveCookieKey>>();

function cookieKey(keyB64: string | undefined) {
  if (!keyB64) throw new Error("SECRETS_ENCRYPTION_KEY is not set");
  let key = derivedKeys.get(keyB64);
  if (!key) {
    key = deriveCookieKey(keyB64);
    derivedKeys.set(keyB64, key);
  }
  return key;
}

async function deriveCookieKey(keyB64: string) {
  const raw = Uint8Array.from(atob(keyB64), (c) => c.charCodeAt(0));
  const master = await crypto.subtle.importKey("raw", raw, "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: new Uint8Array(0),
      info: new TextEncoder().encode("phoenix session cookie v1"),
    },
    master,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}
