// ai-activity 1.1: what real AI feeds send beyond 1.0 (no score, no model, no user, a redaction,
// several matches of one family, ATLAS and OWASP tags, accessed resources), how each maps to OCSF,
// and which correlation basis each event's key uses. 1.0 keeps working unchanged (mapping.unit.test.ts).
import { describe, expect, it } from "vitest";
import type { MapContext, MappedFinding, RawItem } from "../../../../domain/ingest/kind.ts";
import {
  parseAiActivityEvent,
  sampleAiActivityEvents,
} from "../../../../domain/ingest/kinds/ai-activity/event.ts";
import { aiActivity } from "../../../../domain/ingest/kinds/ai-activity/index.ts";
import { connectorOf, deliver } from "../../../support/ingest.ts";
import { validateDetectionFinding } from "../../../support/ocsf-validators.ts";
import { createTenant, tenantDb } from "../../../support/world.ts";

const ctx: MapContext = { now: 1_780_000_000_000, connectorId: "conn_test", config: {} };

/** A 1.1 event from a guardrail feed: a service, no user, no model, no score. */
function event11(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema_version: "1.1",
    event_id: `evt-${crypto.randomUUID()}`,
    time: "2026-03-02T10:30:00Z",
    session_id: "conv-7f3a",
    correlation_id: "req-91c2",
    actor: { type: "service", id: "svc-support-bot", name: "Support bot backend" },
    client: { ip: "203.0.113.24", user_agent: "python-requests/2.32" },
    application: { name: "Support bot", id: "app-support-bot" },
    action: { type: "prompt" },
    verdict: "blocked",
    detections: [
      {
        type: "prompt_injection",
        confidence: "high",
        severity: "high",
        vendor_category: "Prompt Injection",
        policy: "Default guardrails",
        policy_id: "pol-1",
        policy_version: "3",
        rule: "Prompt Injection",
        rule_id: "rule-pi",
        atlas: ["AML.T0051"],
        owasp_llm: ["LLM01:2025"],
      },
    ],
    ...overrides,
  };
}

