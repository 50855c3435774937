// What each source connector kind implements (each kind is a folder in domain/ingest/kinds/; only
// transport stays in workers/ingest/). The ingest hands the raw body to its kind: parse into items,
// map each item, and name its correlation key.
import type { z } from "zod";
import type { CorrelationJoin } from "../alerts/correlation-joins.ts";
import type { SourceVersion } from "../alerts/source-versions.ts";
import type { FieldError } from "../errors.ts";
import type { IntelRecord } from "../intel/records.ts";
import type { DetectionFinding } from "../ocsf/detection-finding.ts";

/** One item of a delivery: its raw text (kept verbatim for quarantine) and its parsed value. */
export interface RawItem {
  raw: string;
  value: unknown;
}

export type ParseResult = { ok: true; items: RawItem[] } | { ok: false; reason: string };

export interface MappedFinding {
  finding: DetectionFinding;
  /** Findings sharing a correlation key land in one case (e.g. the XDR incident id). */
  correlationKey: string;
  /** What the source says now (severity, status…), for sources that update what they sent. */
  sourceVersion?: SourceVersion;
}

export type MapResult =
  /**
   * `ignored`: a valid item that is not a finding (an XDR note, say), acknowledged and counted.
   * `intel`: threat intelligence the item carries (judgements, indicators, relationships), stored alongside.
   * `joins`: correlation keys the source says are one matter, so their cases are joined.
   */
  | {
      ok: true;
      findings: MappedFinding[];
      ignored?: string;
      intel?: IntelRecord[];
      joins?: CorrelationJoin[];
    }
  | { ok: false; reason: string; errors?: FieldError[] };

export interface MapContext {
  now: number;
  connectorId: string;
  /** The connector's own settings (e.g. the AI-activity correlation window). */
  config: Record<string, unknown>;
}

export interface ConnectorKindDefinition {
  /** Its name, as stored on each connector and as registered in kinds/index.ts. */
  kind: string;
  /** What an admin may put in the connector's `config`: strict, so no unknown key (nor secret) lands there. */
  configSchema: z.ZodType<Record<string, unknown>>;
  /** Splits a delivery into items: a single object, a JSON array, NDJSON, or a source envelope. */
  parse(body: string, contentType: string): ParseResult;
  /** Maps one item to OCSF Detection Findings, or says why it cannot (the item is quarantined). */
  map(item: RawItem, ctx: MapContext): MapResult;
  /**
   * For sources with their own envelope, or that can carry prompt text: the delivery reshaped once,
   * where it is received (the ingest route, a pull), into the items `parse` reads, content dropped.
   * Nothing before it is queued or stored.
   */
  received?(body: string, contentType: string): ReceivedDelivery;
  /**
   * How a push of this kind may prove it holds the connector's secret, besides a Standard Webhooks
   * signature: a Splunk HEC token, or HTTP Basic (decision 057). Products that cannot sign use these.
   */
  pushAuth?: readonly PushAuth[];
}

export type PushAuth = "splunk-hec" | "basic";

export interface ReceivedDelivery {
  body: string;
  contentType: string;
  /** Content members removed from the delivery's items. */
  dropped: number;
}

/** Items per delivery, whatever the framing. */
export const MAX_ITEMS_PER_DELIVERY = 10_000;
