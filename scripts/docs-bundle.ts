// The API reference at /docs runs Scalar's standalone bundle, served by the Worker's static assets
// instead of a CDN, so the docs work with no internet (issue 16). The bundle is copied from the
// pinned npm package into public/ (gitignored) by `npm start`, `npm run build` and the deploy check.
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DOCS_BUNDLE_PATH } from "../workers/docs.ts";

export async function copyDocsBundle(repoRoot: string): Promise<void> {
  const from = join(repoRoot, "node_modules", "@scalar", "api-reference", "dist", "browser", "standalone.js");
  const to = join(repoRoot, "public", DOCS_BUNDLE_PATH);
  await mkdir(dirname(to), { recursive: true });
  await copyFile(from, to);
}

// `node scripts/docs-bundle.ts` (npm run build) copies it for this checkout.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await copyDocsBundle(resolve(import.meta.dirname, ".."));
}
