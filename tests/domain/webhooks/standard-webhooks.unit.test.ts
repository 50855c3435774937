// Every Standard Webhooks test vector in shared/webhooks behaves as listed, with the clock pinned.
import { afterEach, describe, expect, it, vi } from "vitest";
import { signWebhook, verifyWebhook } from "../../../domain/webhooks/standard-webhooks.ts";

interface Vector {
  id: string;
  kind: "sign" | "verify" | "sign-asymmetric";
  secret?: string;
  public_key?: string;
  msg_id?: string;
  timestamp?: number;
  payload: string;
  expected_signature?: string;
  headers?: Record<string, string>;
  now?: number;
  expect_valid?: boolean;
}

const file = Object.values(
  import.meta.glob<{ vectors: Vector[] }>("../../../../shared/webhooks/standard-webhooks-vectors.json", {
    eager: true,
    import: "default",
  }),
)[0];
const vectors = file?.vectors ?? [];

afterEach(() => {
  vi.useRealTimers();
});

describe("Standard Webhooks vectors", () => {
  it("are all there", () => {
    expect(vectors).toHaveLength(28);
  });

  it.each(vectors.filter((v) => v.kind === "sign").map((v) => [v.id, v] as const))(
    "%s signs as expected",
    (_id, v) => {
      expect(signWebhook(v.secret ?? "", v.msg_id ?? "", v.timestamp ?? 0, v.payload)).toBe(
        v.expected_signature,
      );
    },
  );

  it.each(vectors.filter((v) => v.kind === "verify").map((v) => [v.id, v] as const))(
    "%s verifies as listed",
    async (_id, v) => {
      vi.useFakeTimers({ now: (v.now ?? 0) * 1000, toFake: ["Date"] });
      const outcome = await verifyWebhook(v.payload, v.headers ?? {}, [v.secret ?? ""]);
      expect(outcome.ok).toBe(v.expect_valid);
    },
  );

  it.each(vectors.filter((v) => v.kind === "sign-asymmetric").map((v) => [v.id, v] as const))(
    "%s (Ed25519, v1a) verifies with the public key, and not after tampering",
    async (_id, v) => {
      vi.useFakeTimers({ now: (v.timestamp ?? 0) * 1000, toFake: ["Date"] });
      const headers = {
        "webhook-id": v.msg_id,
        "webhook-timestamp": String(v.timestamp),
        "webhook-signature": v.expected_signature,
      };
      expect(await verifyWebhook(v.payload, headers, [v.public_key ?? ""])).toEqual({
        ok: true,
        webhookId: v.msg_id,
      });
      expect((await verifyWebhook(`${v.payload} `, headers, [v.public_key ?? ""])).ok).toBe(false);
    },
  );

  it("several secrets: the previous one still verifies during a rotation", async () => {
    const old = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const current = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const now = Math.floor(Date.now() / 1000);
    const headers = {
      "webhook-id": "msg_1",
      "webhook-timestamp": String(now),
      "webhook-signature": signWebhook(old, "msg_1", now, "{}"),
    };
    expect((await verifyWebhook("{}", headers, [current])).ok).toBe(false);
    expect(await verifyWebhook("{}", headers, [current, old])).toEqual({ ok: true, webhookId: "msg_1" });
  });
});
