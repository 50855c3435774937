// Cisco Secure Access: the push batch of corpus.ts maps with nothing quarantined, every finding valid
// OCSF 1.8 and every vendor field kept; posted to the real route with HTTP Basic (or signed) it is
// stored with no prompt text anywhere in the tenant's tables, and its alerts say content was dropped.
import { afterAll, describe, expect, it } from "vitest";
import { CONTENT_DROPPED_KEY } from "../../../../domain/ingest/content.ts";
import type { MapContext, MappedFinding, MapResult } from "../../../../domain/ingest/kind.ts";
import { ciscoSecureAccess } from "../../../../domain/ingest/kinds/cisco-secure-access/index.ts";
import { mapItem } from "../../../../domain/ingest/map-item.ts";
import { connectorOf, correlationSettled, deliver, deliveryStored } from "../../../support/ingest.ts";
import { validateDetectionFinding } from "../../../support/ocsf-validators.ts";
import { tenantStoredText } from "../../../support/tenant-state.ts";
import { call, tenantDb } from "../../../support/world.ts";
import { batch, corpus, ENVELOPE, leaves, PROMPT_TEXTS } from "./corpus.ts";

const ctx: MapContext = { now: 1_780_000_000_000, connectorId: "conn_test", config: {} };

/** What the route does, then the ingest consumer: received once, then framed and mapped item by item. */
function ingestLocally(body: string, contentType = "application/json") {
  const received = ciscoSecureAccess.received?.(body, contentType);
  if (!received) throw new Error("cisco-secure-access must reshape deliveries at receipt");
  const parsed = ciscoSecureAccess.parse(received.body, received.contentType);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.items.map((item) => ({ item, result: mapItem(ciscoSecureAccess, item, ctx) }));
}

