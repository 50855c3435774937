// Cisco AI Defense: the corpus of corpus.ts maps with nothing quarantined, every finding valid OCSF
// 1.8 and every vendor field kept; pushed as its Splunk export does (a HEC token, the collector's
// path) it is stored with no prompt text anywhere in the tenant's tables.
import { describe, expect, it } from "vitest";
import { CONTENT_DROPPED_KEY } from "../../../../domain/ingest/content.ts";
import type { MapContext, MappedFinding } from "../../../../domain/ingest/kind.ts";
import { ciscoAiDefense } from "../../../../domain/ingest/kinds/cisco-ai-defense/index.ts";
import { correlationSettled, deliveriesTaken } from "../../../support/ingest.ts";
import { validateDetectionFinding } from "../../../support/ocsf-validators.ts";
import { tenantStoredText } from "../../../support/tenant-state.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../../support/world.ts";
import { leaves, managementCorpus, PROMPT_TEXTS, splunkCorpus } from "./corpus.ts";

const ctx: MapContext = { now: 1_780_000_000_000, connectorId: "conn_test", config: {} };

/** What the route and the pull do: received once, then framed and mapped item by item. */
function ingestLocally(body: string, contentType = "application/json") {
  const received = ciscoAiDefense.received?.(body, contentType);
  if (!received) throw new Error("cisco-ai-defense must reshape deliveries at receipt");
  const parsed = ciscoAiDefense.parse(received.body, received.contentType);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.items.map((item) => ({ item, result: ciscoAiDefense.map(item, ctx) }));
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read nested OCSF attributes freely.
const f = (m: MappedFinding): any => m.finding;

describe("the corpus", () => {
  it("maps with 0 quarantined, 0 invalid OCSF and no vendor field lost, and says what it dropped", () => {
    const management = managementCorpus();
    const splunk = splunkCorpus();
    // As the pull receives them (a list page) and as the Splunk export sends them (HEC events back to back).
    const page = JSON.stringify({
      events: { items: management.map((c) => c.event), paging: { offset: 0, count: 4, total: 4 } },
    });
    const hec = splunk.map((c) => JSON.stringify(c.record)).join("");
    const results = [...ingestLocally(page), ...ingestLocally(hec)];
    const vendorRecords = [...management.map((c) => c.event), ...splunk.map((c) => c.record.event)];
    const hecRecords = splunk.map((c) => c.record);

    let quarantined = 0;
    let invalid = 0;
    let lost = 0;
    let findings = 0;
    for (const [i, { result }] of results.entries()) {
      if (!result.ok) {
        quarantined++;
        continue;
      }
      findings += result.findings.length;
      expect(result.findings.length).toBeGreaterThan(0);
      for (const mapped of result.findings) {
        const errors = validateDetectionFinding(mapped.finding);
        invalid += errors.length > 0 ? 1 : 0;
        expect(errors).toEqual([]);
        // Every vendor leaf is under unmapped.cisco_ai_defense as sent, but for dropped content.
        const kept = new Map(leaves(f(mapped).unmapped.cisco_ai_defense));
        const dropped: string[] = f(mapped).unmapped.ai_activity.content_dropped ?? [];
        for (const [path, value] of leaves(vendorRecords[i])) {
          const isContent = dropped.some(
            (d) =>
              path === d.replace(/^event\./, "") ||
              path.startsWith(`${d.replace(/^event\./, "")}[`) ||
              path.startsWith(`${d.replace(/^event\./, "")}.`),
          );
          if (isContent) continue;
          if (kept.get(path) !== value) lost++;
          expect(kept.get(path), path).toEqual(value);
        }
        const hecRecord = hecRecords[i - management.length];
        if (hecRecord !== undefined) {
          const { event: _event, ...meta } = hecRecord;
          expect(f(mapped).unmapped.splunk_hec).toEqual(meta);
        }
      }
    }
    console.log(
      `cisco-ai-defense corpus: events ${results.length}, findings ${findings}, quarantined ${quarantined}, invalid OCSF ${invalid}, vendor fields lost ${lost}`,
    );
    expect({ events: results.length, quarantined, invalid, lost }).toEqual({
      events: 7,
      quarantined: 0,
      invalid: 0,
      lost: 0,
    });
    // 1 + 1 + 3 PII + 1 jailbreak, then 1 + 1 + 1 from Splunk.
    expect(findings).toBe(9);
  });

  it("maps each case as an analyst reads it", () => {
    const [block, allow, pii, jailbreak] = managementCorpus().map((c) => {
      const [only] = ingestLocally(JSON.stringify(c.event));
      if (!only?.result.ok) throw new Error("did not map");
      return only.result.findings;
    });
    const blocked = f(block?.[0] as MappedFinding);
    expect(blocked.finding_info.title).toBe("Prompt injection blocked in support-bot");
    expect(blocked).toMatchObject({ action: "Denied", disposition: "Blocked" });
    expect(blocked.finding_info.attacks.map((a: { technique: { uid: string } }) => a.technique.uid)).toEqual([
      "AML.T0051",
    ]);
    expect(blocked.finding_info.types).toContain("OWASP LLM01:2025");
    expect(blocked.metadata.product).toEqual({ name: "Cisco AI Defense", vendor_name: "Cisco" });
    expect(blocked.metadata.log_name).toBe("cisco-ai-defense");
    expect(blocked.policy).toMatchObject({
      name: "Prod default",
      uid: "b1b2c3d4-0000-4000-8000-000000000002",
    });
    expect(blocked.resources.map((r: { type: string }) => r.type)).toEqual(["AI Application", "AI Model"]);
    // No user: the case groups by application and policy, and says so.
    expect(blocked.actor).toBeUndefined();
    expect(blocked.metadata.labels).toContain("correlation:application_policy");

    expect(f(allow?.[0] as MappedFinding)).toMatchObject({ action: "Allowed", disposition: "Allowed" });
    expect(f(allow?.[0] as MappedFinding).metadata.event_code).toBe("completion");

    // Three PII matches: three findings of one type, told apart by the matched entity.
    expect(pii).toHaveLength(3);
    expect(new Set(pii?.map((m) => f(m).finding_info.uid)).size).toBe(3);
    expect(pii?.map((m) => f(m).finding_info.analytic.name)).toEqual([
      "Email Address",
      "Phone Number",
      "Social Security Number (SSN) (US)",
    ]);
    expect(pii?.every((m) => f(m).resources.length === 1)).toBe(true);

    expect(f(jailbreak?.[0] as MappedFinding).finding_info.title).toBe(
      "Jailbreak attempt blocked in a1b2c3d4-0000-4000-8000-000000000001",
    );

    const [redaction, monitored, quoted] = splunkCorpus().map((c) => {
      const [only] = ingestLocally(JSON.stringify(c.record));
      if (!only?.result.ok) throw new Error("did not map");
      return f(only.result.findings[0] as MappedFinding);
    });
    expect(redaction).toMatchObject({ action: "Modified", disposition: "Corrected" });
    expect(redaction.actor.user).toMatchObject({ uid: "alice@example.com", email_addr: "alice@example.com" });
    expect(redaction.metadata.labels).toEqual(
      expect.arrayContaining(["correlation:actor", "content-dropped"]),
    );
    expect(redaction.unmapped.ai_activity.content_dropped).toEqual(["event.prompt"]);
    expect(redaction.message).toContain("was dropped before storage");
    expect(redaction.time).toBe(1_780_400_000_250);
    expect(monitored).toMatchObject({ action: "Observed", disposition: "Alert" });
    expect(monitored.unmapped.ai_activity.content_dropped).toEqual(["event.messages"]);
    expect(quoted.unmapped.ai_activity.content_dropped).toEqual(["event.explanation"]);
    expect(quoted.resources).toHaveLength(1);
  });

  it("a Splunk record without an event id gets one from its content, so a resend is the same alert", () => {
    const [first] = splunkCorpus();
    const once = ingestLocally(JSON.stringify(first?.record));
    const again = ingestLocally(JSON.stringify(first?.record));
    const uid = (r: typeof once) =>
      r[0]?.result.ok ? f(r[0].result.findings[0] as MappedFinding).finding_info.uid : null;
    expect(uid(once)).toMatch(/^sha256:[0-9a-f]{32}:sensitive_data_leak$/);
    expect(uid(again)).toBe(uid(once));
  });

  it("repeats of one Splunk record at other times are other events; blank fields read as absent; one bad line spoils only itself", () => {
    const [redaction] = splunkCorpus();
    const at = (time: number) => ({ ...redaction?.record, time });
    const uids = [at(1_780_400_000), at(1_780_400_060)].map((record) => {
      const [only] = ingestLocally(JSON.stringify(record));
      return only?.result.ok ? f(only.result.findings[0] as MappedFinding).finding_info.uid : null;
    });
    expect(uids[0]).not.toBeNull();
    expect(uids[0]).not.toBe(uids[1]);

    const blank = { ...managementCorpus()[0]?.event, user_id: "", model_name: null, direction: "" };
    const [read] = ingestLocally(JSON.stringify(blank));
    expect(read?.result.ok).toBe(true);

    const line = JSON.stringify(managementCorpus()[1]?.event);
    const results = ingestLocally(`${line}\n{"event_id": "cut off\n${line}`, "application/x-ndjson");
    expect(results.map((r) => r.result.ok)).toEqual([true, false, true]);
    expect(results[1]?.item.raw).not.toContain("cut off");
  });

  it("an empty batch is an empty batch, not an unreadable body to quarantine", () => {
    expect(ingestLocally("[]")).toEqual([]);
  });

  it("a body that cannot be read is not kept as sent: the note that replaces it is quarantined", () => {
    const results = ingestLocally(`{"event": {"prompt": "${PROMPT_TEXTS[0]}"`);
    expect(results).toHaveLength(1);
    expect(results[0]?.item.raw).not.toContain(PROMPT_TEXTS[0]);
    expect(JSON.parse(results[0]?.item.raw ?? "{}")[CONTENT_DROPPED_KEY]).toEqual(["(the whole body)"]);
    expect(results[0]?.result.ok).toBe(false);
  });
});

async function aiDefenseConnector() {
  const tenant = await createTenant();
  const admin = await tokenFor(tenant, { scopes: ["admin", "alerts:read", "cases:read"] });
  const res = await call("POST", "/v1/connectors", {
    token: admin,
    body: { kind: "cisco-ai-defense", name: "AI Defense (Splunk export)" },
  });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { connector: { id: string }; secret: string };
  return { id: body.connector.id, secret: body.secret, tenant, admin, db: tenantDb(tenant) };
}

describe("pushed as the Splunk export sends it", () => {
  it("takes a HEC token on the collector's path, answers as HEC does, and stores no prompt text", async () => {
    const c = await aiDefenseConnector();
    const body = splunkCorpus()
      .map((s) => JSON.stringify(s.record))
      .join("\n");
    const res = await call("POST", `/ingest/${c.id}/services/collector/event`, {
      rawBody: body,
      headers: { authorization: `Splunk ${c.secret}`, "content-type": "application/json" },
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { text: string; code: number; status: string; webhook_id: string };
    expect(answer).toMatchObject({ text: "Success", code: 0, status: "queued" });
    expect(answer.webhook_id).toMatch(/^content:[0-9a-f]{32}$/);
    await deliveriesTaken(c.tenant, 1);
    await correlationSettled(c.tenant);

    const alerts = await c.db.prepare("SELECT metadata FROM alerts").all<{ metadata: string }>();
    expect(alerts.results).toHaveLength(3);
    const stored = await tenantStoredText(c.tenant);
    const found = PROMPT_TEXTS.filter((text) => stored.includes(text));
    console.log(`cisco-ai-defense storage search: prompt texts sent 3, found in storage ${found.length}`);
    expect(found).toEqual([]);
    expect(alerts.results.filter((a) => a.metadata.includes('"content-dropped"'))).toHaveLength(3);
    expect(await c.db.prepare("SELECT count(*) AS n FROM quarantine").first("n")).toBe(0);

    // The sender's retry of the same body is the same delivery: nothing new.
    const again = await call("POST", `/ingest/${c.id}`, {
      rawBody: body,
      headers: { authorization: `Splunk ${c.secret}`, "content-type": "application/json" },
    });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { webhook_id: string }).webhook_id).toBe(answer.webhook_id);
    await deliveriesTaken(c.tenant, 2);
    expect(await c.db.prepare("SELECT count(*) AS n FROM alerts").first("n")).toBe(3);
  });

  it("refuses a wrong token, a Basic password and no credential with 401 problem+json, storing nothing", async () => {
    const c = await aiDefenseConnector();
    const body = JSON.stringify(splunkCorpus()[0]?.record);
    for (const authorization of ["Splunk not-the-secret", `Basic ${btoa(`splunk:${c.secret}`)}`, undefined]) {
      const res = await call("POST", `/ingest/${c.id}`, {
        rawBody: body,
        headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
      });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
    expect(await c.db.prepare("SELECT count(*) AS n FROM webhook_deliveries").first("n")).toBe(0);
  });
});
