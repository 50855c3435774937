// Operator replay through the real sink queue: a dead letter is stored in D1, listed, and delivered
// by replay; a resync repeats nothing already delivered. Split happy, error and security cases.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { storeDeadLetter } from "../../../domain/sinks/sync.ts";
import { verifyWebhook } from "../../../domain/webhooks/standard-webhooks.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

const RECEIVER = "http://127.0.0.1:4303/replay";

interface Receiver {
  secret: string;
  /** Answer 410 Gone until the receiver is fixed. */
  gone: boolean;
  applied: Map<string, string>;
  duplicates: number;
}

let receiver: Receiver;
function install() {
  const real = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.startsWith(RECEIVER)) return real(input, init);
    const body = await request.text();
    const verified = await verifyWebhook(body, Object.fromEntries(request.headers), [receiver.secret]);
    if (!verified.ok) return new Response(null, { status: 401 });
    if (receiver.gone) return new Response(null, { status: 410 });
    if (receiver.applied.has(verified.webhookId)) receiver.duplicates++;
    else receiver.applied.set(verified.webhookId, body);
    return new Response(null, { status: 204 });
  });
}
afterEach(() => vi.restoreAllMocks());

let tenant: Awaited<ReturnType<typeof createTenant>>;
let admin: string;
let worker: string;
let other: { admin: string };
beforeAll(async () => {
  tenant = await createTenant();
  admin = await tokenFor(tenant, { scopes: ["admin"] });
  worker = await tokenFor(tenant, { scopes: ["cases:read", "cases:write"] });
  const otherTenant = await createTenant();
  other = { admin: await tokenFor(otherTenant, { scopes: ["admin"] }) };
});

