// What a valid alert submission is: one OCSF Detection Finding, or an array of 1..1,000.
// Every invalid item is reported with its position, and nothing is stored unless all are valid.
// Each finding must also fit Phoenix's size and time limits (decision 028), hence `now`.
import { type FieldError, fieldErrorsFromIssues, PhoenixError } from "../errors.ts";
import { type DetectionFinding, detectionFindingSchema } from "../ocsf/detection-finding.ts";
import { findingLimitErrors } from "../ocsf/finding-limits.ts";
import { detectionFindingSchemaErrors } from "../ocsf/schema-validation.ts";

export const MAX_FINDINGS_PER_REQUEST = 1000;
// Enough field errors to fix a batch without turning one bad request into a megabyte of problems.
const MAX_REPORTED_ERRORS = 100;

export function parseFindingSubmission(body: unknown, now: number): DetectionFinding[] {
  const items = Array.isArray(body) ? body : [body];
  if (Array.isArray(body) && body.length === 0) {
    throw new PhoenixError("validation_failed", "the array of findings is empty", [
      { field: "(body)", message: "must contain at least 1 finding" },
    ]);
  }
  if (items.length > MAX_FINDINGS_PER_REQUEST) {
    throw new PhoenixError("validation_failed", `at most ${MAX_FINDINGS_PER_REQUEST} findings per request`, [
      { field: "(body)", message: `has ${items.length} findings; the limit is ${MAX_FINDINGS_PER_REQUEST}` },
    ]);
  }

  const findings: DetectionFinding[] = [];
  const errors: FieldError[] = [];
  for (const [i, item] of items.entries()) {
    const prefix = Array.isArray(body) ? `[${i}]` : "";
    const result = detectionFindingSchema.safeParse(item);
    if (!result.success) {
      errors.push(...fieldErrorsFromIssues(result.error.issues, prefix));
      continue;
    }
    // Whatever Phoenix stores it must be able to serve back as valid OCSF.
    const schemaErrors = [
      ...detectionFindingSchemaErrors(item, prefix),
      ...findingLimitErrors(result.data, now, prefix),
    ];
    if (schemaErrors.length > 0) errors.push(...schemaErrors);
    else findings.push(result.data);
  }
  if (errors.length > 0) {
    const shown = errors.slice(0, MAX_REPORTED_ERRORS);
    throw new PhoenixError(
      "validation_failed",
      `invalid finding: ${shown.map((e) => e.field).join(", ")}`,
      shown,
    );
  }
  return findings;
}
