import type { ReactNode } from "react";
import { isRouteErrorResponse, Links, Meta, Outlet, Scripts, ScrollRestoration } from "react-router";
import type { Route } from "./+types/root";

// The Worker reads this key off the server build (see app/context.ts for why).
export { workbenchContext } from "./context.ts";

export const meta: Route.MetaFunction = () => [{ title: "Phoenix workbench" }];

// Small enough to inline; a stylesheet arrives with the real workbench UI.
const baseStyles = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #5b6472; --bg: #f6f7f9; --card: #fff;
  --line: #dde1e6; --accent: #d9480f; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --muted: #9aa4b2; --bg: #111418;
  --card: #181c21; --line: #2a3038; --accent: #ff8a4c; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); }
main { max-width: 44rem; margin: 12vh auto; padding: 0 1.5rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 2rem; }
h1 { margin: 0 0 .25rem; font-size: 1.75rem; letter-spacing: -.01em; }
h1 span { color: var(--accent); }
.badge { font-size: .75rem; font-weight: 500; vertical-align: middle; color: var(--muted);
  border: 1px solid var(--line); border-radius: 999px; padding: .1rem .55rem; margin-left: .35rem; }
p { margin: .5rem 0; color: var(--muted); }
nav { display: flex; gap: .75rem; margin-top: 1.5rem; flex-wrap: wrap; }
nav a { color: var(--fg); text-decoration: none; border: 1px solid var(--line); border-radius: 8px;
  padding: .45rem .9rem; }
nav a:hover { border-color: var(--accent); color: var(--accent); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
`;

export function Layout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
        <style>{baseStyles}</style>
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
  return <Outlet />;
}

// The workbench's one root error boundary.
export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  const title = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : "Something went wrong";
  const detail = isRouteErrorResponse(error)
    ? error.status === 404
      ? "This page does not exist."
      : String(error.data ?? "")
    : "The workbench hit an unexpected error. Try again, or check the Worker logs.";
  return (
    <main>
      <div className="card">
        <h1>{title}</h1>
        <p>{detail}</p>
        <nav>
          <a href="/">Workbench home</a>
        </nav>
      </div>
    </main>
  );
}
