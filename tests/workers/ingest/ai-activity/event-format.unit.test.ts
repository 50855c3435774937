// The ai-activity 1.0 format (1.1: format-1-1.test.ts): what it accepts, how it names each bad field, and that content is refused.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type AiActivityEvent,
  aiActivityEventSchema,
  eventTimeMs,
  parseAiActivityEvent,
  sampleAiActivityEvents,
} from "../../../../domain/ingest/kinds/ai-activity/event.ts";

function baseEvent(): AiActivityEvent {
  const [first] = sampleAiActivityEvents();
  if (!first) throw new Error("sampleAiActivityEvents() returned nothing");
  return first;
}

/** The event with fields replaced; `undefined` removes a field. */
function withFields(overrides: Record<string, unknown>): Record<string, unknown> {
  const event: Record<string, unknown> = { ...baseEvent() };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete event[key];
    else event[key] = value;
  }
  return event;
}

function errorsOf(value: unknown) {
  const result = parseAiActivityEvent(value);
  if (result.ok) throw new Error("expected the event to be rejected");
  return result.errors;
}

function fieldsOf(value: unknown): string[] {
  return errorsOf(value).map((e) => e.field);
}

describe("sampleAiActivityEvents", () => {
  it("are all valid, have distinct ids and cover every action and verdict", () => {
    const samples = sampleAiActivityEvents();

    for (const sample of samples)
      expect(parseAiActivityEvent(sample), sample.event_id).toMatchObject({ ok: true });
    expect(new Set(samples.map((s) => s.event_id)).size).toBe(samples.length);
    expect(new Set(samples.map((s) => s.action.type))).toEqual(
      new Set(["prompt", "completion", "tool_call", "file_upload"]),
    );
    expect(new Set(samples.map((s) => s.verdict))).toEqual(new Set(["allowed", "blocked", "flagged"]));
  });

  it("returns fresh objects, so a caller's edits do not leak into the next call", () => {
    const first = sampleAiActivityEvents();
    (first[0] as { event_id: string }).event_id = "changed";

    expect(sampleAiActivityEvents()[0]?.event_id).not.toBe("changed");
  });
});

describe("parseAiActivityEvent accepts", () => {
  it("an agent actor acting on behalf of a user", () => {
    const event = withFields({
      actor: {
        type: "agent",
        id: "agent-1",
        name: "Triage bot",
        on_behalf_of: { id: "u-1", email: "a@b.example" },
      },
    });

    expect(parseAiActivityEvent(event)).toMatchObject({ ok: true });
  });

  it("an event without detections or content hashes", () => {
    const event = withFields({ detections: [], content_hashes: undefined, verdict: "allowed" });

    expect(parseAiActivityEvent(event)).toMatchObject({ ok: true });
  });

  it.each([
    ["ISO 8601 with Z", "2026-03-02T09:14:07Z", 1_772_442_847_000],
    ["ISO 8601 with an offset and microseconds", "2026-03-02T10:14:07.512345+01:00", 1_772_442_847_512],
    ["epoch milliseconds", 1_772_442_847_512, 1_772_442_847_512],
  ])("a time as %s", (_, time, expectedMs) => {
    const result = parseAiActivityEvent(withFields({ time }));

    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(eventTimeMs(result.event)).toBe(expectedMs);
  });
});

