// A case gateway in memory for pure tests of the domain services: the real decide/evolve per case,
// keyed by tenant and case as the case objects are, and every call recorded. Refusals are thrown
// as PhoenixErrors with the object's code, as durable-objects/case-gateway.ts throws them.
import type {
  CaseGateway,
  CaseSnapshot,
  CommandOutcome,
  CommandRequest,
  OpenRequest,
} from "../../domain/case/gateway.ts";
import { decide, evolve } from "../../domain/case/index.ts";
import type { CaseEvent, CaseState } from "../../domain/case/model.ts";
import { PhoenixError } from "../../domain/errors.ts";

interface Held {
  snapshot: CaseSnapshot;
  log: CaseEvent[];
  config: OpenRequest["config"];
}

export class FakeCaseGateway implements CaseGateway {
  readonly cases = new Map<string, Held>();
  readonly calls: string[] = [];
  private readonly clock: () => number;

  constructor(clock: () => number) {
    this.clock = clock;
  }

  async open(request: OpenRequest): Promise<CommandOutcome> {
    this.calls.push(`open ${request.caseId}`);
    const address = `${request.tenantId}:${request.caseId}`;
    if (this.cases.has(address)) throw new PhoenixError("conflict", `case ${request.caseId} already exists`);
    const envelope = {
      command: request.command,
      actor: request.actor,
      ...(request.reason ? { reason: request.reason } : {}),
    };
    const decision = decide(envelope, null, {
      now: this.clock(),
      config: request.config,
      newCommentId: () => "cmt_x",
    });
    if (!decision.ok) throw new PhoenixError(decision.error.code, decision.error.message);
    const state = decision.events.reduce<CaseState | null>(evolve, null) as CaseState;
    const snapshot = { tenantId: request.tenantId, caseId: request.caseId, version: 1, state };
    this.cases.set(address, { snapshot, log: decision.events, config: request.config });
    return { ...snapshot, events: decision.events, replayed: false };
  }

  async command(tenantId: string, caseId: string, request: CommandRequest): Promise<CommandOutcome> {
    this.calls.push(`${request.envelope.command.type} ${caseId}`);
    const held = this.held(tenantId, caseId);
    const decision = decide(request.envelope, held.snapshot.state, {
      now: this.clock(),
      config: held.config,
      newCommentId: () => "cmt_x",
    });
    if (!decision.ok) throw new PhoenixError(decision.error.code, decision.error.message);
    if (decision.events.length > 0) {
      const state = decision.events.reduce<CaseState>((s, e) => evolve(s, e), held.snapshot.state);
      held.snapshot = { ...held.snapshot, version: held.snapshot.version + 1, state };
      held.log.push(...decision.events);
    }
    return { ...held.snapshot, events: decision.events, replayed: false };
  }

  async snapshot(tenantId: string, caseId: string): Promise<CaseSnapshot> {
    return this.held(tenantId, caseId).snapshot;
  }

  async events(tenantId: string, caseId: string) {
    return this.held(tenantId, caseId).log.map((e, i) => ({ ...e, seq: i + 1, version: i + 1 }));
  }

  async verifyAudit(): Promise<never> {
    throw new Error("the fake gateway keeps no audit chain");
  }

  async page(): Promise<never> {
    throw new Error("the fake gateway keeps no audit chain");
  }

  async audit(): Promise<never> {
    throw new Error("the fake gateway keeps no audit chain");
  }

  /** The one case whose state satisfies `where`, for assertions. */
  only(where: (state: CaseState) => boolean = () => true): CaseState {
    const found = [...this.cases.values()].map((h) => h.snapshot.state).filter(where);
    if (found.length !== 1) throw new Error(`expected one matching case, found ${found.length}`);
    return found[0] as CaseState;
  }

  private held(tenantId: string, caseId: string): Held {
    const held = this.cases.get(`${tenantId}:${caseId}`);
    if (!held) throw new PhoenixError("not_found", "no such case");
    return held;
  }
}
