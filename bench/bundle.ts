// What the queue page makes a browser download: the client entry, the root, the shell and the
// queue route with everything they import, gzipped, read from the build's route manifest.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

interface RouteManifest {
  entry: { module: string; imports: string[] };
  routes: Record<string, { parentId?: string; module: string; imports?: string[] }>;
}

export function routeJavaScript(clientDir: string, routeId: string): { files: number; gzipBytes: number } {
  const assets = join(clientDir, "assets");
  const manifestFile = readdirSync(assets).find((f) => /^manifest-.*\.js$/.test(f));
  if (!manifestFile) throw new Error(`no route manifest in ${assets}: build first`);
  const text = readFileSync(join(assets, manifestFile), "utf8");
  const manifest = JSON.parse(text.slice(text.indexOf("=") + 1).replace(/;\s*$/, "")) as RouteManifest;
  const files = new Set([manifest.entry.module, ...manifest.entry.imports]);
  for (let id: string | undefined = routeId; id; id = manifest.routes[id]?.parentId) {
    const route = manifest.routes[id];
    if (!route) throw new Error(`no route ${id} in the manifest`);
    files.add(route.module);
    for (const file of route.imports ?? []) files.add(file);
  }
  let gzipBytes = 0;
  for (const file of files) gzipBytes += gzipSync(readFileSync(join(clientDir, file))).length;
  return { files: files.size, gzipBytes };
}
