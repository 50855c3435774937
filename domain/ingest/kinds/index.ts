// The connector kinds Phoenix runs, by the `kind` stored on each connector. This registry is where
// kinds are declared: a kind is one folder beside this file, and its line in KINDS below.
import type { z } from "zod";
import { fieldErrorsFromIssues, PhoenixError } from "../../errors.ts";
import type { ConnectorKindDefinition } from "../kind.ts";
import { aiActivity } from "./ai-activity/index.ts";
import { ciscoAiDefense } from "./cisco-ai-defense/index.ts";
import { ciscoSecureAccess } from "./cisco-secure-access/index.ts";
import { ciscoXdr } from "./cisco-xdr/index.ts";
import { jiraInboundConfigSchema } from "./jira/config.ts";
import { m365Copilot } from "./m365-copilot/index.ts";
import { ocsfSource } from "./ocsf/index.ts";

const KINDS = {
  "cisco-xdr": ciscoXdr,
  "ai-activity": aiActivity,
  ocsf: ocsfSource,
  "cisco-ai-defense": ciscoAiDefense,
  "m365-copilot": m365Copilot,
  "cisco-secure-access": ciscoSecureAccess,
} as const satisfies Record<string, ConnectorKindDefinition>;

/**
 * Kinds whose deliveries are changes to existing cases, not findings: Jira during the strangler
 * period. They have a config but no mapping; the ingest hands them to their own service.
 */
const CASE_CHANGE_KINDS = {
  jira: { configSchema: jiraInboundConfigSchema },
} as const satisfies Record<string, Pick<ConnectorKindDefinition, "configSchema">>;

type FindingKind = keyof typeof KINDS;
export type ConnectorKind = FindingKind | keyof typeof CASE_CHANGE_KINDS;
export const CONNECTOR_KINDS = [...Object.keys(KINDS), ...Object.keys(CASE_CHANGE_KINDS)] as [
  ConnectorKind,
  ...ConnectorKind[],
];

export function isConnectorKind(kind: string): kind is ConnectorKind {
  return Object.hasOwn(KINDS, kind) || Object.hasOwn(CASE_CHANGE_KINDS, kind);
}

/** Whether a connector of this kind brings case changes (Jira) rather than findings. */
export function bringsCaseChanges(kind: string): kind is keyof typeof CASE_CHANGE_KINDS {
  return Object.hasOwn(CASE_CHANGE_KINDS, kind);
}

/** The finding kind a stored connector names; a name no registered kind has is a data error, not input. */
export function kindFor(kind: string): ConnectorKindDefinition {
  if (!Object.hasOwn(KINDS, kind)) throw new Error(`connector kind ${JSON.stringify(kind)} maps no findings`);
  return KINDS[kind as FindingKind];
}

/** Each kind's config schema, by kind: for documenting what `config` holds. */
export function connectorConfigSchemas(): Record<ConnectorKind, z.ZodType<Record<string, unknown>>> {
  return {
    ...Object.fromEntries(Object.entries(KINDS).map(([kind, def]) => [kind, def.configSchema])),
    ...Object.fromEntries(Object.entries(CASE_CHANGE_KINDS).map(([kind, def]) => [kind, def.configSchema])),
  } as Record<ConnectorKind, z.ZodType<Record<string, unknown>>>;
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
  const schema = bringsCaseChanges(kind) ? CASE_CHANGE_KINDS[kind].configSchema : kindFor(kind).configSchema;
  const result = schema.safeParse(config);
  if (result.success) return result.data;
  const errors = fieldErrorsFromIssues(result.error.issues, "config");
  throw new PhoenixError(
    "validation_failed",
    `invalid ${kind} configuration: ${errors.map((e) => e.field).join(", ")}`,
    errors,
  );
}
