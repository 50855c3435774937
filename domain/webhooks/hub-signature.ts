// `x-hub-signature: sha256=<hex>`: the HMAC-SHA256 of the raw body, as Jira signs webhooks
// registered with a secret (shared/contracts/jira/README.md). WebCrypto's verify compares in
// constant time. The key is the secret's text, as the admin pasted it into Jira.

async function hmacKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [usage],
  );
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return null;
  return Uint8Array.from(hex.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
}

/** Whether `header` signs `body` with any of `secrets` (several during a secret's rotation). */
export async function verifyHubSignature(
  body: string,
  header: string | undefined,
  secrets: readonly string[],
): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (!header) return { ok: false, reason: "missing x-hub-signature" };
  const [algorithm, hex] = header.split("=", 2);
  if (algorithm !== "sha256" || hex === undefined)
    return { ok: false, reason: "x-hub-signature is not sha256=<hex>" };
  const signature = fromHex(hex);
  if (!signature) return { ok: false, reason: "x-hub-signature is not sha256=<hex>" };
  const data = new TextEncoder().encode(body);
  for (const secret of secrets)
    if (await crypto.subtle.verify("HMAC", await hmacKey(secret, "verify"), signature, data))
      return { ok: true };
  return { ok: false, reason: "no secret of this connector made that signature" };
}

/** The header Jira would send: for the tests, and for an operator checking a setup by hand. */
export async function hubSignature(secret: string, body: string): Promise<string> {
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), new TextEncoder().encode(body)),
  );
  return `sha256=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
