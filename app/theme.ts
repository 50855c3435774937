// The workbench theme: light, dark, or whatever the system prefers. Kept in a cookie so the server
// renders the right one first (no flash of the wrong theme).
export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];
export const THEME_COOKIE = "phoenix_theme";

export function isTheme(value: unknown): value is Theme {
  return typeof value === "string" && (THEMES as readonly string[]).includes(value);
}

export function themeFromCookie(header: string | null): Theme {
  for (const part of (header ?? "").split(";")) {
    const [name, value] = part.trim().split("=");
    if (name === THEME_COOKIE && isTheme(value)) return value;
  }
  return "system";
}

export function themeCookie(theme: Theme): string {
  // A year; Lax like the session. Not secret, so readable by the page's own script is fine.
  return `${THEME_COOKIE}=${theme}; Path=/; Max-Age=31536000; SameSite=Lax; Secure`;
}