function findingsOf(result: MapResult | undefined): MappedFinding[] {
  if (!result?.ok) throw new Error(`did not map: ${JSON.stringify(result)}`);
  return result.findings;
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read nested OCSF attributes freely.
const f = (m: MappedFinding | undefined): any => m?.finding;

const isMatchText = (path: string) => /\.matches\[\d+\]\.text$/.test(path);

// The one line this file prints: what the corpus became, through the kind and through storage.
const summary: Record<string, number | undefined> = {};
afterAll(() => {
  const n = (key: string) => summary[key] ?? "not measured";
  console.log(
    `cisco-secure-access corpus: events ${n("events")}, findings ${n("findings")}, quarantined ${n("quarantined")}, invalid OCSF ${n("invalid")}, vendor fields lost ${n("lost")}, prompt texts found in storage ${n("found")}`,
  );
});

describe("the corpus through the kind", () => {
  it("maps with 0 quarantined, 0 invalid OCSF and no vendor field lost, and says what it dropped", () => {
    const cases = corpus();
    const results = ingestLocally(JSON.stringify(batch()));
    expect(results).toHaveLength(cases.length);

    // Counted first and asserted after, so the summary line has the counts even when a check fails.
    const problems: string[] = [];
    let quarantined = 0;
    let invalid = 0;
    let lost = 0;
    let findings = 0;
    for (const [i, { result }] of results.entries()) {
      const sent = cases[i];
      if (!result.ok || sent === undefined) {
        quarantined++;
        problems.push(`quarantined: ${JSON.stringify(result)}`);
        continue;
      }
      findings += result.findings.length;
      if (result.findings.length !== sent.findings)
        problems.push(`${sent.name}: ${result.findings.length} findings`);
      if (sent.findings === 0 && !/not a DLP event/.test(result.ignored ?? "")) {
        problems.push(`${sent.name}: not ignored as a non-DLP event`);
      }
      const matchTexts = leaves(sent.event)
        .map(([path]) => `event.${path}`)
        .filter(isMatchText);
      for (const mapped of result.findings) {
        const errors = validateDetectionFinding(mapped.finding);
        if (errors.length > 0) invalid++;
        problems.push(...errors.map((e) => `${sent.name}: ${e}`));
        // Exactly the match excerpts were dropped, and the finding says where they were.
        const dropped = JSON.stringify(f(mapped).unmapped.ai_activity.content_dropped ?? []);
        if (dropped !== JSON.stringify(matchTexts)) problems.push(`${sent.name}: content_dropped ${dropped}`);
        // Every other leaf of the vendor's event is under unmapped.cisco_secure_access as sent.
        const kept = new Map(leaves(f(mapped).unmapped.cisco_secure_access));
        for (const [path, value] of leaves(sent.event)) {
          if (isMatchText(`event.${path}`) || kept.get(path) === value) continue;
          lost++;
          problems.push(
            `${sent.name}: ${path} is ${JSON.stringify(kept.get(path))}, was ${JSON.stringify(value)}`,
          );
        }
        const envelope = f(mapped).unmapped.cisco_secure_access_envelope;
        if (JSON.stringify(envelope) !== JSON.stringify(ENVELOPE)) {
          lost++;
          problems.push(`${sent.name}: envelope ${JSON.stringify(envelope)}`);
        }
        const quoted = PROMPT_TEXTS.filter((text) => JSON.stringify(mapped.finding).includes(text));
        problems.push(...quoted.map((text) => `${sent.name}: the finding quotes ${text}`));
      }
    }
    Object.assign(summary, { events: results.length, findings, quarantined, invalid, lost });
    expect(problems).toEqual([]);
    expect({ quarantined, invalid, lost }).toEqual({ quarantined: 0, invalid: 0, lost: 0 });
    expect(findings).toBe(cases.reduce((n, c) => n + c.findings, 0));
    expect(findings).toBe(7);
  });

  it("keeps one {envelope, event} a line at receipt, with no match text and the paths it dropped", () => {
    const received = ciscoSecureAccess.received?.(JSON.stringify(batch()), "application/json");
    expect(received?.contentType).toBe("application/x-ndjson");
    expect(received?.dropped).toBe(5);
    const lines = (received?.body ?? "").split("\n").map((line) => JSON.parse(line));
    expect(lines).toHaveLength(corpus().length);
    for (const text of PROMPT_TEXTS) expect(received?.body).not.toContain(text);
    expect(lines[0]).toMatchObject({ envelope: ENVELOPE, event: { eventId: corpus()[0]?.event.eventId } });
    expect(lines[0][CONTENT_DROPPED_KEY]).toEqual([
      "event.rule.classifications[0].classifiers[0].matches[0].text",
    ]);
    // Nothing to drop, nothing marked.
    expect(lines[4][CONTENT_DROPPED_KEY]).toBeUndefined();
  });
});

describe("each case as an analyst reads it", () => {
  const mappedCases = () => ingestLocally(JSON.stringify(batch())).map(({ result }) => result);

  it("a guardrail block of a prompt injection, by a directory user", () => {
    const [block] = findingsOf(mappedCases()[0]).map(f);
    expect(block.finding_info.title).toBe("Prompt injection blocked in ChatGPT");
    expect(block).toMatchObject({ action: "Denied", disposition: "Blocked", severity_id: 3 });
    expect(block.finding_info.attacks.map((a: { technique: { uid: string } }) => a.technique.uid)).toEqual([
      "AML.T0051",
    ]);
    expect(block.finding_info.types).toContain("OWASP LLM01:2025");
    expect(block.finding_info.analytic).toMatchObject({
      uid: "r-55/c-security",
      name: "Block prompt injection to GenAI",
    });
    expect(block.finding_info.desc).toContain("Classifiers: Prompt Injection (1 match).");
    expect(block.actor.user).toMatchObject({ uid: "origin:601234567", type: "User" });
    expect(block.metadata).toMatchObject({
      uid: "9b1c2d3e-aaaa-4bbb-8ccc-000000000001",
      product: { name: "Cisco Secure Access", vendor_name: "Cisco" },
      log_name: "cisco-secure-access",
      event_code: "prompt",
      original_time: "2025-11-24T09:31:02Z",
    });
    expect(block.metadata.labels).toEqual(
      expect.arrayContaining(["correlation:actor", "source:cisco-secure-access", "content-dropped"]),
    );
    expect(block.time).toBe(Date.parse("2025-11-24T09:31:02Z"));
    expect(block.resources).toEqual([
      { type: "AI Application", name: "ChatGPT", uid: "1234", role_id: 1, role: "Target" },
    ]);
    expect(block.unmapped.ai_activity.content_hashes).toEqual([
      {
        algorithm: "sha256",
        value: "5f2b0e6c1a4d8e9f0b3c7d2a6e1f4b8c9d0e3a7b2c6f1d5e8a9b0c4d7e2f6a1c",
        role: "prompt",
      },
    ]);
    expect(block.unmapped.ai_activity.detection).toMatchObject({
      vendor_category: "Security Guardrail",
      severity: "high",
    });
    expect(block.message).toContain("was dropped before storage");
  });

  it("an allowed response with a detection, a redaction, and two PII classifications in a file", () => {
    const [, allowed, redacted, pii] = mappedCases();
    const allow = f(findingsOf(allowed)[0]);
    expect(allow).toMatchObject({ action: "Allowed", disposition: "Allowed", severity_id: 3 });
    expect(allow.metadata.event_code).toBe("completion");
    expect(allow.finding_info.title).toBe("Policy violation detected in Microsoft Copilot");
    expect(allow.unmapped.ai_activity.detection).toMatchObject({
      type: "policy_violation",
      vendor_category: "Safety Guardrail",
      severity: "medium",
    });

    const redaction = f(findingsOf(redacted)[0]);
    expect(redaction).toMatchObject({ action: "Modified", disposition: "Corrected", severity_id: 3 });
    expect(redaction.finding_info.title).toBe("Sensitive data leak redacted in Claude");
    expect(redaction.finding_info.types).toContain("OWASP LLM02:2025");
    expect(redaction.finding_info.attacks[0].technique.uid).toBe("AML.T0057");
    expect(redaction.unmapped.ai_activity.detection.severity).toBe("critical");

    const both = findingsOf(pii).map(f);
    expect(both).toHaveLength(2);
    expect(both.map((x) => x.metadata.labels.find((l: string) => l.startsWith("detection:")))).toEqual([
      "detection:sensitive_data_leak",
      "detection:sensitive_data_leak",
    ]);
    expect(new Set(both.map((x) => x.finding_info.uid)).size).toBe(2);
    expect(both.map((x) => x.finding_info.analytic.uid)).toEqual(["r-56/c-privacy", "r-56/c-hr-pii"]);
    expect(both.map((x) => x.unmapped.ai_activity.detection.vendor_category)).toEqual([
      "Privacy Guardrail",
      "PII - HR records",
    ]);
    expect(both[0].unmapped.ai_activity.detection.details).toBe(
      "Classifiers: Email Address (2 matches), U.S. Social Security Number (1 match).",
    );
    // A file (not the Form or Content of a message): its digest is the file's.
    expect(both[0].unmapped.ai_activity.content_hashes).toEqual([
      {
        algorithm: "sha256",
        value: "A3F1C2D4E5B60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90",
        role: "file",
      },
    ]);
    expect(both[0]).toMatchObject({ action: "Observed", disposition: "Alert", severity_id: 2 });
  });

  it("no user, no model, an elided digest, the OCSF-shaped push, and the DNS event left out", () => {
    const results = mappedCases();
    const anonymous = f(findingsOf(results[4])[0]);
    expect(anonymous.actor).toBeUndefined();
    expect(anonymous.metadata.labels).toContain("correlation:application_policy");
    expect(anonymous.finding_info.analytic).toMatchObject({ uid: "r-56", name: "Monitor PII to GenAI" });
    expect(anonymous.unmapped.ai_activity.content_hashes).toBeUndefined();
    expect(anonymous.metadata.labels).not.toContain("content-dropped");

    const pushed = f(findingsOf(results[5])[0]);
    expect(pushed.metadata.uid).toBe("dlp-7f1e");
    expect(pushed.time).toBe(1763977120000);
    expect(pushed).toMatchObject({ severity_id: 4, action: "Observed" });
    expect(pushed.finding_info.title).toBe("Policy violation detected in Unknown AI application");

    expect(results[6]).toEqual({
      ok: true,
      findings: [],
      ignored: "a Secure Access dns event, not a DLP event",
    });
    // Secure Access never names the model the application used.
    const all = results.flatMap((r) => (r.ok ? r.findings : [])).map(f);
    expect(all.flatMap((x) => x.resources.map((r: { type: string }) => r.type))).not.toContain("AI Model");
  });

  it.each([
    ["BLOCK", "blocked"],
    ["Blocked", "blocked"],
    ["MONITOR", "flagged"],
    ["Monitored", "flagged"],
    ["allow", "allowed"],
    ["REDACT", "redacted"],
    ["QUARANTINE", "flagged"],
  ])("action %s is the verdict %s", (action, verdict) => {
    const [block] = corpus();
    const [only] = ingestLocally(JSON.stringify({ ...block?.event, action }));
    expect(f(findingsOf(only?.result)[0]).unmapped.ai_activity.verdict).toBe(verdict);
  });

  it.each([
    ["Low/Info", "low"],
    ["info", "low"],
    ["Medium/Warn", "medium"],
    ["WARN", "medium"],
    ["High/Alert", "high"],
    ["critical", "critical"],
    ["whatever", undefined],
  ])("severity %s is the vendor severity %s", (severity, expected) => {
    const [block] = corpus();
    const [only] = ingestLocally(JSON.stringify({ ...block?.event, severity }));
    expect(f(findingsOf(only?.result)[0]).unmapped.ai_activity.detection.severity).toBe(expected);
  });
});

describe("framing", () => {
  const [first, second] = corpus();
  const uids = (body: string, contentType?: string) =>
    ingestLocally(body, contentType).flatMap(({ result }) =>
      findingsOf(result).map((m) => f(m).finding_info.uid),
    );

  it("reads one envelope, a CloudEvents batch, NDJSON, a Reports API page and a bare event alike", () => {
    const events = [first?.event ?? {}, second?.event ?? {}];
    const expected = uids(JSON.stringify(batch(events)));
    expect(expected).toHaveLength(2);
    const split = events.map((event) => batch([event]));
    expect(uids(JSON.stringify(split), "application/cloudevents-batch+json")).toEqual(expected);
    expect(uids(split.map((e) => JSON.stringify(e)).join("\n"), "application/x-ndjson")).toEqual(expected);
    expect(uids(JSON.stringify({ events }))).toEqual(expected);
    expect(uids(JSON.stringify(first?.event))).toEqual(expected.slice(0, 1));
  });

  it("keeps what else the envelope and its data say, however `datacontenttype` is spelled", () => {
    const { datacontenttype: _, ...rest } = ENVELOPE;
    const sent = {
      ...rest,
      dataContentType: "application/json",
      data: { events: [first?.event], cursor: "c-9" },
    };
    const [only] = ingestLocally(JSON.stringify(sent));
    expect(f(findingsOf(only?.result)[0]).unmapped.cisco_secure_access_envelope).toEqual({
      ...rest,
      dataContentType: "application/json",
      data: { cursor: "c-9" },
    });
  });

  it("acknowledges an envelope with no events, and quarantines a body it cannot read without its text", () => {
    const alert = {
      ...ENVELOPE,
      type: "secureaccess.alerts.api.anomaly.v1",
      data: { alerts: [{ status: "Active" }] },
    };
    const [acknowledged] = ingestLocally(JSON.stringify(alert));
    expect(acknowledged?.result).toEqual({
      ok: true,
      findings: [],
      ignored: "the secureaccess.alerts.api.anomaly.v1 envelope carries no security events",
    });

    const unreadable = ingestLocally(`{"data": {"events": [{"matches": [{"text": "${PROMPT_TEXTS[0]}"}]`);
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]?.item.raw).not.toContain(PROMPT_TEXTS[0]);
    expect(unreadable[0]?.result).toEqual({
      ok: false,
      reason: "the delivery could not be read, so it was not kept: it may carry prompt text",
    });

    const [stranger] = ingestLocally(JSON.stringify({ hello: "world" }));
    expect(stranger?.result).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not a Cisco Secure Access event/),
    });
  });
});

