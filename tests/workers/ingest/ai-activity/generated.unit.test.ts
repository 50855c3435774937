// 300 generated ai-activity events, delivered as NDJSON: every one parses, maps to the expected number
// of findings, and every finding validates against the OCSF 1.8 Detection Finding schema (Ajv).
import { describe, expect, it } from "vitest";
import {
  AI_DETECTION_TYPES,
  AI_VERDICTS,
  type AiActivityEvent,
  CONTENT_HASH_ROLES,
} from "../../../../domain/ingest/kinds/ai-activity/event.ts";
import { aiActivity } from "../../../../domain/ingest/kinds/ai-activity/index.ts";
import { detectionFindingSchema } from "../../../../domain/ocsf/detection-finding.ts";
import { validateDetectionFinding } from "../../../support/ocsf-validators.ts";
import { seededRandom } from "../../../support/random.ts";

const SEED = 20_260_302;
const COUNT = 300;
// 2026-03-01T00:00:00Z; generated events fall within the 7 days after it.
const BASE_TIME = 1_772_323_200_000;

function generateEvents(seed: number, count: number): AiActivityEvent[] {
  const next = seededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const hex = (length: number) => Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join("");
  const apps = [
    { name: "Microsoft 365 Copilot", vendor: "Microsoft", id: "m365-copilot" },
    { name: "ChatGPT", vendor: "OpenAI" },
    { name: "Claude", vendor: "Anthropic", id: "claude-ai" },
    { name: "Gemini" },
    { name: "Internal RAG assistant", id: "rag:hr-policies" },
  ] as const;
  const models = [
    { name: "gpt-4o", provider: "Azure OpenAI", version: "2024-08-06" },
    { name: "claude-sonnet-4", provider: "Anthropic" },
    { name: "gemini-2.5-pro", provider: "Google" },
    { name: "llama-3.1-70b", provider: "Meta", version: "3.1" },
  ] as const;
  const users = ["alice", "bob", "carol", "dave", "erin"] as const;

  return Array.from({ length: count }, (_, i): AiActivityEvent => {
    const user = pick(users);
    const person = {
      id: `00u-${user}`,
      email: `${user}@acme.example`,
      name: user[0]?.toUpperCase() + user.slice(1),
    };
    const actor =
      next() < 0.7
        ? { type: "user" as const, ...person }
        : next() < 0.5
          ? { type: "agent" as const, id: `agent-${int(1, 4)}`, name: "Ops agent", on_behalf_of: person }
          : { type: "agent" as const, id: `agent-${int(1, 4)}` };
    const actionType = pick(["prompt", "completion", "tool_call", "file_upload"] as const);
    const action =
      actionType === "tool_call"
        ? { type: actionType, tool_name: pick(["send_email", "search_web", "run_sql", "create_ticket"]) }
        : actionType === "file_upload"
          ? {
              type: actionType,
              file_name: `file-${hex(6)}.pdf`,
              file_size: int(0, 50_000_000),
              mime_type: "application/pdf",
            }
          : { type: actionType };
    const detectionCount = pick([0, 0, 1, 1, 1, 2, 3]);
    const types = [...AI_DETECTION_TYPES].sort(() => next() - 0.5).slice(0, detectionCount);
    const time = BASE_TIME + int(0, 7 * 86_400_000);
    return {
      schema_version: "1.0",
      event_id: `gen-${seed}-${i}-${hex(8)}`,
      time: next() < 0.5 ? time : new Date(time).toISOString(),
      actor,
      application: { ...pick(apps) },
      model: { ...pick(models) },
      action,
      verdict: pick(AI_VERDICTS),
      detections: types.map((type) => ({
        type,
        score: Math.round(next() * 1000) / 1000,
        ...(next() < 0.5 ? { policy: `policy-${int(1, 9)}` } : {}),
        ...(next() < 0.3 ? { details: "Matched by the source's detector." } : {}),
      })),
      ...(next() < 0.8
        ? {
            content_hashes: Array.from({ length: int(1, 3) }, () => ({
              algorithm: "sha256" as const,
              value: hex(64),
              role: pick(CONTENT_HASH_ROLES),
            })),
          }
        : {}),
    };
  });
}

describe("300 generated ai-activity events", () => {
  it("all map, to the expected number of findings, and every finding is valid OCSF 1.8", () => {
    const events = generateEvents(SEED, COUNT);
    const body = events.map((e) => JSON.stringify(e)).join("\n");

    const parsed = aiActivity.parse(body, "application/x-ndjson");
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.items).toHaveLength(COUNT);

    let findings = 0;
    let invalid = 0;
    const expectedFindings = events.reduce(
      (n, e) => n + (e.detections.length > 0 ? e.detections.length : e.verdict === "allowed" ? 0 : 1),
      0,
    );
    for (const [i, item] of parsed.items.entries()) {
      const result = aiActivity.map(item, { now: BASE_TIME, connectorId: "conn_gen", config: {} });
      if (!result.ok) throw new Error(`event ${i} failed: ${result.reason}`);
      for (const { finding, correlationKey } of result.findings) {
        const errors = validateDetectionFinding(finding);
        if (errors.length > 0) invalid++;
        expect(errors, finding.finding_info.uid).toEqual([]);
        expect(detectionFindingSchema.safeParse(finding).success).toBe(true);
        expect(finding.raw_data).toBe(item.raw);
        expect(correlationKey).toMatch(/^ai:[^:]+:[^:]+:[a-z_]+:\d+$/);
        findings++;
      }
    }
    console.log(`ai-activity generated: events ${COUNT}, findings ${findings}, invalid ${invalid}`);
    expect(findings).toBe(expectedFindings);
    // The generator must exercise the zero-finding path and the many-finding path, or the count proves little.
    expect(events.some((e) => e.detections.length === 0 && e.verdict === "allowed")).toBe(true);
    expect(events.some((e) => e.detections.length === 3)).toBe(true);
  });

  it("finding uids are unique across the batch, so no two findings fold into one alert", () => {
    const parsed = aiActivity.parse(JSON.stringify(generateEvents(SEED + 1, COUNT)), "application/json");
    if (!parsed.ok) throw new Error(parsed.reason);

    const uids = parsed.items.flatMap((item) => {
      const result = aiActivity.map(item, { now: BASE_TIME, connectorId: "conn_gen", config: {} });
      return result.ok ? result.findings.map((f) => f.finding.finding_info.uid) : [`failed:${result.reason}`];
    });

    expect(uids.filter((uid) => uid.startsWith("failed:"))).toEqual([]);
    expect(new Set(uids).size).toBe(uids.length);
  });
});
