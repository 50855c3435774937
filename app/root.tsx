import { type ReactNode, useEffect } from "react";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteLoaderData,
} from "react-router";
import type { Route } from "./+types/root";
import stylesheet from "./styles/app.css?url";
import { type Theme, themeFromCookie } from "./theme.ts";
import type { WorkbenchErrorData } from "./workbench.server.ts";

// The Worker reads this key off the server build (see app/context.ts for why).
export { workbenchContext } from "./context.ts";

export const meta: Route.MetaFunction = () => [{ title: "Phoenix" }];
export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: stylesheet }];

export function loader({ request }: Route.LoaderArgs) {
  return { theme: themeFromCookie(request.headers.get("cookie")) };
}

export function Layout({ children }: { children: ReactNode }) {
  // Also rendered for errors, when the root loader's data may be missing: the system theme then.
  const theme: Theme = useRouteLoaderData<typeof loader>("root")?.theme ?? "system";
  return (
    <html lang="en" data-theme={theme}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  // Says the page's own shortcuts and forms are live: browser tests wait for it before typing keys.
  useEffect(() => {
    document.documentElement.dataset.hydrated = "true";
  }, []);
  return <Outlet />;
}

/** What each of Phoenix's error codes means to the person who met it, and what to do next. */
const EXPLAINED: Record<string, { title: string; advice: string }> = {
  not_found: {
    title: "Not found",
    advice:
      "It does not exist, or it belongs to a tenant you hold no grant on. Check the link, or go back to your queue.",
  },
  forbidden: {
    title: "Not allowed",
    advice: "Your role on this tenant does not allow it. Ask a lead or an administrator if you need it.",
  },
  unauthenticated: { title: "Signed out", advice: "Your session has ended. Sign in again to continue." },
  csrf_rejected: {
    title: "Form expired",
    advice: "The form was sent from an old page or another site. Reload the page and try again.",
  },
  invalid_parameter: {
    title: "That view cannot be shown",
    advice: "The address asks for a filter that does not exist.",
  },
  validation_failed: {
    title: "Some fields need attention",
    advice: "Go back, correct them and send the form again.",
  },
  invalid_transition: {
    title: "Not possible in this state",
    advice: "The case has moved on since the page was loaded. Open it again to see what it allows now.",
  },
};

// The workbench's one root error boundary: Phoenix's error codes become pages that say what happened.
export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  let status = 500;
  let explained = {
    title: "Something went wrong",
    advice: "Phoenix hit an unexpected error. Try again; if it keeps happening, the Worker logs say why.",
  };
  let detail: string | null = null;
  if (isRouteErrorResponse(error)) {
    status = error.status;
    const body = error.data as Partial<WorkbenchErrorData> | string | undefined;
    const code = typeof body === "object" ? body?.code : undefined;
    if (code && EXPLAINED[code]) explained = EXPLAINED[code];
    else if (status === 404) explained = EXPLAINED.not_found ?? explained;
    detail = typeof body === "object" ? (body?.message ?? null) : null;
  }
  return (
    <main className="mx-auto mt-[14vh] max-w-lg px-6">
      <div className="rounded-xl border border-line bg-surface p-8 shadow-sm">
        <p className="font-mono text-xs text-faint">Error {status}</p>
        <h1 className="mt-1 text-xl font-semibold">{explained.title}</h1>
        <p className="mt-2 text-muted">{explained.advice}</p>
        {detail && (
          <p className="mt-3 rounded-md bg-raised px-3 py-2 font-mono text-xs text-muted">{detail}</p>
        )}
        <nav className="mt-6 flex gap-3">
          <a className="rounded-md bg-accent px-3 py-1.5 font-medium text-accent-ink" href="/">
            Go to the queue
          </a>
          <a className="rounded-md border border-line px-3 py-1.5" href="/auth/login">
            Sign in
          </a>
        </nav>
      </div>
    </main>
  );
}
