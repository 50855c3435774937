// The OCSF contract, through the API: whatever goes in as a Detection Finding comes back out of
// GET /v1/alerts/{id} and GET /v1/alerts as one that validates against the OCSF 1.8 schema (Ajv).
import { describe, expect, it } from "vitest";
import { makeDetectionFindings } from "../../support/factories/findings.ts";
import { validateDetectionFinding } from "../../support/ocsf-validators.ts";
import { call, createTenant, tokenFor } from "../../support/world.ts";

const examples = import.meta.glob<Record<string, unknown>>(
  "../../../../shared/ocsf/examples/detection_finding.*.json",
  {
    eager: true,
    import: "default",
  },
);

type Finding = Record<string, unknown> & { finding_info: { uid: string; title?: string } };

describe("alerts served by the API validate against detection_finding.schema.json", () => {
  it("for every example in shared/ocsf/examples, posted through the API", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const entries = Object.entries(examples);
    expect(entries).toHaveLength(5);

    for (const [path, example] of entries) {
      const posted = await call("POST", "/v1/alerts", { token, body: example });
      expect(posted.status, path).toBe(201);
      const { alerts } = (await posted.json()) as { alerts: Array<{ id: string }> };
      const got = (await (await call("GET", `/v1/alerts/${alerts[0]?.id}`, { token })).json()) as Finding;
      expect(validateDetectionFinding(got), path).toEqual([]);
      expect(got.finding_info.uid).toBe((example as Finding).finding_info.uid);
    }
  });

  it("for 600 generated findings, read back by id and through every list page", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const findings = makeDetectionFindings(600, 4242) as unknown as Finding[];
    const ids: string[] = [];
    for (let i = 0; i < findings.length; i += 300) {
      const res = await call("POST", "/v1/alerts", { token, body: findings.slice(i, i + 300) });
      expect(res.status).toBe(201);
      ids.push(...((await res.json()) as { alerts: Array<{ id: string }> }).alerts.map((a) => a.id));
    }

    let invalid = 0;
    for (const [i, id] of ids.entries()) {
      const got = (await (await call("GET", `/v1/alerts/${id}`, { token })).json()) as Finding;
      const errors = validateDetectionFinding(got);
      if (errors.length > 0) invalid++;
      expect(errors, id).toEqual([]);
      expect(got.finding_info.uid).toBe(findings[i]?.finding_info.uid);
    }

    let listed = 0;
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = (await (await call("GET", `/v1/alerts?limit=200${query}`, { token })).json()) as {
        data: Finding[];
        next_cursor: string | null;
      };
      for (const alert of page.data) {
        expect(validateDetectionFinding(alert)).toEqual([]);
        listed++;
      }
      cursor = page.next_cursor;
    } while (cursor);
    console.log(
      `OCSF contract: generated findings ${ids.length}, read by id ${ids.length}, listed ${listed}, invalid ${invalid}`,
    );
    expect(listed).toBe(600);
  });
});
