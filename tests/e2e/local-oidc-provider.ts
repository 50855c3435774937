// A real OpenID provider for the sign-in tests (decision 022): panva's oidc-provider on a free
// loopback port, with its development login and consent pages, started once per run of the workers
// project (its globalSetup). vitest.config.ts points the Worker's OIDC_ISSUER at it.
/// <reference path="../support/oidc-provider-context.d.ts" />
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";
import type { TestProject } from "vitest/node";

// The origin tests/support/world.ts sends requests to: the Worker's callback lives there.
const REDIRECT_URI = "http://phoenix.test/auth/callback";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const clientId = "phoenix-test";
  const publicClientId = "phoenix-test-public";
  // The config generates the secret, so the secret-scan reporter knows what to look for in the logs.
  const clientSecret = project.getProvidedContext().oidcClientSecret;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: "client_secret_basic",
      },
      { client_id: publicClientId, redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" },
    ],
    jwks: {
      keys: [{ ...(await exportJWK(privateKey)), kid: "local-provider-key", alg: "RS256", use: "sig" }],
    },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    claims: { email: ["email", "email_verified"], profile: ["name"] },
    // devInteractions' login page accepts any login: it becomes the subject and the email.
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, email: id, email_verified: true, name: id }),
    }),
    features: { devInteractions: { enabled: true } },
    // Explicit lifetimes, in seconds (the provider asks for them instead of using its defaults).
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
    },
  });
  server.on("request", provider.callback());

  project.provide("oidcIssuer", issuer);
  project.provide("oidcClientId", clientId);
  project.provide("oidcPublicClientId", publicClientId);

  return async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}
