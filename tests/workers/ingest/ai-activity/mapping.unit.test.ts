// The ai-activity kind: how a delivery is split, how each event becomes zero, one or many Detection
// Findings, the severity and confidence tables, and the correlation window.
import { describe, expect, it } from "vitest";
import type { MapContext, MappedFinding, RawItem } from "../../../../domain/ingest/kind.ts";
import {
  AI_DETECTION_TYPES,
  type AiActivityEvent,
  type AiDetectionType,
  sampleAiActivityEvents,
} from "../../../../domain/ingest/kinds/ai-activity/event.ts";
import { aiActivity } from "../../../../domain/ingest/kinds/ai-activity/index.ts";
import type { DetectionFinding } from "../../../../domain/ocsf/detection-finding.ts";
import { validateDetectionFinding } from "../../../support/ocsf-validators.ts";

const NOW = 1_780_000_000_000;
const HOUR = 3_600_000;

function ctx(config: Record<string, unknown> = {}): MapContext {
  return { now: NOW, connectorId: "conn_test", config };
}

/** A minimal valid event, changed by `overrides` (shallow). */
function event(overrides: Partial<Record<keyof AiActivityEvent, unknown>> = {}): AiActivityEvent {
  return {
    schema_version: "1.0",
    event_id: `evt-${crypto.randomUUID()}`,
    time: "2026-03-02T10:30:00Z",
    actor: { type: "user", id: "u-alice", email: "Alice@Acme.example", name: "Alice" },
    application: { name: "Microsoft 365 Copilot", vendor: "Microsoft", id: "m365-copilot" },
    model: { name: "gpt-4o", provider: "Azure OpenAI", version: "2024-08-06" },
    action: { type: "prompt" },
    verdict: "flagged",
    detections: [{ type: "prompt_injection", score: 0.92 }],
    ...overrides,
  } as AiActivityEvent;
}

function itemOf(value: unknown): RawItem {
  const parsed = aiActivity.parse(JSON.stringify(value), "application/json");
  if (!parsed.ok || parsed.items.length !== 1)
    throw new Error(`expected one item: ${JSON.stringify(parsed)}`);
  return parsed.items[0] as RawItem;
}

/** Maps one event and checks every finding against the OCSF 1.8 schema (Ajv) on the way. */
function mapEvent(value: unknown, config: Record<string, unknown> = {}): MappedFinding[] {
  const result = aiActivity.map(itemOf(value), ctx(config));
  if (!result.ok) throw new Error(`mapping failed: ${result.reason} ${JSON.stringify(result.errors)}`);
  for (const { finding } of result.findings) expect(validateDetectionFinding(finding)).toEqual([]);
  return result.findings;
}

// What these tests read beyond the schema's own fields; the rest stays `unknown` for expect() to check.
type AiFinding = DetectionFinding & {
  observables: Array<{ type_id: number; value?: string }>;
  unmapped: { ai_activity: { action: unknown } };
};

function onlyFinding(value: unknown, config: Record<string, unknown> = {}): AiFinding {
  const findings = mapEvent(value, config);
  expect(findings).toHaveLength(1);
  return findings[0]?.finding as AiFinding;
}

function keyOf(value: unknown, config: Record<string, unknown> = {}): string {
  const findings = mapEvent(value, config);
  expect(findings).toHaveLength(1);
  return findings[0]?.correlationKey as string;
}

