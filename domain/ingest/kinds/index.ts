// The connector kinds Phoenix runs, by the `kind` stored on each connector (schema/control.ts names
// them). A kind is one folder beside this file; registering it here is the one line it adds.
import type { ConnectorKind } from "../../../schema/control.ts";
import { fieldErrorsFromIssues, PhoenixError } from "../../errors.ts";
import type { ConnectorKindDefinition } from "../kind.ts";
import { aiActivity } from "./ai-activity/index.ts";
import { ciscoXdr } from "./cisco-xdr/index.ts";
import { ocsfSource } from "./ocsf/index.ts";

const KINDS: Record<ConnectorKind, ConnectorKindDefinition> = {
  "cisco-xdr": ciscoXdr,
  "ai-activity": aiActivity,
  ocsf: ocsfSource,
};

export function kindFor(kind: ConnectorKind): ConnectorKindDefinition {
  return KINDS[kind];
}

/**
 * A connector's `config`, checked against its kind's strict schema when it is created or changed,
 * so a bad setting is refused at the API instead of quarantining every later delivery, and nothing
 * typed there is a secret that GET and the audit would echo (secrets go through write-only fields).
 */
export function validateConnectorConfig(
  kind: ConnectorKind,
  config: Record<string, unknown>,
): Record<string, unknown> {
  const result = KINDS[kind].configSchema.safeParse(config);
  if (result.success) return result.data;
  const errors = fieldErrorsFromIssues(result.error.issues, "config");
  throw new PhoenixError(
    "validation_failed",
    `invalid ${kind} configuration: ${errors.map((e) => e.field).join(", ")}`,
    errors,
  );
}
