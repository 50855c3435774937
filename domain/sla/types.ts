// SLA vocabulary: policies per severity, the business calendar they count in, and the clocks a
// case carries. The maths over them lives beside this file and is pure (`now` is passed in).
import type { CaseSeverity, CaseStatus } from "../case-vocabulary.ts";

export const SLA_CLOCKS = ["acknowledge", "contain", "resolve"] as const;
export type SlaClockName = (typeof SLA_CLOCKS)[number];

export interface SlaTargets {
  acknowledgeMs: number;
  containMs: number;
  resolveMs: number;
}

/** Where SLA time is counted: around the clock, or in working hours of one time zone. */
export type BusinessCalendar =
  | { kind: "24x7" }
  | {
      kind: "business_hours";
      /** IANA zone, e.g. "Europe/Berlin". */
      timeZone: string;
      /** ISO weekdays that are working days: 1 = Monday … 7 = Sunday. */
      weekdays: number[];
      /** Local working hours, "HH:MM" 24-hour; end is exclusive. */
      start: string;
      end: string;
      /** Local dates with no working hours, "YYYY-MM-DD". */
      holidays: string[];
    };

export interface SlaPolicy {
  targets: Record<CaseSeverity, SlaTargets>;
  /** Fraction of a target at which a warning fires (default 0.75). */
  warningRatio: number;
  calendar: BusinessCalendar;
  /** Case states in which each clock stands still (default: on_hold pauses resolve). */
  pausedIn: Record<SlaClockName, CaseStatus[]>;
}

export interface SlaClock {
  name: SlaClockName;
  /** When the clock started (the case opened, or was reopened for resolve). */
  startedAt: number;
  /** The target for the case's current severity, in calendar time (business or 24x7). */
  targetMs: number;
  /** Calendar time spent paused so far, not counted against the target. */
  pausedMs: number;
  /** Set while paused; the pause in progress is added to pausedMs on resume. */
  pausedSince: number | null;
  /** Wall-clock instants, recomputed whenever target, pauses or severity change. */
  warnAt: number;
  dueAt: number;
  metAt: number | null;
  /** Elapsed calendar time (target time used) when met: the TTA/TTC/TTR figure for reports. */
  elapsedMs: number | null;
  /** Set once the warning / breach fired, so a repeated or late alarm never fires them again. */
  warnedAt: number | null;
  breachedAt: number | null;
}

export interface SlaState {
  clocks: Record<SlaClockName, SlaClock>;
}

export type SlaSignal = { type: "sla.warning" | "sla.breached"; clock: SlaClockName; dueAt: number };

/** A clock met by a transition: the payload of the `sla.met` event (elapsedMs is TTA/TTC/TTR). */
export interface SlaMet {
  clock: SlaClockName;
  elapsedMs: number;
  dueAt: number;
  /** Wall-clock time from the clock's start (opening, or the reopen for resolve), pauses included. */
  wallMs: number;
  /** Whether the warning / the breach of this clock period had fired before it was met. */
  warned: boolean;
  breached: boolean;
}

export type SlaStatus = "ok" | "warning" | "breached";
