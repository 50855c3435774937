// Where Phoenix may send a tenant's data: sink URLs are set by tenant admins, so every outbound call
// is checked against server-side request forgery. Deployed, only https to a public unicast address
// is allowed: never a private, loopback, link-local, metadata or otherwise special address, whether
// written as an IP in any notation, reached through a DNS name that resolves there, or through a
// redirect. Local development may allow http to the loopback address, where the vendor mocks run.
import ipaddr from "ipaddr.js";

export interface OutboundPolicy {
  /** Local development and tests only: http://127.0.0.1 and http://[::1] (vendor mocks). */
  allowLoopbackHttp: boolean;
}

export const PRODUCTION_POLICY: OutboundPolicy = { allowLoopbackHttp: false };

/** Local development and tests run vendor mocks on http://127.0.0.1; deployed Workers never may. */
export function outboundPolicyFor(environment: string | undefined): OutboundPolicy {
  return environment === "development" || environment === "test"
    ? { allowLoopbackHttp: true }
    : PRODUCTION_POLICY;
}

export type OutboundCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** The addresses a host name resolves to (A and AAAA); the production resolver asks DNS over HTTPS. */
export type HostResolver = (hostname: string) => Promise<string[]>;

// Names that reach the machine itself or a cloud provider's metadata service without any DNS.
const FORBIDDEN_NAMES = [
  /^localhost$/,
  /\.localhost$/,
  /^metadata\.google\.internal$/,
  /\.internal$/,
  /\.local$/,
];

/**
 * Why an address must not be called, or null when it is a public unicast address. The WHATWG URL
 * parser has already turned decimal, octal and hex IPv4 forms into dotted quads.
 */
export function forbiddenAddress(address: string): string | null {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(bare)) return null;
  const parsed = ipaddr.parse(bare);
  // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is.
  const ip =
    parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
      ? (parsed as ipaddr.IPv6).toIPv4Address()
      : parsed;
  const range = ip.range();
  return range === "unicast" ? null : `${bare} is a ${describeRange(range)} address`;
}

function describeRange(range: string): string {
  const words: Record<string, string> = {
    private: "private",
    loopback: "loopback",
    linkLocal: "link-local (including cloud metadata)",
    uniqueLocal: "unique-local (private IPv6)",
    unspecified: "unspecified",
    carrierGradeNat: "carrier-grade NAT",
    multicast: "multicast",
    broadcast: "broadcast",
    reserved: "reserved",
  };
  return words[range] ?? `special-purpose (${range})`;
}

function isLoopback(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, "");
  return ipaddr.isValid(bare) && ipaddr.parse(bare).range() === "loopback";
}

/** The checks that need no network: scheme, credentials, and a host that is not forbidden as written. */
export function checkOutboundUrl(raw: string, policy: OutboundPolicy): OutboundCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "is not an absolute URL" };
  }
  if (url.username !== "" || url.password !== "")
    return { ok: false, reason: "must not carry credentials; give them in the sink's auth settings" };
  const loopbackHttp = policy.allowLoopbackHttp && url.protocol === "http:" && isLoopback(url.hostname);
  if (loopbackHttp) return { ok: true, url };
  if (url.protocol !== "https:") return { ok: false, reason: "must use https" };
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (FORBIDDEN_NAMES.some((name) => name.test(host)))
    return { ok: false, reason: `${host} names a local or internal host` };
  const address = forbiddenAddress(host);
  if (address !== null) return { ok: false, reason: address };
  return { ok: true, url };
}

/** The static checks, then every address the host resolves to (a DNS name pointing inside is refused). */
export async function checkOutboundTarget(
  raw: string,
  policy: OutboundPolicy,
  resolve: HostResolver,
): Promise<OutboundCheck> {
  const checked = checkOutboundUrl(raw, policy);
  if (!checked.ok) return checked;
  const host = checked.url.hostname.replace(/^\[|\]$/g, "");
  if (ipaddr.isValid(host)) return checked;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    return {
      ok: false,
      reason: `${host} could not be resolved: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (addresses.length === 0) return { ok: false, reason: `${host} does not resolve` };
  for (const address of addresses) {
    const why = forbiddenAddress(address);
    if (why !== null) return { ok: false, reason: `${host} resolves to ${address}: ${why}` };
  }
  return checked;
}

/** Redirects followed by a guarded fetch, each target checked like the first. */
export const MAX_REDIRECTS = 3;

/** A sink call Phoenix would not make; permanent, so a queue does not retry it. */
export class OutboundRefused extends Error {
  readonly url: string;
  readonly why: string;
  constructor(url: string, why: string) {
    super(`refused to call ${url}: ${why}`);
    this.url = url;
    this.why = why;
  }
}

/**
 * fetch() for sink calls: checks the target, follows at most MAX_REDIRECTS redirects by hand so
 * each new target is checked too, and aborts after `timeoutMs`.
 */
export async function guardedFetch(
  input: string,
  init: RequestInit & { timeoutMs: number },
  guard: { policy: OutboundPolicy; resolve: HostResolver; fetch?: typeof fetch },
): Promise<Response> {
  const send = guard.fetch ?? fetch;
  let target = input;
  let request: RequestInit = { ...init, redirect: "manual" };
  for (let hop = 0; ; hop++) {
    const checked = await checkOutboundTarget(target, guard.policy, guard.resolve);
    if (!checked.ok) throw new OutboundRefused(target, checked.reason);
    const response = await send(checked.url.toString(), {
      ...request,
      signal: AbortSignal.timeout(init.timeoutMs),
    });
    const location = response.headers.get("location");
    if (response.status < 300 || response.status >= 400 || location === null) return response;
    if (hop >= MAX_REDIRECTS) throw new OutboundRefused(target, `more than ${MAX_REDIRECTS} redirects`);
    target = new URL(location, checked.url).toString();
    // 303, and 301/302 after a POST, become a GET without a body, as browsers do.
    if (
      response.status === 303 ||
      ((response.status === 301 || response.status === 302) && request.method === "POST")
    )
      request = { ...request, method: "GET", body: null };
  }
}
