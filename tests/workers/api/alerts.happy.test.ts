import { describe, expect, it } from "vitest";
import { makeDetectionFinding, makeDetectionFindings } from "../../support/factories/findings.ts";
import { validateDetectionFinding } from "../../support/ocsf-validators.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

interface IngestBody {
  accepted: number;
  created: number;
  duplicates: number;
  alerts: Array<{ id: string; duplicate: boolean; occurrence_count: number }>;
}
interface PageBody {
  data: Array<Record<string, unknown>>;
  next_cursor: string | null;
}

const alertIdOf = (finding: Record<string, unknown>) =>
  ((finding.unmapped as Record<string, Record<string, unknown>>).phoenix as { alert_id: string }).alert_id;

describe("POST /v1/alerts then GET /v1/alerts/{id}", () => {
  it("stores one finding and returns it as a valid OCSF Detection Finding", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const finding = makeDetectionFinding({}, 1);

    const res = await call("POST", "/v1/alerts", { token, body: finding });
    expect(res.status).toBe(201);
    const body = (await res.json()) as IngestBody;
    expect(body).toMatchObject({ accepted: 1, created: 1, duplicates: 0 });
    const id = body.alerts[0]?.id ?? "";
    expect(id).toMatch(/^alrt_[0-9a-z]{26}$/);

    const got = await call("GET", `/v1/alerts/${id}`, { token });
    expect(got.status).toBe(200);
    const ocsf = (await got.json()) as Record<string, unknown>;
    expect(validateDetectionFinding(ocsf)).toEqual([]);
    expect(ocsf.class_uid).toBe(2004);
    expect(ocsf.severity_id).toBe(finding.severity_id);
    expect((ocsf.finding_info as { uid: string }).uid).toBe(finding.finding_info.uid);
    expect(alertIdOf(ocsf)).toBe(id);
    expect(ocsf.count).toBe(1);
  });

  it("accepts an array and answers with one id per finding, in order", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const findings = makeDetectionFindings(25, 2);

    const res = await call("POST", "/v1/alerts", { token, body: findings });
    expect(res.status).toBe(201);
    const body = (await res.json()) as IngestBody;
    expect(body).toMatchObject({ accepted: 25, created: 25, duplicates: 0 });
    for (const [i, finding] of findings.entries()) {
      const got = (await (await call("GET", `/v1/alerts/${body.alerts[i]?.id}`, { token })).json()) as Record<
        string,
        unknown
      >;
      expect((got.finding_info as { uid: string }).uid).toBe(finding.finding_info.uid);
    }
  });

  it("posting the same finding 10 times yields one alert with occurrence count 10", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const finding = makeDetectionFinding({}, 3);

    const statuses: number[] = [];
    const ids = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const res = await call("POST", "/v1/alerts", { token, body: finding });
      statuses.push(res.status);
      const body = (await res.json()) as IngestBody;
      ids.add(body.alerts[0]?.id ?? "");
    }
    expect(statuses).toEqual([201, 200, 200, 200, 200, 200, 200, 200, 200, 200]);
    expect(ids.size).toBe(1);

    const [id] = [...ids];
    const ocsf = (await (await call("GET", `/v1/alerts/${id}`, { token })).json()) as Record<string, unknown>;
    expect(ocsf.count).toBe(10);
    const page = (await (await call("GET", "/v1/alerts?limit=200", { token })).json()) as PageBody;
    expect(
      page.data.filter((a) => (a.finding_info as { uid: string }).uid === finding.finding_info.uid),
    ).toHaveLength(1);
  });

  it("counts duplicates inside one array and across requests", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const [a, b] = makeDetectionFindings(2, 4);

    const first = (await (await call("POST", "/v1/alerts", { token, body: [a, a, b] })).json()) as IngestBody;
    expect(first).toMatchObject({ accepted: 3, created: 2, duplicates: 1 });
    expect(first.alerts[1]).toMatchObject({ id: first.alerts[0]?.id, duplicate: true, occurrence_count: 2 });

    const again = await call("POST", "/v1/alerts", { token, body: [b] });
    expect(again.status).toBe(200);
    expect(((await again.json()) as IngestBody).alerts[0]).toMatchObject({
      id: first.alerts[2]?.id,
      occurrence_count: 2,
    });
  });

  it("replays the first response for a repeated Idempotency-Key without counting twice", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const finding = makeDetectionFinding({}, 5);
    const headers = { "idempotency-key": "retry-1" };

    const first = await call("POST", "/v1/alerts", { token, body: finding, headers });
    const second = await call("POST", "/v1/alerts", { token, body: finding, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    const firstBody = (await first.json()) as IngestBody;
    expect(await second.json()).toEqual(firstBody);

    const ocsf = (await (
      await call("GET", `/v1/alerts/${firstBody.alerts[0]?.id}`, { token })
    ).json()) as Record<string, unknown>;
    expect(ocsf.count).toBe(1);
  });
});