describe("how many findings an event maps to", () => {
  it("an allowed event with no detections maps to none, and that is not an error", () => {
    const result = aiActivity.map(itemOf(event({ verdict: "allowed", detections: [] })), ctx());

    expect(result).toEqual({ ok: true, findings: [] });
  });

  it.each(["blocked", "flagged"] as const)(
    "a %s event with no detections maps to one policy_violation finding",
    (verdict) => {
      const e = event({ verdict, detections: [] });

      const finding = onlyFinding(e);

      expect(finding.finding_info.uid).toBe(`${e.event_id}:policy_violation`);
      expect(finding.finding_info.analytic).toMatchObject({ name: "policy_violation" });
      expect(finding.confidence_id).toBe(3);
      expect(finding).not.toHaveProperty("confidence_score");
    },
  );

  it("an event with three detections maps to three findings, one per detection type", () => {
    const e = event({
      verdict: "blocked",
      detections: [
        { type: "unsanctioned_app", score: 1 },
        { type: "secret_leak", score: 0.88 },
        { type: "sensitive_data_leak", score: 0.35 },
      ],
    });

    const findings = mapEvent(e);

    expect(findings.map((f) => f.finding.finding_info.uid)).toEqual([
      `${e.event_id}:unsanctioned_app`,
      `${e.event_id}:secret_leak`,
      `${e.event_id}:sensitive_data_leak`,
    ]);
    expect(new Set(findings.map((f) => f.correlationKey)).size).toBe(3);
    expect(findings.every((f) => f.finding.metadata.uid === e.event_id)).toBe(true);
  });

  it("an allowed event with a detection still maps to a finding", () => {
    expect(
      mapEvent(event({ verdict: "allowed", detections: [{ type: "jailbreak", score: 0.5 }] })),
    ).toHaveLength(1);
  });

  it("the same event maps to the same findings every time, so re-deliveries dedup", () => {
    const e = event();

    expect(mapEvent(e)).toEqual(mapEvent(e));
  });
});

describe("each detection type", () => {
  const titles: Record<AiDetectionType, string> = {
    prompt_injection: "Prompt injection detected in Microsoft 365 Copilot",
    jailbreak: "Jailbreak attempt detected in Microsoft 365 Copilot",
    sensitive_data_leak: "Sensitive data leak detected in Microsoft 365 Copilot",
    secret_leak: "Secret leak detected in Microsoft 365 Copilot",
    unsanctioned_app: "Unsanctioned AI application detected in Microsoft 365 Copilot",
    policy_violation: "Policy violation detected in Microsoft 365 Copilot",
  };

  it.each(AI_DETECTION_TYPES)("%s becomes a Detection Finding named after it", (type) => {
    const e = event({ detections: [{ type, score: 0.75, policy: "AI acceptable use" }] });

    const finding = onlyFinding(e);

    expect(finding).toMatchObject({
      class_uid: 2004,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200401,
      status_id: 1,
      is_alert: true,
      policy: { name: "AI acceptable use" },
      finding_info: {
        uid: `${e.event_id}:${type}`,
        title: titles[type],
        analytic: { name: type, uid: `ai-activity:${type}`, type_id: 0 },
      },
      metadata: {
        version: "1.8.0",
        uid: e.event_id,
        product: { name: "Microsoft 365 Copilot", vendor_name: "Microsoft", uid: "m365-copilot" },
        // The last label says which correlation basis the alert's key used (ai-activity 1.1).
        labels: ["ai-activity", "action:prompt", "verdict:flagged", `detection:${type}`, "correlation:actor"],
      },
    });
    expect(finding.finding_info.types).toEqual(["AI Activity", titles[type].split(" detected")[0]]);
  });

  it("says blocked in the title when the source blocked it", () => {
    const finding = onlyFinding(event({ verdict: "blocked" }));

    expect(finding.finding_info.title).toBe("Prompt injection blocked in Microsoft 365 Copilot");
  });
});