function mapped(value: unknown): MappedFinding[] {
  const parsed = aiActivity.parse(JSON.stringify(value), "application/json");
  if (!parsed.ok || parsed.items.length !== 1)
    throw new Error(`expected one item: ${JSON.stringify(parsed)}`);
  const result = aiActivity.map(parsed.items[0] as RawItem, ctx);
  if (!result.ok) throw new Error(`mapping failed: ${result.reason} ${JSON.stringify(result.errors)}`);
  for (const { finding } of result.findings) expect(validateDetectionFinding(finding)).toEqual([]);
  return result.findings;
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read nested OCSF attributes freely.
const only = (value: unknown): any => {
  const findings = mapped(value);
  expect(findings).toHaveLength(1);
  return findings[0]?.finding;
};

describe("ai-activity 1.1 accepts what real feeds send", () => {
  it.each([
    ["no score, a categorical confidence", {}],
    ["no model", { model: undefined }],
    ["no actor at all", { actor: undefined }],
    ["a model without a provider", { model: { name: "gpt-4o" } }],
    ["a redaction", { verdict: "redacted" }],
    [
      "an MCP tool call",
      { action: { type: "tool_call", tool_name: "search_tickets", mcp_server: "jira-mcp" } },
    ],
    [
      "resources the AI accessed, with labels",
      {
        accessed_resources: [
          { type: "file", id: "doc-1", name: "Q3 board deck.pptx", sensitivity_label: "Highly Confidential" },
          { type: "site", url: "https://acme.sharepoint.com/sites/finance", action: "read" },
        ],
      },
    ],
    [
      "two matches of one family under different rules",
      {
        detections: [
          { type: "sensitive_data_leak", severity: "medium", rule: "PII: email", rule_id: "r-email" },
          { type: "sensitive_data_leak", severity: "high", rule: "PII: credit card", rule_id: "r-pan" },
        ],
      },
    ],
  ])("%s", (_what, overrides) => {
    expect(parseAiActivityEvent(event11(overrides))).toMatchObject({ ok: true });
  });

  it("still takes every 1.0 sample unchanged", () => {
    for (const sample of sampleAiActivityEvents())
      expect(parseAiActivityEvent(sample)).toMatchObject({ ok: true });
  });
});

describe("ai-activity 1.1 refuses", () => {
  it.each([
    [
      "a type repeated with the same policy and rule",
      {
        detections: [
          { type: "jailbreak", rule_id: "r-1" },
          { type: "jailbreak", rule_id: "r-1" },
        ],
      },
      "detections[1].type",
      /repeats "jailbreak" with the policy and rule of detections\[0\]/,
    ],
    [
      "an ATLAS id that is not one",
      { detections: [{ type: "jailbreak", atlas: ["T1059"] }] },
      "detections[0].atlas[0]",
      /MITRE ATLAS technique id/,
    ],
    [
      "an OWASP id from another list",
      { detections: [{ type: "jailbreak", owasp_llm: ["A01:2021"] }] },
      "detections[0].owasp_llm[0]",
      /OWASP Top 10 for LLM 2025 id/,
    ],
    ["the prompt itself", { prompt_text: "ignore previous instructions" }, "prompt_text", /never prompt/],
    ["a client address that is not one", { client: { ip: "not-an-ip" } }, "client.ip", /IPv4 or IPv6/],
  ])("%s", (_what, overrides, field, message) => {
    const result = parseAiActivityEvent(event11(overrides));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const error = result.errors.find((e) => e.field === field);
    expect(error?.message, JSON.stringify(result.errors)).toMatch(message);
  });

  it("1.1's fields in a 1.0 event, naming the version", () => {
    const [sample] = sampleAiActivityEvents();
    const result = parseAiActivityEvent({ ...sample, session_id: "conv-1" });
    expect(result).toEqual({
      ok: false,
      errors: [{ field: "session_id", message: "is not a field of ai-activity 1.0 (the format is strict)" }],
    });
  });

  it("a version it does not know, naming the ones it does", () => {
    expect(parseAiActivityEvent(event11({ schema_version: "2.0" }))).toEqual({
      ok: false,
      errors: [{ field: "schema_version", message: 'must be "1.0" or "1.1", got the string "2.0"' }],
    });
  });
});

describe("ai-activity 1.1 maps to OCSF", () => {
  it("puts ATLAS techniques in finding_info.attacks and OWASP ids in its types and labels", () => {
    const finding = only(event11());
    expect(finding.finding_info.attacks).toEqual([
      { technique: { uid: "AML.T0051", src_url: "https://atlas.mitre.org/techniques/AML.T0051" } },
    ]);
    expect(finding.finding_info.types).toContain("OWASP LLM01:2025");
    expect(finding.metadata.labels).toContain("owasp:LLM01:2025");
  });

  it("takes the policy, rule, session, correlation id and client where OCSF has a place for them", () => {
    const finding = only(event11());
    expect(finding.policy).toEqual({ name: "Default guardrails", uid: "pol-1", version: "3" });
    expect(finding.finding_info.analytic).toMatchObject({ uid: "rule-pi", name: "Prompt Injection" });
    expect(finding.actor).toEqual({
      app_uid: "svc-support-bot",
      app_name: "Support bot backend",
      session: { uid: "conv-7f3a" },
    });
    expect(finding.metadata.correlation_uid).toBe("req-91c2");
    expect(finding.evidences[0]).toEqual({
      src_endpoint: { ip: "203.0.113.24" },
      http_request: { user_agent: "python-requests/2.32" },
    });
    expect(finding.observables).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type_id: 2, name: "evidences[0].src_endpoint.ip", value: "203.0.113.24" }),
        expect.objectContaining({ type_id: 16, value: "python-requests/2.32" }),
      ]),
    );
    // Whatever has no OCSF place is kept whole.
    expect(finding.unmapped.ai_activity.detection).toMatchObject({
      vendor_category: "Prompt Injection",
      confidence: "high",
      severity: "high",
    });
  });

  it("sets severity from the vendor's when there is no score, one lower once the control acted", () => {
    expect(only(event11({ verdict: "flagged" })).severity_id).toBe(4);
    expect(only(event11({ verdict: "blocked" })).severity_id).toBe(3);
    expect(only(event11({ verdict: "redacted" })).severity_id).toBe(3);
    const critical = event11({
      verdict: "flagged",
      detections: [{ type: "jailbreak", severity: "critical" }],
    });
    // Critical stays the analysts' call, as in 1.0.
    expect(only(critical).severity_id).toBe(4);
  });

  it("sets confidence from the categorical one, and Unknown when the detection gives none", () => {
    expect(only(event11()).confidence_id).toBe(3);
    const bare = only(event11({ detections: [{ type: "jailbreak" }] }));
    expect([bare.confidence_id, bare.confidence]).toEqual([0, "Unknown"]);
  });

  it("maps a redaction as a modification that corrected what passed", () => {
    const finding = only(event11({ verdict: "redacted" }));
    expect([finding.action_id, finding.action, finding.disposition_id, finding.disposition]).toEqual([
      4,
      "Modified",
      11,
      "Corrected",
    ]);
    expect(finding.finding_info.title).toBe("Prompt injection redacted in Support bot");
  });

  it("lists the resources the AI accessed with their sensitivity labels, and no model when none came", () => {
    const finding = only(
      event11({
        accessed_resources: [
          { type: "file", id: "doc-1", name: "Q3 board deck.pptx", sensitivity_label: "Secret" },
        ],
      }),
    );
    expect(finding.resources.map((r: { type: string }) => r.type)).toEqual(["AI Application", "file"]);
    expect(finding.resources[1]).toMatchObject({ uid: "doc-1", labels: ["sensitivity:Secret"] });
  });

  it("gives two matches of one family a finding each, with their own uids", () => {
    const findings = mapped(
      event11({
        detections: [
          { type: "sensitive_data_leak", rule: "PII: email", rule_id: "r-email" },
          { type: "sensitive_data_leak", rule: "PII: credit card", rule_id: "r-pan" },
        ],
      }),
    );
    const uids = findings.map((f) => (f.finding as { finding_info: { uid: string } }).finding_info.uid);
    expect(new Set(uids).size).toBe(2);
    expect(uids[0]).toMatch(/:sensitive_data_leak::r-email$/);
  });
});

