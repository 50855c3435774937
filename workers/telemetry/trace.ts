// W3C Trace Context (https://www.w3.org/TR/trace-context/): continue the caller's trace when its
// `traceparent` is well formed, start one otherwise, and hand it to every outbound call explicitly.
// Phoenix records no spans of its own; the request log line carries trace_id and span_id.

export interface TraceContext {
  /** 32 lowercase hex digits, never all zero. */
  traceId: string;
  /** This request's (or run's) span: the parent-id outbound calls carry. */
  spanId: string;
  /** trace-flags, 2 hex digits; bit 0 is "sampled". */
  flags: string;
  /** The caller's vendor state, passed on unchanged when its traceparent was accepted. */
  tracestate?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);
// The spec caps tracestate at 32 list members; 512 characters is what it tells vendors to keep.
const MAX_TRACESTATE = 512;

/** The parts of a valid traceparent header, or null (then the caller starts a new trace). */
export function parseTraceparent(header: string | null | undefined): {
  traceId: string;
  parentId: string;
  flags: string;
} | null {
  if (!header) return null;
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return null;
  const [, version, traceId, parentId, flags, rest] = match;
  if (!version || !traceId || !parentId || !flags) return null;
  // Version ff is forbidden; version 00 has exactly four fields, later versions may append more.
  if (version === "ff" || (version === "00" && rest !== undefined)) return null;
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return null;
  return { traceId, parentId, flags };
}

/** The trace a request joins: the inbound one when valid (with a span of our own), else a new one. */
export function continueTrace(
  traceparent: string | null | undefined,
  tracestate?: string | null,
): TraceContext {
  const inbound = parseTraceparent(traceparent);
  if (!inbound) return startTrace();
  const state = tracestate?.trim();
  return {
    traceId: inbound.traceId,
    spanId: randomHex(8),
    flags: inbound.flags,
    ...(state && state.length <= MAX_TRACESTATE && isPrintableAscii(state) ? { tracestate: state } : {}),
  };
}

/** A new root trace, for work nobody called us for (cron runs) or callers without a valid header. */
export function startTrace(): TraceContext {
  return { traceId: randomHex(16), spanId: randomHex(8), flags: "00" };
}

/** The header outbound calls carry: same trace, this span as their parent. */
export function traceparentOf(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.flags}`;
}

/** Sets traceparent (and tracestate) on an outbound request's headers. */
export function propagateTrace(headers: Headers, trace: TraceContext | undefined): void {
  if (!trace) return;
  headers.set("traceparent", traceparentOf(trace));
  if (trace.tracestate) headers.set("tracestate", trace.tracestate);
  else headers.delete("tracestate");
}

function randomHex(bytes: number): string {
  for (;;) {
    const hex = Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
      b.toString(16).padStart(2, "0"),
    ).join("");
    // All-zero ids are invalid; at these lengths this loop essentially never repeats.
    if (/[^0]/.test(hex)) return hex;
  }
}

function isPrintableAscii(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}
