// The one permission table. Every entry point (the /v1 API, the workbench, the CLI) asks
// `can(principal, operation)`; roles (people) and scopes (machines) both resolve to operations here.
import { ROLES } from "../../schema/control.ts";
import type { CaseCommand, CaseCommandType, CaseStatus } from "../case/model.ts";
import { allowedCommands } from "../case/transitions.ts";
import type { Scope } from "./scopes.ts";

export type Role = (typeof ROLES)[number];
export { ROLES };

export const OPERATIONS = [
  "alerts.read",
  "alerts.submit",
  "assets.update",
  "quarantine.read",
  "quarantine.replay",
  "cases.read",
  "cases.create",
  // Day-to-day case work: acknowledge, assign, comment, contain, resolve, escalate, link alerts.
  "cases.work",
  // Decisions a lead signs off: close, reopen, merge, change severity.
  "cases.supervise",
  "reports.read",
  // The change feed: case changes to those who read cases, alert changes to those who read alerts.
  "changes.read",
  "connectors.read",
  "connectors.manage",
  // Where cases are kept in sync (Jira, Salesforce, the Platform): administration, with credentials.
  "sinks.read",
  "sinks.manage",
  "users.read",
  "users.manage",
  "clients.manage",
  // The tenant's SLA policy and business calendar, for cases opened from then on.
  "sla.manage",
  "audit.read",
  "health.read",
] as const;

export type Operation = (typeof OPERATIONS)[number];

const VIEWER: readonly Operation[] = ["alerts.read", "cases.read", "reports.read", "changes.read"];
const ANALYST: readonly Operation[] = [
  ...VIEWER,
  "alerts.submit",
  "quarantine.read",
  "cases.create",
  "cases.work",
  "connectors.read",
];
const LEAD: readonly Operation[] = [...ANALYST, "cases.supervise", "assets.update", "quarantine.replay"];
const ADMIN: readonly Operation[] = [
  ...LEAD,
  "connectors.manage",
  "sinks.read",
  "sinks.manage",
  "users.read",
  "users.manage",
  "clients.manage",
  "sla.manage",
  "audit.read",
  "health.read",
];

/** Role → operations: what a person holding the role in a tenant may do there. */
export const ROLE_OPERATIONS: Readonly<Record<Role, ReadonlySet<Operation>>> = {
  viewer: new Set(VIEWER),
  analyst: new Set(ANALYST),
  lead: new Set(LEAD),
  admin: new Set(ADMIN),
};

/** Scope → operations: what a token carrying the scope may do in its tenant. */
export const SCOPE_OPERATIONS: Readonly<Record<Scope, ReadonlySet<Operation>>> = {
  "alerts:read": new Set(["alerts.read", "quarantine.read", "changes.read"]),
  "alerts:write": new Set(["alerts.submit", "assets.update", "quarantine.replay"]),
  "cases:read": new Set(["cases.read", "changes.read"]),
  "cases:write": new Set(["cases.create", "cases.work", "cases.supervise"]),
  "reports:read": new Set(["reports.read"]),
  admin: new Set([
    "connectors.read",
    "connectors.manage",
    "sinks.read",
    "sinks.manage",
    "users.read",
    "users.manage",
    "clients.manage",
    "sla.manage",
    "audit.read",
    "health.read",
  ]),
};

const SUPERVISED_COMMANDS: ReadonlySet<CaseCommand["type"]> = new Set([
  "close",
  "reopen",
  "merge_into",
  "change_severity",
]);

/** The operation a case command needs. */
export function operationForCaseCommand(type: CaseCommand["type"]): Operation {
  return SUPERVISED_COMMANDS.has(type) ? "cases.supervise" : "cases.work";
}

export function operationsForRole(role: Role): ReadonlySet<Operation> {
  return ROLE_OPERATIONS[role];
}

export function operationsForScopes(scopes: readonly Scope[]): ReadonlySet<Operation> {
  return new Set(scopes.flatMap((scope) => [...SCOPE_OPERATIONS[scope]]));
}

export interface Permitted {
  operations: ReadonlySet<Operation>;
}

export function can(principal: Permitted, operation: Operation): boolean {
  return principal.operations.has(operation);
}

/**
 * What this principal may do to a case in `status`: the lifecycle table and this permission table,
 * and nothing else, so the workbench offers exactly what the API would accept.
 */
export function commandsAllowed(principal: Permitted, status: CaseStatus): Set<CaseCommandType> {
  return new Set(allowedCommands(status).filter((c) => can(principal, operationForCaseCommand(c))));
}
