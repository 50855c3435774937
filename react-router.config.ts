import type { Config } from "@react-router/dev/config";

// Server-rendered workbench. React Router 8 made the v7 `future.v8_*` behaviours (middleware,
// RouterContextProvider load context, Vite environment API, split route modules) the defaults,
// so there are no future flags to set; the remaining ones are unstable and stay off.
export default {
  ssr: true,
} satisfies Config;
