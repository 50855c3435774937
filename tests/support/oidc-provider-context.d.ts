// What the workers project's globalSetup (tests/e2e/local-oidc-provider.ts) provides to the config
// and to tests: the local OpenID provider and Phoenix's clients at it (decision 022).
export {};

declare module "vitest" {
  interface ProvidedContext {
    /** The provider's issuer URL, http://127.0.0.1:<port>. */
    oidcIssuer: string;
    /** Phoenix's confidential client at the provider (client_secret_basic). */
    oidcClientId: string;
    oidcClientSecret: string;
    /** Phoenix as a public client (PKCE only, no secret). */
    oidcPublicClientId: string;
  }
}
