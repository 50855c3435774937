// Standard Webhooks (v1.0.0) on the raw request bytes. Symmetric "v1" signatures are checked by
// the reference library (`standardwebhooks`, constant-time compare, ±5 minutes); asymmetric "v1a"
// (Ed25519, which the reference libraries do not implement) with WebCrypto.
import { Webhook, WebhookVerificationError } from "standardwebhooks";

export const TOLERANCE_SECONDS = 5 * 60;

/** Header names are case-insensitive, as on the wire. */
export type WebhookHeaders = Record<string, string | undefined>;

export type VerifyOutcome = { ok: true; webhookId: string } | { ok: false; reason: string };

/**
 * Verifies a delivery against any of the connector's current secrets (`whsec_…` for v1, `whpk_…`
 * public keys for v1a). Several secrets verify during a rotation's grace period.
 */
export async function verifyWebhook(
  payload: string,
  headers: WebhookHeaders,
  secrets: readonly string[],
): Promise<VerifyOutcome> {
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const id = lower["webhook-id"];
  const timestamp = lower["webhook-timestamp"];
  const signature = lower["webhook-signature"];
  if (!id || !timestamp || !signature)
    return { ok: false, reason: "missing webhook-id, webhook-timestamp or webhook-signature" };

  let lastReason = "no matching signature";
  for (const secret of secrets) {
    if (secret.startsWith("whpk_")) {
      const outcome = await verifyEd25519(payload, id, timestamp, signature, secret);
      if (outcome.ok) return outcome;
      lastReason = outcome.reason;
      continue;
    }
    try {
      new Webhook(secret).verify(
        payload,
        { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature },
        // Only the signature is checked here; the connector kind parses the body.
        { jsonParse: false },
      );
      return { ok: true, webhookId: id };
    } catch (error) {
      lastReason = error instanceof WebhookVerificationError ? error.message : "the secret could not be used";
      // A stale or future timestamp fails the same way for every secret.
      if (/timestamp|headers/i.test(lastReason)) return { ok: false, reason: lastReason };
    }
  }
  return { ok: false, reason: lastReason };
}

async function verifyEd25519(
  payload: string,
  id: string,
  timestamp: string,
  header: string,
  publicKey: string,
): Promise<VerifyOutcome> {
  const seconds = Number.parseInt(timestamp, 10);
  const now = Math.floor(Date.now() / 1000);
  if (Number.isNaN(seconds)) return { ok: false, reason: "Invalid Signature Headers" };
  if (now - seconds > TOLERANCE_SECONDS) return { ok: false, reason: "Message timestamp too old" };
  if (seconds > now + TOLERANCE_SECONDS) return { ok: false, reason: "Message timestamp too new" };

  const key = await crypto.subtle.importKey(
    "raw",
    decodeBase64(publicKey.slice("whpk_".length)),
    "Ed25519",
    false,
    ["verify"],
  );
  const signed = new TextEncoder().encode(`${id}.${seconds}.${payload}`);
  for (const entry of header.split(" ")) {
    const [version, value] = entry.split(",");
    if (version !== "v1a" || !value) continue;
    if (await crypto.subtle.verify("Ed25519", key, decodeBase64(value), signed))
      return { ok: true, webhookId: id };
  }
  return { ok: false, reason: "No matching signature found" };
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Signs like a Standard Webhooks sender (for outbound webhooks and the CLI's `webhook send`). */
export function signWebhook(secret: string, id: string, timestampSeconds: number, payload: string): string {
  return new Webhook(secret).sign(id, new Date(timestampSeconds * 1000), payload);
}

/** A new Standard Webhooks secret: 32 random bytes, `whsec_` + base64 (connectors, Platform sinks). */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}
