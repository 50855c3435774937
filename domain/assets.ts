// The assets an alert is about (its device, user and cloud resources), for the tenant's asset
// inventory. Ids are content-addressed by kind and the producer's identifier, like observables.
import type { DetectionFinding } from "./ocsf/detection-finding.ts";

export type AssetKind = "device" | "user" | "resource";

export interface AssetRef {
  kind: AssetKind;
  uid: string;
  name: string | null;
  /** The OCSF object as the finding described it (owner, OS, location…), newest delivery wins. */
  details: Obj;
}

type Obj = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);
const obj = (v: unknown): Obj | null =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : null;

export function assetsOf(finding: DetectionFinding): AssetRef[] {
  const found: AssetRef[] = [];
  const device = obj(finding.device);
  if (device) {
    const uid = str(device.uid) ?? str(device.hostname) ?? str(device.ip) ?? str(device.name);
    if (uid)
      found.push({ kind: "device", uid, name: str(device.hostname) ?? str(device.name), details: device });
  }
  const user = obj(obj(finding.actor)?.user);
  if (user) {
    const uid = str(user.uid) ?? str(user.email_addr) ?? str(user.name);
    if (uid) found.push({ kind: "user", uid, name: str(user.name) ?? str(user.email_addr), details: user });
  }
  for (const resource of Array.isArray(finding.resources) ? finding.resources : []) {
    const r = obj(resource);
    const uid = str(r?.uid) ?? str(r?.name);
    if (uid && r) found.push({ kind: "resource", uid, name: str(r.name), details: r });
  }
  return found;
}

export async function assetId(kind: AssetKind, uid: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`${kind}\u0000${uid.toLowerCase()}`),
  );
  return `ast_${[...new Uint8Array(digest).slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
