// Phoenix's own access tokens: short-lived JWTs signed with the Worker's private key and
// verified like any other issuer's (see workers/auth/). Shared by the Worker and the operator CLI.
import { importJWK, type JWK, SignJWT } from "jose";
import { newId } from "../ids.ts";
import type { Scope } from "./scopes.ts";

export const API_AUDIENCE = "phoenix-api";
export const SIGNING_ALGORITHMS = ["ES256", "EdDSA"] as const;

export interface SigningKey {
  jwk: JWK & { kid: string; alg: string };
}

/** Reads the private signing JWK from its secret; it must name its `kid` and `alg`. */
export function parseSigningKey(secret: string | undefined): SigningKey {
  if (!secret) throw new Error("PHOENIX_SIGNING_JWK is not set");
  const jwk = JSON.parse(secret) as JWK;
  if (!jwk.kid || !jwk.alg || !(SIGNING_ALGORITHMS as readonly string[]).includes(jwk.alg) || !jwk.d) {
    throw new Error("PHOENIX_SIGNING_JWK must be a private ES256 or EdDSA JWK with kid and alg");
  }
  return { jwk: jwk as SigningKey["jwk"] };
}

/** The public half of the signing key, as published at /.well-known/jwks.json. */
export function publicJwk(key: SigningKey): JWK {
  const { d: _private, key_ops: _ops, ext: _ext, ...pub } = key.jwk;
  return { ...pub, use: "sig" };
}

export interface AccessTokenRequest {
  key: SigningKey;
  issuer: string;
  subject: string;
  tenantId: string;
  scopes: readonly Scope[];
  ttlSeconds: number;
  now: number;
}

export async function mintAccessToken(req: AccessTokenRequest): Promise<string> {
  const privateKey = await importJWK(req.key.jwk, req.key.jwk.alg);
  const iat = Math.floor(req.now / 1000);
  return new SignJWT({ tid: req.tenantId, scope: req.scopes.join(" ") })
    .setProtectedHeader({ alg: req.key.jwk.alg, kid: req.key.jwk.kid, typ: "at+jwt" })
    .setIssuer(req.issuer)
    .setAudience(API_AUDIENCE)
    .setSubject(req.subject)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + req.ttlSeconds)
    .setJti(newId("token", req.now))
    .sign(privateKey);
}
