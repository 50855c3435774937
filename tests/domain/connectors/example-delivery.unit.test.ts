// The connector page's example delivery: for each finding kind it verifies with the connector's
// secret and maps to a finding without quarantine, so pasting it proves the whole path.
import { describe, expect, it } from "vitest";
import {
  curlCommand,
  EXAMPLE_VALID_MS,
  FINDING_KINDS,
  signedExampleDelivery,
} from "../../../domain/connectors/example-delivery.ts";
import { kindFor } from "../../../domain/ingest/kinds/index.ts";
import { mapItem } from "../../../domain/ingest/map-item.ts";
import { newWebhookSecret, verifyWebhook } from "../../../domain/webhooks/standard-webhooks.ts";

// Signatures are checked against the real clock, so the example is signed now.
const NOW = Date.now();

describe("signedExampleDelivery", () => {
  for (const kind of FINDING_KINDS) {
    it(`gives a ${kind} connector a delivery its secret verifies and its kind maps to one finding`, async () => {
      const secret = newWebhookSecret();
      const delivery = signedExampleDelivery(
        { id: "con_1", kind, name: "Acme EDR" },
        "https://phoenix.example/ingest/con_1",
        secret,
        "n1",
        NOW,
      );
      const verified = await verifyWebhook(delivery.body, delivery.headers, [secret]);
      expect(verified.ok).toBe(true);
      expect(await verifyWebhook(delivery.body, delivery.headers, [newWebhookSecret()])).toMatchObject({
        ok: false,
      });

      const definition = kindFor(kind);
      // As the route does: a kind with its own envelope reshapes the delivery once, then parses it.
      const received = definition.received?.(delivery.body, delivery.headers["content-type"] ?? "") ?? {
        body: delivery.body,
        contentType: delivery.headers["content-type"] ?? "",
      };
      const parsed = definition.parse(received.body, received.contentType);
      if (!parsed.ok) throw new Error(parsed.reason);
      expect(parsed.items).toHaveLength(1);
      const [item] = parsed.items;
      if (!item) throw new Error("no item");
      const mapped = mapItem(definition, item, { now: NOW, connectorId: "con_1", config: {} });
      if (!mapped.ok) throw new Error(`${mapped.reason} ${JSON.stringify(mapped.errors)}`);
      expect(mapped.findings).toHaveLength(1);
      expect(mapped.findings[0]?.finding.finding_info.title).toContain(delivery.title);
      expect(delivery.expiresAt).toBe(Math.floor(NOW / 1000) * 1000 + EXAMPLE_VALID_MS);
    });
  }

  it("gives each nonce its own webhook id and finding, so a second example is a second alert", () => {
    const a = signedExampleDelivery({ id: "c", kind: "ocsf", name: "X" }, "u", newWebhookSecret(), "a", NOW);
    const b = signedExampleDelivery({ id: "c", kind: "ocsf", name: "X" }, "u", newWebhookSecret(), "b", NOW);
    expect(a.headers["webhook-id"]).not.toBe(b.headers["webhook-id"]);
    expect(JSON.parse(a.body).finding_info.uid).not.toBe(JSON.parse(b.body).finding_info.uid);
  });
});

describe("curlCommand", () => {
  it("quotes a body holding single quotes so the shell passes it unchanged", () => {
    const command = curlCommand({
      url: "https://p.example/ingest/c",
      headers: { a: "b" },
      body: `{"x":"it's"}`,
    });
    expect(command).toContain(`--data-binary '{"x":"it'\\''s"}'`);
    expect(command).toContain(`-H 'a: b'`);
  });
});
