// How a case's severity, priority, state and SLA look wherever they appear: colour always comes
// with text (and a shape for SLA), never colour alone.
import { captionOf, SEVERITY_CAPTIONS } from "../domain/ocsf/captions.ts";
import { shortDuration } from "./clock.tsx";

const SEVERITY_STYLE: Record<string, string> = {
  critical: "bg-bad text-white dark:text-black",
  high: "bg-bad-soft text-bad",
  medium: "bg-warn-soft text-warn",
  low: "bg-raised text-muted",
};

export function SeverityBadge({ severity }: { severity: string }) {
  return <span className={`badge-sev ${SEVERITY_STYLE[severity] ?? "bg-raised"}`}>{severity}</span>;
}

/** An OCSF severity_id in words: what the source said, before Phoenix maps it to a case severity. */
export function ocsfSeverityLabel(severityId: number): string {
  return captionOf(SEVERITY_CAPTIONS, severityId)?.toLowerCase() ?? String(severityId);
}

/** An alert's OCSF severity, coloured as the case severity it maps to. */
export function AlertSeverityBadge({ severityId }: { severityId: number }) {
  const style =
    severityId >= 5 ? "critical" : severityId === 4 ? "high" : severityId === 3 ? "medium" : "low";
  return <span className={`badge-sev ${SEVERITY_STYLE[style]}`}>{ocsfSeverityLabel(severityId)}</span>;
}

export function PriorityBadge({ priority }: { priority: string }) {
  return <span className="badge-pri">{priority}</span>;
}

const STATE_STYLE: Record<string, string> = {
  new: "bg-info-soft text-info",
  acknowledged: "bg-info-soft text-info",
  in_progress: "bg-warn-soft text-warn",
  contained: "bg-ok-soft text-ok",
  on_hold: "bg-raised text-muted",
  resolved: "bg-ok-soft text-ok",
  closed: "bg-raised text-faint",
  reopened: "bg-bad-soft text-bad",
};

export function stateLabel(state: string): string {
  return state === "in_progress" ? "In progress" : state === "on_hold" ? "On hold" : capitalise(state);
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge-state ${STATE_STYLE[state] ?? ""}`}>{stateLabel(state)}</span>;
}

export const CLOCK_LABEL: Record<string, string> = { acknowledge: "TTA", contain: "TTC", resolve: "TTR" };
export const CLOCK_NAME: Record<string, string> = {
  acknowledge: "time to acknowledge",
  contain: "time to contain",
  resolve: "time to resolve",
};

const SLA_STYLE = {
  ok: { box: "text-ok", icon: "●", word: "on track" },
  warning: { box: "bg-warn-soft text-warn", icon: "▲", word: "warning" },
  breached: { box: "bg-bad-soft text-bad font-semibold", icon: "■", word: "breached" },
} as const;

/** The clock due next and its time left (or over), e.g. "▲ TTA 8m left". */
export function SlaBadge({
  status,
  clock,
  dueAt,
  now,
}: {
  status: "ok" | "warning" | "breached";
  clock: string | null;
  dueAt: number | null;
  now: number;
}) {
  if (dueAt === null || clock === null) {
    return status === "breached" ? (
      <span className="inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs text-bad">
        ■ breached
      </span>
    ) : (
      <span className="text-xs text-faint">No clock running</span>
    );
  }
  const style = SLA_STYLE[status];
  const left = dueAt - now;
  const label = CLOCK_LABEL[clock] ?? clock;
  const text = left > 0 ? `${shortDuration(left)} left` : `${shortDuration(left)} over`;
  return (
    <span className={`badge-sla ${style.box}`} title={`${CLOCK_NAME[clock] ?? clock}: ${style.word}`}>
      <span aria-hidden>{style.icon}</span>
      <span>
        {label} {text}
      </span>
      <span className="sr-only">({style.word})</span>
    </span>
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1).replaceAll("_", " ");
}
