// The demo tenant's people, one per role, for the development IdP (/auth/dev) to sign in as.
// `npm start` invites them through the admin API (looked up by email, so a restart keeps them).
import type { Role } from "../../domain/auth/permissions.ts";

export interface DemoUser {
  email: string;
  displayName: string;
  kind: "staff" | "customer";
  role: Role;
}

export const DEMO_USERS: readonly DemoUser[] = [
  // Customer users belong to their own tenant and are viewers.
  { email: "viewer@demo.phoenix.test", displayName: "Vera Viewer", kind: "customer", role: "viewer" },
  { email: "analyst@demo.phoenix.test", displayName: "Ana Analyst", kind: "staff", role: "analyst" },
  { email: "lead@demo.phoenix.test", displayName: "Lee Lead", kind: "staff", role: "lead" },
  { email: "admin@demo.phoenix.test", displayName: "Adi Admin", kind: "staff", role: "admin" },
];

/** Invites each demo user the tenant does not list yet; `adminToken` carries the admin scope. */
export async function ensureDemoUsers(origin: string, adminToken: string): Promise<string> {
  const headers = { authorization: `Bearer ${adminToken}`, "content-type": "application/json" };
  const list = await fetch(`${origin}/v1/users?limit=200`, { headers });
  if (list.status === 404) return "skipped: this build has no GET /v1/users yet";
  if (!list.ok) throw new Error(`GET /v1/users answered ${list.status}: ${await list.text()}`);
  const existing = new Set(
    ((await list.json()) as { data: Array<{ email: string }> }).data.map((u) => u.email.toLowerCase()),
  );
  let created = 0;
  for (const user of DEMO_USERS) {
    if (existing.has(user.email)) continue;
    const post = await fetch(`${origin}/v1/users`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        email: user.email,
        display_name: user.displayName,
        kind: user.kind,
        role: user.role,
      }),
    });
    if (!post.ok) throw new Error(`POST /v1/users answered ${post.status}: ${await post.text()}`);
    created++;
  }
  const kept = DEMO_USERS.length - created;
  return [created > 0 ? `invited ${created}` : "", kept > 0 ? `kept ${kept}` : ""].filter(Boolean).join(", ");
}
