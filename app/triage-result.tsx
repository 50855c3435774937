// What became of a triage action on the selected alerts, shown where they were selected.
import { Link } from "react-router";
import type { TriageOutcome } from "./alert-triage.server.ts";

export function TriageResult({ result }: { result: TriageOutcome }) {
  if (!result.ok) {
    return (
      <p
        role="alert"
        className="mt-2 rounded-lg border border-bad bg-bad-soft px-3 py-2 text-[13px] text-bad"
      >
        {result.message}
      </p>
    );
  }
  const total = result.linked + result.refused.length;
  return (
    <p role="status" className="mt-2 rounded-lg border border-line bg-surface px-3 py-2 text-[13px]">
      <span className={result.refused.length === 0 ? "text-ok" : "text-warn"}>
        {total === 1
          ? result.linked === 1
            ? "Linked"
            : "Not linked"
          : `${result.linked} of ${total} linked`}
      </span>{" "}
      to{" "}
      <Link to={`/cases/${result.caseId}`} className="font-medium text-accent hover:underline">
        {result.caseTitle}
      </Link>
      {result.refused.map((r) => (
        <span key={r.alertId} className="block text-bad">
          <span className="font-mono text-[12px]">{r.alertId}</span>: {r.message}
        </span>
      ))}
    </p>
  );
}
