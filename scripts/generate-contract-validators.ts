// Compiles the schemas of contract/phoenix-v1.openapi.json into one Ajv standalone ES module,
// tests/support/generated/contract-validators.js (gitignored): a validator per parameter, per request
// body and per documented response (operation, status, content type). Ajv compiles with `new Function`, which
// workerd forbids, so the fuzz suite validates inside the Worker runtime with code generated here.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import { esmRuntimeImports } from "./generate-ocsf-validators.ts";

// Bump when the emitted code changes shape, so a stale module is regenerated.
const GENERATOR_VERSION = "3";
const ROOT_ID = "https://phoenix.invalid/contract.json";
const COMPONENT_REF = "#/components/schemas/";

interface MediaObject {
  schema?: unknown;
}
interface OperationObject {
  operationId?: string;
  parameters?: Array<{ name: string; in: string; schema?: unknown }>;
  requestBody?: { content?: Record<string, MediaObject> };
  responses?: Record<string, { content?: Record<string, MediaObject> }>;
}
interface ContractDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, unknown> };
}

/**
 * The key a validator is exported under: "getAlert 200 application/json", "openCase request
 * application/json" or "listAlerts query limit".
 */
function validatorKey(operationId: string, where: string, name: string): string {
  return `${operationId} ${where} ${name}`;
}

/**
 * Writes the module when the document (or this generator) changed since it was last written, so
 * test start-up stays fast. Returns the module's path.
 */
export async function generateContractValidators(repoRoot: string): Promise<string> {
  const documentText = await readFile(join(repoRoot, "contract/phoenix-v1.openapi.json"), "utf8");
  const outDir = resolve(repoRoot, "tests/support/generated");
  const outPath = join(outDir, "contract-validators.js");
  const stamp = `// contract-validators ${createHash("sha256").update(`${GENERATOR_VERSION}\n${documentText}`).digest("hex")}`;
  const existing = await readFile(outPath, "utf8").catch(() => "");
  if (existing.startsWith(`${stamp}\n`)) return outPath;

  const doc = JSON.parse(documentText) as ContractDocument;
  // validateFormats off: formats are checked by the Worker's own schemas; here shape is what counts.
  const ajv = new Ajv2020({
    allErrors: true,
    strict: false,
    validateFormats: false,
    inlineRefs: false,
    code: { source: true, esm: true },
  });
  // The components become $defs of one schema, so each validator shares their compiled code.
  ajv.addSchema({
    $id: ROOT_ID,
    $defs: rewriteRefs(doc.components?.schemas ?? {}, "#/$defs/"),
  });

  const exportsByKey = new Map<string, string>();
  const add = (key: string, schema: unknown) => {
    const name = `v${exportsByKey.size}`;
    ajv.addSchema({ ...(rewriteRefs(schema, `${ROOT_ID}#/$defs/`) as object), $id: `${ROOT_ID}/${name}` });
    exportsByKey.set(key, name);
  };
  for (const ops of Object.values(doc.paths)) {
    for (const op of Object.values(ops)) {
      if (!op.operationId) continue;
      for (const param of op.parameters ?? []) {
        if (param.schema !== undefined) add(validatorKey(op.operationId, param.in, param.name), param.schema);
      }
      for (const [contentType, media] of Object.entries(op.requestBody?.content ?? {})) {
        if (media.schema !== undefined)
          add(validatorKey(op.operationId, "request", contentType), media.schema);
      }
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        for (const [contentType, media] of Object.entries(response.content ?? {})) {
          if (media.schema !== undefined)
            add(validatorKey(op.operationId, status, contentType), media.schema);
        }
      }
    }
  }

  let module: string;
  try {
    const code = standaloneCode(
      ajv,
      Object.fromEntries([...exportsByKey.values()].map((name) => [name, `${ROOT_ID}/${name}`])),
    );
    const index = [...exportsByKey.entries()].map(([key, name]) => `  ${JSON.stringify(key)}: ${name},`);
    module = `${stamp}\n${esmRuntimeImports(code)}\nexport const validators = {\n${index.join("\n")}\n};\n`;
  } catch (error) {
    // A document Ajv cannot compile (a dangling $ref) fails the suites that validate against it,
    // not every test run: `npm run contract` must still be able to write a corrected document.
    module = `${stamp}\nexport const validators = {};\nexport const generationError = ${JSON.stringify(String(error))};\n`;
  }
  await mkdir(outDir, { recursive: true });
  // Another vitest process may be reading it: write aside, then rename, so nobody sees half a file.
  const tmpPath = `${outPath}.${process.pid}.tmp`;
  await writeFile(tmpPath, module);
  await rename(tmpPath, outPath);
  return outPath;
}

/** A copy of `node` with every `#/components/schemas/X` reference pointing at `${target}X`. */
function rewriteRefs(node: unknown, target: string): unknown {
  if (Array.isArray(node)) return node.map((item) => rewriteRefs(item, target));
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) =>
      key === "$ref" && typeof value === "string" && value.startsWith(COMPONENT_REF)
        ? [key, `${target}${value.slice(COMPONENT_REF.length)}`]
        : [key, rewriteRefs(value, target)],
    ),
  );
}

// `node scripts/generate-contract-validators.ts` generates for this checkout.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await generateContractValidators(resolve(import.meta.dirname, "..")));
}
