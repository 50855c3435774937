// The connector kinds Phoenix runs, by the `kind` stored on each connector. This registry is where
// kinds are declared: a kind is one folder beside this file, and its line in KINDS below.
import { fieldErrorsFromIssues, PhoenixError } from "../../errors.ts";
import type { ConnectorKindDefinition } from "../kind.ts";
import { aiActivity } from "./ai-activity/index.ts";
import { ciscoXdr } from "./cisco-xdr/index.ts";
import { ocsfSource } from "./ocsf/index.ts";

const KINDS = {
  "cisco-xdr": ciscoXdr,
  "ai-activity": aiActivity,
  ocsf: ocsfSource,
} as const satisfies Record<string, ConnectorKindDefinition>;

export type ConnectorKind = keyof typeof KINDS;
export const CONNECTOR_KINDS = Object.keys(KINDS) as [ConnectorKind, ...ConnectorKind[]];

export function isConnectorKind(kind: string): kind is ConnectorKind {
  return Object.hasOwn(KINDS, kind);
}

/** The kind a stored connector names; a name no registered kind has is a data error, not input. */
export function kindFor(kind: string): ConnectorKindDefinition {
  if (!isConnectorKind(kind)) throw new Error(`connector kind ${JSON.stringify(kind)} is not registered`);
  return KINDS[kind];
}

/**
 * A connector's `config`, checked against its kind's strict schema when it is created or changed,
 * so a bad setting is refused at the API instead of quarantining every later delivery, and nothing
 * typed there is a secret that GET and the audit would echo (secrets go through write-only fields).
 */
export function validateConnectorConfig(
  kind: string,
  config: Record<string, unknown>,
): Record<string, unknown> {
  const result = kindFor(kind).configSchema.safeParse(config);
  if (result.success) return result.data;
  const errors = fieldErrorsFromIssues(result.error.issues, "config");
  throw new PhoenixError(
    "validation_failed",
    `invalid ${kind} configuration: ${errors.map((e) => e.field).join(", ")}`,
    errors,
  );
}
