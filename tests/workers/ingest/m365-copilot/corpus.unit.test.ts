// Microsoft 365 Copilot: the corpus of corpus.ts maps with nothing quarantined, every finding valid
// OCSF 1.8 and every record field kept; an interaction with no signal and other workloads' records
// are acknowledged, not findings; text a record carries never reaches a stored row.
import { describe, expect, it } from "vitest";
import type { MapContext, MappedFinding } from "../../../../domain/ingest/kind.ts";
import { m365Copilot } from "../../../../domain/ingest/kinds/m365-copilot/index.ts";
import { validateDetectionFinding } from "../../../support/ocsf-validators.ts";
import { leaves } from "../cisco-ai-defense/corpus.ts";
import { copilotCorpus, PROMPT_TEXT } from "./corpus.ts";

const ctx: MapContext = { now: 1_780_000_000_000, connectorId: "conn_test", config: {} };

function ingestLocally(body: string) {
  const received = m365Copilot.received?.(body, "application/json");
  if (!received) throw new Error("m365-copilot must reshape deliveries at receipt");
  const parsed = m365Copilot.parse(received.body, received.contentType);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.items.map((item) => ({ item, result: m365Copilot.map(item, ctx) }));
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read nested OCSF attributes freely.
const f = (m: MappedFinding | undefined): any => m?.finding;

describe("the corpus", () => {
  it("maps a content blob with 0 quarantined, 0 invalid OCSF and no record field lost", () => {
    const corpus = copilotCorpus();
    const results = ingestLocally(JSON.stringify(corpus.map((c) => c.record)));
    let quarantined = 0;
    let invalid = 0;
    let lost = 0;
    let findings = 0;
    let ignored = 0;
    for (const [i, { result }] of results.entries()) {
      const expected = corpus[i];
      if (!result.ok) {
        quarantined++;
        continue;
      }
      if (result.ignored) ignored++;
      findings += result.findings.length;
      expect(result.findings, expected?.name).toHaveLength(expected?.findings ?? -1);
      for (const mapped of result.findings) {
        const errors = validateDetectionFinding(mapped.finding);
        invalid += errors.length > 0 ? 1 : 0;
        expect(errors).toEqual([]);
        const kept = new Map(leaves(f(mapped).unmapped.m365_audit));
        const dropped: string[] = f(mapped).unmapped.ai_activity.content_dropped ?? [];
        for (const [path, value] of leaves(expected?.record)) {
          if (dropped.includes(path)) continue;
          if (kept.get(path) !== value) lost++;
          expect(kept.get(path), path).toEqual(value);
        }
        expect(JSON.stringify(mapped.finding)).not.toContain(PROMPT_TEXT);
      }
    }
    console.log(
      `m365-copilot corpus: records ${results.length}, findings ${findings}, acknowledged without a finding ${ignored}, quarantined ${quarantined}, invalid OCSF ${invalid}, vendor fields lost ${lost}`,
    );
    expect({ records: results.length, quarantined, invalid, lost, findings }).toEqual({
      records: 7,
      quarantined: 0,
      invalid: 0,
      lost: 0,
      findings: 6,
    });
  });

  it("maps each signal as an analyst reads it", () => {
    const [jailbreak, xpia, redaction, twoFiles, agent, usage, sharepoint] = copilotCorpus().map((c) => {
      const [only] = ingestLocally(JSON.stringify(c.record));
      if (!only?.result.ok) throw new Error(`${c.name} did not map`);
      return only.result;
    });
    const blocked = f(jailbreak?.findings[0]);
    expect(blocked.finding_info.title).toBe("Jailbreak attempt blocked in Microsoft 365 Copilot (BizChat)");
    expect(blocked).toMatchObject({ action: "Denied", disposition: "Blocked" });
    expect(blocked.finding_info.attacks[0].technique.uid).toBe("AML.T0054");
    expect(blocked.metadata.product).toEqual({ name: "Microsoft 365 Copilot", vendor_name: "Microsoft" });
    expect(blocked.actor).toMatchObject({
      user: { uid: "alice@contoso.com" },
      session: { uid: "19:Xn3uQ@thread.v2" },
    });
    expect(blocked.resources.map((r: { type: string; name: string }) => `${r.type}:${r.name}`)).toEqual([
      "AI Application:Microsoft 365 Copilot (BizChat)",
      "AI Model:DEEP_LEO",
    ]);
    expect(blocked.time).toBe(Date.parse("2026-11-19T10:44:07Z"));

    const injected = f(xpia?.findings[0]);
    expect(injected).toMatchObject({ action: "Observed", disposition: "Alert" });
    expect(injected.finding_info.attacks[0].technique.uid).toBe("AML.T0051.001");
    expect(injected.resources.map((r: { type: string }) => r.type)).toEqual(["AI Application", "docx"]);
    expect(injected.observables).toEqual(
      expect.arrayContaining([expect.objectContaining({ type_id: 2, value: "2001:db8::42" })]),
    );

    const kept = f(redaction?.findings[0]);
    expect(kept).toMatchObject({ action: "Modified", disposition: "Corrected" });
    expect(kept.finding_info.types).toContain("Sensitive data leak");
    // The IPv6-mapped address is read as the IPv4 it is; the provider alone names no model.
    expect(kept.observables).toEqual(
      expect.arrayContaining([expect.objectContaining({ value: "10.11.0.229" })]),
    );
    expect(kept.resources.some((r: { type: string }) => r.type === "AI Model")).toBe(false);

    expect(twoFiles?.findings).toHaveLength(2);
    expect(new Set(twoFiles?.findings.map((m) => f(m).finding_info.uid)).size).toBe(2);

    const byAgent = f(agent?.findings[0]);
    expect(byAgent.actor).toMatchObject({ app_name: "HR Helper" });
    expect(byAgent.actor.user).toBeUndefined();
    expect(byAgent.unmapped.ai_activity.content_dropped).toEqual(["CopilotEventData.Messages[0].content"]);
    expect(byAgent.metadata.labels).toContain("content-dropped");

    expect(usage?.findings).toEqual([]);
    expect(sharepoint).toMatchObject({
      findings: [],
      ignored: "a FileAccessed audit record, not an AI interaction",
    });
  });

  it("a resource listed twice is one finding, not a record refused", () => {
    const [, xpia] = copilotCorpus();
    const data = (xpia?.record.CopilotEventData ?? {}) as { AccessedResources: unknown[] };
    const twice = {
      ...xpia?.record,
      CopilotEventData: {
        ...data,
        AccessedResources: [...data.AccessedResources, ...data.AccessedResources],
      },
    };
    const [only] = ingestLocally(JSON.stringify(twice));
    expect(only?.result.ok && only.result.findings).toHaveLength(1);
  });
});
