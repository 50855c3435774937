// The administration audit through /v1/audit: every people and connector change is a record with
// actor, before and after; the per-tenant chain verifies, detects tampering and survives races.
import { describe, expect, it } from "vitest";
import { describeAdminChange, latestAdminAudit } from "../../../domain/admin-audit-log.ts";
import { grantRole, inviteUser, revokeGrant } from "../../../domain/auth/tenant-users.ts";
import { testEnv } from "../../support/test-env.ts";
import { call, createTenant, tokenFor } from "../../support/world.ts";

interface AuditRecord {
  seq: number;
  at: number;
  actor: { type: string; id: string };
  action: string;
  target: { type: string; id: string };
  before: unknown;
  after: unknown;
  prev_hash: string;
  hash: string;
}
interface Page {
  data: AuditRecord[];
  next_cursor: string | null;
}
interface Verification {
  verified: boolean;
  length: number;
  broken_at: number | null;
  head_hash: string | null;
}

async function admin(subject = "admin-bot") {
  const tenant = await createTenant();
  return { tenant, token: await tokenFor(tenant, { scopes: ["admin"], subject }) };
}

async function audit(token: string, query = ""): Promise<Page> {
  const res = await call("GET", `/v1/audit${query}`, { token });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Page;
}

async function verify(token: string): Promise<Verification> {
  const res = await call("GET", "/v1/audit/verify", { token });
  expect(res.status).toBe(200);
  return (await res.json()) as Verification;
}

