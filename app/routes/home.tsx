import { resolveSession } from "../../domain/auth/sessions.ts";
import { workbenchContext } from "../context.ts";
import type { Route } from "./+types/home";

export const meta: Route.MetaFunction = () => [
  { title: "Phoenix workbench" },
  { name: "description", content: "Phoenix: the SOC system of record." },
];

// Who is signed in differs per browser: never cached, by the browser or anything between.
export const headers: Route.HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ context, request }: Route.LoaderArgs) {
  const { env } = context.get(workbenchContext);
  const signedIn = await resolveSession(env, request, Date.now());
  return {
    environment: env.ENVIRONMENT,
    me: signedIn && {
      displayName: signedIn.principal.displayName,
      email: signedIn.principal.email,
      kind: signedIn.principal.kind,
      grants: signedIn.grants.map((g) => ({ tenantId: g.tenantId, tenantName: g.tenantName, role: g.role })),
      // Sign-out is a form post, so it carries the session's CSRF token back.
      csrfToken: signedIn.session.csrfToken,
    },
  };
}

export default function Home({ loaderData }: Route.ComponentProps) {
  const { environment, me } = loaderData;
  return (
    <main>
      <div className="card">
        <h1>
          <span>Phoenix</span> workbench <small className="badge">{environment}</small>
        </h1>
        {me ? (
          <section aria-label="Signed in">
            <p>
              Signed in as <strong data-testid="display-name">{me.displayName}</strong> ({me.email}),{" "}
              {me.kind === "staff" ? "provider staff" : "customer user"}.
            </p>
            {me.grants.length > 0 ? (
              <table className="grants">
                <caption>Your access</caption>
                <thead>
                  <tr>
                    <th scope="col">Tenant</th>
                    <th scope="col">Role</th>
                  </tr>
                </thead>
                <tbody>
                  {me.grants.map((g) => (
                    <tr key={g.tenantId}>
                      <td>{g.tenantName}</td>
                      <td>{g.role}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p>You hold no grant on any tenant yet.</p>
            )}
            {/* A plain form: /auth/logout is a Worker route, outside the React Router app. */}
            <form method="post" action="/auth/logout">
              <input type="hidden" name="csrf" value={me.csrfToken} />
              <button type="submit">Sign out</button>
            </form>
          </section>
        ) : (
          <>
            <p>The system of record for alerts, cases and SLAs across every tenant.</p>
            <nav>
              <a href="/auth/login">Sign in</a>
            </nav>
          </>
        )}
        <nav>
          {/* Plain anchors: these are Worker routes outside the React Router app. */}
          <a href="/docs">API reference (/docs)</a>
          <a href="/healthz">Health (/healthz)</a>
        </nav>
      </div>
    </main>
  );
}
