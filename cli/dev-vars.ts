// .dev.vars: the Worker's local secrets (gitignored). Phoenix needs one, its token-signing key.
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { exportJWK, generateKeyPair } from "jose";
import { parseSigningKey, type SigningKey } from "../domain/auth/tokens.ts";
import { PROJECT_ROOT } from "./wrangler.ts";

export const DEV_VARS_PATH = join(PROJECT_ROOT, ".dev.vars");
const SIGNING_KEY_VAR = "PHOENIX_SIGNING_JWK";

export function readDevVars(): Record<string, string> {
  if (!existsSync(DEV_VARS_PATH)) return {};
  return parseEnv(readFileSync(DEV_VARS_PATH, "utf8")) as Record<string, string>;
}

/**
 * Makes sure .dev.vars holds a signing key: creates the file, or adds the variable to an existing
 * file that lacks it. An existing key is never replaced (tokens minted with it stay valid).
 */
export async function ensureDevSigningKey(): Promise<"created" | "added" | "kept"> {
  if (readDevVars()[SIGNING_KEY_VAR]) return "kept";
  const line = `${SIGNING_KEY_VAR}='${JSON.stringify(await generateSigningJwk())}'\n`;
  if (!existsSync(DEV_VARS_PATH)) {
    writeFileSync(
      DEV_VARS_PATH,
      `# Local Worker secrets, written by \`npm start\`. Never commit this file.\n${line}`,
      {
        mode: 0o600,
      },
    );
    return "created";
  }
  const current = readFileSync(DEV_VARS_PATH, "utf8");
  appendFileSync(DEV_VARS_PATH, `${current.endsWith("\n") || current === "" ? "" : "\n"}${line}`);
  return "added";
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
