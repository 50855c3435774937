// A queue view as the URL carries it, with nothing but plain values: the queue page's browser code
// imports this module, so it stays free of zod and drizzle (work-queue.ts validates and queries).
import type { CaseSeverity, CaseStatus } from "../case-vocabulary.ts";
import type { SlaStatus } from "../sla/types.ts";

export const QUEUE_SORTS = ["sla", "severity", "priority", "activity", "age"] as const;
export type QueueSort = (typeof QUEUE_SORTS)[number];

/** `open` is every state but closed, the default view; `all` includes closed cases. */
export type QueueState = "open" | "all" | CaseStatus;

export interface QueueView {
  tenant?: string | undefined;
  state: QueueState;
  severity?: CaseSeverity | undefined;
  /** "me", "unassigned" or a person's id. */
  assignee?: string | undefined;
  sla?: SlaStatus | undefined;
  q?: string | undefined;
  sort: QueueSort;
}

// One order for the fields, whatever order a view object was built in.
const VIEW_KEYS = ["tenant", "state", "severity", "assignee", "sla", "q", "sort"] as const;

/** The query string of a view: defaults are left out, so equal views have equal addresses. */
export function queueViewSearch(view: Partial<QueueView>): string {
  const params = new URLSearchParams();
  for (const key of VIEW_KEYS) {
    const value = view[key];
    if (value === undefined || value === "") continue;
    if ((key === "state" && value === "open") || (key === "sort" && value === "sla")) continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}
