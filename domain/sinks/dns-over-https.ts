// The production HostResolver: Workers have no DNS API, so outbound checks ask Cloudflare's DNS
// over HTTPS (JSON API) for a host's A and AAAA records, as the fetch that follows will see them.
import type { HostResolver } from "./outbound-url.ts";

const DOH_ENDPOINT = "https://cloudflare-dns.com/dns-query";
const A = 1;
const AAAA = 28;

interface DohAnswer {
  type: number;
  data: string;
}

export function dnsOverHttpsResolver(send: typeof fetch = fetch, timeoutMs = 3_000): HostResolver {
  const query = async (name: string, type: "A" | "AAAA"): Promise<string[]> => {
    const url = `${DOH_ENDPOINT}?name=${encodeURIComponent(name)}&type=${type}`;
    const response = await send(url, {
      headers: { accept: "application/dns-json" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`DNS over HTTPS answered ${response.status}`);
    const body = (await response.json()) as { Status?: number; Answer?: DohAnswer[] };
    // NXDOMAIN and friends: no addresses, which the caller refuses.
    if (body.Status !== 0) return [];
    // CNAME records come along in the chain; only the addresses at its end count.
    return (body.Answer ?? []).filter((a) => a.type === A || a.type === AAAA).map((a) => a.data);
  };
  return async (hostname) => {
    const [v4, v6] = await Promise.all([query(hostname, "A"), query(hostname, "AAAA")]);
    return [...v4, ...v6];
  };
}
