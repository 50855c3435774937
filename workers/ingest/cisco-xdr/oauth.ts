// Cisco XDR API access: OAuth2 client credentials against the region's IROH token endpoint
// (shared/contracts/xdr/README.md, "Auth"). Tokens live 600 s and this grant has no refresh token,
// so a token is cached per isolate and a new one is minted shortly before the old one expires.
import { z } from "zod";
import type { XdrRegion } from "../../../domain/connectors/xdr-pull.ts";

export interface XdrHosts {
  /** OAuth2 token endpoint. */
  token: string;
  /** IROH (platform): private-intel incident search. */
  iroh: string;
  /** CTIA private intel: relationships and sightings. */
  ctia: string;
}

export const XDR_HOSTS: Readonly<Record<XdrRegion, XdrHosts>> = {
  us: {
    token: "https://visibility.amp.cisco.com/iroh/oauth2/token",
    iroh: "https://visibility.amp.cisco.com",
    ctia: "https://private.intel.amp.cisco.com",
  },
  eu: {
    token: "https://visibility.eu.amp.cisco.com/iroh/oauth2/token",
    iroh: "https://visibility.eu.amp.cisco.com",
    ctia: "https://private.intel.eu.amp.cisco.com",
  },
  apjc: {
    token: "https://visibility.apjc.amp.cisco.com/iroh/oauth2/token",
    iroh: "https://visibility.apjc.amp.cisco.com",
    ctia: "https://private.intel.apjc.amp.cisco.com",
  },
};

/** A token is re-minted this long before XDR would expire it, so no request carries a dying token. */
export const REMINT_MARGIN_MS = 30_000;

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i, "must be bearer"),
  expires_in: z.number().positive(),
  scope: z.string().optional(),
});

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

/** Access tokens by API client, in memory: per isolate, gone on eviction, which only costs a mint. */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  get(key: string, now: number): string | null {
    const token = this.tokens.get(key);
    if (!token || now >= token.expiresAt - REMINT_MARGIN_MS) return null;
    return token.accessToken;
  }

  set(key: string, accessToken: string, expiresAt: number): void {
    this.tokens.set(key, { accessToken, expiresAt });
  }

  evict(key: string): void {
    this.tokens.delete(key);
  }
}

/**
 * The cache key of an API client. The password is part of it: client ids are not secret, so a
 * connector naming another tenant's client id must not be handed that tenant's cached token.
 */
export async function tokenCacheKey(
  region: XdrRegion,
  clientId: string,
  clientPassword: string,
): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(JSON.stringify([region, clientId, clientPassword])),
  );
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The token request: form-encoded client_credentials grant, client authenticated with HTTP Basic. */
export function tokenRequest(region: XdrRegion, clientId: string, clientPassword: string): Request {
  const credentials = new TextEncoder().encode(`${clientId}:${clientPassword}`);
  return new Request(XDR_HOSTS[region].token, {
    method: "POST",
    headers: {
      authorization: `Basic ${btoa(String.fromCharCode(...credentials))}`,
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    },
    body: new URLSearchParams({ grant_type: "client_credentials" }).toString(),
  });
}
