// The workbench's case commands follow the same permission table as POST /v1/cases/{id}/commands:
// a person who may read a case (a customer viewer) may not change it, whichever page posts.
import { describe, expect, it } from "vitest";
import { type CaseAccess, commandAsPerson } from "../../app/case-commands.server.ts";
import { operationsForRole, type Role } from "../../domain/auth/permissions.ts";
import type { Principal } from "../../domain/auth/principal.ts";
import { PhoenixError } from "../../domain/errors.ts";
import type { Tenant } from "../../domain/tenancy.ts";
import { testEnv } from "../support/test-env.ts";
import { call, createTenant, tokenFor } from "../support/world.ts";

function accessAs(tenant: Tenant, role: Role): Pick<CaseAccess, "env" | "principal"> {
  const principal: Principal = {
    type: "user",
    id: `prn_test_${role}`,
    subject: `prn_test_${role}`,
    issuer: "phoenix-session",
    tenant,
    operations: operationsForRole(role),
    scopes: [],
    role,
  };
  return { principal, env: testEnv() };
}

describe("commandAsPerson", () => {
  it("refuses a viewer's command with 403 and changes nothing; an analyst's goes through", async () => {
    // Given a new case
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const opened = await call("POST", "/v1/cases", {
      token,
      body: { title: "Viewer probe", severity: "low" },
    });
    const { id, version } = (await opened.json()) as { id: string; version: number };

    // When a viewer acknowledges it, then an analyst does
    const refused = await commandAsPerson(
      accessAs(tenant, "viewer"),
      id,
      { type: "acknowledge" },
      version,
      undefined,
      Date.now(),
    ).catch((error: unknown) => error);
    const done = await commandAsPerson(
      accessAs(tenant, "analyst"),
      id,
      { type: "acknowledge" },
      version,
      undefined,
      Date.now(),
    );

    // Then the viewer was refused before anything changed, and the analyst acted on the version they saw
    expect(refused).toBeInstanceOf(PhoenixError);
    expect((refused as PhoenixError).code).toBe("forbidden");
    expect(done.version).toBe(version + 1);
    // A lead's decision stays a lead's: an analyst may not close
    const close = await commandAsPerson(
      accessAs(tenant, "analyst"),
      id,
      { type: "close" },
      null,
      undefined,
      Date.now(),
    ).catch((error: unknown) => error);
    expect((close as PhoenixError).code).toBe("forbidden");
  });
});
