// OCSF 1.8 schema checks for tests: the same generated Ajv validators the Worker runs.
import {
  detectionFindingSchemaErrors,
  incidentFindingSchemaErrors,
} from "../../domain/ocsf/schema-validation.ts";

/** Schema errors of an OCSF 1.8 Detection Finding (2004), as "field message" lines; empty when valid. */
export function validateDetectionFinding(obj: unknown): string[] {
  return detectionFindingSchemaErrors(obj).map((e) => `${e.field} ${e.message}`);
}

/** Schema errors of an OCSF 1.8 Incident Finding (2005); empty when valid. */
export function validateIncidentFinding(obj: unknown): string[] {
  return incidentFindingSchemaErrors(obj).map((e) => `${e.field} ${e.message}`);
}