describe("each action", () => {
  it("prompt: no evidence, the prompt hash as a Hash observable (lower case)", () => {
    const hash = "AB".repeat(32);
    const finding = onlyFinding(
      event({
        action: { type: "prompt" },
        content_hashes: [{ algorithm: "sha256", value: hash, role: "prompt" }],
      }),
    );

    expect(finding).not.toHaveProperty("evidences");
    expect(finding.metadata.event_code).toBe("prompt");
    expect(finding.observables).toContainEqual({
      type_id: 8,
      type: "Hash",
      name: "unmapped.ai_activity.content_hashes[0].value",
      value: "ab".repeat(32),
    });
  });

  it("completion: described as a completion received", () => {
    const finding = onlyFinding(event({ action: { type: "completion" } }));

    expect(finding).not.toHaveProperty("evidences");
    expect(finding.finding_info.desc).toContain("received a completion from Microsoft 365 Copilot");
    expect(finding.unmapped.ai_activity.action).toEqual({ type: "completion" });
  });

  it("tool_call: the tool as an API operation in the evidence", () => {
    const finding = onlyFinding(event({ action: { type: "tool_call", tool_name: "send_email" } }));

    expect(finding.evidences).toEqual([
      { api: { operation: "send_email", service: { name: "Microsoft 365 Copilot" } } },
    ]);
    expect(finding.finding_info.desc).toContain('called the tool "send_email"');
  });

  it("file_upload: the file with its size, type and hash in the evidence, its name as an observable", () => {
    const fileHash = "c".repeat(64);
    const finding = onlyFinding(
      event({
        action: { type: "file_upload", file_name: "export.csv", file_size: 1234, mime_type: "text/csv" },
        content_hashes: [
          { algorithm: "sha256", value: "d".repeat(64), role: "prompt" },
          { algorithm: "sha256", value: fileHash, role: "file" },
        ],
      }),
    );

    expect(finding.evidences).toEqual([
      {
        file: {
          name: "export.csv",
          type_id: 1,
          type: "Regular File",
          size: 1234,
          mime_type: "text/csv",
          hashes: [{ algorithm_id: 3, algorithm: "SHA-256", value: fileHash }],
        },
      },
    ]);
    expect(finding.observables).toContainEqual({
      type_id: 7,
      type: "File Name",
      name: "evidences[0].file.name",
      value: "export.csv",
    });
    expect(finding.observables.filter((o) => o.type_id === 8)).toHaveLength(2);
  });
});

describe("actor, application and model", () => {
  it("a user becomes actor.user, with the email as an observable", () => {
    const finding = onlyFinding(event());

    expect(finding.actor).toEqual({
      user: { uid: "u-alice", name: "Alice", email_addr: "Alice@Acme.example", type_id: 1, type: "User" },
    });
    expect(finding.observables).toContainEqual({
      type_id: 5,
      type: "Email Address",
      name: "actor.user.email_addr",
      value: "Alice@Acme.example",
    });
  });

  it("an agent becomes the initiating app, and the person it acts for becomes actor.user", () => {
    const finding = onlyFinding(
      event({
        actor: {
          type: "agent",
          id: "agent-7",
          name: "Invoice bot",
          on_behalf_of: { id: "u-bob", email: "bob@acme.example" },
        },
      }),
    );

    expect(finding.actor).toEqual({
      app_uid: "agent-7",
      app_name: "Invoice bot",
      user: { uid: "u-bob", email_addr: "bob@acme.example", type_id: 1, type: "User" },
    });
    expect(finding.observables).toContainEqual(
      expect.objectContaining({ type_id: 5, value: "bob@acme.example" }),
    );
  });

  it("an agent acting on its own has no user and no email observable", () => {
    const finding = onlyFinding(event({ actor: { type: "agent", id: "agent-9" } }));

    expect(finding.actor).toEqual({ app_uid: "agent-9", app_name: "agent-9" });
    expect(finding.observables.some((o) => o.type_id === 5)).toBe(false);
  });

  it("the application and model are resources; the application name is an observable", () => {
    const finding = onlyFinding(event());

    expect(finding.resources).toEqual([
      {
        type: "AI Application",
        name: "Microsoft 365 Copilot",
        uid: "m365-copilot",
        role_id: 1,
        role: "Target",
      },
      {
        type: "AI Model",
        name: "gpt-4o",
        provider: "Azure OpenAI",
        version: "2024-08-06",
        role_id: 4,
        role: "Related",
      },
    ]);
    expect(finding.observables).toContainEqual({
      type_id: 38,
      type: "Resource Details Object: name",
      name: "resources[0].name",
      value: "Microsoft 365 Copilot",
    });
  });

  it("an application without vendor or id still names the product", () => {
    const finding = onlyFinding(event({ application: { name: "ChatGPT" } }));

    expect(finding.metadata.product).toEqual({ name: "ChatGPT" });
  });
});

