// /docs: the interactive API reference. Its script is Scalar's standalone bundle from the Worker's
// own static assets (copied by scripts/docs-bundle.ts), and its default web fonts are off, so the
// page makes no request off this origin and works with no internet (issue 16).
import { Scalar } from "@scalar/hono-api-reference";

/** Where the bundle is served: public/ maps to the site root. */
export const DOCS_BUNDLE_PATH = "/vendor/scalar-api-reference.js";

export const apiReference = Scalar({
  url: "/v1/openapi.json",
  pageTitle: "Phoenix API",
  cdn: DOCS_BUNDLE_PATH,
  withDefaultFonts: false,
});
