// Checks against contract/phoenix-v1.openapi.json inside workerd: the Ajv standalone validators that
// scripts/generate-contract-validators.ts compiles before the tests (vitest.config.ts).
import type { ErrorObject } from "ajv";

type GeneratedValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

interface GeneratedModule {
  validators: Record<string, GeneratedValidator>;
  generationError?: string;
}

// A glob rather than a static import, so typechecking does not depend on the generated file.
const generated = import.meta.glob<GeneratedModule>("./generated/contract-validators.js", { eager: true });

function validators(): Record<string, GeneratedValidator> {
  const found = generated["./generated/contract-validators.js"];
  if (!found) {
    throw new Error(
      "tests/support/generated/contract-validators.js is missing: vitest.config.ts generates it (scripts/generate-contract-validators.ts)",
    );
  }
  if (found.generationError)
    throw new Error(`the contract's schemas did not compile: ${found.generationError}`);
  return found.validators;
}

function run(key: string, value: unknown): string[] {
  const validate = validators()[key];
  // Every schema of the document has a validator; a missing one is a stale module, not a pass.
  if (!validate) throw new Error(`no generated validator for "${key}": is the module stale?`);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message ?? e.keyword}`);
}

/** Where a response body departs from the document's schema for the operation, status and content type. */
export function responseSchemaErrors(
  operationId: string,
  status: number,
  contentType: string,
  body: unknown,
): string[] {
  return run(`${operationId} ${status} ${contentType}`, body);
}

/** Where a request body departs from the operation's documented request schema. */
export function requestSchemaErrors(operationId: string, contentType: string, body: unknown): string[] {
  return run(`${operationId} request ${contentType}`, body);
}

/** Where a parameter's value (a query value already read as its type) departs from its schema. */
export function parameterSchemaErrors(
  operationId: string,
  location: "path" | "query" | "header",
  name: string,
  value: unknown,
): string[] {
  return run(`${operationId} ${location} ${name}`, value);
}
