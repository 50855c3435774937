// The Salesforce sink against the local org (tests/e2e/vendors/local-salesforce.ts): one Case per
// Phoenix case by external id, a spent API allowance (403 REQUEST_LIMIT_EXCEEDED) backs off
// instead of dead-lettering, an ended session is minted again, and a refused field is a dead
// letter that says which field.
import { beforeAll, describe, expect, it } from "vitest";
import type { Tenant } from "../../../domain/tenancy.ts";
import {
  disabledSink,
  LOCAL_SALESFORCE_SECRET,
  syncOnce,
  VENDORS,
  vendorFaults,
  vendorState,
} from "../../support/sinks.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";

type OrgState = {
  cases: Array<[string, { Id: string; fields: Record<string, string> }]>;
  stats: { created: number; updated: number; invalid: string[] };
};

let tenant: Tenant;
let admin: string;
let worker: string;
beforeAll(async () => {
  tenant = await createTenant();
  admin = await tokenFor(tenant, { scopes: ["admin"] });
  worker = await tokenFor(tenant, { scopes: ["cases:read", "cases:write"] });
});

async function salesforceSink(fields?: Record<string, string>) {
  const org = `/sf/org-${crypto.randomUUID().slice(0, 8)}`;
  await vendorFaults(org, { rate: 0, seed: 1 }, true);
  const { row } = await disabledSink(admin, {
    kind: "salesforce",
    name: `Salesforce ${org}`,
    config: {
      instance_url: `${VENDORS}${org}`,
      client_id: "phoenix-client",
      external_id_field: "Phoenix_Case_Id__c",
      ...(fields ? { fields } : {}),
      values: { state: { new: "New", acknowledged: "Working" } },
    },
    credentials: { client_secret: LOCAL_SALESFORCE_SECRET },
  });
  return { org, sink: row };
}

async function openCase() {
  const res = await call("POST", "/v1/cases", {
    token: worker,
    body: { title: "Suspicious OAuth grant", severity: "medium" },
  });
  const opened = (await res.json()) as { id: string; version: number };
  return opened;
}

describe("Salesforce sink", () => {
  it("upserts one Case by the external id and updates it in place", async () => {
    const { org, sink } = await salesforceSink();
    const c = await openCase();
    await syncOnce(tenant, [sink], { caseId: c.id, version: c.version, attempts: 1 });
    const ack = await call("POST", `/v1/cases/${c.id}/commands`, {
      token: worker,
      body: { type: "acknowledge" },
      headers: { "if-match": `"${c.version}"` },
    });
    const version = ((await ack.json()) as { version: number }).version;
    await syncOnce(tenant, [sink], { caseId: c.id, version, attempts: 1 });
    const state = await vendorState<OrgState>(org);
    expect(state.stats).toMatchObject({ created: 1, updated: 1, invalid: [] });
    expect(state.cases).toEqual([
      [
        c.id,
        expect.objectContaining({
          fields: expect.objectContaining({ Subject: "Suspicious OAuth grant", Status: "Working" }),
        }),
      ],
    ]);
    const row = await tenantDb(tenant)
      .prepare("SELECT external_id, external_url FROM sink_sync WHERE sink_id = ?")
      .bind(sink.id)
      .first<{ external_id: string; external_url: string }>();
    expect(row?.external_url).toBe(`${VENDORS}${org}/lightning/r/Case/${row?.external_id}/view`);
  });

  it("backs off on REQUEST_LIMIT_EXCEEDED instead of giving up, and mints a new session when one ends", async () => {
    const { org, sink } = await salesforceSink();
    const c = await openCase();
    // Token, then the upsert answers 403 REQUEST_LIMIT_EXCEEDED.
    await vendorFaults(org, { rate: 0, seed: 1, script: [null, "429"] });
    const limited = await syncOnce(tenant, [sink], { caseId: c.id, version: c.version, attempts: 1 });
    expect(limited.retryIn).toBeGreaterThanOrEqual(1);
    const error = await tenantDb(tenant)
      .prepare("SELECT last_error FROM sink_sync WHERE sink_id = ?")
      .bind(sink.id)
      .first<string>("last_error");
    expect(error).toContain("REQUEST_LIMIT_EXCEEDED");
    // Token, then the session has ended (401 INVALID_SESSION_ID): a new one is minted at once.
    await vendorFaults(org, { rate: 0, seed: 2, script: [null, "expired"] });
    expect(await syncOnce(tenant, [sink], { caseId: c.id, version: c.version, attempts: 2 })).toEqual({
      retryIn: null,
      heldBack: false,
    });
    expect((await vendorState<OrgState>(org)).stats.created).toBe(1);
    const letters = await tenantDb(tenant)
      .prepare("SELECT count(*) AS n FROM sink_dead_letters WHERE sink_id = ?")
      .bind(sink.id)
      .first<number>("n");
    expect(letters).toBe(0);
  });

  it("keeps a dead letter naming the field when the org refuses it", async () => {
    const { sink } = await salesforceSink({ title: "Subject", state: "CaseNumber" });
    const c = await openCase();
    await syncOnce(tenant, [sink], { caseId: c.id, version: c.version, attempts: 1 });
    const letter = await tenantDb(tenant)
      .prepare("SELECT error FROM sink_dead_letters WHERE sink_id = ?")
      .bind(sink.id)
      .first<string>("error");
    expect(letter).toBe(
      "Salesforce refused the upsert (400 INVALID_FIELD_FOR_INSERT_UPDATE: Unable to create/update fields: CaseNumber)",
    );
  });
});
