// The connector kinds Phoenix ships, by the `kind` stored on each connector.

import { z } from "zod";
import { fieldErrorsFromIssues, PhoenixError } from "../../domain/errors.ts";
import type { ConnectorKind, ConnectorKindDefinition } from "../../domain/ingest/kind.ts";
import { aiActivity, aiActivityConfigSchema } from "./ai-activity/index.ts";
import { ciscoXdr } from "./cisco-xdr/index.ts";
import { ocsfConfigSchema, ocsfSource } from "./ocsf/index.ts";

const KINDS: Record<ConnectorKind, ConnectorKindDefinition> = {
  "cisco-xdr": ciscoXdr,
  "ai-activity": aiActivity,
  ocsf: ocsfSource,
};

export function kindFor(kind: ConnectorKind): ConnectorKindDefinition {
  return KINDS[kind];
}

// What each kind accepts as connector configuration; checked when a connector is created or changed,
// so a bad setting is refused at the API instead of quarantining every later delivery. Strict: an
// unknown key is refused, so nobody can park a secret where GET and the audit would echo it; secrets
// only go through write-only fields (xdr-pull's client_password, the signing secret).
const CONFIG_SCHEMAS: Record<ConnectorKind, z.ZodType<Record<string, unknown>>> = {
  // Pull tuning may be set here; the API client and its password have their own endpoint, which
  // encrypts the password, and the cursor belongs to the pull itself.
  "cisco-xdr": z.strictObject({
    pull: z
      .strictObject({
        pageSize: z.int().min(1).max(200).optional(),
        lookbackMinutes: z
          .int()
          .min(1)
          .max(365 * 24 * 60)
          .optional(),
      })
      .optional(),
  }),
  "ai-activity": aiActivityConfigSchema.strict(),
  ocsf: ocsfConfigSchema.strict(),
};

export function validateConnectorConfig(
  kind: ConnectorKind,
  config: Record<string, unknown>,
): Record<string, unknown> {
  const result = CONFIG_SCHEMAS[kind].safeParse(config);
  if (result.success) return result.data;
  const errors = fieldErrorsFromIssues(result.error.issues, "config");
  throw new PhoenixError(
    "validation_failed",
    `invalid ${kind} configuration: ${errors.map((e) => e.field).join(", ")}`,
    errors,
  );
}
