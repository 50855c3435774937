// Secrets the Worker cannot run without. Workers have no start-up hook, so the first request (and
// every cron run) of an isolate checks them once and refuses to serve, naming what is missing,
// rather than failing later inside a handler with a less helpful error.
import { parseSigningKey } from "../domain/auth/tokens.ts";

type SecretsEnv = Pick<Env, "PHOENIX_SIGNING_JWK" | "SECRETS_ENCRYPTION_KEY">;

let checked: { source: SecretsEnv; problems: string[] } | undefined;

/** What is wrong with the required secrets, naming each secret but never its value. */
export function configurationProblems(env: SecretsEnv): string[] {
  if (
    checked?.source.PHOENIX_SIGNING_JWK === env.PHOENIX_SIGNING_JWK &&
    checked.source.SECRETS_ENCRYPTION_KEY === env.SECRETS_ENCRYPTION_KEY
  ) {
    return checked.problems;
  }
  const problems: string[] = [];
  if (!env.PHOENIX_SIGNING_JWK) {
    problems.push(
      "the PHOENIX_SIGNING_JWK secret is not set (a private ES256 or EdDSA JWK with kid and alg)",
    );
  } else {
    try {
      parseSigningKey(env.PHOENIX_SIGNING_JWK);
    } catch {
      problems.push("the PHOENIX_SIGNING_JWK secret is not a private ES256 or EdDSA JWK with kid and alg");
    }
  }
  if (!env.SECRETS_ENCRYPTION_KEY) {
    problems.push("the SECRETS_ENCRYPTION_KEY secret is not set (32 random bytes, base64)");
  } else if (decodedLength(env.SECRETS_ENCRYPTION_KEY) !== 32) {
    problems.push("the SECRETS_ENCRYPTION_KEY secret must be 32 bytes, base64-encoded");
  }
  checked = { source: { ...env }, problems };
  return problems;
}

function decodedLength(base64: string): number {
  try {
    return atob(base64).length;
  } catch {
    return -1;
  }
}
