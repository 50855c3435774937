// The connector kinds Phoenix ships, by the `kind` stored on each connector.
import type { ConnectorKind, ConnectorKindDefinition } from "../../domain/ingest/kind.ts";
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