describe("time, raw data and the verdict controls", () => {
  it("time is epoch milliseconds, and an ISO time is kept as original_time", () => {
    const finding = onlyFinding(event({ time: "2026-03-02T11:30:00.250+01:00" }));

    expect(finding.time).toBe(Date.UTC(2026, 2, 2, 10, 30, 0, 250));
    expect(finding.metadata.original_time).toBe("2026-03-02T11:30:00.250+01:00");
  });

  it("an epoch time stays as sent, with no original_time", () => {
    const finding = onlyFinding(event({ time: 1_772_447_400_123 }));

    expect(finding.time).toBe(1_772_447_400_123);
    expect(finding.metadata).not.toHaveProperty("original_time");
  });

  it("raw_data is the item's exact text, spacing and all", () => {
    const raw = `  {"schema_version":"1.0", "event_id":"evt-raw-1","time":1772447400123,"actor":{"type":"user","id":"u"},"application":{"name":"A"},"model":{"name":"m","provider":"p"},"action":{"type":"prompt"},"verdict":"blocked","detections":[]}`;
    const parsed = aiActivity.parse(`[${raw}]`, "application/json");
    if (!parsed.ok) throw new Error(parsed.reason);

    const result = aiActivity.map(parsed.items[0] as RawItem, ctx());

    if (!result.ok) throw new Error(result.reason);
    expect(result.findings[0]?.finding.raw_data).toBe(raw.trim());
  });

  it.each([
    ["allowed", 1, "Allowed", 1, "Allowed"],
    ["blocked", 2, "Denied", 2, "Blocked"],
    ["flagged", 3, "Observed", 19, "Alert"],
  ] as const)(
    "verdict %s is action %i (%s), disposition %i (%s)",
    (verdict, actionId, action, dispositionId, disposition) => {
      const finding = onlyFinding(event({ verdict }));

      expect(finding).toMatchObject({
        action_id: actionId,
        action,
        disposition_id: dispositionId,
        disposition,
      });
      expect(finding.metadata.profiles).toEqual(["security_control"]);
    },
  );
});

describe("severity and confidence", () => {
  it.each([
    // score, verdict, severity_id, confidence_id
    [1, "flagged", 4, 3],
    [0.9, "flagged", 4, 3],
    [0.9, "allowed", 4, 3],
    [0.9, "blocked", 3, 3],
    [0.89, "flagged", 3, 3],
    [0.7, "allowed", 3, 3],
    [0.7, "blocked", 2, 3],
    [0.69, "flagged", 2, 2],
    [0.4, "allowed", 2, 2],
    [0.4, "blocked", 1, 2],
    [0.39, "flagged", 1, 1],
    [0.39, "blocked", 1, 1],
    [0, "allowed", 1, 1],
  ] as const)("score %d, %s: severity %i, confidence %i", (score, verdict, severityId, confidenceId) => {
    const finding = onlyFinding(event({ verdict, detections: [{ type: "jailbreak", score }] }));

    expect(finding.severity_id).toBe(severityId);
    expect(finding.confidence_id).toBe(confidenceId);
    expect(finding.confidence_score).toBe(Math.round(score * 100));
  });

  it.each([
    ["flagged", 2, "Low"],
    ["blocked", 1, "Informational"],
  ] as const)(
    "a %s verdict with no detection: severity %i (%s), confidence High",
    (verdict, severityId, caption) => {
      const finding = onlyFinding(event({ verdict, detections: [] }));

      expect(finding).toMatchObject({
        severity_id: severityId,
        severity: caption,
        confidence_id: 3,
        confidence: "High",
      });
    },
  );
});