async function invite(token: string, role = "analyst"): Promise<{ id: string; email: string }> {
  const res = await call("POST", "/v1/users", {
    token,
    body: { email: `${crypto.randomUUID()}@example.test`, display_name: "Pat", kind: "staff", role },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; email: string };
}

describe("/v1/audit", () => {
  it("lists every grant change with actor, before and after, hash-linked in seq order", async () => {
    const { token } = await admin("ops-admin");
    const user = await invite(token, "analyst");
    await call("PUT", `/v1/users/${user.id}/grant`, { token, body: { role: "lead" } });
    await call("POST", `/v1/users/${user.id}/revoke`, { token });

    const { data, next_cursor } = await audit(token);
    expect(next_cursor).toBeNull();
    const actor = { type: "client", id: `${testEnv().PHOENIX_ISSUER}|ops-admin` };
    expect(data).toMatchObject([
      {
        seq: 1,
        actor,
        action: "user.invited",
        target: { type: "user", id: user.id },
        before: null,
        after: {
          id: user.id,
          email: user.email,
          kind: "staff",
          grant: { role: "analyst", status: "active" },
        },
      },
      {
        seq: 2,
        actor,
        action: "grant.changed",
        target: { type: "grant", id: user.id },
        before: { role: "analyst", status: "active" },
        after: { role: "lead", status: "active" },
      },
      {
        seq: 3,
        action: "grant.revoked",
        before: { role: "lead", status: "active", revoked_at: null },
        after: { role: "lead", status: "revoked", revoked_at: expect.any(Number) },
      },
    ]);
    expect(data[0]?.prev_hash).toBe("0".repeat(64));
    expect(data[1]?.prev_hash).toBe(data[0]?.hash);
    expect(data[2]?.prev_hash).toBe(data[1]?.hash);
    expect(await verify(token)).toEqual({
      verified: true,
      length: 3,
      broken_at: null,
      head_hash: data[2]?.hash,
    });
  });

  it("detects a record edited in the database", async () => {
    const { tenant, token } = await admin();
    const user = await invite(token, "viewer");
    await call("PUT", `/v1/users/${user.id}/grant`, { token, body: { role: "analyst" } });
    await call("PUT", `/v1/users/${user.id}/grant`, { token, body: { role: "lead" } });
    expect((await verify(token)).verified).toBe(true);

    // Someone with database access quietly makes the second change look like a grant of admin.
    const tampered = await testEnv()
      .CONTROL_DB.prepare(
        `UPDATE admin_audit SET after = json_set(after, '$.role', 'admin') WHERE tenant_id = ? AND seq = 2`,
      )
      .bind(tenant.id)
      .run();
    expect(tampered.meta.changes).toBe(1);
    expect(await verify(token)).toMatchObject({ verified: false, broken_at: 2, length: 1 });
    // The list still answers, showing what is stored.
    expect((await audit(token)).data[1]?.after).toMatchObject({ role: "admin" });
  });

  it("filters by since (epoch ms or ISO 8601) and pages with a cursor", async () => {
    const { tenant, token } = await admin();
    const db = testEnv().CONTROL_DB;
    const actor = { kind: "system" as const, id: "phoenix" };
    const day = (d: number) => Date.UTC(2026, 0, d);
    const user = await inviteUser(
      db,
      tenant.id,
      { email: `${crypto.randomUUID()}@example.test`, displayName: "Lee", kind: "staff", role: "viewer" },
      actor,
      day(1),
    );
    await grantRole(db, tenant.id, user.principal.id, "analyst", actor, day(2));
    await grantRole(db, tenant.id, user.principal.id, "lead", actor, day(3));
    await revokeGrant(db, tenant.id, user.principal.id, actor, day(4));

    expect((await audit(token)).data.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect((await audit(token, `?since=${day(3)}`)).data.map((r) => r.seq)).toEqual([3, 4]);
    expect((await audit(token, "?since=2026-01-02T00:00:00Z")).data.map((r) => r.seq)).toEqual([2, 3, 4]);
    expect((await audit(token, "?since=2026-01-04")).data.map((r) => r.action)).toEqual(["grant.revoked"]);
    expect((await audit(token, `?since=${day(5)}`)).data).toEqual([]);

    const first = await audit(token, `?since=${day(2)}&limit=2`);
    expect(first.data.map((r) => r.seq)).toEqual([2, 3]);
    const second = await audit(token, `?since=${day(2)}&limit=2&cursor=${first.next_cursor}`);
    expect(second).toMatchObject({ next_cursor: null });
    expect(second.data.map((r) => r.seq)).toEqual([4]);

    for (const bad of ["?since=yesterday", "?since=2026-13-45T99:00:00Z", `?cursor=${first.next_cursor}`]) {
      const res = await call("GET", `/v1/audit${bad}`, { token });
      expect(res.status).toBe(400);
      const field = bad.startsWith("?since") ? "since" : "cursor";
      expect(((await res.json()) as { errors: Array<{ field: string }> }).errors[0]?.field).toBe(field);
    }
  });

  it("shows a tenant only its own chain", async () => {
    const a = await admin();
    const b = await admin();
    await invite(a.token);
    await invite(a.token);
    expect((await audit(b.token)).data).toEqual([]);
    expect(await verify(b.token)).toEqual({ verified: true, length: 0, broken_at: null, head_hash: null });
    await invite(b.token);
    const own = await audit(b.token);
    expect(own.data.map((r) => r.seq)).toEqual([1]);
    expect(own.data[0]?.prev_hash).toBe("0".repeat(64));
    expect((await verify(a.token)).length).toBe(2);
  });

  it("lands racing grant changes, for different people and for the same one, on one unbroken chain", async () => {
    const { token } = await admin();
    const [x, y] = [await invite(token, "viewer"), await invite(token, "viewer")];
    const different = await Promise.all([
      call("PUT", `/v1/users/${x?.id}/grant`, { token, body: { role: "analyst" } }),
      call("PUT", `/v1/users/${y?.id}/grant`, { token, body: { role: "lead" } }),
    ]);
    expect(different.map((r) => r.status)).toEqual([200, 200]);
    const same = await Promise.all([
      call("PUT", `/v1/users/${x?.id}/grant`, { token, body: { role: "lead" } }),
      call("PUT", `/v1/users/${x?.id}/grant`, { token, body: { role: "admin" } }),
    ]);
    expect(same.map((r) => r.status)).toEqual([200, 200]);

    expect(await verify(token)).toMatchObject({ verified: true, length: 6 });
    const changes = (await audit(token)).data.filter(
      (r) => r.target.id === x?.id && r.action === "grant.changed",
    );
    // Each record's before is what the change really replaced: the two racers form a sequence.
    expect(changes).toHaveLength(3);
    const [first, second, third] = changes as [AuditRecord, AuditRecord, AuditRecord];
    expect(first.before).toMatchObject({ role: "viewer" });
    expect(second.before).toEqual(first.after);
    expect(third.before).toEqual(second.after);
    const final = (await (await call("GET", `/v1/users/${x?.id}`, { token })).json()) as {
      grant: { role: string };
    };
    expect(final.grant.role).toBe((third.after as { role: string }).role);
  });

  it("records every connector change without secrets", async () => {
    const { tenant, token } = await admin();
    const created = (await (
      await call("POST", "/v1/connectors", { token, body: { kind: "cisco-xdr", name: "XDR" } })
    ).json()) as { connector: { id: string }; secret: string };
    const id = created.connector.id;
    const rotated = (await (
      await call("POST", `/v1/connectors/${id}/rotate-secret`, { token, body: { grace_seconds: 60 } })
    ).json()) as { secret: string };
    const password = "pull-pass-9f2e71";
    const pull = await call("PUT", `/v1/connectors/${id}/xdr-pull`, {
      token,
      body: { client_id: "client-1", client_password: password, region: "eu", org_id: "org-1" },
    });
    expect(pull.status).toBe(200);
    const ciphertexts = await testEnv()
      .CONTROL_DB.prepare(
        `SELECT secret_ciphertext AS a, previous_secret_ciphertext AS b,
                json_extract(config, '$.pull.clientPasswordCiphertext') AS c FROM connectors WHERE id = ?`,
      )
      .bind(id)
      .first<{ a: string; b: string; c: string }>();
    await call("PATCH", `/v1/connectors/${id}`, { token, body: { name: "XDR EU" } });
    await call("PATCH", `/v1/connectors/${id}`, { token, body: { status: "disabled" } });
    expect((await call("DELETE", `/v1/connectors/${id}`, { token })).status).toBe(204);

    const res = await call("GET", "/v1/audit", { token });
    const text = await res.text();
    const { data } = JSON.parse(text) as Page;
    expect(data.map((r) => r.action)).toEqual([
      "connector.created",
      "connector.secret_rotated",
      "connector.xdr_pull_set",
      "connector.updated",
      "connector.disabled",
      "connector.deleted",
    ]);
    expect(data.every((r) => r.target.type === "connector" && r.target.id === id)).toBe(true);
    expect(data[0]).toMatchObject({ before: null, after: { name: "XDR", status: "active" } });
    expect(data[1]?.after).toMatchObject({ previous_secret_expires_at: expect.any(Number) });
    expect(data[2]?.after).toMatchObject({
      config: { pull: { clientId: "client-1", region: "eu", orgId: "org-1", has_client_password: true } },
    });
    expect(data[3]).toMatchObject({ before: { name: "XDR" }, after: { name: "XDR EU" } });
    expect(data[4]).toMatchObject({ before: { status: "active" }, after: { status: "disabled" } });
    expect(data[5]).toMatchObject({ before: { name: "XDR EU" }, after: null });

    for (const secret of [
      created.secret,
      rotated.secret,
      password,
      ciphertexts?.a,
      ciphertexts?.b,
      ciphertexts?.c,
    ]) {
      expect(secret).toEqual(expect.any(String));
      expect(text).not.toContain(secret);
      expect(text).not.toContain((secret as string).slice(6, 26));
    }
    expect(text).not.toMatch(/ciphertext/i);
    const stored = await testEnv()
      .CONTROL_DB.prepare(
        "SELECT group_concat(coalesce(before, '') || coalesce(after, '')) AS all_json FROM admin_audit WHERE tenant_id = ?",
      )
      .bind(tenant.id)
      .first<string>("all_json");
    expect(stored).not.toMatch(/ciphertext|whsec_/i);
    expect(await verify(token)).toMatchObject({ verified: true, length: 6 });
  });

  it("needs audit.read", async () => {
    const { tenant } = await admin();
    const analyst = await tokenFor(tenant, { scopes: ["alerts:read", "cases:read", "cases:write"] });
    expect((await call("GET", "/v1/audit", { token: analyst })).status).toBe(403);
    expect((await call("GET", "/v1/audit/verify", { token: analyst })).status).toBe(403);
  });
});

describe("what the workbench's audit page reads", () => {
  it("lists the newest records first and describes each change field by field", async () => {
    // Given an invite, a role change and a revoke
    const { tenant, token } = await admin();
    const user = await invite(token, "analyst");
    await call("PUT", `/v1/users/${user.id}/grant`, { token, body: { role: "lead" } });
    await call("POST", `/v1/users/${user.id}/revoke`, { token });

    // When the latest two are read
    const latest = await latestAdminAudit(testEnv().CONTROL_DB, tenant.id, 2);

    // Then the revoke comes first, and the role change reads as what changed
    expect(latest.map((r) => [r.seq, r.action])).toEqual([
      [3, "grant.revoked"],
      [2, "grant.changed"],
    ]);
    expect(describeAdminChange(latest[1]?.before, latest[1]?.after)).toContain("role: analyst → lead");
    expect(describeAdminChange(null, { id: "x" })).toEqual(["created"]);
    expect(describeAdminChange({ id: "x" }, null)).toEqual(["removed"]);
    expect(describeAdminChange({ a: 1, b: "same" }, { a: 2, b: "same", c: true })).toEqual([
      "a: 1 → 2",
      "c: — → true",
    ]);
  });
});
