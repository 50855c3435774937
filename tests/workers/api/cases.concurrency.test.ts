// Many clients changing one case at once through the API: optimistic concurrency must refuse
// stale versions with 412 and lose no accepted update.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

async function openCase() {
  const tenant = await createTenant();
  const token = await tokenFor(tenant);
  const { id } = (await (
    await call("POST", "/v1/cases", { token, body: { title: "Busy case", severity: "high" } })
  ).json()) as {
    id: string;
  };
  return { tenant, token, id };
}

const comment = (token: string, id: string, version: number, n: number) =>
  call("POST", `/v1/cases/${id}/commands`, {
    token,
    body: { type: "comment", body: `note ${n}` },
    headers: { "if-match": `"${version}"` },
  });

describe("concurrent commands on one case", () => {
  it("200 at once on the same version: exactly one lands, the rest get 412", async () => {
    const { token, id } = await openCase();
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, n) => comment(token, id, 1, n).then((r) => r.status)),
    );
    const counts = Object.fromEntries(
      [...new Set(statuses)].map((s) => [s, statuses.filter((x) => x === s).length]),
    );
    console.log(`one version, 200 concurrent commands: ${JSON.stringify(counts)}`);
    expect(counts).toEqual({ 200: 1, 412: 199 });
    const got = (await (await call("GET", `/v1/cases/${id}`, { token })).json()) as { version: number };
    expect(got.version).toBe(2);
  });

  it("200 commands from concurrent clients that retry on 412 all land, each once", async () => {
    const { tenant, token, id } = await openCase();
    const pending = Array.from({ length: 200 }, (_, n) => n);
    const statuses: Record<number, number> = {};
    let attempts = 0;
    // Ten clients in flight at a time, each re-reading the ETag after a 412.
    const client = async () => {
      for (let n = pending.shift(); n !== undefined; n = pending.shift()) {
        for (;;) {
          const current = await call("GET", `/v1/cases/${id}`, { token });
          const version = Number((current.headers.get("etag") ?? "").replaceAll('"', ""));
          const res = await comment(token, id, version, n);
          attempts++;
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status === 200) break;
          expect(res.status).toBe(412);
        }
      }
    };
    await Promise.all(Array.from({ length: 10 }, client));
    console.log(`retrying clients: commands 200, attempts ${attempts}, statuses ${JSON.stringify(statuses)}`);

    expect(statuses[200]).toBe(200);
    expect(Object.keys(statuses).sort()).toEqual(
      Object.keys(statuses).length === 1 ? ["200"] : ["200", "412"],
    );
    const got = (await (await call("GET", `/v1/cases/${id}`, { token })).json()) as {
      version: number;
      timeline: Array<{ type: string; body?: string }>;
    };
    expect(got.version).toBe(201);
    const bodies = got.timeline.filter((e) => e.type === "case.commented").map((e) => e.body);
    expect(new Set(bodies).size).toBe(200);

    // flush() covers commits made while an earlier pass was running: nothing is left for the alarm.
    expect(await env.CASES.getByName(`${tenant.id}:${id}`).flush()).toEqual({ pending: 0 });
    const db = tenantDb(tenant);
    expect(await db.prepare("SELECT count(*) AS n FROM comments WHERE case_id = ?").bind(id).first("n")).toBe(
      200,
    );
    expect(await db.prepare("SELECT version FROM cases WHERE id = ?").bind(id).first("version")).toBe(201);
  });
});
