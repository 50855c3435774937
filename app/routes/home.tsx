import { workbenchContext } from "../context.ts";
import type { Route } from "./+types/home";

export const meta: Route.MetaFunction = () => [
  { title: "Phoenix workbench" },
  { name: "description", content: "Phoenix: the SOC system of record." },
];

export function loader({ context }: Route.LoaderArgs) {
  return { environment: context.get(workbenchContext).env.ENVIRONMENT };
}

export default function Home({ loaderData }: Route.ComponentProps) {
  return (
    <main>
      <div className="card">
        <h1>
          <span>Phoenix</span> workbench <small className="badge">{loaderData.environment}</small>
        </h1>
        <p>The system of record for alerts, cases and SLAs across every tenant.</p>
        <p>Analyst sign-in arrives with the identity work; until then, use the API with a token.</p>
        <nav>
          {/* Plain anchors: these are Worker routes outside the React Router app. */}
          <a href="/docs">API reference (/docs)</a>
          <a href="/healthz">Health (/healthz)</a>
        </nav>
      </div>
    </main>
  );
}