const basic = (secret: string) => `Basic ${btoa(`secure-access:${secret}`)}`;

describe("pushed to the route", () => {
  it("takes HTTP Basic, stores the batch's alerts with no prompt text anywhere, and says content was dropped", async () => {
    const c = await connectorOf("cisco-secure-access");
    const res = await call("POST", `/ingest/${c.id}`, {
      rawBody: JSON.stringify(batch()),
      headers: { authorization: basic(c.secret), "content-type": "application/json" },
    });
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { status: string; webhook_id: string; outcome: string };
    expect(answer.status).toBe("queued");
    await deliveryStored(c, answer.webhook_id);
    await correlationSettled(c.tenant);

    const outcome = await call("GET", answer.outcome, { token: c.admin });
    expect(await outcome.json()).toMatchObject({ accepted: 7, quarantined: 0, ignored: 1 });

    const stored = await tenantStoredText(c.tenant);
    const found = PROMPT_TEXTS.filter((text) => stored.includes(text));
    summary.found = found.length;
    expect(found).toEqual([]);
    // The search does see what was kept: the vendor's rule names and the envelope's id.
    expect(stored).toContain("Block prompt injection to GenAI");
    expect(stored).toContain(ENVELOPE.integrationid);

    const page = await call("GET", "/v1/alerts?include=raw_data&limit=50", { token: c.admin });
    // biome-ignore lint/suspicious/noExplicitAny: the test reads nested OCSF attributes freely.
    const alerts = ((await page.json()) as { data: any[] }).data;
    expect(alerts).toHaveLength(7);
    const dropped = alerts.filter((a) => a.metadata.labels.includes("content-dropped"));
    // The block, the allow, the redaction and both PII findings had match text; the others none.
    expect(dropped).toHaveLength(5);
    for (const alert of dropped) {
      expect(alert.unmapped.ai_activity.content_dropped.length).toBeGreaterThan(0);
      expect(alert.message).toContain("was dropped before storage");
    }
    expect(alerts.every((a) => a.metadata.log_name === "cisco-secure-access")).toBe(true);
  });

  it("refuses a wrong password, a Splunk token and no credential with 401 problem+json; a signed delivery works", async () => {
    const c = await connectorOf("cisco-secure-access");
    const body = JSON.stringify(batch([corpus()[0]?.event ?? {}]));
    for (const authorization of [basic("not-the-secret"), `Splunk ${c.secret}`, undefined]) {
      const res = await call("POST", `/ingest/${c.id}`, {
        rawBody: body,
        headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
      });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
    const db = tenantDb(c.tenant);
    expect(await db.prepare("SELECT count(*) AS n FROM webhook_deliveries").first("n")).toBe(0);

    const signed = await deliver(c, body);
    expect(signed.status).toBe(202);
    expect(await signed.json()).toMatchObject({ accepted: 1, quarantined: 0 });
    const stored = await tenantStoredText(c.tenant);
    expect(stored).toContain("9b1c2d3e-aaaa-4bbb-8ccc-000000000001");
    expect(stored).not.toContain(PROMPT_TEXTS[0]);
  });
});
