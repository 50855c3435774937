// Sink URLs are chosen by tenant admins: in the production configuration Phoenix refuses to call
// anything but https on a public unicast address, however the target is written or reached.
import { describe, expect, it } from "vitest";
import {
  checkOutboundTarget,
  guardedFetch,
  type HostResolver,
  OutboundRefused,
  PRODUCTION_POLICY,
} from "../../../domain/sinks/outbound-url.ts";

const PUBLIC = "93.184.215.14";

/** DNS as the tests see it: names the tests own, answering what a hostile admin would point them at. */
const resolve: HostResolver = async (host) => {
  const zone: Record<string, string[]> = {
    "jira.example.com": [PUBLIC],
    "intranet.example.com": ["10.1.2.3"],
    "rebind.example.com": [PUBLIC, "127.0.0.1"],
    "metadata.example.com": ["169.254.169.254"],
    "v6-internal.example.com": ["fd12:3456:789a::1"],
    "gone.example.com": [],
  };
  const found = zone[host];
  if (found === undefined) throw new Error("no such zone in the test");
  return found;
};

const FORBIDDEN: Array<[target: string, because: RegExp]> = [
  ["http://jira.example.com/", /must use https/],
  ["ftp://jira.example.com/", /must use https/],
  ["https://user:secret@jira.example.com/", /credentials/],
  ["https://10.0.0.1/", /private/],
  ["https://172.16.5.4/", /private/],
  ["https://192.168.1.1/", /private/],
  ["https://127.0.0.1/", /loopback/],
  ["http://127.0.0.1:8080/", /must use https/],
  ["https://0.0.0.0/", /unspecified/],
  ["https://100.64.0.1/", /carrier-grade NAT/],
  ["https://224.0.0.1/", /multicast/],
  ["https://255.255.255.255/", /broadcast/],
  ["https://169.254.169.254/latest/meta-data/", /link-local/],
  ["https://2130706433/", /loopback/],
  ["https://0x7f000001/", /loopback/],
  ["https://0177.0.0.1/", /loopback/],
  ["https://127.1/", /loopback/],
  ["https://localhost/", /local or internal/],
  ["https://jira.localhost/", /local or internal/],
  ["https://metadata.google.internal/computeMetadata/v1/", /local or internal/],
  ["https://[::1]/", /loopback/],
  ["https://[::]/", /unspecified/],
  ["https://[fe80::1]/", /link-local/],
  ["https://[fc00::1]/", /unique-local/],
  ["https://[fd00:ec2::254]/", /unique-local/],
  ["https://[::ffff:127.0.0.1]/", /loopback/],
  ["https://[::ffff:a9fe:a9fe]/", /link-local/],
  ["https://[64:ff9b::a00:1]/", /special-purpose/],
  ["https://[2002:7f00:1::]/", /special-purpose/],
  ["https://intranet.example.com/", /resolves to 10\.1\.2\.3: .*private/],
  ["https://rebind.example.com/", /resolves to 127\.0\.0\.1: .*loopback/],
  ["https://metadata.example.com/", /resolves to 169\.254\.169\.254/],
  ["https://v6-internal.example.com/", /unique-local/],
  ["https://gone.example.com/", /does not resolve/],
  ["not a url", /absolute URL/],
];

describe("outbound URL checks in the production configuration", () => {
  let refused = 0;
  it.each(FORBIDDEN)("refuses %s", async (target, because) => {
    const checked = await checkOutboundTarget(target, PRODUCTION_POLICY, resolve);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.reason).toMatch(because);
      refused++;
    }
  });

  it("refused every one of at least 20 forbidden targets", () => {
    console.log(`forbidden targets tried: ${FORBIDDEN.length}, refused: ${refused}`);
    expect(FORBIDDEN.length).toBeGreaterThanOrEqual(20);
    expect(refused).toBe(FORBIDDEN.length);
  });

  it("allows https to a public address, by name or as an IP", async () => {
    expect(
      (await checkOutboundTarget("https://jira.example.com/rest/api/3/myself", PRODUCTION_POLICY, resolve))
        .ok,
    ).toBe(true);
    expect((await checkOutboundTarget(`https://${PUBLIC}/`, PRODUCTION_POLICY, resolve)).ok).toBe(true);
  });

  it("allows http to the loopback address only when local development says so", async () => {
    const local = { allowLoopbackHttp: true };
    expect((await checkOutboundTarget("http://127.0.0.1:9123/rest", local, resolve)).ok).toBe(true);
    expect((await checkOutboundTarget("http://10.0.0.1/", local, resolve)).ok).toBe(false);
    expect((await checkOutboundTarget("http://127.0.0.1:9123/rest", PRODUCTION_POLICY, resolve)).ok).toBe(
      false,
    );
  });
});

describe("guarded fetch", () => {
  /** A site that redirects as told, recording every URL Phoenix actually called. */
  function redirectingSite(redirects: Record<string, { status: number; location: string }>) {
    const called: string[] = [];
    const send = (async (url: string) => {
      called.push(url);
      const hop = redirects[url];
      if (hop) return new Response(null, { status: hop.status, headers: { location: hop.location } });
      return new Response("ok", { status: 200 });
    }) as typeof fetch;
    return { called, send };
  }

  it("refuses a redirect to a forbidden target without calling it", async () => {
    for (const location of [
      "https://169.254.169.254/latest/meta-data/",
      "http://jira.example.com/x",
      "https://intranet.example.com/",
    ]) {
      const site = redirectingSite({ "https://jira.example.com/start": { status: 302, location } });
      const call = guardedFetch(
        "https://jira.example.com/start",
        { method: "GET", timeoutMs: 1_000 },
        { policy: PRODUCTION_POLICY, resolve, fetch: site.send },
      );
      await expect(call).rejects.toBeInstanceOf(OutboundRefused);
      expect(site.called).toEqual(["https://jira.example.com/start"]);
    }
  });

  it("follows a redirect to an allowed target, and gives up after three", async () => {
    const ok = redirectingSite({ "https://jira.example.com/a": { status: 301, location: "/b" } });
    const response = await guardedFetch(
      "https://jira.example.com/a",
      { method: "GET", timeoutMs: 1_000 },
      { policy: PRODUCTION_POLICY, resolve, fetch: ok.send },
    );
    expect(response.status).toBe(200);
    expect(ok.called).toEqual(["https://jira.example.com/a", "https://jira.example.com/b"]);

    const loop = redirectingSite({ "https://jira.example.com/loop": { status: 307, location: "/loop" } });
    await expect(
      guardedFetch(
        "https://jira.example.com/loop",
        { method: "GET", timeoutMs: 1_000 },
        { policy: PRODUCTION_POLICY, resolve, fetch: loop.send },
      ),
    ).rejects.toThrow(/more than 3 redirects/);
  });
});
