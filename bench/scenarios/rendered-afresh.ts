// A signed-in page loaded so that the rendered-page cache (decision 043) never serves it: what the
// page costs when what it shows changed between two loads.
import type { LoadPlan } from "../scenario.ts";

export function everyRequestRendered(path: string, cookie: string): LoadPlan {
  let n = 0;
  return {
    requests: [
      {
        method: "GET",
        path,
        // A cookie the page ignores but the cache keys on: no two requests share a kept page.
        setupRequest: (request) => ({ ...request, headers: { cookie: `${cookie}; bench_render=${n++}` } }),
      },
    ],
  };
}
