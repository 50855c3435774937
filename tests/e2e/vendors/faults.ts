// What the local vendor servers share: a seeded plan of which calls fail and how, and small
// request/response helpers.
import type { IncomingMessage, ServerResponse } from "node:http";

/** 500, 429 with Retry-After, no answer in time, or done with the answer lost. */
export type FaultKind = "500" | "429" | "timeout" | "lost";
const KINDS: FaultKind[] = ["500", "429", "timeout", "lost"];

export interface FaultPlan {
  /** Share of calls that fail, 0–1. */
  rate: number;
  seed: number;
  /** Exact faults for the next calls, in order (null: the call goes through), before any random ones. */
  script?: Array<FaultKind | null>;
}

/** A fault for the next call, or null: a seeded generator (mulberry32), so a failing run repeats. */
export function faultFor(plan: FaultPlan): FaultKind | null {
  if (plan.script && plan.script.length > 0) return plan.script.shift() ?? null;
  if (plan.rate <= 0) return null;
  const roll = next(plan);
  if (roll >= plan.rate) return null;
  return KINDS[Math.floor(next(plan) * KINDS.length)] ?? "500";
}

function next(plan: FaultPlan): number {
  plan.seed = (plan.seed + 0x6d2b79f5) | 0;
  let t = plan.seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/**
 * The answer is lost: the connection closes long after the client gave up. (Closing it at once
 * makes workerd log its own stream errors as uncaught; the client sees the same either way.)
 */
export function neverAnswer(res: ServerResponse): void {
  setTimeout(() => res.socket?.destroy(), 1_000);
}