describe("the correlation key: actor + application + detection type within a window", () => {
  const at = (iso: string) => event({ time: iso });

  it("has the documented shape", () => {
    const e = event({ time: 1_772_447_400_000 });

    expect(keyOf(e)).toBe(`ai:u-alice:m365-copilot:prompt_injection:${Math.floor(1_772_447_400_000 / HOUR)}`);
  });

  it("puts the first and last millisecond of an hour in one window, and the next millisecond in the next", () => {
    const first = keyOf(at("2026-03-02T10:00:00.000Z"));
    const last = keyOf(at("2026-03-02T10:59:59.999Z"));
    const next = keyOf(at("2026-03-02T11:00:00.000Z"));
    const before = keyOf(at("2026-03-02T09:59:59.999Z"));

    expect(last).toBe(first);
    expect(next).not.toBe(first);
    expect(before).not.toBe(first);
  });

  it("uses the connector's correlationWindowMs", () => {
    const config = { correlationWindowMs: 15 * 60_000 };

    const a = keyOf(at("2026-03-02T10:00:00.000Z"), config);
    const b = keyOf(at("2026-03-02T10:14:59.999Z"), config);
    const c = keyOf(at("2026-03-02T10:15:00.000Z"), config);

    expect(b).toBe(a);
    expect(c).not.toBe(a);
    // With the default hour, 10:15 would still share the window with 10:00.
    expect(keyOf(at("2026-03-02T10:15:00.000Z"))).toBe(keyOf(at("2026-03-02T10:00:00.000Z")));
  });

  it("differs by actor, by application and by detection type, and not by event or verdict", () => {
    const base = keyOf(event());

    expect(keyOf(event({ actor: { type: "user", id: "u-bob" } }))).not.toBe(base);
    expect(keyOf(event({ application: { name: "ChatGPT" } }))).not.toBe(base);
    expect(keyOf(event({ detections: [{ type: "jailbreak", score: 0.92 }] }))).not.toBe(base);
    expect(keyOf(event({ verdict: "blocked", action: { type: "completion" } }))).toBe(base);
  });

  it("encodes its parts, so ids containing ':' cannot collide", () => {
    const a = keyOf(event({ actor: { type: "user", id: "a:b" }, application: { name: "c", id: "c" } }));
    const b = keyOf(event({ actor: { type: "user", id: "a" }, application: { name: "b:c", id: "b:c" } }));

    expect(a).not.toBe(b);
    expect(a.startsWith("ai:a%3Ab:c:")).toBe(true);
  });

  it.each([
    [{ correlationWindowMs: 0 }],
    [{ correlationWindowMs: "3600000" }],
    [{ correlationWindowMs: 1.5 }],
  ])("an invalid window in the config (%j) fails the item, naming the config field", (config) => {
    const result = aiActivity.map(itemOf(event()), ctx(config));

    expect(result).toMatchObject({ ok: false, errors: [{ field: "config.correlationWindowMs" }] });
  });
});

describe("deliveries", () => {
  it("an NDJSON batch with a malformed line: that line fails mapping, the others map", () => {
    const good1 = event({ event_id: "evt-nd-1" });
    const good2 = event({ event_id: "evt-nd-2" });
    const body = `${JSON.stringify(good1)}\n{"schema_version":"1.0","event_id":\n${JSON.stringify(good2)}\n`;

    const parsed = aiActivity.parse(body, "application/x-ndjson");
    if (!parsed.ok) throw new Error(parsed.reason);
    const results = parsed.items.map((item) => aiActivity.map(item, ctx()));

    expect(parsed.items).toHaveLength(3);
    expect(parsed.items[1]?.raw).toBe('{"schema_version":"1.0","event_id":');
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^the item is not valid JSON: /),
    });
  });

  it("an invalid event fails with every bad field named in the reason and the errors", () => {
    const result = aiActivity.map(itemOf({ ...event(), verdict: "maybe", prompt_text: "hi" }), ctx());

    expect(result).toMatchObject({
      ok: false,
      reason: "invalid ai-activity event: verdict, prompt_text",
      errors: [{ field: "verdict" }, { field: "prompt_text" }],
    });
  });

  it("the sample events map to the documented number of findings, all valid OCSF", () => {
    const counts = sampleAiActivityEvents().map((e) => mapEvent(e).length);

    expect(counts).toEqual([1, 1, 2, 0, 1, 1]);
  });
});
