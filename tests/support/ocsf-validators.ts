// OCSF 1.8 schema checks for tests running inside workerd. The validators are Ajv standalone modules
// that vitest.config.ts generates in Node (see generate-ocsf-validators.ts), because workerd forbids eval.
import type { ErrorObject } from "ajv";

type GeneratedValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

// A glob rather than static imports: typechecking must not depend on files that only exist after a test run.
const generated = import.meta.glob<GeneratedValidator>("../.generated/ocsf-*.validate.js", {
  eager: true,
  import: "default",
});

function load(file: string): GeneratedValidator {
  const validate = generated[`../.generated/${file}`];
  if (!validate) {
    throw new Error(
      `tests/.generated/${file} is missing: it is written by vitest.config.ts; run the tests through vitest`,
    );
  }
  return validate;
}

const detectionFinding = load("ocsf-detection-finding.validate.js");
const incidentFinding = load("ocsf-incident-finding.validate.js");

/** Schema errors of an OCSF 1.8 Detection Finding (2004); empty when valid. */
export function validateDetectionFinding(obj: unknown): string[] {
  return run(detectionFinding, obj);
}

/** Schema errors of an OCSF 1.8 Incident Finding (2005); empty when valid. */
export function validateIncidentFinding(obj: unknown): string[] {
  return run(incidentFinding, obj);
}

function run(validate: GeneratedValidator, obj: unknown): string[] {
  if (validate(obj)) return [];
  return (validate.errors ?? []).map(describe);
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === "" ? "(root)" : error.instancePath;
  const params = error.params as Record<string, unknown>;
  // Ajv's enum/const messages omit the allowed values, which is the part a reader needs.
  const allowed =
    "allowedValues" in params
      ? ` ${JSON.stringify(params.allowedValues)}`
      : "allowedValue" in params
        ? ` ${JSON.stringify(params.allowedValue)}`
        : "";
  return `${where} ${error.message ?? error.keyword}${allowed} (${error.schemaPath})`;
}
