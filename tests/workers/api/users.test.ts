// People and grants through /v1/users: invite, grant, revoke, list; a tenant sees only the people it
// has granted, customers stay viewers, and every refused request changes nothing.
import { describe, expect, it } from "vitest";
import { activeGrant } from "../../../domain/auth/people.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, tokenFor } from "../../support/world.ts";

interface User {
  id: string;
  email: string;
  display_name: string;
  kind: "staff" | "customer";
  grant: { role: string; status: "active" | "revoked"; granted_by: string | null; revoked_at: number | null };
}
interface Problem {
  code: string;
  detail: string;
  errors?: Array<{ field: string }>;
}

async function admin(subject = "admin-bot") {
  const tenant = await createTenant();
  return { tenant, token: await tokenFor(tenant, { scopes: ["admin"], subject }) };
}

let emails = 0;
const freshEmail = (name = "person") => `${name}.${++emails}.${crypto.randomUUID().slice(0, 8)}@example.test`;

async function invite(token: string, body: Partial<Record<string, string>> = {}): Promise<User> {
  const res = await call("POST", "/v1/users", {
    token,
    body: { email: freshEmail(), display_name: "Dana Analyst", kind: "staff", role: "analyst", ...body },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as User;
}

async function auditCount(tenantId: string): Promise<number> {
  return (
    (await testEnv()
      .CONTROL_DB.prepare("SELECT count(*) AS n FROM admin_audit WHERE tenant_id = ?")
      .bind(tenantId)
      .first<number>("n")) ?? 0
  );
}

describe("/v1/users", () => {
  it("invites, changes the role, revokes and re-grants; a revoked grant stops access at once", async () => {
    const { tenant, token } = await admin();
    const email = freshEmail("dana");
    const invited = await invite(token, { email, role: "analyst" });
    expect(invited).toMatchObject({
      id: expect.stringMatching(/^prn_[0-9a-z]{26}$/),
      email,
      display_name: "Dana Analyst",
      kind: "staff",
      grant: { role: "analyst", status: "active", granted_by: `${testEnv().PHOENIX_ISSUER}|admin-bot` },
    });
    const got = await call("GET", `/v1/users/${invited.id}`, { token });
    expect(await got.json()).toEqual(invited);

    const changed = await call("PUT", `/v1/users/${invited.id}/grant`, { token, body: { role: "lead" } });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as User).grant.role).toBe("lead");
    expect((await activeGrant(testEnv().CONTROL_DB, invited.id, tenant.id))?.role).toBe("lead");
    // The same role again changes nothing and records nothing.
    const same = await call("PUT", `/v1/users/${invited.id}/grant`, { token, body: { role: "lead" } });
    expect(same.status).toBe(200);
    expect(await auditCount(tenant.id)).toBe(2);

    const revoked = await call("POST", `/v1/users/${invited.id}/revoke`, { token });
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as User).grant).toMatchObject({ status: "revoked", role: "lead" });
    expect(await activeGrant(testEnv().CONTROL_DB, invited.id, tenant.id)).toBeNull();
    // Kept as history: still listed and readable, as revoked.
    const listed = (await (await call("GET", "/v1/users?status=revoked", { token })).json()) as {
      data: User[];
    };
    expect(listed.data.map((u) => u.id)).toEqual([invited.id]);

    const regranted = await call("PUT", `/v1/users/${invited.id}/grant`, { token, body: { role: "viewer" } });
    expect(((await regranted.json()) as User).grant).toMatchObject({
      status: "active",
      role: "viewer",
      revoked_at: null,
    });
    expect((await activeGrant(testEnv().CONTROL_DB, invited.id, tenant.id))?.role).toBe("viewer");
    const actions = await testEnv()
      .CONTROL_DB.prepare("SELECT action FROM admin_audit WHERE tenant_id = ? ORDER BY seq")
      .bind(tenant.id)
      .all<{ action: string }>();
    expect(actions.results.map((r) => r.action)).toEqual([
      "user.invited",
      "grant.changed",
      "grant.revoked",
      "grant.created",
    ]);
  });

  it("gives an existing staff member a grant in another tenant, matching the email case-insensitively", async () => {
    const a = await admin();
    const b = await admin();
    const email = freshEmail("Sam");
    const staff = await invite(a.token, { email, display_name: "Sam Staff", role: "admin" });
    const res = await call("POST", "/v1/users", {
      token: b.token,
      body: { email: email.toUpperCase(), display_name: "Someone Else", kind: "staff", role: "viewer" },
    });
    expect(res.status).toBe(201);
    // Same person; another tenant's admin cannot rename a provider-wide principal.
    expect(await res.json()).toMatchObject({
      id: staff.id,
      display_name: "Sam Staff",
      grant: { role: "viewer" },
    });
    expect((await activeGrant(testEnv().CONTROL_DB, staff.id, a.tenant.id))?.role).toBe("admin");
    expect((await activeGrant(testEnv().CONTROL_DB, staff.id, b.tenant.id))?.role).toBe("viewer");
  });

  it("keeps customer users viewers", async () => {
    const { tenant, token } = await admin();
    const refused = await call("POST", "/v1/users", {
      token,
      body: { email: freshEmail(), display_name: "Cara Customer", kind: "customer", role: "analyst" },
    });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as Problem).errors?.map((e) => e.field)).toEqual(["role"]);
    expect(await auditCount(tenant.id)).toBe(0);

    const customer = await invite(token, { kind: "customer", role: "viewer" });
    const before = await auditCount(tenant.id);
    const promote = await call("PUT", `/v1/users/${customer.id}/grant`, { token, body: { role: "admin" } });
    expect(promote.status).toBe(422);
    expect(((await promote.json()) as Problem).errors?.map((e) => e.field)).toEqual(["role"]);
    expect((await activeGrant(testEnv().CONTROL_DB, customer.id, tenant.id))?.role).toBe("viewer");
    expect(await auditCount(tenant.id)).toBe(before);
  });

  it("names each invalid field and changes nothing", async () => {
    const { tenant, token } = await admin();
    const res = await call("POST", "/v1/users", {
      token,
      body: { email: "not-an-email", display_name: " ", kind: "robot", role: "owner" },
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as Problem).errors?.map((e) => e.field).sort()).toEqual([
      "display_name",
      "email",
      "kind",
      "role",
    ]);

    const user = await invite(token);
    const badRole = await call("PUT", `/v1/users/${user.id}/grant`, { token, body: { role: "root" } });
    expect(badRole.status).toBe(422);
    expect(((await badRole.json()) as Problem).errors?.map((e) => e.field)).toEqual(["role"]);
    const badId = await call("GET", "/v1/users/usr_1", { token });
    expect(badId.status).toBe(422);
    expect(((await badId.json()) as Problem).errors?.map((e) => e.field)).toEqual(["id"]);
    const badCursor = await call("GET", "/v1/users?cursor=bm9wZQ", { token });
    expect(((await badCursor.json()) as Problem).errors?.map((e) => e.field)).toEqual(["cursor"]);
    expect(await auditCount(tenant.id)).toBe(1);
  });

  it("answers 409 for a second revoke and for an email that already has access", async () => {
    const { tenant, token } = await admin();
    const user = await invite(token);
    expect((await call("POST", `/v1/users/${user.id}/revoke`, { token })).status).toBe(200);
    const again = await call("POST", `/v1/users/${user.id}/revoke`, { token });
    expect(again.status).toBe(409);
    expect(((await again.json()) as Problem).code).toBe("conflict");

    const active = await invite(token, { role: "lead" });
    const dup = await call("POST", "/v1/users", {
      token,
      body: { email: active.email.toUpperCase(), display_name: "Dup", kind: "staff", role: "viewer" },
    });
    expect(dup.status).toBe(409);
    const asCustomer = await call("POST", "/v1/users", {
      token,
      body: { email: active.email, display_name: "Dup", kind: "customer", role: "viewer" },
    });
    expect(asCustomer.status).toBe(409);
    expect((await activeGrant(testEnv().CONTROL_DB, active.id, tenant.id))?.role).toBe("lead");
    expect(await auditCount(tenant.id)).toBe(3);
  });

  it("refuses, with 409, to revoke or demote the tenant's last admin, and allows it once another admin exists", async () => {
    // Given a tenant whose one admin is a person
    const { tenant, token } = await admin();
    const only = await invite(token, { role: "admin" });
    const audited = await auditCount(tenant.id);

    // When the client revokes or demotes them, both are refused, naming why, and nothing changes
    for (const attempt of [
      call("POST", `/v1/users/${only.id}/revoke`, { token }),
      call("PUT", `/v1/users/${only.id}/grant`, { token, body: { role: "lead" } }),
    ]) {
      const res = await attempt;
      expect(res.status).toBe(409);
      expect(((await res.json()) as Problem).detail).toContain("last admin");
    }
    expect((await activeGrant(testEnv().CONTROL_DB, only.id, tenant.id))?.role).toBe("admin");
    expect(await auditCount(tenant.id)).toBe(audited);

    // A second admin who can no longer sign in does not count
    const disabled = await invite(token, { role: "admin" });
    await testEnv()
      .CONTROL_DB.prepare("UPDATE principals SET status = 'disabled' WHERE id = ?")
      .bind(disabled.id)
      .run();
    expect((await call("POST", `/v1/users/${only.id}/revoke`, { token })).status).toBe(409);

    // Then with a second admin, the first can be demoted, and the second is now the last
    const second = await invite(token, { role: "admin" });
    expect((await call("PUT", `/v1/users/${only.id}/grant`, { token, body: { role: "lead" } })).status).toBe(
      200,
    );
    expect((await call("POST", `/v1/users/${second.id}/revoke`, { token })).status).toBe(409);
  });

  it("two admins revoked at once leave one: the tenant never loses its last admin to a race", async () => {
    // Given a tenant with two admins; each round adds one more next to the survivor
    const { tenant, token } = await admin();
    let survivor = await invite(token, { role: "admin" });
    let rounds = 0;
    for (let round = 0; round < 5; round++) {
      const fresh = await invite(token, { role: "admin" });

      // When both are revoked at the same moment
      const [first, second] = await Promise.all([
        call("POST", `/v1/users/${survivor.id}/revoke`, { token }),
        call("POST", `/v1/users/${fresh.id}/revoke`, { token }),
      ]);

      // Then one revoke succeeds and the other is refused, leaving exactly one admin
      expect([first.status, second.status].sort()).toEqual([200, 409]);
      const admins = await testEnv()
        .CONTROL_DB.prepare(
          "SELECT count(*) AS n FROM grants WHERE tenant_id = ? AND role = 'admin' AND revoked_at IS NULL",
        )
        .bind(tenant.id)
        .first<number>("n");
      expect(admins).toBe(1);
      if (first.status === 200) survivor = fresh;
      rounds++;
    }
    console.log(`last-admin races: ${rounds} rounds, each left exactly one admin`);
  });

  it("two racing invites of one new email make one person with one grant", async () => {
    const { tenant, token } = await admin();
    const email = freshEmail("race");
    const body = { email, display_name: "Racer", kind: "staff", role: "analyst" };
    const statuses = (
      await Promise.all([
        call("POST", "/v1/users", { token, body }),
        call("POST", "/v1/users", { token, body }),
      ])
    )
      .map((r) => r.status)
      .sort();
    expect(statuses).toEqual([201, 409]);
    const people = await testEnv()
      .CONTROL_DB.prepare("SELECT count(*) AS n FROM principals WHERE lower(email) = lower(?)")
      .bind(email)
      .first<number>("n");
    expect(people).toBe(1);
    expect(await auditCount(tenant.id)).toBe(1);
  });

  it("pages through the tenant's people with a cursor", async () => {
    const { token } = await admin();
    const ids = [(await invite(token)).id, (await invite(token)).id, (await invite(token)).id];
    const first = (await (await call("GET", "/v1/users?limit=2", { token })).json()) as {
      data: User[];
      next_cursor: string | null;
    };
    expect(first.data).toHaveLength(2);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = (await (
      await call("GET", `/v1/users?limit=2&cursor=${first.next_cursor}`, { token })
    ).json()) as { data: User[]; next_cursor: string | null };
    expect(second.next_cursor).toBeNull();
    expect([...first.data, ...second.data].map((u) => u.id).sort()).toEqual(ids.sort());
    // A cursor is bound to its filters.
    const replayed = await call("GET", `/v1/users?status=active&cursor=${first.next_cursor}`, { token });
    expect(replayed.status).toBe(400);
  });

  it("another tenant's people are 404 in the path and unreachable by email, and nothing changes", async () => {
    const a = await admin();
    const b = await admin();
    const staff = await invite(a.token, { role: "lead" });
    const customer = await invite(a.token, { kind: "customer", role: "viewer" });
    const auditA = await auditCount(a.tenant.id);

    for (const id of [staff.id, customer.id]) {
      const probes = [
        call("GET", `/v1/users/${id}`, { token: b.token }),
        call("PUT", `/v1/users/${id}/grant`, { token: b.token, body: { role: "admin" } }),
        call("POST", `/v1/users/${id}/revoke`, { token: b.token }),
      ];
      for (const res of await Promise.all(probes)) expect(res.status).toBe(404);
    }
    const listB = (await (await call("GET", "/v1/users", { token: b.token })).json()) as { data: User[] };
    expect(listB.data).toEqual([]);

    // A's customer cannot be pulled into B, and the answer does not say where they belong.
    const stolen = await call("POST", "/v1/users", {
      token: b.token,
      body: { email: customer.email, display_name: "X", kind: "customer", role: "viewer" },
    });
    expect(stolen.status).toBe(409);
    const text = await stolen.text();
    expect(text).not.toContain(a.tenant.id);
    expect(text).not.toContain(a.tenant.slug);
    expect(text).not.toContain(a.tenant.name);
    expect(text).not.toContain(customer.id);

    expect((await activeGrant(testEnv().CONTROL_DB, staff.id, a.tenant.id))?.role).toBe("lead");
    expect(await activeGrant(testEnv().CONTROL_DB, staff.id, b.tenant.id)).toBeNull();
    expect((await activeGrant(testEnv().CONTROL_DB, customer.id, a.tenant.id))?.role).toBe("viewer");
    expect(await auditCount(a.tenant.id)).toBe(auditA);
    expect(await auditCount(b.tenant.id)).toBe(0);
  });

  it("needs users.read to list and users.manage to change", async () => {
    const { tenant, token } = await admin();
    const user = await invite(token);
    const analyst = await tokenFor(tenant, { scopes: ["alerts:read", "cases:read", "cases:write"] });
    expect((await call("GET", "/v1/users", { token: analyst })).status).toBe(403);
    expect((await call("GET", `/v1/users/${user.id}`, { token: analyst })).status).toBe(403);
    expect((await call("POST", `/v1/users/${user.id}/revoke`, { token: analyst })).status).toBe(403);
    expect((await activeGrant(testEnv().CONTROL_DB, user.id, tenant.id))?.role).toBe("analyst");
  });
});
