// The case services against a fake case gateway (the real decide/evolve in memory) and the tenant's
// real D1 database, which holds the idempotency records and the alerts that ids must name.
import { beforeAll, describe, expect, it } from "vitest";
import type { CaseServiceContext, Requester } from "../../../domain/case/service.ts";
import { commandCase, createCase } from "../../../domain/case/service.ts";
import { isPhoenixError } from "../../../domain/errors.ts";
import type { Tenant } from "../../../domain/tenancy.ts";
import { makeDetectionFinding } from "../../support/factories/findings.ts";
import { FakeCaseGateway } from "../../support/fake-case-gateway.ts";
import { call, createTenant, tenantDb, tokenFor } from "../../support/world.ts";
import { ANALYST, CONFIG, T0 } from "./given.ts";

let tenant: Tenant;
let alertId: string;
beforeAll(async () => {
  tenant = await createTenant();
  const res = await call("POST", "/v1/alerts", {
    token: await tokenFor(tenant),
    body: makeDetectionFinding(),
  });
  alertId = ((await res.json()) as { alerts: Array<{ id: string }> }).alerts[0]?.id ?? "";
});

function world() {
  const gateway = new FakeCaseGateway(() => T0);
  const ctx: CaseServiceContext = { gateway, db: tenantDb(tenant), tenant, now: T0 };
  const requester: Requester = { actor: ANALYST, idempotencyScope: `scope-${crypto.randomUUID()}` };
  let responses = 0;
  const create = (body: Parameters<typeof createCase>[2], key?: string) =>
    createCase(
      ctx,
      requester,
      body,
      { key, raw: JSON.stringify(body) },
      async () => CONFIG,
      async (opened) => {
        responses++;
        return { id: opened.caseId, version: opened.version };
      },
    );
  return { gateway, ctx, requester, create, responses: () => responses };
}

async function refusal(work: Promise<unknown>) {
  try {
    await work;
  } catch (error) {
    if (isPhoenixError(error)) return { code: error.code, fields: error.errors?.map((e) => e.field) };
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("createCase", () => {
  it("opens a case with the tenant's alerts", async () => {
    const { gateway, create } = world();
    const { body } = await create({ title: "Phish", severity: "high", alert_ids: [alertId] });
    expect(Object.keys(gateway.only().alerts)).toEqual([alertId]);
    expect(body.version).toBe(1);
  });

  it("refuses an alert id that is not the tenant's with 404, before any case is opened", async () => {
    const { gateway, create } = world();
    expect(
      await refusal(create({ title: "x", severity: "low", alert_ids: ["alrt_01jz0000000000000000000000"] })),
    ).toEqual({
      code: "not_found",
      fields: ["alert_ids"],
    });
    expect(gateway.calls).toEqual([]);
  });

  it("with an Idempotency-Key opens once and replays the first response", async () => {
    const { gateway, create, responses } = world();
    const first = await create({ title: "Once", severity: "low" }, "key-1");
    const again = await create({ title: "Once", severity: "low" }, "key-1");
    expect({ replayed: again.replayed, same: again.body.id === first.body.id }).toEqual({
      replayed: true,
      same: true,
    });
    expect({ opens: gateway.calls.length, responses: responses() }).toEqual({ opens: 1, responses: 1 });
    expect((await refusal(create({ title: "Other", severity: "low" }, "key-1"))).code).toBe(
      "idempotency_key_reused",
    );
  });

  it("a failed open releases its key, so the retry opens the case", async () => {
    const { gateway, create } = world();
    const open = gateway.open.bind(gateway);
    gateway.open = async () => {
      throw new Error("object unreachable");
    };
    await expect(create({ title: "Retry me", severity: "low" }, "key-2")).rejects.toThrow(
      "object unreachable",
    );
    gateway.open = open;
    expect((await create({ title: "Retry me", severity: "low" }, "key-2")).replayed).toBe(false);
    expect(gateway.only().title).toBe("Retry me");
  });
});

describe("commandCase", () => {
  it("refuses a merge target or an alert that is not the tenant's with 404 naming the field", async () => {
    const { gateway, ctx, requester, create } = world();
    const { body } = await create({ title: "Target check", severity: "low" });
    const noKey = { key: undefined, raw: "" };
    expect(
      await refusal(
        commandCase(
          ctx,
          requester,
          body.id,
          { type: "merge_into", target_case_id: "case_01jz0000000000000000000000" },
          1,
          noKey,
        ),
      ),
    ).toEqual({ code: "not_found", fields: ["target_case_id"] });
    expect(
      await refusal(
        commandCase(
          ctx,
          requester,
          body.id,
          { type: "link_alert", alert_id: "alrt_01jz0000000000000000000000" },
          1,
          noKey,
        ),
      ),
    ).toEqual({ code: "not_found", fields: ["alert_id"] });
    expect(gateway.calls).toEqual([`open ${body.id}`]);
    const acknowledged = await commandCase(ctx, requester, body.id, { type: "acknowledge" }, 1, noKey);
    expect(acknowledged).toMatchObject({ version: 2, state: { status: "acknowledged" } });
  });
});
