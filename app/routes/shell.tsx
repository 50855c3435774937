// The workbench's frame: the top bar (where am I, who am I, theme, sign out), the keyboard
// shortcuts that work on every page, and the page itself.
import { Form, Link, NavLink, Outlet, useLocation, useRouteLoaderData } from "react-router";
import { operationsForRole } from "../../domain/auth/permissions.ts";
import { CommandPalette } from "../command-palette.tsx";
import { NotificationsBell } from "../notifications-bell.tsx";
import { ShortcutHelp, useGlobalShortcuts } from "../shortcuts.tsx";
import { THEMES } from "../theme.ts";
import { envOf, signedInOrNull } from "../workbench.server.ts";
import type { Route } from "./+types/shell";

// Who is signed in differs per browser: never cached, by the browser or anything between.
export const headers: Route.HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader(args: Route.LoaderArgs) {
  const signedIn = await signedInOrNull(args, Date.now());
  return {
    environment: envOf(args).ENVIRONMENT,
    me: signedIn && {
      id: signedIn.principal.id,
      displayName: signedIn.principal.displayName,
      email: signedIn.principal.email,
      kind: signedIn.principal.kind,
      grants: signedIn.grants.map((g) => ({ tenantId: g.tenantId, tenantName: g.tenantName, role: g.role })),
      // Every form post carries the session's CSRF token back.
      csrfToken: signedIn.session.csrfToken,
      singleKeyShortcuts: signedIn.principal.singleKeyShortcuts,
    },
  };
}

export type ShellData = Awaited<ReturnType<typeof loader>>;

/** The shell's data from any page below it. */
export function useShell(): ShellData {
  const data = useRouteLoaderData<typeof loader>("routes/shell");
  if (!data) throw new Error("useShell is only for pages inside the shell");
  return data;
}

export default function Shell({ loaderData }: Route.ComponentProps) {
  const { me, environment } = loaderData;
  const location = useLocation();
  const shortcuts = useGlobalShortcuts();
  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-surface focus:px-3 focus:py-1"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-line bg-surface/95 backdrop-blur">
        <div className="mx-auto flex h-12 max-w-[1600px] items-center gap-4 px-4">
          <Link to="/" className="flex items-center gap-2 font-semibold tracking-tight">
            <span
              aria-hidden
              className="grid h-6 w-6 place-items-center rounded-md bg-accent text-xs text-accent-ink"
            >
              ▲
            </span>
            Phoenix
          </Link>
          <span className="rounded-full border border-line px-2 py-0.5 text-[11px] text-muted">
            {environment}
          </span>
          {me && (
            <nav aria-label="Workbench" className="flex items-center gap-1">
              <NavLink to="/" end aria-keyshortcuts="g q" className={navLinkClass}>
                Queue
              </NavLink>
              {me.grants.some((g) => operationsForRole(g.role).has("alerts.read")) && (
                <NavLink to="/alerts" aria-keyshortcuts="g t" className={navLinkClass}>
                  Alerts
                </NavLink>
              )}
              {me.grants.some((g) => operationsForRole(g.role).has("reports.read")) && (
                <NavLink to="/dashboard" aria-keyshortcuts="g d" className={navLinkClass}>
                  Dashboard
                </NavLink>
              )}
              {me.grants.some((g) => operationsForRole(g.role).has("users.read")) && (
                <NavLink
                  to="/admin/people"
                  className={({ isActive }) =>
                    navLinkClass({ isActive: isActive || location.pathname.startsWith("/admin/") })
                  }
                >
                  Admin
                </NavLink>
              )}
            </nav>
          )}
          <div className="ml-auto flex items-center gap-3">
            {me && <NotificationsBell tenantIds={me.grants.map((g) => g.tenantId)} />}
            {me && (
              <button
                type="button"
                onClick={() => shortcuts.setPaletteOpen(true)}
                aria-keyshortcuts="Control+K Meta+K"
                className="rounded-md border border-line px-2 py-1 text-xs text-muted hover:text-ink"
              >
                Jump to case <kbd className="ml-1 font-mono">⌘K</kbd>
              </button>
            )}
            <button
              type="button"
              onClick={() => shortcuts.setHelpOpen(true)}
              aria-keyshortcuts="?"
              className="rounded-md border border-line px-2 py-1 text-xs text-muted hover:text-ink"
            >
              Shortcuts <kbd className="ml-1 font-mono">?</kbd>
            </button>
            <Form method="post" action="/theme" className="flex items-center gap-1" aria-label="Theme">
              <input type="hidden" name="back" value={location.pathname + location.search} />
              <label className="sr-only" htmlFor="theme-choice">
                Theme
              </label>
              <ThemeChoice />
            </Form>
            {me && (
              <div className="flex items-center gap-2">
                <span className="hidden text-right leading-tight sm:block">
                  <span className="block text-[13px] font-medium" data-testid="display-name">
                    {me.displayName}
                  </span>
                  <span className="block text-[11px] text-muted">{me.email}</span>
                </span>
                <form method="post" action="/auth/logout">
                  <input type="hidden" name="csrf" value={me.csrfToken} />
                  <button
                    type="submit"
                    className="rounded-md border border-line px-2 py-1 text-xs hover:border-accent"
                  >
                    Sign out
                  </button>
                </form>
              </div>
            )}
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-[1600px] flex-1 px-4 py-5">
        <Outlet />
      </main>
      <ShortcutHelp open={shortcuts.helpOpen} onClose={() => shortcuts.setHelpOpen(false)} />
      {me && <CommandPalette open={shortcuts.paletteOpen} onClose={() => shortcuts.setPaletteOpen(false)} />}
    </div>
  );
}

function navLinkClass({ isActive }: { isActive: boolean }): string {
  return `rounded-md px-2.5 py-1 ${isActive ? "bg-raised font-medium text-ink" : "text-muted hover:text-ink"}`;
}

function ThemeChoice() {
  const root = useRouteLoaderData<{ theme: (typeof THEMES)[number] }>("root");
  return (
    <>
      <select
        id="theme-choice"
        name="theme"
        defaultValue={root?.theme ?? "system"}
        className="rounded-md border border-line bg-surface px-1.5 py-1 text-xs"
        onChange={(event) => {
          // Switch at once, then let the form remember it.
          document.documentElement.dataset.theme = event.currentTarget.value;
          event.currentTarget.form?.requestSubmit();
        }}
      >
        {THEMES.map((t) => (
          <option key={t} value={t}>
            {t === "system" ? "System theme" : t === "light" ? "Light theme" : "Dark theme"}
          </option>
        ))}
      </select>
      <noscript>
        <button type="submit" className="rounded-md border border-line px-2 py-1 text-xs">
          Set
        </button>
      </noscript>
    </>
  );
}
