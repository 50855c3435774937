// One item of a delivery through its connector's kind, and every check a stored finding must pass.
// Whatever is wrong with one item (bad text, a mapping that throws, a finding too large or dated
// before 1970) is that item's reason for quarantine: it never fails the delivery (decision 028).
import { jsonValueProblem } from "../input/json-value.ts";
import { findingLimitErrors } from "../ocsf/finding-limits.ts";
import { detectionFindingSchemaErrors } from "../ocsf/schema-validation.ts";
import type { ConnectorKindDefinition, MapContext, MapResult, RawItem } from "./kind.ts";

// Enough field errors to fix an item without one bad item filling a quarantine row with them.
const MAX_REPORTED_ERRORS = 50;

export function mapItem(kind: ConnectorKindDefinition, item: RawItem, ctx: MapContext): MapResult {
  const problem = item.value === undefined ? null : jsonValueProblem(item.value);
  if (problem) return { ok: false, reason: `${problem.field} ${problem.message}`, errors: [problem] };

  let result: MapResult;
  try {
    result = kind.map(item, ctx);
  } catch (error) {
    return {
      ok: false,
      reason: `the ${kind.kind} mapping failed on this item: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (!result.ok) return result;

  // Every kind's output must be valid OCSF, or it could not be served back as such.
  const invalid = result.findings.flatMap((m) => detectionFindingSchemaErrors(m.finding));
  if (invalid.length > 0) {
    return {
      ok: false,
      reason: "the mapped finding does not validate against the OCSF schema",
      errors: invalid.slice(0, MAX_REPORTED_ERRORS),
    };
  }
  const outside = result.findings.flatMap((m) => findingLimitErrors(m.finding, ctx.now));
  if (outside.length > 0) {
    return {
      ok: false,
      reason: `the finding is outside Phoenix's limits: ${outside.map((e) => `${e.field} ${e.message}`).join("; ")}`,
      errors: outside.slice(0, MAX_REPORTED_ERRORS),
    };
  }
  return result;
}
