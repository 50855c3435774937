// Requests the contract fuzzer once failed on, shrunk by fast-check, kept so they are tried first
// on every run (as `examples` of their operation's property in fuzz.contract.test.ts) and on their
// own in fuzz.regressions.test.ts.
//
// To add one: a failing fuzz run prints `reproducer: {...}` under the failed operation; paste that
// object as `plan` (for a bad-input failure, its `plan` and `broken`), with the operationId and a
// line on what it found and how it was fixed. Fixture ids print as "{{fixture:case}}" and are
// resolved against the running tenant. To replay the whole failing run instead, pass the printed
// `replay: { seed, path }` to the property's parameters.
import type { Broken, RequestPlan } from "./request-plans.ts";

export interface Regression {
  operationId: string;
  /** What the fuzzer found, and what changed so that it passes. */
  found: string;
  plan: RequestPlan;
  /** For a request that breaks a constraint: what it breaks. Absent for a valid request. */
  broken?: Broken;
}

// An OCSF Detection Finding as small as the document allows (2026-03-01T00:00:00Z).
const FINDING = {
  activity_id: 1,
  category_uid: 2,
  class_uid: 2004,
  type_uid: 200401,
  severity_id: 3,
  time: 1_772_323_200_000,
  finding_info: { uid: "fuzz-regression" },
  metadata: { product: { uid: "p" }, version: "1.8.0" },
};

const none = { query: {}, headers: {} };

export const REGRESSIONS: Regression[] = [
  {
    operationId: "watchCase",
    found:
      "Without an Upgrade header the route answered 400, a status the document did not list, and the header was not documented at all: `upgrade: websocket` is now a required header parameter (422 when missing), and a valid request is a 101.",
    plan: {
      operationId: "watchCase",
      path: { id: "{{fixture:case}}" },
      query: {},
      headers: { upgrade: "websocket" },
    },
  },
  {
    operationId: "watchCase",
    found: "The same route without the header: refused as a documented 422 naming `upgrade`.",
    plan: { operationId: "watchCase", path: { id: "{{fixture:case}}" }, ...none },
    broken: { where: "header", kind: "missing required", field: "upgrade" },
  },
  {
    operationId: "submitAlerts",
    found:
      "metadata.product {} was valid by the document but refused (OCSF needs name or uid): the document now says so with an anyOf.",
    plan: {
      operationId: "submitAlerts",
      path: {},
      ...none,
      body: [{ ...FINDING, metadata: { product: {}, version: "1.8.0" } }],
    },
    broken: { where: "body", kind: "missing required", field: "[0].metadata.product" },
  },
  {
    operationId: "submitAlerts",
    found:
      "type_uid must be class_uid * 100 + activity_id, a rule the document left to a description; it now states it as an anyOf of the pairs, and a mismatch is refused naming type_uid.",
    plan: { operationId: "submitAlerts", path: {}, ...none, body: { ...FINDING, type_uid: 200400 } },
    broken: { where: "body", kind: "not the const", field: "type_uid" },
  },
  {
    operationId: "openCase",
    found:
      "A title (or reason, description, comment) at its documented maximum with a character outside the BMP was refused with 422: the API counts characters as the document does, the case object counted UTF-16 units. The case object now counts characters too.",
    plan: {
      operationId: "openCase",
      path: {},
      ...none,
      body: { title: `${"x".repeat(299)}😀`, severity: "low", reason: `${"r".repeat(1999)}😀` },
    },
  },
  {
    operationId: "setConnectorXdrPull",
    found:
      "The 200 (and every later read of a cisco-xdr connector) showed config.pull.clientId, orgId, region, has_client_password and cursor, which the strict CiscoXdrConnectorConfig refused: responses now use CiscoXdrConnectorConfigView.",
    plan: {
      operationId: "setConnectorXdrPull",
      path: { id: "{{fixture:xdrConnector}}" },
      ...none,
      body: { client_id: "a", client_password: "a", region: "us", org_id: "a" },
    },
  },
  {
    operationId: "inviteUser",
    found:
      "A customer user with any role but viewer was valid by the document and refused with 422: the document now states the rule (staff, or a viewer).",
    plan: {
      operationId: "inviteUser",
      path: {},
      ...none,
      body: { email: "aa@a.test", display_name: "a", kind: "customer", role: "admin" },
    },
    broken: { where: "body", kind: "outside enum", field: "role" },
  },
  {
    operationId: "updateConnector",
    found:
      "PATCH without a body (which the document requires) was read as {} and answered 200, bumping updated_at and writing an audit record: a missing required body is now 422.",
    plan: { operationId: "updateConnector", path: { id: "{{fixture:connector}}" }, ...none },
    broken: { where: "body", kind: "missing required", field: "(body)" },
  },
  {
    operationId: "updateSink",
    found: "The same for sinks.",
    plan: { operationId: "updateSink", path: { id: "{{fixture:sink}}" }, ...none },
    broken: { where: "body", kind: "missing required", field: "(body)" },
  },
  {
    operationId: "commandCase",
    found:
      "review_alert of an alert not linked to the case (well-formed, refused by the case's state) answered 422 without naming a field: it is now a 409 conflict.",
    plan: {
      operationId: "commandCase",
      path: { id: "{{fresh:case}}" },
      query: {},
      headers: { "if-match": "{{case-version}}" },
      body: { type: "review_alert", alert_id: "{{fixture:alert}}" },
    },
  },
  {
    operationId: "commandCase",
    found:
      "escalate with a reason but neither tier nor team was valid by the document and refused by the case object without naming a field: the request schema now refuses it naming `tier`, and the document says so.",
    plan: {
      operationId: "commandCase",
      path: { id: "{{fixture:case}}" },
      query: {},
      headers: { "if-match": "{{case-version}}" },
      body: { type: "escalate", reason: "needs eyes" },
    },
    broken: { where: "body", kind: "missing required", field: "tier" },
  },
];
