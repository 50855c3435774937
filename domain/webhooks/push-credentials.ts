// Pushes from products that cannot sign a Standard Webhook (decision 057): a Splunk HTTP Event
// Collector token (`Authorization: Splunk <token>`, as Cisco AI Defense's Splunk export sends it) or
// HTTP Basic (Cisco Secure Access's webhooks). Either carries the connector's signing secret itself,
// so only symmetric secrets qualify: a `whpk_` public key is public and proves nothing.
import type { PushAuth } from "../ingest/kind.ts";

export type PushCredentialOutcome = { ok: true; scheme: PushAuth } | { ok: false; reason: string };

/** Checks the Authorization header against the connector's current secrets, in constant time. */
export async function verifyPushCredential(
  authorization: string | undefined,
  allowed: readonly PushAuth[],
  secrets: readonly string[],
): Promise<PushCredentialOutcome> {
  const presented = credentialOf(authorization ?? "", allowed);
  if (presented === null) {
    const schemes = allowed.map((a) => (a === "splunk-hec" ? "Splunk <token>" : "Basic")).join(" or ");
    return {
      ok: false,
      reason: `missing a Standard Webhooks signature or an Authorization: ${schemes} header`,
    };
  }
  const given = await digest(presented.secret);
  for (const secret of secrets) {
    if (secret.startsWith("whpk_")) continue;
    if (sameBytes(given, await digest(secret))) return { ok: true, scheme: presented.scheme };
  }
  return {
    ok: false,
    reason: `the ${presented.scheme === "basic" ? "password" : "token"} is not the connector's secret`,
  };
}

function credentialOf(
  header: string,
  allowed: readonly PushAuth[],
): { scheme: PushAuth; secret: string } | null {
  const [scheme, value] = [
    header.slice(0, header.indexOf(" ")).toLowerCase(),
    header.slice(header.indexOf(" ") + 1).trim(),
  ];
  if (scheme === "splunk" && allowed.includes("splunk-hec") && value !== "") {
    return { scheme: "splunk-hec", secret: value };
  }
  if (scheme === "basic" && allowed.includes("basic")) {
    let decoded: string;
    try {
      decoded = new TextDecoder().decode(Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0)));
    } catch {
      return null;
    }
    const colon = decoded.indexOf(":");
    // The user name is the sender's to choose; the password is the secret.
    if (colon < 0 || colon === decoded.length - 1) return null;
    return { scheme: "basic", secret: decoded.slice(colon + 1) };
  }
  return null;
}

/** Constant time over two SHA-256 digests: every byte is compared, whatever the first difference. */
function sameBytes(a: ArrayBuffer, b: ArrayBuffer): boolean {
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let difference = x.length ^ y.length;
  for (let i = 0; i < x.length; i++) difference |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return difference === 0;
}

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
}

/** The webhook id of a push without one: its content, so the sender's retry of it is a duplicate. */
export async function contentWebhookId(body: string): Promise<string> {
  const hash = new Uint8Array(await digest(body)).slice(0, 16);
  return `content:${Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
