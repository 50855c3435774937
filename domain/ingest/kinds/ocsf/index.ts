// The `ocsf` connector kind: producers that already speak OCSF send Detection Findings (one, a JSON
// array, or NDJSON). Each is validated and stored as it came; Phoenix adds only a correlation key.
import { z } from "zod";
import { fieldErrorsFromIssues } from "../../../errors.ts";
import { type DetectionFinding, detectionFindingSchema, toEpochMs } from "../../../ocsf/detection-finding.ts";
import { readOcsfExport } from "../../../ocsf/export-bundle.ts";
import { frameJsonItems, unparsedItemReason } from "../../framing.ts";
import type { ConnectorKindDefinition, MapContext, MapResult, RawItem } from "../../kind.ts";

export const DEFAULT_RULE_CORRELATION_WINDOW_MS = 3_600_000;

/** Settings an `ocsf` connector accepts in its config; other keys are left to other features. */
export const ocsfConfigSchema = z.looseObject({
  correlationWindowMs: z
    .int()
    .min(60_000)
    .max(30 * 86_400_000)
    .optional()
    .meta({ description: "Alerts of one rule on one asset within this window share a case." }),
});

/**
 * The default case grouping key: one rule on one asset within a fixed window. The rule is qualified by
 * the product, because analytic uids are only unique per vendor; the asset is the device, else the
 * user, else the first resource. Parts are URI-encoded so no id can make two keys look alike.
 */
export function ruleAssetCorrelationKey(finding: DetectionFinding, windowMs: number, now: number): string {
  const info = finding.finding_info;
  const analytic = record(info.analytic);
  const rule = text(analytic?.uid) ?? text(analytic?.name) ?? text(info.title) ?? info.uid;
  const product = finding.metadata.product;
  const [assetKind, asset] = assetOf(finding);
  // Producers send 0 when they do not know the time; the arrival time is the best stand-in.
  const timeMs = finding.time > 0 ? toEpochMs(finding.time) : now;
  const bucket = Math.floor(timeMs / windowMs);
  return `rule:${enc(product.name ?? product.uid ?? "")}/${enc(rule)}:${assetKind}/${enc(asset)}:${bucket}`;
}

export const ocsfSource: ConnectorKindDefinition = {
  configSchema: ocsfConfigSchema.strict(),
  kind: "ocsf",
  parse: frameJsonItems,
  map(item: RawItem, ctx: MapContext): MapResult {
    const unparsed = unparsedItemReason(item);
    if (unparsed !== undefined) return { ok: false, reason: unparsed };

    const config = ocsfConfigSchema.safeParse(ctx.config);
    if (!config.success) {
      const errors = fieldErrorsFromIssues(config.error.issues, "config");
      return { ok: false, reason: `the connector config is invalid: ${fieldList(errors)}`, errors };
    }
    const windowMs = config.data.correlationWindowMs ?? DEFAULT_RULE_CORRELATION_WINDOW_MS;

    const received = readOcsfExport(item.value);
    if ("error" in received) return { ok: false, reason: received.error };
    const result = detectionFindingSchema.safeParse(received.value);
    if (!result.success) {
      const errors = fieldErrorsFromIssues(result.error.issues);
      return { ok: false, reason: `invalid Detection Finding: ${fieldList(errors)}`, errors };
    }
    const finding = result.data;
    return {
      ok: true,
      findings: [{ finding, correlationKey: ruleAssetCorrelationKey(finding, windowMs, ctx.now) }],
    };
  },
};

function assetOf(finding: DetectionFinding): [kind: string, id: string] {
  const device = record(finding.device);
  const deviceId = text(device?.uid) ?? text(device?.hostname) ?? text(device?.ip) ?? text(device?.name);
  if (deviceId !== undefined) return ["device", deviceId];
  const user = record(record(finding.actor)?.user);
  const userId = text(user?.uid) ?? text(user?.email_addr) ?? text(user?.name);
  if (userId !== undefined) return ["user", userId];
  const resource = record(finding.resources?.[0]);
  const resourceId = text(resource?.uid) ?? text(resource?.name);
  if (resourceId !== undefined) return ["resource", resourceId];
  // No asset at all: findings of the rule in the window share one case rather than one case each.
  return ["none", ""];
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function enc(part: string): string {
  return encodeURIComponent(part);
}

function fieldList(errors: ReadonlyArray<{ field: string }>): string {
  return errors.map((error) => error.field).join(", ");
}
