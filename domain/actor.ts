// Who did something, as every audit in Phoenix records it (the case audit and the administration
// audit alike): a person or a machine client by its issuer-qualified principal id, or Phoenix itself.

export interface Actor {
  kind: "user" | "client" | "system";
  id: string;
}

/** Phoenix's own tooling (operator CLI, seeding, scheduled jobs), not a person or a client. */
export const SYSTEM_ACTOR: Actor = { kind: "system", id: "phoenix" };
