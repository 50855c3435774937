import { it } from "vitest";
import { ROUTES, TenantFixtures } from "../../support/route-catalog.ts";
import { call, createTenant } from "../../support/world.ts";

it("capture", async () => {
  const w = await TenantFixtures.create(await createTenant());
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const route of ROUTES) {
    if (seen.has(route.route)) continue;
    const probe = await route.own(w);
    const res = await call(probe.method, probe.path, {
      token: w.setup,
      body: probe.body,
      headers: probe.headers,
    });
    const text = await res.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    if (res.status >= 300) {
      console.log(`SKIP ${route.route} ${res.status} ${text.slice(0, 200)}`);
      continue;
    }
    seen.add(route.route);
    out.push({ route: route.route, status: res.status, request: probe.body ?? null, response: body });
  }
  console.log(`CAPTURE ${JSON.stringify(out)}`);
}, 120_000);
