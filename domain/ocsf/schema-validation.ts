// Full OCSF 1.8 JSON Schema validation, with Ajv standalone modules that
// scripts/generate-ocsf-validators.ts compiles from ../shared/ocsf (workerd forbids compiling at run
// time). The zod schema checks what Phoenix reads; this checks everything a consumer may read.
import type { ErrorObject } from "ajv";
import type { FieldError } from "../errors.ts";

type GeneratedValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

// A glob rather than static imports, so typechecking does not depend on generated files.
const generated = import.meta.glob<GeneratedValidator>("./generated/*.validate.js", {
  eager: true,
  import: "default",
});

function load(file: string): GeneratedValidator {
  const validate = generated[`./generated/${file}`];
  if (!validate) {
    throw new Error(
      `domain/ocsf/generated/${file} is missing: run \`npm run build\` (or \`npm start\`, or the tests)`,
    );
  }
  return validate;
}

let detectionFinding: GeneratedValidator | undefined;
let incidentFinding: GeneratedValidator | undefined;

/** Schema problems of an OCSF 1.8 Detection Finding (2004), as field errors; empty when valid. */
export function detectionFindingSchemaErrors(value: unknown, prefix = ""): FieldError[] {
  detectionFinding ??= load("detection-finding.validate.js");
  return run(detectionFinding, value, prefix);
}

/** Schema problems of an OCSF 1.8 Incident Finding (2005), as field errors; empty when valid. */
export function incidentFindingSchemaErrors(value: unknown, prefix = ""): FieldError[] {
  incidentFinding ??= load("incident-finding.validate.js");
  return run(incidentFinding, value, prefix);
}

function run(validate: GeneratedValidator, value: unknown, prefix: string): FieldError[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => ({
    field: fieldOf(prefix, error),
    message: messageOf(error),
  }));
}

/** "/evidences/0/file" → "evidences[0].file", the way every other Phoenix error names fields. */
function fieldOf(prefix: string, error: ErrorObject): string {
  let field = prefix;
  for (const part of error.instancePath.split("/").slice(1)) {
    const key = part.replaceAll("~1", "/").replaceAll("~0", "~");
    field += /^\d+$/.test(key) ? `[${key}]` : field ? `.${key}` : key;
  }
  const params = error.params as Record<string, unknown>;
  if (typeof params.missingProperty === "string")
    field += field ? `.${params.missingProperty}` : params.missingProperty;
  return field || "(body)";
}

function messageOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (typeof params.missingProperty === "string") return "is required by the OCSF schema";
  // Ajv's enum/const messages omit the allowed values, which is the part a reader needs.
  const allowed =
    "allowedValues" in params
      ? ` ${JSON.stringify(params.allowedValues)}`
      : "allowedValue" in params
        ? ` ${JSON.stringify(params.allowedValue)}`
        : "";
  return `${error.message ?? "is invalid"}${allowed}`;
}
