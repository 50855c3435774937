// .dev.vars: the Worker's local secrets (gitignored): the token-signing key and the key that
// encrypts connector secrets at rest.
import { randomBytes, randomUUID } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { exportJWK, generateKeyPair } from "jose";
import { parseSigningKey, type SigningKey } from "../domain/auth/tokens.ts";
import { PROJECT_ROOT } from "./wrangler.ts";

export const DEV_VARS_PATH = join(PROJECT_ROOT, ".dev.vars");
const SIGNING_KEY_VAR = "PHOENIX_SIGNING_JWK";
const ENCRYPTION_KEY_VAR = "SECRETS_ENCRYPTION_KEY";

export function readDevVars(): Record<string, string> {
  if (!existsSync(DEV_VARS_PATH)) return {};
  return parseEnv(readFileSync(DEV_VARS_PATH, "utf8")) as Record<string, string>;
}

/**
 * Makes sure .dev.vars holds every local secret: creates the file, or adds what an existing file
 * lacks. An existing value is never replaced (tokens and ciphertexts made with it stay valid).
 */
export async function ensureDevSecrets(): Promise<{ created: string[]; kept: string[] }> {
  const wanted: Array<[string, () => Promise<string>]> = [
    [SIGNING_KEY_VAR, async () => JSON.stringify(await generateSigningJwk())],
    // AES-256-GCM key for connector secrets at rest.
    [ENCRYPTION_KEY_VAR, async () => randomBytes(32).toString("base64")],
  ];
  const present = readDevVars();
  const created: string[] = [];
  const kept: string[] = [];
  for (const [name, generate] of wanted) {
    if (present[name]) {
      kept.push(name);
      continue;
    }
    const line = `${name}='${await generate()}'\n`;
    if (!existsSync(DEV_VARS_PATH)) {
      writeFileSync(
        DEV_VARS_PATH,
        `# Local Worker secrets, written by \`npm start\`. Never commit this file.\n${line}`,
        {
          mode: 0o600,
        },
      );
    } else {
      const current = readFileSync(DEV_VARS_PATH, "utf8");
      appendFileSync(DEV_VARS_PATH, `${current.endsWith("\n") || current === "" ? "" : "\n"}${line}`);
    }
    created.push(name);
  }
  return { created, kept };
}

/** The local signing key, as the Worker reads it from .dev.vars. */
export function readDevSigningKey(): SigningKey {
  const secret = readDevVars()[SIGNING_KEY_VAR];
  if (!secret) throw new Error(`${SIGNING_KEY_VAR} is not in .dev.vars: run \`npm start\` once to create it`);
  return parseSigningKey(secret);
}

async function generateSigningJwk() {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = `dev-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
  return { ...(await exportJWK(privateKey)), kid, alg: "ES256", use: "sig" };
}
