import { cloudflare } from "@cloudflare/vite-plugin";
import { reactRouter } from "@react-router/dev/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";

// Builds the one Worker described by wrangler.toml (main = workers/index.ts) together with the
// React Router workbench: the plugin's "ssr" environment is the Worker, so the workbench's server
// build is bundled into it and its client assets are served by the Worker's static assets.
// Tests use vitest.config.ts instead; keep the two separate.
export default defineConfig({
  plugins: [
    cloudflare({ configPath: "./wrangler.toml", viteEnvironment: { name: "ssr" } }),
    tailwindcss(),
    reactRouter(),
  ],
  // PHOENIX_ISSUER in wrangler.toml is http://localhost:8787, so local servers listen there.
  server: { port: 8787, strictPort: true },
  preview: { port: 8787, strictPort: true },
});