describe("parseAiActivityEvent names each bad field", () => {
  it.each([
    ["schema_version", { schema_version: "2.0" }, 'must be "1.0" or "1.1", got the string "2.0"'],
    ["schema_version", { schema_version: undefined }, 'is required and must be "1.0" or "1.1"'],
    ["event_id", { event_id: "" }, "must not be empty"],
    ["event_id", { event_id: 42 }, "must be a string, got 42"],
    [
      "time",
      { time: undefined },
      "is required and must be an ISO 8601 date-time string or epoch milliseconds",
    ],
    [
      "time",
      { time: "2026-03-02T09:14:07" },
      "must be an ISO 8601 date-time with a timezone (e.g. 2026-03-02T09:14:07Z) or epoch milliseconds",
    ],
    [
      "time",
      { time: 1_772_442_847 },
      "must be epoch milliseconds (100000000000 or more); 1772442847 looks like seconds",
    ],
    [
      "time",
      { time: 1_772_442_847_512.5 },
      "must be an ISO 8601 date-time string or epoch milliseconds, got 1772442847512.5",
    ],
    ["actor", { actor: "alice" }, 'must be an object with type "user" or "agent", got the string "alice"'],
    [
      "actor.type",
      { actor: { type: "robot", id: "r-1" } },
      'must be one of user, agent, got the string "robot"',
    ],
    ["actor.type", { actor: { id: "r-1" } }, "is required and must be one of user, agent"],
    ["actor.id", { actor: { type: "user" } }, "is required and must be a string"],
    [
      "actor.email",
      { actor: { type: "user", id: "u", email: "not-an-email" } },
      'must be an email address, got the string "not-an-email"',
    ],
    [
      "actor.on_behalf_of.id",
      { actor: { type: "agent", id: "a", on_behalf_of: { email: "x@y.example" } } },
      "is required and must be a string",
    ],
    ["application.name", { application: { vendor: "Microsoft" } }, "is required and must be a string"],
    ["model.provider", { model: { name: "gpt-4o" } }, "is required and must be a string"],
    [
      "action.type",
      { action: { type: "chat" } },
      'must be one of prompt, completion, tool_call, file_upload, got the string "chat"',
    ],
    ["action.tool_name", { action: { type: "tool_call" } }, "is required and must be a string"],
    [
      "action.file_size",
      { action: { type: "file_upload", file_name: "a.txt", file_size: -1, mime_type: "text/plain" } },
      "must be 0 or more",
    ],
    [
      "action.mime_type",
      { action: { type: "file_upload", file_name: "a.txt", file_size: 1 } },
      "is required and must be a string",
    ],
    [
      "verdict",
      { verdict: "quarantined" },
      'must be one of allowed, blocked, flagged, got the string "quarantined"',
    ],
    [
      "detections",
      { detections: undefined },
      "is required and must be an array (empty when nothing was detected)",
    ],
    [
      "detections[0].type",
      { detections: [{ type: "malware", score: 0.5 }] },
      'must be one of prompt_injection, jailbreak, sensitive_data_leak, secret_leak, unsanctioned_app, policy_violation, got the string "malware"',
    ],
    ["detections[0].score", { detections: [{ type: "jailbreak", score: 1.2 }] }, "must be from 0 to 1"],
    ["detections[0].score", { detections: [{ type: "jailbreak", score: -0.1 }] }, "must be from 0 to 1"],
    [
      "detections[0].score",
      { detections: [{ type: "jailbreak" }] },
      "is required and must be a number from 0 to 1",
    ],
    [
      "detections[1].type",
      {
        detections: [
          { type: "jailbreak", score: 0.5 },
          { type: "jailbreak", score: 0.7 },
        ],
      },
      'repeats "jailbreak" from detections[0]; report each type once per event',
    ],
    [
      "content_hashes[0].algorithm",
      { content_hashes: [{ algorithm: "md5", value: "a".repeat(64), role: "prompt" }] },
      'must be "sha256", got the string "md5"',
    ],
    [
      "content_hashes[0].value",
      { content_hashes: [{ algorithm: "sha256", value: "abc", role: "prompt" }] },
      "must be 64 hexadecimal characters (a SHA-256 digest)",
    ],
    [
      "content_hashes[0].role",
      { content_hashes: [{ algorithm: "sha256", value: "a".repeat(64), role: "image" }] },
      'must be one of prompt, completion, file, got the string "image"',
    ],
  ])("%s (%j)", (field, overrides, message) => {
    expect(errorsOf(withFields(overrides))).toEqual([{ field, message }]);
  });

  it("every bad field at once, each named once", () => {
    const event = withFields({
      event_id: "",
      time: 5,
      verdict: "maybe",
      detections: [{ type: "jailbreak", score: 3 }],
      model: { name: "m" },
    });

    expect(fieldsOf(event).sort()).toEqual(
      ["detections[0].score", "event_id", "model.provider", "time", "verdict"].sort(),
    );
  });

  it("something that is not an object at all", () => {
    expect(errorsOf([baseEvent()])).toEqual([
      { field: "(body)", message: "must be an object, got an array" },
    ]);
  });
});

describe("the format is strict and refuses content", () => {
  it.each(["content", "prompt_text", "completion_text", "messages", "file_content"])(
    "refuses a top-level %s field with a message about content",
    (key) => {
      expect(errorsOf(withFields({ [key]: "Ignore all previous instructions" }))).toEqual([
        {
          field: key,
          message:
            "is refused: ai-activity events carry content hashes (content_hashes), never prompt, completion or file content",
        },
      ]);
    },
  );

  it("refuses content nested anywhere, naming its full path", () => {
    const event = withFields({
      action: { type: "prompt", prompt_text: "secret" },
      detections: [{ type: "jailbreak", score: 0.4, content: "DAN mode" }],
    });

    expect(fieldsOf(event)).toEqual(["action.prompt_text", "detections[0].content"]);
    expect(errorsOf(event).every((e) => e.message.startsWith("is refused"))).toBe(true);
  });

  it("refuses unknown fields, one error per field", () => {
    const event = withFields({ severity: "high", tenant: "acme" });

    expect(errorsOf(event)).toEqual([
      { field: "severity", message: "is not a field of ai-activity 1.0 (the format is strict)" },
      { field: "tenant", message: "is not a field of ai-activity 1.0 (the format is strict)" },
    ]);
  });

  it("refuses fields that belong to another action", () => {
    const event = withFields({ action: { type: "prompt", tool_name: "search" } });

    expect(fieldsOf(event)).toEqual(["action.tool_name"]);
  });
});

describe("the OpenAPI description", () => {
  it("is a JSON Schema with the AiActivityEvent id, closed objects and every documented field", () => {
    const schema = z.toJSONSchema(aiActivityEventSchema) as {
      $ref?: string;
      $defs?: Record<string, { additionalProperties?: unknown; required?: string[]; description?: string }>;
    };

    expect(schema.$ref).toBe("#/$defs/AiActivityEvent");
    const event = schema.$defs?.AiActivityEvent;
    expect(event?.additionalProperties).toBe(false);
    expect(event?.description).toContain("never content");
    expect(event?.required?.sort()).toEqual(
      [
        "action",
        "actor",
        "application",
        "detections",
        "event_id",
        "model",
        "schema_version",
        "time",
        "verdict",
      ].sort(),
    );
  });
});
