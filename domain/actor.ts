// Who did something, as every audit in Phoenix records it (the case audit and the administration
// audit alike): a person or a machine client by its issuer-qualified principal id, or Phoenix itself.

export interface Actor {
  /** `jira`: a Jira account (by accountId) whose change in Jira came back through the strangler path. */
  kind: "user" | "client" | "system" | "jira";
  id: string;
}

/** Phoenix's own tooling (operator CLI, seeding, scheduled jobs), not a person or a client. */
export const SYSTEM_ACTOR: Actor = { kind: "system", id: "phoenix" };