async function until(done: () => Promise<boolean>, what: string, polls = 1500): Promise<void> {
  for (let i = 0; i < polls; i++) {
    if (await done()) return;
    await scheduler.wait(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface LetterView {
  id: string;
  sink_id: string;
  case_id: string;
  error: string;
  replayed_at: number | null;
}

/** A Platform sink whose receiver refuses for good, a case, and the dead letter that follows. */
async function deadLetter(): Promise<{ sinkId: string; caseId: string; letter: LetterView }> {
  const created = await call("POST", "/v1/sinks", {
    token: admin,
    body: { kind: "platform", name: `Replay ${crypto.randomUUID()}`, config: { url: RECEIVER } },
  });
  const { sink, secret } = (await created.json()) as { sink: { id: string }; secret: string };
  receiver = { secret, gone: true, applied: new Map(), duplicates: 0 };
  install();
  const opened = (await (
    await call("POST", "/v1/cases", { token: worker, body: { title: "Replay me", severity: "high" } })
  ).json()) as { id: string };
  let letter: LetterView | undefined;
  await until(async () => {
    const list = (await (await call("GET", "/v1/sinks/dead-letters", { token: admin })).json()) as {
      data: LetterView[];
    };
    letter = list.data.find((l) => l.case_id === opened.id && l.sink_id === sink.id);
    return letter !== undefined;
  }, "the dead letter");
  // Later letters of this file must not be answered by this sink.
  await call("PATCH", `/v1/sinks/${sink.id}`, { token: admin, body: { status: "disabled" } });
  return { sinkId: sink.id, caseId: opened.id, letter: letter as LetterView };
}

describe("operator replay", () => {
  it("stores a dead letter in D1, lists it, and delivers it by replay once the receiver is fixed", async () => {
    const { sinkId, caseId, letter } = await deadLetter();
    expect(letter).toMatchObject({ error: `POST ${RECEIVER} answered 410`, replayed_at: null });
    const stored = await tenantDb(tenant)
      .prepare("SELECT count(*) AS n FROM sink_dead_letters WHERE id = ?")
      .bind(letter.id)
      .first<number>("n");
    expect(stored).toBe(1);

    receiver.gone = false;
    await call("PATCH", `/v1/sinks/${sinkId}`, { token: admin, body: { status: "active" } });
    const replayed = await call("POST", `/v1/sinks/dead-letters/${letter.id}/replay`, { token: admin });
    expect(replayed.status).toBe(202);
    expect(((await replayed.json()) as LetterView).replayed_at).toEqual(expect.any(Number));
    await until(async () => receiver.applied.size >= 1, "the replayed delivery");
    const events = [...receiver.applied.values()].map(
      (b) => JSON.parse(b) as { type: string; case_id: string },
    );
    expect(events).toEqual([expect.objectContaining({ type: "case.opened", case_id: caseId })]);

    // Open letters no longer list it; with include_replayed they do, marked.
    const open = (await (await call("GET", "/v1/sinks/dead-letters", { token: admin })).json()) as {
      data: LetterView[];
    };
    expect(open.data.map((l) => l.id)).not.toContain(letter.id);
    const all = (await (
      await call("GET", "/v1/sinks/dead-letters?include_replayed=true", { token: admin })
    ).json()) as { data: LetterView[] };
    expect(all.data.find((l) => l.id === letter.id)?.replayed_at).toEqual(expect.any(Number));
    await call("PATCH", `/v1/sinks/${sinkId}`, { token: admin, body: { status: "disabled" } });
  });

  it("resync sends the case again at its current version; what the sink already has is applied once", async () => {
    const created = await call("POST", "/v1/sinks", {
      token: admin,
      body: { kind: "platform", name: "Resync", config: { url: RECEIVER } },
    });
    const { sink, secret } = (await created.json()) as { sink: { id: string }; secret: string };
    receiver = { secret, gone: false, applied: new Map(), duplicates: 0 };
    install();
    const opened = (await (
      await call("POST", "/v1/cases", { token: worker, body: { title: "Resync me", severity: "low" } })
    ).json()) as { id: string; version: number };
    await until(async () => receiver.applied.size >= 1, "the first delivery");
    // As if Phoenix lost where the sink stood: the resync sends everything again.
    await tenantDb(tenant)
      .prepare("DELETE FROM sink_sync WHERE case_id = ? AND sink_id = ?")
      .bind(opened.id, sink.id)
      .run();
    const res = await call("POST", `/v1/cases/${opened.id}/resync`, { token: admin });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ case_id: opened.id, version: opened.version });
    await until(async () => receiver.duplicates >= 1, "the resent event");
    // Same event id, so the receiver de-duplicated it.
    expect(receiver.applied.size).toBe(1);
    await call("PATCH", `/v1/sinks/${sink.id}`, { token: admin, body: { status: "disabled" } });
  });

  it("refuses a second replay of the same letter (409), and a replay to a disabled sink (409)", async () => {
    const { letter } = await deadLetter();
    // The sink is disabled now.
    const disabled = await call("POST", `/v1/sinks/dead-letters/${letter.id}/replay`, { token: admin });
    expect(disabled.status).toBe(409);
    expect(disabled.headers.get("content-type")).toContain("application/problem+json");
    expect(((await disabled.json()) as { detail: string }).detail).toContain("disabled");
    await call("PATCH", `/v1/sinks/${letter.sink_id}`, { token: admin, body: { status: "active" } });
    expect((await call("POST", `/v1/sinks/dead-letters/${letter.id}/replay`, { token: admin })).status).toBe(
      202,
    );
    const again = await call("POST", `/v1/sinks/dead-letters/${letter.id}/replay`, { token: admin });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { detail: string }).detail).toBe("this dead letter was already replayed");
    await call("PATCH", `/v1/sinks/${letter.sink_id}`, { token: admin, body: { status: "disabled" } });
  });

  it("keeps one open dead letter per case and sink, however many retries refuse it", async () => {
    const db = tenantDb(tenant);
    const letter = {
      sinkId: "snk_01m8zzzzzzzzzzzzzzzzzzzzzz",
      caseId: "case_01m8zzzzzzzzzzzzzzzzzzzzzz",
      version: 3,
      error: "410",
      attempts: 1,
    };
    const first = await storeDeadLetter(db, letter, Date.now());
    expect(await storeDeadLetter(db, { ...letter, version: 4, attempts: 2 }, Date.now())).toBe(first);
    await db
      .prepare("UPDATE sink_dead_letters SET replayed_at = ? WHERE id = ?")
      .bind(Date.now(), first)
      .run();
    // Once replayed, a new refusal is a new letter.
    expect(await storeDeadLetter(db, letter, Date.now())).not.toBe(first);
  });

  it("names the bad input: an id of the wrong kind, a page size out of range", async () => {
    const wrongId = await call("POST", "/v1/sinks/dead-letters/snk_01abc/replay", { token: admin });
    expect(wrongId.status).toBe(422);
    expect(JSON.stringify(await wrongId.json())).toContain("id");
    const badLimit = await call("GET", "/v1/sinks/dead-letters?limit=0", { token: admin });
    expect([400, 422]).toContain(badLimit.status);
    expect(JSON.stringify(await badLimit.json())).toContain("limit");
    const badCase = await call("POST", "/v1/cases/not-a-case/resync", { token: admin });
    expect(badCase.status).toBe(422);
  });

  it("answers 404 for another tenant's dead letter and case, and lists none of them", async () => {
    const { letter, caseId } = await deadLetter();
    const replay = await call("POST", `/v1/sinks/dead-letters/${letter.id}/replay`, { token: other.admin });
    expect(replay.status).toBe(404);
    const resync = await call("POST", `/v1/cases/${caseId}/resync`, { token: other.admin });
    expect(resync.status).toBe(404);
    const list = (await (
      await call("GET", "/v1/sinks/dead-letters?include_replayed=true", { token: other.admin })
    ).json()) as { data: LetterView[] };
    expect(list.data).toEqual([]);
  });
});