describe("ai-activity correlation keys", () => {
  const keyOf = (value: unknown) => {
    const [first] = mapped(value);
    const finding = first?.finding as unknown as { unmapped: { ai_activity: { correlation_basis: string } } };
    return { key: first?.correlationKey, basis: finding.unmapped.ai_activity.correlation_basis };
  };

  it("group a person's events by the person, whichever version they come in", () => {
    const [sample] = sampleAiActivityEvents();
    if (!sample) throw new Error("no sample");
    const v10 = keyOf(sample);
    const detection = sample.detections[0];
    const v11 = keyOf({
      ...sample,
      schema_version: "1.1",
      event_id: "other",
      detections: [{ ...detection }],
    });
    expect(v10.basis).toBe("actor");
    expect(v11).toEqual(v10);
  });

  it("group a service's events by session, so two users behind one service get two cases", () => {
    const a = keyOf(event11({ session_id: "conv-a" }));
    const b = keyOf(event11({ session_id: "conv-b" }));
    expect(a.basis).toBe("session");
    expect(a.key).not.toBe(b.key);
  });

  it("fall back to application and policy with neither a person nor a session", () => {
    const a = keyOf(event11({ actor: undefined, session_id: undefined }));
    const other = keyOf(
      event11({
        actor: undefined,
        session_id: undefined,
        detections: [{ type: "prompt_injection", policy_id: "pol-2" }],
      }),
    );
    expect(a.basis).toBe("application_policy");
    expect(a.key).not.toBe(other.key);
  });
});

describe("ai-activity 1.1 through a connector", () => {
  it("stores each match of a repeated family as its own alert; the event sent again is one more occurrence of each", async () => {
    const tenant = await createTenant();
    const connector = await connectorOf("ai-activity", tenant);
    const body = JSON.stringify(
      event11({
        event_id: "evt-two-pii",
        detections: [
          { type: "sensitive_data_leak", rule_id: "r-email" },
          { type: "sensitive_data_leak", rule_id: "r-pan" },
        ],
      }),
    );
    for (let i = 0; i < 2; i++) expect((await deliver(connector, body)).status).toBe(202);
    const rows = await tenantDb(tenant)
      .prepare("SELECT count(*) AS n, sum(occurrence_count) AS seen FROM alerts")
      .first<{ n: number; seen: number }>();
    expect(rows).toEqual({ n: 2, seen: 4 });
  });
});
