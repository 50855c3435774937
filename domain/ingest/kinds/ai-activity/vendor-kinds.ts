// What the AI security products' kinds (cisco-ai-defense, cisco-secure-access) share on their way
// through ai-activity 1.1 (decision 057): Phoenix's reading of vendor detection families, a stable
// id for events that carry none, and the checks every item passes before it is translated.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { fieldErrorsFromIssues } from "../../../errors.ts";
import { unparsedItemReason } from "../../framing.ts";
import type { MapContext, MapResult, RawItem } from "../../kind.ts";
import type { AiDetectionType } from "./event.ts";
import { aiActivityConfigSchema, DEFAULT_AI_CORRELATION_WINDOW_MS } from "./index.ts";

/** A Phoenix detection type with the MITRE ATLAS technique and OWASP LLM 2025 risk it stands for. */
export interface AiFamily {
  type: AiDetectionType;
  atlas?: string[];
  owasp?: string[];
}

export const AI_FAMILY = {
  promptInjection: { type: "prompt_injection", atlas: ["AML.T0051"], owasp: ["LLM01:2025"] },
  jailbreak: { type: "jailbreak", atlas: ["AML.T0054"], owasp: ["LLM01:2025"] },
  sensitiveData: { type: "sensitive_data_leak", atlas: ["AML.T0057"], owasp: ["LLM02:2025"] },
  secret: { type: "secret_leak", atlas: ["AML.T0057"], owasp: ["LLM02:2025"] },
  policy: { type: "policy_violation" },
} as const satisfies Record<string, AiFamily>;

/** A stable id for an event that has none: its content, so the same event sent again is a duplicate. */
export function contentId(value: unknown): string {
  return `sha256:${bytesToHex(sha256(utf8ToBytes(JSON.stringify(value)))).slice(0, 32)}`;
}

/** A vendor's text cut to what the ai-activity field holds, marked where it was cut. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The value without its empty-string and null members, for reading: vendors send `""` or null for
 * "not known", which must not fail a field that is optional. The record kept in `unmapped` is the original.
 */
export function withoutBlanks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutBlanks);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, member]) => member !== null && member !== "")
      .map(([key, member]) => [key, withoutBlanks(member)]),
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An item that parsed as an object, under a connector whose config is valid; or why not. */
export function vendorItem(
  item: RawItem,
  ctx: MapContext,
  what: string,
): { ok: true; value: Record<string, unknown>; windowMs: number } | { ok: false; result: MapResult } {
  const unparsed = unparsedItemReason(item);
  if (unparsed !== undefined) return { ok: false, result: { ok: false, reason: unparsed } };
  const config = aiActivityConfigSchema.safeParse(ctx.config);
  if (!config.success) {
    const errors = fieldErrorsFromIssues(config.error.issues, "config");
    return { ok: false, result: { ok: false, reason: "the connector config is invalid", errors } };
  }
  if (!isRecord(item.value))
    return { ok: false, result: { ok: false, reason: `${what} must be a JSON object` } };
  return {
    ok: true,
    value: item.value,
    windowMs: config.data.correlationWindowMs ?? DEFAULT_AI_CORRELATION_WINDOW_MS,
  };
}