describe("observables", () => {
  it("are normalised into one row per indicator and linked to every alert that saw them", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const a = makeDetectionFinding(
      { observables: [{ type_id: 1, name: "device.hostname", value: " Evil.EXAMPLE " }] },
      30,
    );
    const b = makeDetectionFinding(
      {
        observables: [
          { type_id: 1, name: "device.hostname", value: "evil.example" },
          { type_id: 7, name: "file.name", value: "Invoice.PDF.exe" },
        ],
      },
      31,
    );
    const body = (await (await call("POST", "/v1/alerts", { token, body: [a, b, a] })).json()) as IngestBody;
    const db = tenantDb(tenant);

    const rows = await db.prepare("SELECT id, type_id, type, value FROM observables ORDER BY type_id").all();
    expect(rows.results).toEqual([
      expect.objectContaining({ type_id: 1, type: "Hostname", value: "evil.example" }),
      // File names are case-sensitive on most systems, so their case is kept.
      expect.objectContaining({ type_id: 7, type: "File Name", value: "Invoice.PDF.exe" }),
    ]);
    const host = (rows.results[0] as { id: string }).id;
    const linked = await db
      .prepare("SELECT alert_id FROM alert_observables WHERE observable_id = ? ORDER BY alert_id")
      .bind(host)
      .all();
    expect(linked.results.map((r) => r.alert_id)).toEqual([body.alerts[0]?.id, body.alerts[1]?.id].sort());
  });
});

describe("GET /v1/alerts", () => {
  it("pages through 5,000 alerts with no gaps and no repeats", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const created = new Set<string>();
    for (let batch = 0; batch < 5; batch++) {
      const findings = makeDetectionFindings(1000, 100 + batch);
      const body = (await (await call("POST", "/v1/alerts", { token, body: findings })).json()) as IngestBody;
      expect(body.created).toBe(1000);
      for (const a of body.alerts) created.add(a.id);
    }
    expect(created.size).toBe(5000);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let previousTime = Number.POSITIVE_INFINITY;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const res = await call("GET", `/v1/alerts?limit=200${query}`, { token });
      expect(res.status).toBe(200);
      const page = (await res.json()) as PageBody;
      for (const alert of page.data) {
        seen.push(alertIdOf(alert));
        // Newest first: time never increases along the walk.
        expect(alert.time as number).toBeLessThanOrEqual(previousTime);
        previousTime = alert.time as number;
      }
      cursor = page.next_cursor;
      pages++;
    } while (cursor);

    console.log(
      `cursor walk: alerts ${created.size}, pages ${pages}, seen ${seen.length}, unique ${new Set(seen).size}`,
    );
    expect(pages).toBe(25);
    expect(seen).toHaveLength(5000);
    expect(new Set(seen)).toEqual(created);
  });

  it("filters on severity_id, status_id and a time range", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const base = Date.UTC(2026, 10, 1);
    const findings = [
      makeDetectionFinding({ severity_id: 5, status_id: 1, time: base }, 10),
      makeDetectionFinding({ severity_id: 5, status_id: 2, time: base + 1000 }, 11),
      makeDetectionFinding({ severity_id: 2, status_id: 1, time: base + 2000 }, 12),
      makeDetectionFinding({ severity_id: 4, status_id: 1, time: base + 3000 }, 13),
    ];
    await call("POST", "/v1/alerts", { token, body: findings });
    const uids = async (query: string) => {
      const page = (await (await call("GET", `/v1/alerts?${query}`, { token })).json()) as PageBody;
      return page.data.map((a) => (a.finding_info as { uid: string }).uid);
    };
    const uid = (i: number) => findings[i]?.finding_info.uid;

    expect(await uids(`severity_id=5&time_from=${base}&time_to=${base + 10_000}`)).toEqual([uid(1), uid(0)]);
    expect(await uids(`status_id=1&time_from=${base}&time_to=${base + 10_000}`)).toEqual([
      uid(3),
      uid(2),
      uid(0),
    ]);
    expect(await uids(`time_from=${base + 1000}&time_to=${base + 3000}`)).toEqual([uid(2), uid(1)]);
    expect(await uids(`severity_id=5&status_id=2&time_from=${base}&time_to=${base + 10_000}`)).toEqual([
      uid(1),
    ]);
  });

  it("filters on the source's product name and on whether the alert is in a case", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const product = (name: string, seed: number) =>
      makeDetectionFinding({ metadata: { product: { name } } }, seed);
    const findings = [
      product("Secure Endpoint", 30),
      product("Umbrella", 31),
      product("Secure Endpoint", 32),
    ];
    const posted = (await (await call("POST", "/v1/alerts", { token, body: findings })).json()) as {
      alerts: { id: string }[];
    };
    // One of them is opened into a case by hand.
    const grouped = posted.alerts[0]?.id as string;
    const opened = await call("POST", "/v1/cases", {
      token,
      body: { title: "From one alert", severity: "high", alert_ids: [grouped] },
    });
    expect(opened.status).toBe(201);
    const ids = async (query: string) => {
      const page = (await (await call("GET", `/v1/alerts?${query}`, { token })).json()) as PageBody;
      return new Set(
        page.data.map((a) => (a.unmapped as { phoenix: { alert_id: string } }).phoenix.alert_id),
      );
    };
    const [a, b, c] = posted.alerts.map((x) => x.id);

    expect(await ids("product_name=Secure%20Endpoint")).toEqual(new Set([a, c]));
    expect(await ids("product_name=Umbrella")).toEqual(new Set([b]));
    expect(await ids("in_case=true")).toEqual(new Set([a]));
    expect(await ids("in_case=false&product_name=Secure%20Endpoint")).toEqual(new Set([c]));
  });

  it("keeps filters across pages", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const base = Date.UTC(2026, 9, 1);
    const findings = Array.from({ length: 30 }, (_, i) =>
      makeDetectionFinding({ severity_id: i % 3 === 0 ? 6 : 1, time: base + i * 1000 }, 200 + i),
    );
    await call("POST", "/v1/alerts", { token, body: findings });

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `severity_id=6&time_from=${base}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = (await (await call("GET", `/v1/alerts?${query}`, { token })).json()) as PageBody;
      for (const a of page.data) seen.push(a.severity_id as number);
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(Array(10).fill(6));
  });
});
