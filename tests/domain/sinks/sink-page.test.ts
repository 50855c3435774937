// What a sink's page reads and does: where each case stands in the sink, its open dead letters
// with their case, and "replay all", which replays that sink's letters only and says what it
// refused. Given cases and letters in a real tenant D1, when the page's queries run, then…
import { drizzle } from "drizzle-orm/d1";
import { beforeAll, describe, expect, it } from "vitest";
import {
  openDeadLetterCounts,
  openDeadLettersOf,
  replaySinkDeadLetters,
  type SinkMessage,
} from "../../../domain/sinks/dead-letters.ts";
import { recordSyncError, sinkCaseSyncs, storeDeadLetter } from "../../../domain/sinks/sync.ts";
import type { Tenant } from "../../../domain/tenancy.ts";
import { caseGateway } from "../../../durable-objects/case-gateway.ts";
import { sinkSync } from "../../../schema/tenant.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

let tenant: Tenant;
let admin: string;
let caseIds: string[];
let sinkA: string;
let sinkB: string;

async function platformSink(status: "active" | "disabled"): Promise<string> {
  const res = await call("POST", "/v1/sinks", {
    token: admin,
    body: {
      kind: "platform",
      name: `Page ${crypto.randomUUID()}`,
      config: { url: "http://127.0.0.1:9/hook" },
      status,
    },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { sink: { id: string } }).sink.id;
}

beforeAll(async () => {
  tenant = await createTenant();
  admin = await tokenFor(tenant, { scopes: ["admin"] });
  // Disabled while the cases open, so the real consumer sends them nowhere; replay needs them active.
  sinkA = await platformSink("disabled");
  sinkB = await platformSink("disabled");
  const worker = await tokenFor(tenant, { scopes: ["cases:read", "cases:write"] });
  caseIds = [];
  for (const title of ["First case", "Second case", "Third case"]) {
    const res = await call("POST", "/v1/cases", { token: worker, body: { title, severity: "high" } });
    caseIds.push(((await res.json()) as { id: string }).id);
  }
  for (const id of [sinkA, sinkB]) {
    const res = await call("PATCH", `/v1/sinks/${id}`, { token: admin, body: { status: "active" } });
    expect(res.status).toBe(200);
  }
});

function replayContext(sent: SinkMessage[], now = Date.now()) {
  return {
    db: tenantDb(tenant),
    controlDb: testEnv().CONTROL_DB,
    gateway: caseGateway(testEnv()),
    tenantId: tenant.id,
    enqueue: async (message: SinkMessage) => {
      sent.push(message);
    },
    now,
  };
}

describe("the sink page", () => {
  it("lists a sink's own open dead letters, newest first, with their case's title, and counts each sink's", async () => {
    const db = tenantDb(tenant);
    const [c1, c2, c3] = caseIds as [string, string, string];
    await storeDeadLetter(
      db,
      { sinkId: sinkA, caseId: c1, version: 1, error: "410 Gone", attempts: 1 },
      1000,
    );
    await storeDeadLetter(db, { sinkId: sinkA, caseId: c2, version: 2, error: "401", attempts: 20 }, 2000);
    await storeDeadLetter(db, { sinkId: sinkB, caseId: c3, version: 1, error: "404", attempts: 1 }, 3000);

    const letters = await openDeadLettersOf(db, sinkA, 10);
    expect(letters.map((l) => [l.caseTitle, l.error])).toEqual([
      ["Second case", "401"],
      ["First case", "410 Gone"],
    ]);
    const counts = await openDeadLetterCounts(db);
    expect(counts.get(sinkA)).toBe(2);
    expect(counts.get(sinkB)).toBe(1);
  });

  it("replays every open letter of one sink and none of another's; a second replay finds nothing", async () => {
    const sent: SinkMessage[] = [];
    const outcome = await replaySinkDeadLetters(replayContext(sent), sinkA);
    expect(outcome).toEqual({ replayed: 2, refused: [] });
    expect(sent.map((m) => m.caseId).sort()).toEqual([caseIds[0], caseIds[1]].sort());
    expect(await openDeadLettersOf(tenantDb(tenant), sinkA, 10)).toEqual([]);
    expect((await openDeadLetterCounts(tenantDb(tenant))).get(sinkB)).toBe(1);
    expect(await replaySinkDeadLetters(replayContext([]), sinkA)).toEqual({ replayed: 0, refused: [] });
  });

  it("says why a disabled sink's letters are refused, and keeps them", async () => {
    const disabled = await platformSink("disabled");
    const db = tenantDb(tenant);
    await storeDeadLetter(
      db,
      { sinkId: disabled, caseId: caseIds[0] as string, version: 1, error: "500", attempts: 20 },
      4000,
    );
    const sent: SinkMessage[] = [];
    const outcome = await replaySinkDeadLetters(replayContext(sent), disabled);
    expect(outcome.replayed).toBe(0);
    expect(outcome.refused).toHaveLength(1);
    expect(outcome.refused[0]?.reason).toContain("disabled");
    expect(sent).toEqual([]);
    expect(await openDeadLettersOf(db, disabled, 10)).toHaveLength(1);
  });

  it("shows where each case stands in a sink, most recently touched first, with the case's version beside the synced one", async () => {
    const db = tenantDb(tenant);
    const [c1, c2] = caseIds as [string, string];
    await drizzle(db)
      .insert(sinkSync)
      .values({ caseId: c1, sinkId: sinkB, syncedVersion: 1, externalId: "PLAT-1", updatedAt: 5000 });
    await recordSyncError(db, c2, sinkB, "POST https://platform.example/hook answered 500", 6000);

    const rows = await sinkCaseSyncs(db, sinkB, 10);
    expect(rows.map((r) => [r.title, r.syncedVersion, r.externalId, r.lastError])).toEqual([
      ["Second case", 0, null, "POST https://platform.example/hook answered 500"],
      ["First case", 1, "PLAT-1", null],
    ]);
    expect(rows.every((r) => r.caseVersion >= 1)).toBe(true);
    expect(await sinkCaseSyncs(db, sinkA, 10)).toEqual([]);
  });
});
