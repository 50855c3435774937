// Secrets at rest (connector signing secrets, sink credentials): AES-256-GCM under a key held as
// the Worker secret SECRETS_ENCRYPTION_KEY. The ciphertext is "v1.<iv>.<ciphertext+tag>" (base64url),
// with the record's id as associated data, so a ciphertext copied onto another record fails to open.
import { base64url } from "jose";

const VERSION = "v1";

// The return type is inferred: the global CryptoKey type is not declared for the Node-side CLI.
async function importKey(base64Key: string | undefined) {
  if (!base64Key) throw new Error("SECRETS_ENCRYPTION_KEY is not set");
  const raw = Uint8Array.from(atob(base64Key), (c) => c.charCodeAt(0));
  if (raw.length !== 32) throw new Error("SECRETS_ENCRYPTION_KEY must be 32 bytes, base64-encoded");
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

export async function encryptSecret(
  plaintext: string,
  keyB64: string | undefined,
  boundTo: string,
): Promise<string> {
  const key = await importKey(keyB64);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(boundTo) },
    key,
    new TextEncoder().encode(plaintext),
  );
  return `${VERSION}.${base64url.encode(iv)}.${base64url.encode(new Uint8Array(sealed))}`;
}

export async function decryptSecret(
  ciphertext: string,
  keyB64: string | undefined,
  boundTo: string,
): Promise<string> {
  const [version, iv, sealed] = ciphertext.split(".");
  if (version !== VERSION || !iv || !sealed) throw new Error("not a Phoenix secret ciphertext");
  const key = await importKey(keyB64);
  const opened = await crypto.subtle.decrypt(
    {
      name: "AES-GCM",
      iv: new Uint8Array(base64url.decode(iv)),
      additionalData: new TextEncoder().encode(boundTo),
    },
    key,
    new Uint8Array(base64url.decode(sealed)),
  );
  return new TextDecoder().decode(opened);
}
